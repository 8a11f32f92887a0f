import { NotFoundError } from '@fh/service-kit';
import type { Selectable } from 'kysely';
import type { ServiceAccountTable } from '../db/schema.ts';
import {
  archiveFieldsOf,
  archiveRow,
  findArchivableRow,
  insertLiveRow,
  listRowsByName,
  type SqlStoreContext,
  updateLiveRow,
} from '../db/sql-support.ts';
import { joinRoles, nowMs, splitRoles, toDateOrNull } from '../db/store-support.ts';
import type { EnvironmentRole } from '../group/group-store.ts';
import type {
  CreateServiceAccount,
  ServiceAccount,
  ServiceAccountPermission,
  ServiceAccountQuery,
  ServiceAccountStore,
  UpdateServiceAccount,
} from './service-account-store.ts';

function toServiceAccount(r: Selectable<ServiceAccountTable>): ServiceAccount {
  return {
    id: r.id,
    portfolioId: r.portfolio_id,
    name: r.name,
    description: r.description,
    apiKeyServerSide: r.api_key_server,
    apiKeyClientSide: r.api_key_client,
    sdkPersonId: r.sdk_person_id,
    createdBy: r.created_by,
    changedBy: r.changed_by,
    ...archiveFieldsOf(r),
    whenUnpublished: toDateOrNull(r.when_unpublished),
  };
}

const duplicate = (name: string | undefined) =>
  `a service account named "${name}" already exists in the portfolio, or its API key is taken`;

export class SqlServiceAccountStore implements ServiceAccountStore {
  constructor(private readonly ctx: SqlStoreContext) {}

  async create(input: CreateServiceAccount): Promise<ServiceAccount> {
    const id = this.ctx.deps.ids.next();
    await insertLiveRow(
      this.ctx,
      'fh_service_account',
      {
        id,
        portfolio_id: input.portfolioId,
        name: input.name,
        description: input.description ?? null,
        api_key_server: input.apiKeyServerSide,
        api_key_client: input.apiKeyClientSide,
        sdk_person_id: input.sdkPersonId ?? null,
        created_by: input.createdBy ?? null,
        changed_by: null,
        when_unpublished: null,
      },
      nowMs(this.ctx.deps.clock),
      duplicate(input.name),
    );
    return (await this.findById(id))!;
  }

  async findById(
    id: string,
    options: { includeArchived?: boolean } = {},
  ): Promise<ServiceAccount | undefined> {
    const r = await findArchivableRow(this.ctx.db, 'fh_service_account', id, options.includeArchived);
    return r && toServiceAccount(r);
  }

  async findByApiKey(apiKey: string): Promise<ServiceAccount | undefined> {
    const r = await this.ctx.db
      .selectFrom('fh_service_account')
      .selectAll()
      .where((eb) => eb.or([eb('api_key_server', '=', apiKey), eb('api_key_client', '=', apiKey)]))
      .where('when_archived', 'is', null)
      .executeTakeFirst();
    return r && toServiceAccount(r);
  }

  async list(query: ServiceAccountQuery): Promise<ServiceAccount[]> {
    const rows = await listRowsByName(
      this.ctx,
      'fh_service_account',
      { portfolio_id: query.portfolioId },
      query,
    );
    return rows.map(toServiceAccount);
  }

  async update(id: string, patch: UpdateServiceAccount): Promise<ServiceAccount> {
    await updateLiveRow(
      this.ctx,
      'fh_service_account',
      'service account',
      id,
      {
        name: patch.name,
        description: patch.description,
        api_key_server: patch.apiKeyServerSide,
        api_key_client: patch.apiKeyClientSide,
        sdk_person_id: patch.sdkPersonId,
        changed_by: patch.changedBy,
        when_unpublished: patch.whenUnpublished,
      },
      patch.version,
      duplicate(patch.name),
    );
    return (await this.findById(id))!;
  }

  async archive(id: string): Promise<ServiceAccount> {
    await archiveRow(this.ctx, 'fh_service_account', 'service account', id);
    return (await this.findById(id, { includeArchived: true }))!;
  }

  async setPermissions(
    serviceAccountId: string,
    permissions: readonly { environmentId: string; roles: readonly EnvironmentRole[] }[],
  ): Promise<void> {
    const now = nowMs(this.ctx.deps.clock);
    const bumped = await this.ctx.db
      .updateTable('fh_service_account')
      .set((eb) => ({ version: eb('version', '+', 1), when_updated: now }))
      .where('id', '=', serviceAccountId)
      .where('when_archived', 'is', null)
      .executeTakeFirst();
    if (Number(bumped.numUpdatedRows) === 0)
      throw new NotFoundError(`service account ${serviceAccountId} not found`);
    await this.ctx.db
      .deleteFrom('fh_service_account_env')
      .where('service_account_id', '=', serviceAccountId)
      .execute();
    const byEnv = new Map<string, string>();
    for (const p of permissions) if (p.roles.length > 0) byEnv.set(p.environmentId, joinRoles(p.roles));
    if (byEnv.size === 0) return;
    await this.ctx.db
      .insertInto('fh_service_account_env')
      .values(
        [...byEnv].map(([environmentId, roles]) => ({
          service_account_id: serviceAccountId,
          environment_id: environmentId,
          roles,
          when_created: now,
          when_updated: now,
        })),
      )
      .execute();
  }

  async listPermissions(query: {
    serviceAccountIds?: readonly string[];
    environmentIds?: readonly string[];
  }): Promise<ServiceAccountPermission[]> {
    if (
      (query.serviceAccountIds && query.serviceAccountIds.length === 0) ||
      (query.environmentIds && query.environmentIds.length === 0)
    ) {
      return [];
    }
    const rows = await this.ctx.db
      .selectFrom('fh_service_account_env')
      .selectAll()
      .$if(query.serviceAccountIds !== undefined, (qb) =>
        qb.where('service_account_id', 'in', query.serviceAccountIds!),
      )
      .$if(query.environmentIds !== undefined, (qb) =>
        qb.where('environment_id', 'in', query.environmentIds!),
      )
      .orderBy('service_account_id')
      .orderBy('environment_id')
      .execute();
    return rows.map((r) => ({
      serviceAccountId: r.service_account_id,
      environmentId: r.environment_id,
      roles: splitRoles<EnvironmentRole>(r.roles),
    }));
  }
}
