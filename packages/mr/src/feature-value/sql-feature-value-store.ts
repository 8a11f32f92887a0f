import type { Selectable } from 'kysely';
import type { FeatureValueTable, FeatureValueVersionTable } from '../db/schema.ts';
import type { SqlStoreContext } from '../db/sql-support.ts';
import {
  definedOnly,
  missedUpdate,
  nowMs,
  parseJson,
  toBool,
  toDate,
  toNumber,
  uniquely,
} from '../db/store-support.ts';
import type {
  CreateFeatureValue,
  FeatureHistoryQuery,
  FeatureHistoryRow,
  FeatureValue,
  FeatureValueQuery,
  FeatureValueStore,
  FeatureValueVersion,
  StrategyInstance,
  UpdateFeatureValue,
} from './feature-value-store.ts';

function toFeatureValue(
  r: Selectable<FeatureValueTable>,
  strategyInstances: StrategyInstance[],
): FeatureValue {
  return {
    id: r.id,
    environmentId: r.environment_id,
    featureId: r.feature_id,
    value: r.default_value,
    locked: toBool(r.locked),
    retired: toBool(r.retired),
    rolloutStrategies: parseJson<unknown[]>(r.rollout_strategies, []),
    strategyInstances,
    whoUpdated: r.who_updated,
    version: toNumber(r.version),
    whenCreated: toDate(r.when_created),
    whenUpdated: toDate(r.when_updated),
  };
}

function toVersion(r: Selectable<FeatureValueVersionTable>): FeatureValueVersion {
  return {
    featureValueId: r.feature_value_id,
    featureId: r.feature_id,
    version: toNumber(r.version),
    versionFrom: r.version_from === null ? null : toNumber(r.version_from),
    value: r.default_value,
    locked: toBool(r.locked),
    retired: toBool(r.retired),
    rolloutStrategies: parseJson<unknown[]>(r.rollout_strategies, []),
    strategyInstances: parseJson<StrategyInstance[]>(r.shared_strategies, []),
    whoUpdated: r.who_updated,
    whenCreated: toDate(r.when_created),
  };
}

/** Feature values are edited concurrently by people and Test-SDK clients; upstream answers 409. */
const STALE_STATUS = 409;

export class SqlFeatureValueStore implements FeatureValueStore {
  constructor(private readonly ctx: SqlStoreContext) {}

  async create(input: CreateFeatureValue): Promise<FeatureValue> {
    const now = nowMs(this.ctx.deps.clock);
    const id = this.ctx.deps.ids.next();
    const instances = input.strategyInstances ?? [];
    await uniquely(
      `feature ${input.featureId} already has a value in environment ${input.environmentId}`,
      () =>
        this.ctx.db
          .insertInto('fh_feature_value')
          .values({
            id,
            environment_id: input.environmentId,
            feature_id: input.featureId,
            default_value: input.value ?? null,
            locked: input.locked ?? false,
            retired: input.retired ?? false,
            rollout_strategies: JSON.stringify(input.rolloutStrategies ?? []),
            who_updated: input.whoUpdated ?? null,
            version: 1,
            when_created: now,
            when_updated: now,
          })
          .execute(),
      'duplicate_feature_value',
    );
    await this.writeInstances(id, instances);
    const created = (await this.findById(id))!;
    await this.writeHistory(created, null);
    return created;
  }

  async findById(id: string): Promise<FeatureValue | undefined> {
    const r = await this.ctx.db
      .selectFrom('fh_feature_value')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return r && (await this.hydrate([r]))[0];
  }

  async find(environmentId: string, featureId: string): Promise<FeatureValue | undefined> {
    const r = await this.ctx.db
      .selectFrom('fh_feature_value')
      .selectAll()
      .where('environment_id', '=', environmentId)
      .where('feature_id', '=', featureId)
      .executeTakeFirst();
    return r && (await this.hydrate([r]))[0];
  }

  async list(query: FeatureValueQuery): Promise<FeatureValue[]> {
    if (
      (query.environmentIds && query.environmentIds.length === 0) ||
      (query.featureIds && query.featureIds.length === 0)
    ) {
      return [];
    }
    const rows = await this.ctx.db
      .selectFrom('fh_feature_value')
      .selectAll()
      .$if(query.environmentId !== undefined, (qb) => qb.where('environment_id', '=', query.environmentId!))
      .$if(query.environmentIds !== undefined, (qb) =>
        qb.where('environment_id', 'in', query.environmentIds!),
      )
      .$if(query.featureId !== undefined, (qb) => qb.where('feature_id', '=', query.featureId!))
      .$if(query.featureIds !== undefined, (qb) => qb.where('feature_id', 'in', query.featureIds!))
      .orderBy('environment_id')
      .orderBy('feature_id')
      .execute();
    return this.hydrate(rows);
  }

  async update(id: string, patch: UpdateFeatureValue): Promise<FeatureValue> {
    const res = await this.ctx.db
      .updateTable('fh_feature_value')
      .set((eb) => ({
        ...definedOnly({
          default_value: patch.value,
          locked: patch.locked,
          retired: patch.retired,
          rollout_strategies:
            patch.rolloutStrategies === undefined ? undefined : JSON.stringify(patch.rolloutStrategies),
          who_updated: patch.whoUpdated,
        }),
        version: eb('version', '+', 1),
        when_updated: nowMs(this.ctx.deps.clock),
      }))
      .where('id', '=', id)
      .where('version', '=', patch.version)
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) === 0) {
      const current = await this.ctx.db
        .selectFrom('fh_feature_value')
        .select('version')
        .where('id', '=', id)
        .executeTakeFirst();
      missedUpdate('feature value', id, current?.version, patch.version, STALE_STATUS);
    }
    if (patch.strategyInstances !== undefined) {
      await this.ctx.db.deleteFrom('fh_feature_value_strategy').where('feature_value_id', '=', id).execute();
      await this.writeInstances(id, patch.strategyInstances);
    }
    const saved = (await this.findById(id))!;
    await this.writeHistory(saved, patch.version);
    return saved;
  }

  async findVersion(featureValueId: string, version: number): Promise<FeatureValueVersion | undefined> {
    const r = await this.ctx.db
      .selectFrom('fh_feature_value_version')
      .selectAll()
      .where('feature_value_id', '=', featureValueId)
      .where('version', '=', version)
      .executeTakeFirst();
    return r && toVersion(r);
  }

  async history(
    featureValueId: string,
    options: { limit?: number; order?: 'asc' | 'desc' } = {},
  ): Promise<FeatureValueVersion[]> {
    const rows = await this.ctx.db
      .selectFrom('fh_feature_value_version')
      .selectAll()
      .where('feature_value_id', '=', featureValueId)
      .orderBy('version', options.order ?? 'desc')
      .$if(options.limit !== undefined, (qb) => qb.limit(options.limit!))
      .execute();
    return rows.map(toVersion);
  }

  async searchHistory(query: FeatureHistoryQuery): Promise<{ rows: FeatureHistoryRow[]; total: number }> {
    if (query.environmentIds.length === 0 || query.featureIds?.length === 0 || query.versions?.length === 0) {
      return { rows: [], total: 0 };
    }
    const base = this.ctx.db
      .selectFrom('fh_feature_value_version as h')
      .innerJoin('fh_feature_value as v', 'v.id', 'h.feature_value_id')
      .where('v.environment_id', 'in', query.environmentIds)
      .$if(query.featureIds !== undefined, (qb) => qb.where('h.feature_id', 'in', query.featureIds!))
      .$if(query.versions !== undefined, (qb) => qb.where('h.version', 'in', query.versions!));
    const counted = await base
      .select((eb) => eb.fn.countAll<number | string | bigint>().as('n'))
      .executeTakeFirst();
    const direction = query.order === 'desc' ? 'desc' : 'asc';
    const rows = await base
      .selectAll('h')
      .select('v.environment_id as environment_id')
      .orderBy('h.when_created', direction)
      .orderBy('h.version', direction)
      .orderBy('h.feature_value_id', direction)
      .$if(query.limit !== undefined, (qb) => qb.limit(query.limit!))
      .$if(query.offset !== undefined && query.offset > 0, (qb) =>
        // MySQL accepts OFFSET only after a LIMIT
        (query.limit === undefined ? qb.limit(Number.MAX_SAFE_INTEGER) : qb).offset(query.offset!),
      )
      .execute();
    return {
      rows: rows.map((r) => ({ ...toVersion(r), environmentId: r.environment_id })),
      total: toNumber(counted?.n ?? 0),
    };
  }

  private async writeInstances(
    featureValueId: string,
    instances: readonly StrategyInstance[],
  ): Promise<void> {
    if (instances.length === 0) return;
    await this.ctx.db
      .insertInto('fh_feature_value_strategy')
      .values(
        instances.map((s, position) => ({
          feature_value_id: featureValueId,
          strategy_id: s.strategyId,
          position,
          enabled: s.enabled,
          value: s.value,
        })),
      )
      .execute();
  }

  private async writeHistory(fv: FeatureValue, versionFrom: number | null): Promise<void> {
    await this.ctx.db
      .insertInto('fh_feature_value_version')
      .values({
        feature_value_id: fv.id,
        version: fv.version,
        version_from: versionFrom,
        feature_id: fv.featureId,
        who_updated: fv.whoUpdated,
        default_value: fv.value,
        locked: fv.locked,
        retired: fv.retired,
        rollout_strategies: JSON.stringify(fv.rolloutStrategies),
        shared_strategies: JSON.stringify(fv.strategyInstances),
        when_created: fv.whenUpdated,
      })
      .execute();
  }

  private async hydrate(rows: Selectable<FeatureValueTable>[]): Promise<FeatureValue[]> {
    if (rows.length === 0) return [];
    const links = await this.ctx.db
      .selectFrom('fh_feature_value_strategy')
      .selectAll()
      .where(
        'feature_value_id',
        'in',
        rows.map((r) => r.id),
      )
      .orderBy('feature_value_id')
      .orderBy('position')
      .execute();
    const byValue = new Map<string, StrategyInstance[]>();
    for (const l of links) {
      const list = byValue.get(l.feature_value_id) ?? [];
      list.push({ strategyId: l.strategy_id, value: l.value, enabled: toBool(l.enabled) });
      byValue.set(l.feature_value_id, list);
    }
    return rows.map((r) => toFeatureValue(r, byValue.get(r.id) ?? []));
  }
}
