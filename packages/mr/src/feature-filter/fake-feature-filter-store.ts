import { ConflictError } from '@fh/service-kit';
import { copy, type FakeState } from '../db/fake-state.ts';
import { checkVersion } from '../db/store-support.ts';
import type {
  CreateFeatureFilter,
  FeatureFilter,
  FeatureFilterQuery,
  FeatureFilterStore,
  FilterUse,
  UpdateFeatureFilter,
} from './feature-filter-store.ts';

/** The fake keeps filters and their uses in the shared FakeState, so transactions roll them back too. */
export class FakeFeatureFilterStore implements FeatureFilterStore {
  constructor(private readonly state: FakeState) {}

  get #t() {
    return this.state.tables;
  }

  #assertNameFree(portfolioId: string, name: string, selfId?: string): void {
    for (const f of this.#t.featureFilters.values()) {
      if (f.portfolioId === portfolioId && f.name === name && f.id !== selfId) {
        throw new ConflictError(`a feature filter named "${name}" already exists in the portfolio`);
      }
    }
  }

  async create(input: CreateFeatureFilter): Promise<FeatureFilter> {
    this.#assertNameFree(input.portfolioId, input.name);
    const now = this.state.now();
    const row: FeatureFilter = {
      id: this.state.deps.ids.next(),
      portfolioId: input.portfolioId,
      name: input.name,
      description: input.description ?? null,
      createdBy: input.createdBy ?? null,
      version: 1,
      whenCreated: now,
      whenUpdated: now,
    };
    this.#t.featureFilters.set(row.id, row);
    return copy(row);
  }

  async findById(id: string): Promise<FeatureFilter | undefined> {
    const f = this.#t.featureFilters.get(id);
    return f && copy(f);
  }

  #matching(query: FeatureFilterQuery): FeatureFilter[] {
    const needle = query.nameContains?.toLowerCase() ?? '';
    const rows = [...this.#t.featureFilters.values()].filter(
      (f) => f.portfolioId === query.portfolioId && f.name.toLowerCase().includes(needle),
    );
    rows.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.id < b.id ? -1 : 1));
    if (query.descending)
      rows.sort((a, b) => (a.name > b.name ? -1 : a.name < b.name ? 1 : a.id < b.id ? -1 : 1));
    return rows;
  }

  async list(query: FeatureFilterQuery): Promise<FeatureFilter[]> {
    const offset = query.offset ?? 0;
    const rows = this.#matching(query).slice(
      offset,
      query.limit === undefined ? undefined : offset + query.limit,
    );
    return rows.map(copy);
  }

  async count(query: FeatureFilterQuery): Promise<number> {
    return this.#matching(query).length;
  }

  async update(id: string, patch: UpdateFeatureFilter): Promise<FeatureFilter> {
    const row = this.#t.featureFilters.get(id);
    checkVersion('feature filter', id, row, patch.version, 409);
    if (patch.name !== undefined) this.#assertNameFree(row!.portfolioId, patch.name, id);
    const next: FeatureFilter = {
      ...row!,
      ...(patch.name !== undefined ? { name: patch.name } : {}),
      ...(patch.description !== undefined ? { description: patch.description } : {}),
      version: row!.version + 1,
      whenUpdated: this.state.now(),
    };
    this.#t.featureFilters.set(id, next);
    return copy(next);
  }

  async delete(id: string, version: number): Promise<void> {
    checkVersion('feature filter', id, this.#t.featureFilters.get(id), version, 409);
    this.#t.featureFilters.delete(id);
    for (const key of [...this.#t.featureFilterUses])
      if (key.startsWith(`${id}|`)) this.#t.featureFilterUses.delete(key);
    for (const key of [...this.#t.serviceAccountFilterUses])
      if (key.startsWith(`${id}|`)) this.#t.serviceAccountFilterUses.delete(key);
  }

  async filtersOfFeatures(featureIds: readonly string[]): Promise<Map<string, string[]>> {
    return ownersToFilters(this.#t.featureFilterUses, featureIds);
  }

  async setFeatureFilters(featureId: string, filterIds: readonly string[]): Promise<void> {
    replaceUses(this.#t.featureFilterUses, featureId, filterIds);
  }

  async filtersOfServiceAccounts(serviceAccountIds: readonly string[]): Promise<Map<string, string[]>> {
    return ownersToFilters(this.#t.serviceAccountFilterUses, serviceAccountIds);
  }

  async setServiceAccountFilters(serviceAccountId: string, filterIds: readonly string[]): Promise<void> {
    replaceUses(this.#t.serviceAccountFilterUses, serviceAccountId, filterIds);
  }

  async featuresWith(filterIds: readonly string[]): Promise<FilterUse[]> {
    return usesOf(this.#t.featureFilterUses, filterIds);
  }

  async serviceAccountsWith(filterIds: readonly string[]): Promise<FilterUse[]> {
    return usesOf(this.#t.serviceAccountFilterUses, filterIds);
  }
}

// Uses are kept as `${filterId}|${ownerId}` keys, like the join tables' primary keys.

function split(key: string): FilterUse {
  const [filterId = '', ownerId = ''] = key.split('|');
  return { filterId, ownerId };
}

function ownersToFilters(uses: Set<string>, ownerIds: readonly string[]): Map<string, string[]> {
  const wanted = new Set(ownerIds);
  const out = new Map<string, string[]>();
  for (const key of uses) {
    const { filterId, ownerId } = split(key);
    if (!wanted.has(ownerId)) continue;
    out.set(ownerId, [...(out.get(ownerId) ?? []), filterId]);
  }
  for (const list of out.values()) list.sort();
  return out;
}

function replaceUses(uses: Set<string>, ownerId: string, filterIds: readonly string[]): void {
  for (const key of [...uses]) if (split(key).ownerId === ownerId) uses.delete(key);
  for (const filterId of filterIds) uses.add(`${filterId}|${ownerId}`);
}

function usesOf(uses: Set<string>, filterIds: readonly string[]): FilterUse[] {
  const wanted = new Set(filterIds);
  return [...uses]
    .map(split)
    .filter((u) => wanted.has(u.filterId))
    .sort((a, b) =>
      a.ownerId < b.ownerId ? -1 : a.ownerId > b.ownerId ? 1 : a.filterId < b.filterId ? -1 : 1,
    );
}
