/** A member of a feature group: a feature with the value it serves when the group's strategy matches. */
export interface FeatureGroupMember {
  featureId: string;
  /** in its string form ("true", "12.5", JSON text...); null = none */
  value: string | null;
}

/**
 * A named set of features in one environment with one rollout strategy (docs/feature-groups.md): when it matches,
 * each member serves its member value.
 */
export interface FeatureGroup {
  id: string;
  applicationId: string;
  environmentId: string;
  /** its place among the environment's groups; unique among them, lowest published first */
  order: number;
  name: string;
  description: string | null;
  /** the GroupRolloutStrategy objects as saved (normalised); only the first is honoured */
  strategies: unknown[];
  /** ordered by feature id */
  members: FeatureGroupMember[];
  whoChanged: string | null;
  version: number;
  whenCreated: Date;
  whenUpdated: Date;
  whenArchived: Date | null;
}

export interface CreateFeatureGroup {
  applicationId: string;
  environmentId: string;
  order: number;
  name: string;
  description?: string | null;
  strategies?: unknown[];
  members?: FeatureGroupMember[];
  whoChanged?: string | null;
}

/** Missing fields stay unchanged; `members` replaces the whole membership. */
export interface UpdateFeatureGroup {
  name?: string;
  description?: string | null;
  order?: number;
  strategies?: unknown[];
  members?: FeatureGroupMember[];
  whoChanged?: string | null;
  /** the version the caller edited */
  version?: number;
}

export interface FeatureGroupQuery {
  applicationId?: string;
  environmentIds?: readonly string[];
  /** groups having this feature as a member */
  featureId?: string;
  ids?: readonly string[];
}

export interface FeatureGroupStore {
  /** @throws ConflictError when a live group of the environment has the name or the order */
  create(input: CreateFeatureGroup): Promise<FeatureGroup>;
  findById(id: string, options?: { includeArchived?: boolean }): Promise<FeatureGroup | undefined>;
  /** live groups, by environment id then order */
  list(query: FeatureGroupQuery): Promise<FeatureGroup[]>;
  /** The highest order of the environment's live groups; 0 when it has none. */
  highestOrder(environmentId: string): Promise<number>;
  /**
   * Saves a new version.
   * @throws StaleVersionError (status 412) when `patch.version` is not the current version
   * @throws ConflictError when the new name or order is taken in the environment
   */
  update(id: string, patch: UpdateFeatureGroup): Promise<FeatureGroup>;
  archive(id: string, whoChanged?: string | null): Promise<FeatureGroup>;
}

/** The status upstream answers an update from an old version with (mr-api 1.2.5: 412). */
export const FEATURE_GROUP_STALE_STATUS = 412;
