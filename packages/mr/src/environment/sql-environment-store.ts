import { NotFoundError } from '@fh/service-kit';
import type { Selectable } from 'kysely';
import type { EnvironmentTable } from '../db/schema.ts';
import {
  archiveFieldsOf,
  archiveWhere,
  dropEnvironmentPermissions,
  findArchivableRow,
  findLiveRow,
  insertLiveRow,
  type SqlStoreContext,
  updateLiveRow,
} from '../db/sql-support.ts';
import { nowMs, parseJson, toBool, toDateOrNull } from '../db/store-support.ts';
import {
  type CreateEnvironment,
  type Environment,
  type EnvironmentInfo,
  type EnvironmentQuery,
  type EnvironmentStore,
  orderByPromotion,
  type UpdateEnvironment,
} from './environment-store.ts';

function toEnvironment(r: Selectable<EnvironmentTable>): Environment {
  return {
    id: r.id,
    applicationId: r.application_id,
    name: r.name,
    description: r.description,
    production: toBool(r.is_production),
    priorEnvironmentId: r.prior_environment_id,
    environmentInfo: parseJson<EnvironmentInfo>(r.user_info, {}),
    managementEnvironmentInfo: parseJson<EnvironmentInfo>(r.management_info, {}),
    webhookEnvironmentInfo: parseJson<EnvironmentInfo>(r.webhook_info, {}),
    ...archiveFieldsOf(r),
    whenUnpublished: toDateOrNull(r.when_unpublished),
  };
}

const json = (info: EnvironmentInfo | undefined) => (info === undefined ? undefined : JSON.stringify(info));
const duplicateName = (name: string | undefined) =>
  `an environment named "${name}" already exists in the application`;

export class SqlEnvironmentStore implements EnvironmentStore {
  constructor(private readonly ctx: SqlStoreContext) {}

  async create(input: CreateEnvironment): Promise<Environment> {
    const db = this.ctx.db;
    const now = nowMs(this.ctx.deps.clock);
    const id = this.ctx.deps.ids.next();
    const siblings = await this.list({ applicationId: input.applicationId });
    let prior: string | null;
    if (input.priorEnvironmentId === undefined) {
      prior = siblings.at(-1)?.id ?? null;
    } else {
      prior = input.priorEnvironmentId;
      if (prior !== null && !siblings.some((e) => e.id === prior)) {
        throw new NotFoundError(`prior environment ${prior} not found in application ${input.applicationId}`);
      }
    }
    await insertLiveRow(
      this.ctx,
      'fh_environment',
      {
        id,
        application_id: input.applicationId,
        name: input.name,
        description: input.description ?? null,
        prior_environment_id: prior,
        is_production: input.production ?? false,
        user_info: json(input.environmentInfo) ?? '{}',
        management_info: json(input.managementEnvironmentInfo) ?? '{}',
        webhook_info: json(input.webhookEnvironmentInfo) ?? '{}',
        when_unpublished: null,
      },
      now,
      duplicateName(input.name),
    );
    // Inserted in the middle (or at the front): whatever followed `prior` now follows the new one.
    if (input.priorEnvironmentId !== undefined) {
      await db
        .updateTable('fh_environment')
        .set((eb) => ({ prior_environment_id: id, version: eb('version', '+', 1), when_updated: now }))
        .where('application_id', '=', input.applicationId)
        .where('id', '!=', id)
        .where('when_archived', 'is', null)
        .where((eb) =>
          prior === null ? eb('prior_environment_id', 'is', null) : eb('prior_environment_id', '=', prior),
        )
        .execute();
    }
    return (await this.findById(id))!;
  }

  async findById(id: string, options: { includeArchived?: boolean } = {}): Promise<Environment | undefined> {
    const r = await findArchivableRow(this.ctx.db, 'fh_environment', id, options.includeArchived);
    return r && toEnvironment(r);
  }

  async findByName(applicationId: string, name: string): Promise<Environment | undefined> {
    const r = await findLiveRow(this.ctx.db, 'fh_environment', { application_id: applicationId, name });
    return r && toEnvironment(r);
  }

  async list(query: EnvironmentQuery): Promise<Environment[]> {
    if (query.ids && query.ids.length === 0) return [];
    const rows = await this.ctx.db
      .selectFrom('fh_environment')
      .selectAll()
      .$if(query.applicationId !== undefined, (qb) => qb.where('application_id', '=', query.applicationId!))
      .$if(query.ids !== undefined, (qb) => qb.where('id', 'in', query.ids!))
      .$if(!query.includeArchived, (qb) => qb.where('when_archived', 'is', null))
      .execute();
    const envs = rows.map(toEnvironment);
    const byApp = new Map<string, Environment[]>();
    for (const e of envs) byApp.set(e.applicationId, [...(byApp.get(e.applicationId) ?? []), e]);
    return [...byApp.values()].flatMap((group) => orderByPromotion(group));
  }

  async update(id: string, patch: UpdateEnvironment): Promise<Environment> {
    await updateLiveRow(
      this.ctx,
      'fh_environment',
      'environment',
      id,
      {
        name: patch.name,
        description: patch.description,
        is_production: patch.production,
        prior_environment_id: patch.priorEnvironmentId,
        user_info: json(patch.environmentInfo),
        management_info: json(patch.managementEnvironmentInfo),
        webhook_info: json(patch.webhookEnvironmentInfo),
        when_unpublished: patch.whenUnpublished,
      },
      patch.version,
      duplicateName(patch.name),
    );
    return (await this.findById(id))!;
  }

  async archive(id: string): Promise<Environment> {
    const db = this.ctx.db;
    const env = await this.findById(id);
    if (!env) throw new NotFoundError(`environment ${id} not found`);
    const now = nowMs(this.ctx.deps.clock);
    await db
      .updateTable('fh_environment')
      .set((eb) => ({
        prior_environment_id: env.priorEnvironmentId,
        version: eb('version', '+', 1),
        when_updated: now,
      }))
      .where('prior_environment_id', '=', id)
      .where('when_archived', 'is', null)
      .execute();
    await archiveWhere(db, 'fh_feature_group', 'environment_id', [id], now);
    await archiveWhere(db, 'fh_environment', 'id', [id], now);
    await dropEnvironmentPermissions(db, [id]);
    return (await this.findById(id, { includeArchived: true }))!;
  }
}
