import { ConflictError } from '@fh/service-kit';
import { copy, type FakeState } from '../db/fake-state.ts';
import { applyPatch, checkVersion } from '../db/store-support.ts';
import type {
  CreateFeatureValue,
  FeatureHistoryQuery,
  FeatureHistoryRow,
  FeatureValue,
  FeatureValueQuery,
  FeatureValueStore,
  FeatureValueVersion,
  UpdateFeatureValue,
} from './feature-value-store.ts';

const STALE_STATUS = 409;

export class FakeFeatureValueStore implements FeatureValueStore {
  constructor(private readonly state: FakeState) {}

  async create(input: CreateFeatureValue): Promise<FeatureValue> {
    if (await this.find(input.environmentId, input.featureId)) {
      throw new ConflictError(
        `feature ${input.featureId} already has a value in environment ${input.environmentId}`,
        'duplicate_feature_value',
      );
    }
    const now = this.state.now();
    const fv: FeatureValue = {
      id: this.state.deps.ids.next(),
      environmentId: input.environmentId,
      featureId: input.featureId,
      value: input.value ?? null,
      locked: input.locked ?? false,
      retired: input.retired ?? false,
      rolloutStrategies: copy(input.rolloutStrategies ?? []),
      strategyInstances: copy(input.strategyInstances ?? []),
      whoUpdated: input.whoUpdated ?? null,
      version: 1,
      whenCreated: now,
      whenUpdated: now,
    };
    this.state.tables.featureValues.set(fv.id, fv);
    this.writeHistory(fv, null);
    return copy(fv);
  }

  async findById(id: string): Promise<FeatureValue | undefined> {
    const fv = this.state.tables.featureValues.get(id);
    return fv && copy(fv);
  }

  async find(environmentId: string, featureId: string): Promise<FeatureValue | undefined> {
    const fv = [...this.state.tables.featureValues.values()].find(
      (v) => v.environmentId === environmentId && v.featureId === featureId,
    );
    return fv && copy(fv);
  }

  async list(query: FeatureValueQuery): Promise<FeatureValue[]> {
    return [...this.state.tables.featureValues.values()]
      .filter(
        (v) =>
          (query.environmentId === undefined || v.environmentId === query.environmentId) &&
          (query.environmentIds === undefined || query.environmentIds.includes(v.environmentId)) &&
          (query.featureId === undefined || v.featureId === query.featureId) &&
          (query.featureIds === undefined || query.featureIds.includes(v.featureId)),
      )
      .sort((a, b) =>
        a.environmentId !== b.environmentId
          ? a.environmentId < b.environmentId
            ? -1
            : 1
          : a.featureId < b.featureId
            ? -1
            : a.featureId > b.featureId
              ? 1
              : 0,
      )
      .map(copy);
  }

  async update(id: string, patch: UpdateFeatureValue): Promise<FeatureValue> {
    const current = this.state.tables.featureValues.get(id);
    checkVersion('feature value', id, current, patch.version, STALE_STATUS);
    const { version: _v, ...fields } = patch;
    const next = {
      ...applyPatch(current!, copy(fields)),
      version: current!.version + 1,
      whenUpdated: this.state.now(),
    };
    this.state.tables.featureValues.set(id, next);
    this.writeHistory(next, patch.version);
    return copy(next);
  }

  async findVersion(featureValueId: string, version: number): Promise<FeatureValueVersion | undefined> {
    const v = this.state.tables.featureValueVersions.find(
      (h) => h.featureValueId === featureValueId && h.version === version,
    );
    return v && copy(v);
  }

  async history(
    featureValueId: string,
    options: { limit?: number; order?: 'asc' | 'desc' } = {},
  ): Promise<FeatureValueVersion[]> {
    const sign = options.order === 'asc' ? 1 : -1;
    return this.state.tables.featureValueVersions
      .filter((h) => h.featureValueId === featureValueId)
      .sort((a, b) => sign * (a.version - b.version))
      .slice(0, options.limit)
      .map(copy);
  }

  async searchHistory(query: FeatureHistoryQuery): Promise<{ rows: FeatureHistoryRow[]; total: number }> {
    const sign = query.order === 'desc' ? -1 : 1;
    const matches: FeatureHistoryRow[] = [];
    for (const h of this.state.tables.featureValueVersions) {
      const environmentId = this.state.tables.featureValues.get(h.featureValueId)?.environmentId;
      if (environmentId === undefined || !query.environmentIds.includes(environmentId)) continue;
      if (query.featureIds !== undefined && !query.featureIds.includes(h.featureId)) continue;
      if (query.versions !== undefined && !query.versions.includes(h.version)) continue;
      matches.push({ ...copy(h), environmentId });
    }
    matches.sort(
      (a, b) =>
        sign *
        (a.whenCreated.getTime() - b.whenCreated.getTime() ||
          a.version - b.version ||
          (a.featureValueId < b.featureValueId ? -1 : a.featureValueId > b.featureValueId ? 1 : 0)),
    );
    const offset = query.offset ?? 0;
    const rows = matches.slice(offset, query.limit === undefined ? undefined : offset + query.limit);
    return { rows, total: matches.length };
  }

  private writeHistory(fv: FeatureValue, versionFrom: number | null) {
    this.state.tables.featureValueVersions.push(
      copy({
        featureValueId: fv.id,
        featureId: fv.featureId,
        version: fv.version,
        versionFrom,
        value: fv.value,
        locked: fv.locked,
        retired: fv.retired,
        rolloutStrategies: fv.rolloutStrategies,
        strategyInstances: fv.strategyInstances,
        whoUpdated: fv.whoUpdated,
        whenCreated: fv.whenUpdated,
      }),
    );
  }
}
