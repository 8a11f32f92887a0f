import type { Selectable } from 'kysely';
import type { ApplicationStrategyTable } from '../db/schema.ts';
import {
  archiveFieldsOf,
  archiveRow,
  findArchivableRow,
  insertLiveRow,
  listRowsByName,
  type SqlStoreContext,
  updateLiveRow,
} from '../db/sql-support.ts';
import { nowMs, parseJson } from '../db/store-support.ts';
import type {
  ApplicationStrategy,
  ApplicationStrategyStore,
  CreateApplicationStrategy,
  UpdateApplicationStrategy,
} from './application-strategy-store.ts';

function toStrategy(r: Selectable<ApplicationStrategyTable>): ApplicationStrategy {
  return {
    id: r.id,
    applicationId: r.application_id,
    name: r.name,
    code: r.code,
    strategy: parseJson<unknown>(r.strategy, {}),
    whoChanged: r.who_changed,
    ...archiveFieldsOf(r),
  };
}

export class SqlApplicationStrategyStore implements ApplicationStrategyStore {
  constructor(private readonly ctx: SqlStoreContext) {}

  async create(input: CreateApplicationStrategy): Promise<ApplicationStrategy> {
    const id = this.ctx.deps.ids.next();
    await insertLiveRow(
      this.ctx,
      'fh_application_strategy',
      {
        id,
        application_id: input.applicationId,
        name: input.name,
        code: input.code,
        strategy: JSON.stringify(input.strategy ?? {}),
        who_changed: input.whoChanged ?? null,
      },
      nowMs(this.ctx.deps.clock),
      `a strategy named "${input.name}" (or with code ${input.code}) already exists`,
    );
    return (await this.findById(id))!;
  }

  async findById(
    id: string,
    options: { includeArchived?: boolean } = {},
  ): Promise<ApplicationStrategy | undefined> {
    const r = await findArchivableRow(this.ctx.db, 'fh_application_strategy', id, options.includeArchived);
    return r && toStrategy(r);
  }

  async list(query: { applicationId: string; includeArchived?: boolean }): Promise<ApplicationStrategy[]> {
    const rows = await listRowsByName(
      this.ctx,
      'fh_application_strategy',
      { application_id: query.applicationId },
      { includeArchived: query.includeArchived },
    );
    return rows.map(toStrategy);
  }

  async update(id: string, patch: UpdateApplicationStrategy): Promise<ApplicationStrategy> {
    await updateLiveRow(
      this.ctx,
      'fh_application_strategy',
      'application strategy',
      id,
      {
        name: patch.name,
        strategy: patch.strategy === undefined ? undefined : JSON.stringify(patch.strategy),
        who_changed: patch.whoChanged,
      },
      patch.version,
      `a strategy named "${patch.name}" already exists`,
    );
    return (await this.findById(id))!;
  }

  async archive(id: string): Promise<ApplicationStrategy> {
    await archiveRow(this.ctx, 'fh_application_strategy', 'application strategy', id);
    await this.ctx.db.deleteFrom('fh_feature_value_strategy').where('strategy_id', '=', id).execute();
    return (await this.findById(id, { includeArchived: true }))!;
  }
}
