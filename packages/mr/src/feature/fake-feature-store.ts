import {
  archiveIn,
  assertUnique,
  copy,
  type FakeState,
  findLive,
  isLive,
  notFound,
} from '../db/fake-state.ts';
import { applyPatch, checkVersion } from '../db/store-support.ts';
import type { CreateFeature, Feature, FeatureQuery, FeatureStore, UpdateFeature } from './feature-store.ts';

export class FakeFeatureStore implements FeatureStore {
  constructor(private readonly state: FakeState) {}

  private assertKeyFree(applicationId: string, key: string, selfId?: string) {
    assertUnique(
      this.state.tables.features.values(),
      (f) => isLive(f) && f.applicationId === applicationId && f.key === key,
      selfId,
      `a feature with key "${key}" already exists in the application`,
      'duplicate_key',
    );
  }

  async create(input: CreateFeature): Promise<Feature> {
    this.assertKeyFree(input.applicationId, input.key);
    const now = this.state.now();
    const f: Feature = {
      id: this.state.deps.ids.next(),
      applicationId: input.applicationId,
      key: input.key,
      name: input.name,
      valueType: input.valueType,
      description: input.description ?? null,
      link: input.link ?? null,
      metaData: input.metaData ?? null,
      alias: input.alias ?? null,
      secret: input.secret ?? false,
      version: 1,
      whenCreated: now,
      whenUpdated: now,
      whenArchived: null,
    };
    this.state.tables.features.set(f.id, f);
    return copy(f);
  }

  async findById(id: string, options: { includeArchived?: boolean } = {}): Promise<Feature | undefined> {
    const f = findLive(this.state.tables.features, id, options.includeArchived);
    return f && copy(f);
  }

  async findByKey(applicationId: string, key: string): Promise<Feature | undefined> {
    const f = [...this.state.tables.features.values()].find(
      (f) => isLive(f) && f.applicationId === applicationId && f.key === key,
    );
    return f && copy(f);
  }

  async list(query: FeatureQuery): Promise<Feature[]> {
    return [...this.state.tables.features.values()]
      .filter(
        (f) =>
          (query.applicationId === undefined || f.applicationId === query.applicationId) &&
          (query.ids === undefined || query.ids.includes(f.id)) &&
          (query.keys === undefined || query.keys.includes(f.key)) &&
          (query.includeArchived || isLive(f)),
      )
      .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.id < b.id ? -1 : 1))
      .map(copy);
  }

  async update(id: string, patch: UpdateFeature): Promise<Feature> {
    const current = findLive(this.state.tables.features, id);
    checkVersion('feature', id, current, patch.version);
    if (!current) notFound('feature', id);
    if (patch.key !== undefined) this.assertKeyFree(current.applicationId, patch.key, id);
    const { version: _v, ...fields } = patch;
    const next = {
      ...applyPatch(current, fields),
      version: current.version + 1,
      whenUpdated: this.state.now(),
    };
    this.state.tables.features.set(id, next);
    return copy(next);
  }

  async archive(id: string): Promise<Feature> {
    if (archiveIn(this.state.tables.features, [id], this.state.now()) === 0) notFound('feature', id);
    return copy(this.state.tables.features.get(id)!);
  }
}
