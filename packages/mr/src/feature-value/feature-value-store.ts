/** An application strategy attached to a feature value, with the value it serves there. */
export interface StrategyInstance {
  strategyId: string;
  /** the value served when the strategy matches, in its string form */
  value: string | null;
  enabled: boolean;
}

/** The value of one feature in one environment. */
export interface FeatureValue {
  id: string;
  environmentId: string;
  featureId: string;
  /** the default value in its string form ("true", "12.5", JSON text...); null = not set */
  value: string | null;
  locked: boolean;
  retired: boolean;
  /** custom strategies, as JSON objects in evaluation order */
  rolloutStrategies: unknown[];
  /** application strategies, in evaluation order */
  strategyInstances: StrategyInstance[];
  whoUpdated: string | null;
  version: number;
  whenCreated: Date;
  whenUpdated: Date;
}

/** One saved version of a feature value (audit history and the base of 3-way merges). */
export interface FeatureValueVersion {
  featureValueId: string;
  featureId: string;
  version: number;
  /** the version this one was saved over; null for the first */
  versionFrom: number | null;
  value: string | null;
  locked: boolean;
  retired: boolean;
  rolloutStrategies: unknown[];
  strategyInstances: StrategyInstance[];
  whoUpdated: string | null;
  whenCreated: Date;
}

export interface CreateFeatureValue {
  environmentId: string;
  featureId: string;
  value?: string | null;
  locked?: boolean;
  retired?: boolean;
  rolloutStrategies?: unknown[];
  strategyInstances?: StrategyInstance[];
  whoUpdated?: string | null;
}

/** Missing fields stay unchanged. `version` is required: the version the caller edited. */
export interface UpdateFeatureValue {
  value?: string | null;
  locked?: boolean;
  retired?: boolean;
  rolloutStrategies?: unknown[];
  strategyInstances?: StrategyInstance[];
  whoUpdated?: string | null;
  version: number;
}

/** A page of history across many feature values (the feature-history API). */
export interface FeatureHistoryQuery {
  /** the environments to look in (required: it also scopes the search to one application) */
  environmentIds: readonly string[];
  featureIds?: readonly string[];
  versions?: readonly number[];
  /** chronological (when saved, then version); default 'asc' */
  order?: 'asc' | 'desc';
  offset?: number;
  limit?: number;
}

/** One saved version, with the environment of its feature value. */
export interface FeatureHistoryRow extends FeatureValueVersion {
  environmentId: string;
}

export interface FeatureValueQuery {
  environmentId?: string;
  environmentIds?: readonly string[];
  featureId?: string;
  featureIds?: readonly string[];
}

export interface FeatureValueStore {
  /** Starts at version 1 and records it in the history. @throws ConflictError if one exists */
  create(input: CreateFeatureValue): Promise<FeatureValue>;
  findById(id: string): Promise<FeatureValue | undefined>;
  find(environmentId: string, featureId: string): Promise<FeatureValue | undefined>;
  list(query: FeatureValueQuery): Promise<FeatureValue[]>;
  /**
   * Saves a new version and records it in the history.
   * @throws StaleVersionError (status 409) when `patch.version` is not the current version
   */
  update(id: string, patch: UpdateFeatureValue): Promise<FeatureValue>;
  findVersion(featureValueId: string, version: number): Promise<FeatureValueVersion | undefined>;
  /** newest first unless order is 'asc' */
  history(
    featureValueId: string,
    options?: { limit?: number; order?: 'asc' | 'desc' },
  ): Promise<FeatureValueVersion[]>;
  /** One page of the saved versions matching the query, and how many match in all. */
  searchHistory(query: FeatureHistoryQuery): Promise<{ rows: FeatureHistoryRow[]; total: number }>;
}
