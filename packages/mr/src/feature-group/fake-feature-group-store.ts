import {
  archiveLive,
  assertFreeAmongLive,
  copy,
  type FakeState,
  findLive,
  insertLive,
  isLive,
  updateLive,
} from '../db/fake-state.ts';
import { checkVersion } from '../db/store-support.ts';
import {
  type CreateFeatureGroup,
  FEATURE_GROUP_STALE_STATUS,
  type FeatureGroup,
  type FeatureGroupQuery,
  type FeatureGroupStore,
  type UpdateFeatureGroup,
} from './feature-group-store.ts';

const ENTITY = 'feature group';

const clash = (name: string | undefined, order: number | undefined) =>
  `a feature group named "${name ?? ''}" or at order ${order ?? ''} already exists in this environment`;

export class FakeFeatureGroupStore implements FeatureGroupStore {
  constructor(private readonly state: FakeState) {}

  async create(input: CreateFeatureGroup): Promise<FeatureGroup> {
    this.#assertFree(input.environmentId, input.name, input.order, undefined);
    const created = insertLive(this.state, this.state.tables.featureGroups, {
      applicationId: input.applicationId,
      environmentId: input.environmentId,
      order: input.order,
      name: input.name,
      description: input.description ?? null,
      strategies: copy(input.strategies ?? []),
      members: sortMembers(copy(input.members ?? [])),
      whoChanged: input.whoChanged ?? null,
    });
    return this.#withLiveMembers(created);
  }

  async findById(id: string, options: { includeArchived?: boolean } = {}): Promise<FeatureGroup | undefined> {
    const g = findLive(this.state.tables.featureGroups, id, options.includeArchived);
    return g && this.#withLiveMembers(copy(g));
  }

  async list(query: FeatureGroupQuery): Promise<FeatureGroup[]> {
    return [...this.state.tables.featureGroups.values()]
      .filter(
        (g) =>
          isLive(g) &&
          (query.applicationId === undefined || g.applicationId === query.applicationId) &&
          (query.environmentIds === undefined || query.environmentIds.includes(g.environmentId)) &&
          (query.ids === undefined || query.ids.includes(g.id)) &&
          (query.featureId === undefined || g.members.some((m) => m.featureId === query.featureId)),
      )
      .sort((a, b) =>
        a.environmentId < b.environmentId ? -1 : a.environmentId > b.environmentId ? 1 : a.order - b.order,
      )
      .map((g) => this.#withLiveMembers(copy(g)));
  }

  async highestOrder(environmentId: string): Promise<number> {
    let highest = 0;
    for (const g of this.state.tables.featureGroups.values()) {
      if (isLive(g) && g.environmentId === environmentId) highest = Math.max(highest, g.order);
    }
    return highest;
  }

  async update(id: string, patch: UpdateFeatureGroup): Promise<FeatureGroup> {
    const groups = this.state.tables.featureGroups;
    checkVersion(ENTITY, id, findLive(groups, id), patch.version, FEATURE_GROUP_STALE_STATUS);
    const fields = { ...patch, ...(patch.members ? { members: sortMembers(copy(patch.members)) } : {}) };
    const updated = updateLive(this.state, groups, ENTITY, id, fields, (current) => {
      if (patch.name !== undefined || patch.order !== undefined) {
        this.#assertFree(current.environmentId, patch.name ?? current.name, patch.order ?? current.order, id);
      }
    });
    return this.#withLiveMembers(updated);
  }

  async archive(id: string, whoChanged?: string | null): Promise<FeatureGroup> {
    const groups = this.state.tables.featureGroups;
    const current = findLive(groups, id);
    if (current && whoChanged !== undefined) groups.set(id, { ...current, whoChanged });
    return this.#withLiveMembers(archiveLive(this.state, groups, ENTITY, id));
  }

  #assertFree(environmentId: string, name: string, order: number, selfId: string | undefined): void {
    assertFreeAmongLive(
      this.state.tables.featureGroups,
      (g) => g.environmentId === environmentId && (g.name === name || g.order === order),
      selfId,
      clash(name, order),
    );
  }

  /** As the SQL store: members whose feature is archived are not shown. */
  #withLiveMembers(g: FeatureGroup): FeatureGroup {
    const features = this.state.tables.features;
    return {
      ...g,
      members: g.members.filter((m) => isLive(features.get(m.featureId) ?? { whenArchived: new Date() })),
    };
  }
}

function sortMembers<T extends { featureId: string }>(members: T[]): T[] {
  return members.sort((a, b) => (a.featureId < b.featureId ? -1 : a.featureId > b.featureId ? 1 : 0));
}
