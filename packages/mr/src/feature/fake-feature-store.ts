import {
  archiveLive,
  assertFreeAmongLive,
  copy,
  type FakeState,
  findLive,
  findLiveWhere,
  insertLive,
  isLive,
  updateLive,
} from '../db/fake-state.ts';
import type { CreateFeature, Feature, FeatureQuery, FeatureStore, UpdateFeature } from './feature-store.ts';

export class FakeFeatureStore implements FeatureStore {
  constructor(private readonly state: FakeState) {}

  private assertKeyFree(applicationId: string, key: string, selfId?: string) {
    assertFreeAmongLive(
      this.state.tables.features,
      (f) => f.applicationId === applicationId && f.key === key,
      selfId,
      `a feature with key "${key}" already exists in the application`,
      'duplicate_key',
    );
  }

  async create(input: CreateFeature): Promise<Feature> {
    this.assertKeyFree(input.applicationId, input.key);
    return insertLive(this.state, this.state.tables.features, {
      applicationId: input.applicationId,
      key: input.key,
      name: input.name,
      valueType: input.valueType,
      description: input.description ?? null,
      link: input.link ?? null,
      metaData: input.metaData ?? null,
      alias: input.alias ?? null,
      secret: input.secret ?? false,
    });
  }

  async findById(id: string, options: { includeArchived?: boolean } = {}): Promise<Feature | undefined> {
    const f = findLive(this.state.tables.features, id, options.includeArchived);
    return f && copy(f);
  }

  async findByKey(applicationId: string, key: string): Promise<Feature | undefined> {
    const f = findLiveWhere(
      this.state.tables.features,
      (f) => f.applicationId === applicationId && f.key === key,
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
    return updateLive(this.state, this.state.tables.features, 'feature', id, patch, (current) => {
      if (patch.key !== undefined) this.assertKeyFree(current.applicationId, patch.key, id);
    });
  }

  async archive(id: string): Promise<Feature> {
    return archiveLive(this.state, this.state.tables.features, 'feature', id);
  }
}
