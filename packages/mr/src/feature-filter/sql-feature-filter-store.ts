import type { Selectable } from 'kysely';
import type { FeatureFilterTable } from '../db/schema.ts';
import { containsIgnoringCase, type SqlStoreContext } from '../db/sql-support.ts';
import { missedUpdate, nowMs, toDate, toNumber, uniquely } from '../db/store-support.ts';
import type {
  CreateFeatureFilter,
  FeatureFilter,
  FeatureFilterQuery,
  FeatureFilterStore,
  FilterUse,
  UpdateFeatureFilter,
} from './feature-filter-store.ts';

function toFilter(r: Selectable<FeatureFilterTable>): FeatureFilter {
  return {
    id: r.id,
    portfolioId: r.portfolio_id,
    name: r.name,
    description: r.description,
    createdBy: r.created_by,
    version: toNumber(r.version),
    whenCreated: toDate(r.when_created),
    whenUpdated: toDate(r.when_updated),
  };
}

const duplicateName = (name: string | undefined) =>
  `a feature filter named "${name}" already exists in the portfolio`;

function groupUses(rows: Array<{ filter_id: string; owner: string }>): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const r of rows) {
    const list = out.get(r.owner) ?? [];
    list.push(r.filter_id);
    out.set(r.owner, list);
  }
  for (const list of out.values()) list.sort();
  return out;
}

export class SqlFeatureFilterStore implements FeatureFilterStore {
  constructor(private readonly ctx: SqlStoreContext) {}

  async create(input: CreateFeatureFilter): Promise<FeatureFilter> {
    const id = this.ctx.deps.ids.next();
    const now = nowMs(this.ctx.deps.clock);
    await uniquely(duplicateName(input.name), () =>
      this.ctx.db
        .insertInto('fh_feature_filter')
        .values({
          id,
          portfolio_id: input.portfolioId,
          name: input.name,
          description: input.description ?? null,
          created_by: input.createdBy ?? null,
          version: 1,
          when_created: now,
          when_updated: now,
        })
        .execute(),
    );
    return (await this.findById(id))!;
  }

  async findById(id: string): Promise<FeatureFilter | undefined> {
    const r = await this.ctx.db
      .selectFrom('fh_feature_filter')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return r && toFilter(r);
  }

  #where(query: FeatureFilterQuery) {
    return this.ctx.db
      .selectFrom('fh_feature_filter')
      .where('portfolio_id', '=', query.portfolioId)
      .$if(query.nameContains !== undefined && query.nameContains !== '', (qb) =>
        qb.where(containsIgnoringCase(this.ctx.dialect, 'name', query.nameContains!)),
      );
  }

  async list(query: FeatureFilterQuery): Promise<FeatureFilter[]> {
    const dir = query.descending ? 'desc' : 'asc';
    const rows = await this.#where(query)
      .selectAll()
      .orderBy('name', dir)
      .orderBy('id')
      .$if(query.limit !== undefined, (qb) => qb.limit(query.limit!))
      .$if(query.offset !== undefined && query.offset > 0, (qb) => qb.offset(query.offset!))
      .execute();
    return rows.map(toFilter);
  }

  async count(query: FeatureFilterQuery): Promise<number> {
    const r = await this.#where(query)
      .select((eb) => eb.fn.countAll<number | string | bigint>().as('n'))
      .executeTakeFirst();
    return toNumber(r?.n ?? 0);
  }

  async update(id: string, patch: UpdateFeatureFilter): Promise<FeatureFilter> {
    const set: Record<string, unknown> = {
      version: patch.version + 1,
      when_updated: nowMs(this.ctx.deps.clock),
    };
    if (patch.name !== undefined) set.name = patch.name;
    if (patch.description !== undefined) set.description = patch.description;
    const result = await uniquely(duplicateName(patch.name), () =>
      this.ctx.db
        .updateTable('fh_feature_filter')
        .set(set)
        .where('id', '=', id)
        .where('version', '=', patch.version)
        .executeTakeFirst(),
    );
    if (Number(result.numUpdatedRows) === 0) {
      missedUpdate('feature filter', id, (await this.findById(id))?.version, patch.version, 409);
    }
    return (await this.findById(id))!;
  }

  async delete(id: string, version: number): Promise<void> {
    // The join rows go first: MySQL's InnoDB would cascade, but SQLite only does with foreign keys on.
    const current = await this.findById(id);
    if (!current || current.version !== version)
      missedUpdate('feature filter', id, current?.version, version, 409);
    await this.ctx.db.deleteFrom('fh_feature_filter_feature').where('filter_id', '=', id).execute();
    await this.ctx.db.deleteFrom('fh_service_account_filter').where('filter_id', '=', id).execute();
    await this.ctx.db
      .deleteFrom('fh_feature_filter')
      .where('id', '=', id)
      .where('version', '=', version)
      .execute();
  }

  async filtersOfFeatures(featureIds: readonly string[]): Promise<Map<string, string[]>> {
    if (featureIds.length === 0) return new Map();
    const rows = await this.ctx.db
      .selectFrom('fh_feature_filter_feature')
      .select(['filter_id', 'feature_id as owner'])
      .where('feature_id', 'in', featureIds)
      .execute();
    return groupUses(rows);
  }

  async setFeatureFilters(featureId: string, filterIds: readonly string[]): Promise<void> {
    await this.ctx.db.deleteFrom('fh_feature_filter_feature').where('feature_id', '=', featureId).execute();
    const unique = [...new Set(filterIds)];
    if (unique.length === 0) return;
    await this.ctx.db
      .insertInto('fh_feature_filter_feature')
      .values(unique.map((filter_id) => ({ filter_id, feature_id: featureId })))
      .execute();
  }

  async filtersOfServiceAccounts(serviceAccountIds: readonly string[]): Promise<Map<string, string[]>> {
    if (serviceAccountIds.length === 0) return new Map();
    const rows = await this.ctx.db
      .selectFrom('fh_service_account_filter')
      .select(['filter_id', 'service_account_id as owner'])
      .where('service_account_id', 'in', serviceAccountIds)
      .execute();
    return groupUses(rows);
  }

  async setServiceAccountFilters(serviceAccountId: string, filterIds: readonly string[]): Promise<void> {
    await this.ctx.db
      .deleteFrom('fh_service_account_filter')
      .where('service_account_id', '=', serviceAccountId)
      .execute();
    const unique = [...new Set(filterIds)];
    if (unique.length === 0) return;
    await this.ctx.db
      .insertInto('fh_service_account_filter')
      .values(unique.map((filter_id) => ({ filter_id, service_account_id: serviceAccountId })))
      .execute();
  }

  async featuresWith(filterIds: readonly string[]): Promise<FilterUse[]> {
    if (filterIds.length === 0) return [];
    const rows = await this.ctx.db
      .selectFrom('fh_feature_filter_feature')
      .select(['filter_id', 'feature_id'])
      .where('filter_id', 'in', filterIds)
      .orderBy('feature_id')
      .orderBy('filter_id')
      .execute();
    return rows.map((r) => ({ filterId: r.filter_id, ownerId: r.feature_id }));
  }

  async serviceAccountsWith(filterIds: readonly string[]): Promise<FilterUse[]> {
    if (filterIds.length === 0) return [];
    const rows = await this.ctx.db
      .selectFrom('fh_service_account_filter')
      .select(['filter_id', 'service_account_id'])
      .where('filter_id', 'in', filterIds)
      .orderBy('service_account_id')
      .orderBy('filter_id')
      .execute();
    return rows.map((r) => ({ filterId: r.filter_id, ownerId: r.service_account_id }));
  }
}
