import { NotFoundError } from '@fh/service-kit';
import type { Selectable } from 'kysely';
import type { GroupTable } from '../db/schema.ts';
import {
  archiveFieldsOf,
  archiveGroupsCascade,
  findArchivableRow,
  insertLiveRow,
  listRowsByName,
  type SqlStoreContext,
  updateLiveRow,
} from '../db/sql-support.ts';
import { isUniqueViolation, joinRoles, nowMs, splitRoles, toBool } from '../db/store-support.ts';
import type {
  ApplicationAcl,
  ApplicationRole,
  CreateGroup,
  EnvironmentAcl,
  EnvironmentRole,
  Group,
  GroupQuery,
  GroupStore,
  UpdateGroup,
} from './group-store.ts';

function toGroup(r: Selectable<GroupTable>): Group {
  return {
    id: r.id,
    organisationId: r.organisation_id,
    portfolioId: r.portfolio_id,
    name: r.name,
    admin: toBool(r.is_admin),
    createdBy: r.created_by,
    ...archiveFieldsOf(r),
  };
}

const duplicateName = (name: string | undefined) => `a group named "${name}" already exists`;

export class SqlGroupStore implements GroupStore {
  constructor(private readonly ctx: SqlStoreContext) {}

  async create(input: CreateGroup): Promise<Group> {
    const id = this.ctx.deps.ids.next();
    await insertLiveRow(
      this.ctx,
      'fh_group',
      {
        id,
        organisation_id: input.organisationId,
        portfolio_id: input.portfolioId ?? null,
        name_scope: input.portfolioId ?? input.organisationId,
        name: input.name,
        is_admin: input.admin ?? false,
        created_by: input.createdBy ?? null,
      },
      nowMs(this.ctx.deps.clock),
      duplicateName(input.name),
    );
    return (await this.findById(id))!;
  }

  async findById(id: string, options: { includeArchived?: boolean } = {}): Promise<Group | undefined> {
    const r = await findArchivableRow(this.ctx.db, 'fh_group', id, options.includeArchived);
    return r && toGroup(r);
  }

  async findAdminGroup(organisationId: string, portfolioId: string | null): Promise<Group | undefined> {
    const r = await this.ctx.db
      .selectFrom('fh_group')
      .selectAll()
      .where('organisation_id', '=', organisationId)
      .where((eb) =>
        portfolioId === null ? eb('portfolio_id', 'is', null) : eb('portfolio_id', '=', portfolioId),
      )
      .where('is_admin', '=', true)
      .where('when_archived', 'is', null)
      .orderBy('when_created')
      .limit(1)
      .executeTakeFirst();
    return r && toGroup(r);
  }

  async list(query: GroupQuery): Promise<Group[]> {
    const rows = await listRowsByName(
      this.ctx,
      'fh_group',
      { organisation_id: query.organisationId, portfolio_id: query.portfolioId },
      query,
    );
    return rows.map(toGroup);
  }

  async update(id: string, patch: UpdateGroup): Promise<Group> {
    await updateLiveRow(
      this.ctx,
      'fh_group',
      'group',
      id,
      { name: patch.name },
      patch.version,
      duplicateName(patch.name),
    );
    return (await this.findById(id))!;
  }

  async archive(id: string): Promise<Group> {
    if (!(await this.findById(id))) throw new NotFoundError(`group ${id} not found`);
    await archiveGroupsCascade(this.ctx.db, [id], nowMs(this.ctx.deps.clock));
    return (await this.findById(id, { includeArchived: true }))!;
  }

  async addMember(groupId: string, personId: string): Promise<void> {
    const exists = await this.ctx.db
      .selectFrom('fh_group_member')
      .select('person_id')
      .where('group_id', '=', groupId)
      .where('person_id', '=', personId)
      .executeTakeFirst();
    if (exists) return;
    try {
      await this.ctx.db
        .insertInto('fh_group_member')
        .values({ group_id: groupId, person_id: personId })
        .execute();
    } catch (err) {
      // a concurrent add of the same membership is fine
      if (!isUniqueViolation(err)) throw err;
    }
  }

  async removeMember(groupId: string, personId: string): Promise<void> {
    await this.ctx.db
      .deleteFrom('fh_group_member')
      .where('group_id', '=', groupId)
      .where('person_id', '=', personId)
      .execute();
  }

  async listMemberIds(groupId: string): Promise<string[]> {
    const rows = await this.ctx.db
      .selectFrom('fh_group_member')
      .select('person_id')
      .where('group_id', '=', groupId)
      .orderBy('person_id')
      .execute();
    return rows.map((r) => r.person_id);
  }

  async listGroupIdsForPerson(personId: string): Promise<string[]> {
    const rows = await this.ctx.db
      .selectFrom('fh_group_member')
      .innerJoin('fh_group', 'fh_group.id', 'fh_group_member.group_id')
      .select('fh_group.id')
      .where('fh_group_member.person_id', '=', personId)
      .where('fh_group.when_archived', 'is', null)
      .orderBy('fh_group.id')
      .execute();
    return rows.map((r) => r.id);
  }

  async setApplicationRoles(
    groupId: string,
    applicationId: string,
    roles: readonly ApplicationRole[],
  ): Promise<void> {
    await this.ctx.db
      .deleteFrom('fh_application_acl')
      .where('group_id', '=', groupId)
      .where('application_id', '=', applicationId)
      .execute();
    if (roles.length > 0) {
      await this.ctx.db
        .insertInto('fh_application_acl')
        .values({ group_id: groupId, application_id: applicationId, roles: joinRoles(roles) })
        .execute();
    }
  }

  async setEnvironmentRoles(
    groupId: string,
    environmentId: string,
    roles: readonly EnvironmentRole[],
  ): Promise<void> {
    await this.ctx.db
      .deleteFrom('fh_environment_acl')
      .where('group_id', '=', groupId)
      .where('environment_id', '=', environmentId)
      .execute();
    if (roles.length > 0) {
      await this.ctx.db
        .insertInto('fh_environment_acl')
        .values({ group_id: groupId, environment_id: environmentId, roles: joinRoles(roles) })
        .execute();
    }
  }

  async listApplicationAcls(query: {
    groupIds?: readonly string[];
    applicationId?: string;
  }): Promise<ApplicationAcl[]> {
    if (query.groupIds && query.groupIds.length === 0) return [];
    const rows = await this.ctx.db
      .selectFrom('fh_application_acl')
      .selectAll()
      .$if(query.groupIds !== undefined, (qb) => qb.where('group_id', 'in', query.groupIds!))
      .$if(query.applicationId !== undefined, (qb) => qb.where('application_id', '=', query.applicationId!))
      .orderBy('group_id')
      .orderBy('application_id')
      .execute();
    return rows.map((r) => ({
      groupId: r.group_id,
      applicationId: r.application_id,
      roles: splitRoles<ApplicationRole>(r.roles),
    }));
  }

  async listEnvironmentAcls(query: {
    groupIds?: readonly string[];
    environmentIds?: readonly string[];
  }): Promise<EnvironmentAcl[]> {
    if (
      (query.groupIds && query.groupIds.length === 0) ||
      (query.environmentIds && query.environmentIds.length === 0)
    ) {
      return [];
    }
    const rows = await this.ctx.db
      .selectFrom('fh_environment_acl')
      .selectAll()
      .$if(query.groupIds !== undefined, (qb) => qb.where('group_id', 'in', query.groupIds!))
      .$if(query.environmentIds !== undefined, (qb) =>
        qb.where('environment_id', 'in', query.environmentIds!),
      )
      .orderBy('group_id')
      .orderBy('environment_id')
      .execute();
    return rows.map((r) => ({
      groupId: r.group_id,
      environmentId: r.environment_id,
      roles: splitRoles<EnvironmentRole>(r.roles),
    }));
  }
}
