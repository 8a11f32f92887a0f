import { BadRequestError, ForbiddenError, NotFoundError, StaleVersionError } from '@fh/service-kit';
import type { Stores } from '../db/stores.ts';
import type { Access } from '../permission/access.ts';
import { addGroupMember, canManageGroup, findSuperuserGroup, removeGroupMember } from './admin-groups.ts';
import type {
  ApplicationAcl,
  ApplicationRole,
  EnvironmentAcl,
  EnvironmentRole,
  Group,
} from './group-store.ts';

export interface ApplicationRolesInput {
  applicationId: string;
  roles: readonly ApplicationRole[];
}

export interface EnvironmentRolesInput {
  environmentId: string;
  roles: readonly EnvironmentRole[];
}

export interface CreateGroupInput {
  name?: string | undefined;
  admin?: boolean | null | undefined;
  applicationRoles?: readonly ApplicationRolesInput[] | null | undefined;
}

/**
 * An update of a group. Only the parts given change: `members` (the full list), `applicationRoles` (replacing
 * the group's application roles, only within `applicationId` when it is given) and `environmentRoles` (only the
 * environments listed change, as upstream: an empty role list removes the group's roles there).
 */
export interface UpdateGroupInput {
  /** When the path names the portfolio (PUT /portfolio/{id}/group), the group must be one of its. */
  portfolioId?: string;
  name?: string | undefined;
  version?: number | null | undefined;
  members?: readonly string[];
  applicationRoles?: readonly ApplicationRolesInput[];
  environmentRoles?: readonly EnvironmentRolesInput[];
  applicationId?: string | undefined;
}

/** A group with the acls the caller asked for. */
export interface GroupRoles {
  applicationAcls: ApplicationAcl[];
  environmentAcls: EnvironmentAcl[];
}

/** Groups, their members, and the portfolio's applications and environments they hold roles in. */
type GroupStores = Pick<
  Stores,
  'applications' | 'environments' | 'groups' | 'organisations' | 'persons' | 'portfolios'
>;

/**
 * Groups, their members and their roles (GroupService of the admin API; docs/admin-api-rules.md
 * §Groups and permissions).
 */
export class GroupService {
  /** The groups of a portfolio, for superusers and anyone in one of its groups; by name. */
  async findInPortfolio(
    stores: GroupStores,
    access: Access,
    portfolioId: string,
    options: { filter?: string | undefined; order?: 'ASC' | 'DESC' | undefined } = {},
  ): Promise<Group[]> {
    await this.#portfolio(stores, portfolioId);
    if (!access.canSeePortfolio(portfolioId)) {
      throw new ForbiddenError('You are not in any group of this portfolio');
    }
    const filter = options.filter?.trim();
    const groups = await stores.groups.list({ portfolioId, ...(filter ? { nameContains: filter } : {}) });
    return options.order === 'DESC' ? groups.reverse() : groups;
  }

  /** A portfolio admin creates a (non-admin) group, optionally with application roles. 409 on a taken name. */
  async create(
    tx: GroupStores,
    access: Access,
    portfolioId: string,
    input: CreateGroupInput,
  ): Promise<Group> {
    const portfolio = await this.#portfolio(tx, portfolioId);
    access.requirePortfolioAdmin(portfolioId);
    const name = (input.name ?? '').trim();
    if (name === '') throw new BadRequestError('The group needs a name');
    if (input.admin) {
      throw new BadRequestError('Administrator groups are created with their portfolio, not on their own');
    }
    const roles = input.applicationRoles ?? [];
    await this.#checkApplications(tx, portfolioId, roles);
    const group = await tx.groups.create({
      organisationId: portfolio.organisationId,
      portfolioId,
      name,
      createdBy: access.personId,
    });
    for (const r of roles) await tx.groups.setApplicationRoles(group.id, r.applicationId, r.roles);
    return group;
  }

  /**
   * One group, for its members and for those who manage it (superusers, the admins of its portfolio). As upstream,
   * anyone else is told it does not exist (404), so group ids of other teams reveal nothing.
   */
  async get(stores: GroupStores, access: Access, groupId: string): Promise<Group> {
    const group = await stores.groups.findById(groupId);
    const visible =
      group !== undefined &&
      (canManageGroup(access, group) ||
        (await stores.groups.listMemberIds(group.id)).includes(access.personId));
    if (!group || !visible) throw new NotFoundError(`group ${groupId} not found`);
    return group;
  }

  /** The organisation's superuser group, for any admin. */
  async superuserGroup(stores: GroupStores, access: Access, organisationId: string): Promise<Group> {
    const org = await stores.organisations.findById(organisationId);
    if (!org || org.whenArchived !== null)
      throw new NotFoundError(`organisation ${organisationId} not found`);
    access.requireAnyAdmin();
    const group = await findSuperuserGroup(stores, org.id);
    if (!group) throw new NotFoundError('The organisation has no superuser group');
    return group;
  }

  /** The group's roles, only those about one application when `applicationId` is given. */
  async roles(stores: GroupStores, group: Group, applicationId?: string): Promise<GroupRoles> {
    const appAcls = await stores.groups.listApplicationAcls({
      groupIds: [group.id],
      ...(applicationId ? { applicationId } : {}),
    });
    let envAcls = await stores.groups.listEnvironmentAcls({ groupIds: [group.id] });
    if (applicationId) {
      const envIds = new Set((await stores.environments.list({ applicationId })).map((e) => e.id));
      envAcls = envAcls.filter((a) => envIds.has(a.environmentId));
    }
    return { applicationAcls: appAcls, environmentAcls: envAcls };
  }

  /**
   * Updates a group (portfolio admins their portfolios' groups, superusers any). The version must be
   * current (400 without one, 422 when stale); admin groups keep their names; roles may only name
   * applications and environments of the group's portfolio (400: upstream skips them silently, but a clear
   * refusal tells the caller what is wrong). `applicationId` scopes the application roles only, as upstream.
   */
  async update(tx: GroupStores, access: Access, groupId: string, input: UpdateGroupInput): Promise<Group> {
    const group = await tx.groups.findById(groupId);
    if (!group || (input.portfolioId !== undefined && group.portfolioId !== input.portfolioId)) {
      throw new NotFoundError(`group ${groupId} not found`);
    }
    this.#requireManage(access, group);
    if (input.version === undefined || input.version === null) {
      throw new BadRequestError('version is required to update a group');
    }
    if (input.version !== group.version) {
      throw new StaleVersionError(`group ${groupId} is at version ${group.version}, not ${input.version}`);
    }
    const name = input.name?.trim();
    if (name === '') throw new BadRequestError('The group name must not be blank');
    const renamed = name !== undefined && name !== group.name;
    if (renamed && group.admin) throw new BadRequestError('Administrator groups cannot be renamed');

    const scope = input.applicationId;
    if (scope !== undefined) await this.#checkApplications(tx, group.portfolioId, [{ applicationId: scope }]);
    const appRoles = input.applicationRoles?.filter((r) => scope === undefined || r.applicationId === scope);
    if (input.environmentRoles) await this.#checkEnvironments(tx, group.portfolioId, input.environmentRoles);
    if (appRoles) await this.#checkApplications(tx, group.portfolioId, appRoles);
    const current = input.members ? await tx.groups.listMemberIds(groupId) : [];
    // Deactivated members may be listed back as they are; only newcomers must be active people.
    if (input.members)
      await this.#checkMembers(
        tx,
        input.members.filter((id) => !current.includes(id)),
      );

    const updated = await tx.groups.update(groupId, {
      ...(renamed ? { name } : {}),
      version: input.version,
    });
    if (appRoles) await this.#replaceApplicationRoles(tx, group, appRoles, scope);
    // Only the environments listed change (upstream's updateEnvironmentMembersOfGroup): a client that read the
    // group without its roles and adds one environment's roles leaves the other environments' roles alone.
    for (const r of input.environmentRoles ?? []) {
      await tx.groups.setEnvironmentRoles(group.id, r.environmentId, r.roles);
    }
    if (input.members) await this.#replaceMembers(tx, group, current, input.members);
    return updated;
  }

  /** A portfolio admin deletes (archives) one of its groups; administrator groups cannot go (403). */
  async delete(tx: GroupStores, access: Access, groupId: string): Promise<boolean> {
    const group = await tx.groups.findById(groupId);
    if (!group) throw new NotFoundError(`group ${groupId} not found`);
    this.#requireManage(access, group);
    if (group.admin) throw new ForbiddenError('Administrator groups cannot be deleted');
    await tx.groups.archive(groupId);
    return true;
  }

  async addMember(tx: GroupStores, access: Access, groupId: string, personId: string): Promise<Group> {
    const group = await this.#managedGroup(tx, access, groupId);
    await this.#checkMembers(tx, [personId], 404);
    await addGroupMember(tx, group, personId);
    return group;
  }

  /**
   * API 1.2.6 `addPersonsToGroup`: adds several people at once, named by id or by email; 404 (and nothing added)
   * when any of them is unknown. People already in the group stay as they are.
   */
  async addMembers(
    tx: GroupStores,
    access: Access,
    groupId: string,
    people: { ids: readonly string[]; emails: readonly string[] },
  ): Promise<Group> {
    const group = await this.#managedGroup(tx, access, groupId);
    if (people.ids.length === 0 && people.emails.length === 0) {
      throw new BadRequestError('name at least one person to add: personId or email');
    }
    const ids = [...people.ids];
    for (const email of people.emails) {
      const person = await tx.persons.findByEmail(email);
      if (!person) throw new NotFoundError(`no person with email ${email}`);
      ids.push(person.id);
    }
    const unique = [...new Set(ids)];
    await this.#checkMembers(tx, unique, 404);
    const current = new Set(await tx.groups.listMemberIds(group.id));
    for (const id of unique) if (!current.has(id)) await addGroupMember(tx, group, id);
    return group;
  }

  async removeMember(tx: GroupStores, access: Access, groupId: string, personId: string): Promise<Group> {
    const group = await this.#managedGroup(tx, access, groupId);
    if (!(await tx.persons.findById(personId, { includeArchived: true }))) {
      throw new NotFoundError(`person ${personId} not found`);
    }
    // As upstream: 404 unless there is a membership this removes. A superuser's place in a portfolio administrators
    // group is not one (it mirrors the superuser group).
    const outcome = await removeGroupMember(tx, group, personId);
    if (outcome === 'not_a_member') {
      throw new NotFoundError(`person ${personId} is not a member of group ${groupId}`);
    }
    if (outcome === 'superuser_kept') {
      throw new NotFoundError(
        'A superuser belongs to every portfolio administrators group; remove them from the superuser group instead',
      );
    }
    return group;
  }

  async #managedGroup(tx: GroupStores, access: Access, groupId: string): Promise<Group> {
    const group = await tx.groups.findById(groupId);
    if (!group) throw new NotFoundError(`group ${groupId} not found`);
    this.#requireManage(access, group);
    return group;
  }

  #requireManage(access: Access, group: Group): void {
    if (canManageGroup(access, group)) return;
    throw new ForbiddenError(
      group.portfolioId === null
        ? 'Only a superuser may change the superuser group'
        : 'Only an administrator of this portfolio may change its groups',
    );
  }

  async #portfolio(stores: GroupStores, portfolioId: string) {
    const portfolio = await stores.portfolios.findById(portfolioId);
    if (!portfolio) throw new NotFoundError(`portfolio ${portfolioId} not found`);
    return portfolio;
  }

  async #checkApplications(
    tx: GroupStores,
    portfolioId: string | null,
    roles: readonly { applicationId: string }[],
  ): Promise<void> {
    const ids = roles.map((r) => r.applicationId);
    if (new Set(ids).size !== ids.length) {
      throw new BadRequestError('Each application may appear only once in applicationRoles');
    }
    if (ids.length === 0) return;
    const apps = portfolioId === null ? [] : await tx.applications.list({ portfolioId, ids });
    const foreign = ids.filter((id) => !apps.some((a) => a.id === id));
    if (foreign.length > 0) {
      throw new BadRequestError(`Not an application of this group's portfolio: ${foreign.join(', ')}`);
    }
  }

  /** Environment roles must name live environments of the group's portfolio, each once (400). */
  async #checkEnvironments(
    tx: GroupStores,
    portfolioId: string | null,
    roles: readonly EnvironmentRolesInput[],
  ): Promise<void> {
    const ids = roles.map((r) => r.environmentId);
    if (new Set(ids).size !== ids.length) {
      throw new BadRequestError('Each environment may appear only once in environmentRoles');
    }
    if (ids.length === 0) return;
    const envs = await tx.environments.list({ ids });
    const appIds = [...new Set(envs.map((e) => e.applicationId))];
    const apps =
      portfolioId === null || appIds.length === 0
        ? []
        : await tx.applications.list({ portfolioId, ids: appIds });
    const ours = new Set(envs.filter((e) => apps.some((a) => a.id === e.applicationId)).map((e) => e.id));
    const foreign = ids.filter((id) => !ours.has(id));
    if (foreign.length > 0) {
      throw new BadRequestError(`Not an environment of this group's portfolio: ${foreign.join(', ')}`);
    }
  }

  async #checkMembers(tx: GroupStores, personIds: readonly string[], status: 400 | 404 = 400): Promise<void> {
    const unique = [...new Set(personIds)];
    if (unique.length === 0) return;
    const { persons } = await tx.persons.list({ ids: unique });
    for (const id of unique) {
      const p = persons.find((x) => x.id === id);
      if (!p) {
        const message = `No active person ${id}`;
        throw status === 404 ? new NotFoundError(message) : new BadRequestError(message);
      }
      if (p.personType === 'sdkServiceAccount') {
        throw new BadRequestError('The person of an SDK service account cannot join groups');
      }
    }
  }

  async #replaceApplicationRoles(
    tx: GroupStores,
    group: Group,
    wanted: readonly ApplicationRolesInput[],
    scope: string | undefined,
  ): Promise<void> {
    const current = await tx.groups.listApplicationAcls({
      groupIds: [group.id],
      ...(scope ? { applicationId: scope } : {}),
    });
    for (const acl of current) {
      if (!wanted.some((w) => w.applicationId === acl.applicationId)) {
        await tx.groups.setApplicationRoles(group.id, acl.applicationId, []);
      }
    }
    for (const w of wanted) await tx.groups.setApplicationRoles(group.id, w.applicationId, w.roles);
  }

  /**
   * Superusers left out of a portfolio administrators group's list stay in it, as upstream keeps them. So do
   * deactivated members: Group.members lists only active people, so leaving them out is no request to remove them
   * (they get their groups back when reactivated).
   */
  async #replaceMembers(
    tx: GroupStores,
    group: Group,
    current: readonly string[],
    wanted: readonly string[],
  ): Promise<void> {
    const dropped = current.filter((id) => !wanted.includes(id));
    const { persons: active } = await tx.persons.list({ ids: dropped });
    for (const p of active) await removeGroupMember(tx, group, p.id);
    for (const id of wanted) if (!current.includes(id)) await addGroupMember(tx, group, id);
  }
}
