import type {
  AnemicPerson,
  ApplicationGroupRole as ApiApplicationGroupRole,
  EnvironmentGroupRole as ApiEnvironmentGroupRole,
  Group as ApiGroup,
  Person as ApiPerson,
} from '../api/index.ts';
import type { ApplicationAcl, EnvironmentAcl, Group } from './group-store.ts';

/** What a Group answer may carry besides the group itself; omitted parts are left out of the body. */
export interface GroupExtras {
  members?: ApiPerson[];
  /** API 1.2.6 (`includeMembersV2`). */
  simpleMembers?: AnemicPerson[];
  superMembers?: string[];
  applicationAcls?: readonly ApplicationAcl[];
  environmentAcls?: readonly EnvironmentAcl[];
}

export function toApiApplicationGroupRole(acl: ApplicationAcl): ApiApplicationGroupRole {
  return { applicationId: acl.applicationId, groupId: acl.groupId, roles: [...acl.roles] };
}

export function toApiEnvironmentGroupRole(acl: EnvironmentAcl): ApiEnvironmentGroupRole {
  return { environmentId: acl.environmentId, groupId: acl.groupId, roles: [...acl.roles] };
}

/** The API Group of a domain group (`organizationId`, upstream's spelling). */
export function toApiGroup(group: Group, extras: GroupExtras = {}): ApiGroup {
  return {
    id: group.id,
    name: group.name,
    admin: group.admin,
    portfolioId: group.portfolioId,
    organizationId: group.organisationId,
    version: group.version,
    whenCreated: group.whenCreated.toISOString(),
    whenUpdated: group.whenUpdated.toISOString(),
    whenArchived: group.whenArchived?.toISOString() ?? null,
    ...(extras.members ? { members: extras.members } : {}),
    ...(extras.simpleMembers ? { simpleMembers: extras.simpleMembers } : {}),
    ...(extras.superMembers ? { superMembers: extras.superMembers } : {}),
    ...(extras.applicationAcls
      ? { applicationRoles: extras.applicationAcls.map(toApiApplicationGroupRole) }
      : {}),
    ...(extras.environmentAcls
      ? { environmentRoles: extras.environmentAcls.map(toApiEnvironmentGroupRole) }
      : {}),
  };
}
