import type { AnemicPerson, Group as ApiGroup, Person as ApiPerson } from '../api/index.ts';
import type { Stores } from '../db/stores.ts';
import { toApiAnemicPerson, toApiPerson } from '../person/person-mapper.ts';
import { superuserIds } from './admin-groups.ts';
import { toApiGroup } from './group-mapper.ts';
import type { Group } from './group-store.ts';

// Reads that put groups and people together for API answers; other slices use them instead of
// reaching into the group store.

/** The live groups a person belongs to, by name, optionally with their roles. */
export async function apiGroupsOfPerson(
  stores: Stores,
  personId: string,
  options: { includeAcls?: boolean } = {},
): Promise<ApiGroup[]> {
  const ids = await stores.groups.listGroupIdsForPerson(personId);
  if (ids.length === 0) return [];
  const groups = await stores.groups.list({ ids });
  if (!options.includeAcls) return groups.map((g) => toApiGroup(g));
  const [appAcls, envAcls] = await Promise.all([
    stores.groups.listApplicationAcls({ groupIds: ids }),
    stores.groups.listEnvironmentAcls({ groupIds: ids }),
  ]);
  return groups.map((g) =>
    toApiGroup(g, {
      applicationAcls: appAcls.filter((a) => a.groupId === g.id),
      environmentAcls: envAcls.filter((a) => a.groupId === g.id),
    }),
  );
}

/**
 * The members of a group as API people, by name: active people only, as upstream's Group.members (a deactivated
 * person keeps their memberships, hidden, until reactivated or removed with their groups).
 */
export async function apiMembersOf(stores: Stores, group: Group): Promise<ApiPerson[]> {
  const ids = await stores.groups.listMemberIds(group.id);
  if (ids.length === 0) return [];
  const { persons } = await stores.persons.list({ ids });
  return persons.map((p) => toApiPerson(p));
}

/**
 * API 1.2.6 `includeMembersV2`: the members as anemic people, and which of them are superusers, as upstream's
 * Group.simpleMembers and Group.superMembers.
 */
export async function apiSimpleMembersOf(
  stores: Stores,
  group: Group,
): Promise<{ simpleMembers: AnemicPerson[]; superMembers: string[] }> {
  const ids = await stores.groups.listMemberIds(group.id);
  if (ids.length === 0) return { simpleMembers: [], superMembers: [] };
  const { persons } = await stores.persons.list({ ids });
  const superusers = new Set(await superuserIds(stores, group.organisationId));
  return {
    simpleMembers: persons.map(toApiAnemicPerson),
    superMembers: persons.filter((p) => superusers.has(p.id)).map((p) => p.id),
  };
}
