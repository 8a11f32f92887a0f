import { NotFoundError } from '@fh/service-kit';
import type { Selectable } from 'kysely';
import type { ApplicationStrategyTable } from '../db/schema.ts';
import { archiveWhere, type SqlStoreContext } from '../db/sql-support.ts';
import {
  definedOnly,
  missedUpdate,
  nowMs,
  parseJson,
  toDate,
  toDateOrNull,
  toNumber,
  uniquely,
} from '../db/store-support.ts';
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
    version: toNumber(r.version),
    whenCreated: toDate(r.when_created),
    whenUpdated: toDate(r.when_updated),
    whenArchived: toDateOrNull(r.when_archived),
  };
}

export class SqlApplicationStrategyStore implements ApplicationStrategyStore {
  constructor(private readonly ctx: SqlStoreContext) {}

  async create(input: CreateApplicationStrategy): Promise<ApplicationStrategy> {
    const now = nowMs(this.ctx.deps.clock);
    const id = this.ctx.deps.ids.next();
    await uniquely(`a strategy named "${input.name}" (or with code ${input.code}) already exists`, () =>
      this.ctx.db
        .insertInto('fh_application_strategy')
        .values({
          id,
          application_id: input.applicationId,
          name: input.name,
          code: input.code,
          strategy: JSON.stringify(input.strategy ?? {}),
          who_changed: input.whoChanged ?? null,
          version: 1,
          when_created: now,
          when_updated: now,
          when_archived: null,
          archive_key: '',
        })
        .execute(),
    );
    return (await this.findById(id))!;
  }

  async findById(
    id: string,
    options: { includeArchived?: boolean } = {},
  ): Promise<ApplicationStrategy | undefined> {
    const r = await this.ctx.db
      .selectFrom('fh_application_strategy')
      .selectAll()
      .where('id', '=', id)
      .$if(!options.includeArchived, (qb) => qb.where('when_archived', 'is', null))
      .executeTakeFirst();
    return r && toStrategy(r);
  }

  async list(query: { applicationId: string; includeArchived?: boolean }): Promise<ApplicationStrategy[]> {
    const rows = await this.ctx.db
      .selectFrom('fh_application_strategy')
      .selectAll()
      .where('application_id', '=', query.applicationId)
      .$if(!query.includeArchived, (qb) => qb.where('when_archived', 'is', null))
      .orderBy('name')
      .orderBy('id')
      .execute();
    return rows.map(toStrategy);
  }

  async update(id: string, patch: UpdateApplicationStrategy): Promise<ApplicationStrategy> {
    const res = await uniquely(`a strategy named "${patch.name}" already exists`, () =>
      this.ctx.db
        .updateTable('fh_application_strategy')
        .set((eb) => ({
          ...definedOnly({
            name: patch.name,
            strategy: patch.strategy === undefined ? undefined : JSON.stringify(patch.strategy),
            who_changed: patch.whoChanged,
          }),
          version: eb('version', '+', 1),
          when_updated: nowMs(this.ctx.deps.clock),
        }))
        .where('id', '=', id)
        .where('when_archived', 'is', null)
        .$if(patch.version !== undefined, (qb) => qb.where('version', '=', patch.version!))
        .executeTakeFirst(),
    );
    if (Number(res.numUpdatedRows) === 0) {
      missedUpdate('application strategy', id, (await this.findById(id))?.version, patch.version);
    }
    return (await this.findById(id))!;
  }

  async archive(id: string): Promise<ApplicationStrategy> {
    if (
      (await archiveWhere(this.ctx.db, 'fh_application_strategy', 'id', [id], nowMs(this.ctx.deps.clock))) ===
      0
    ) {
      throw new NotFoundError(`application strategy ${id} not found`);
    }
    await this.ctx.db.deleteFrom('fh_feature_value_strategy').where('strategy_id', '=', id).execute();
    return (await this.findById(id, { includeArchived: true }))!;
  }
}
