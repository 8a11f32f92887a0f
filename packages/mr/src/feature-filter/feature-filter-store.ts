/** A named per-portfolio tag put on features and service accounts (upstream API 1.2.6). */
export interface FeatureFilter {
  id: string;
  portfolioId: string;
  name: string;
  description: string | null;
  createdBy: string | null;
  version: number;
  whenCreated: Date;
  whenUpdated: Date;
}

export interface CreateFeatureFilter {
  portfolioId: string;
  name: string;
  description?: string | null;
  createdBy?: string | null;
}

/** Missing fields stay unchanged, null clears; `version` must match. */
export interface UpdateFeatureFilter {
  name?: string;
  description?: string | null;
  version: number;
}

export interface FeatureFilterQuery {
  portfolioId: string;
  /** Case-insensitive part of the name. */
  nameContains?: string;
  descending?: boolean;
  /** Paging: at most `limit` rows after skipping `offset`. */
  limit?: number;
  offset?: number;
}

/** A feature or service account and one filter it carries. */
export interface FilterUse {
  filterId: string;
  ownerId: string;
}

export interface FeatureFilterStore {
  /** @throws ConflictError (duplicate_name) when the portfolio has a filter of that name */
  create(input: CreateFeatureFilter): Promise<FeatureFilter>;
  findById(id: string): Promise<FeatureFilter | undefined>;
  /** ordered by name (ascending unless `descending`), then id */
  list(query: FeatureFilterQuery): Promise<FeatureFilter[]>;
  /** How many filters match the query, paging ignored. */
  count(query: FeatureFilterQuery): Promise<number>;
  /** @throws StaleVersionError (409) on a version mismatch, ConflictError on a duplicate name */
  update(id: string, patch: UpdateFeatureFilter): Promise<FeatureFilter>;
  /** Deletes the filter and takes it off every feature and service account. @throws StaleVersionError (409) */
  delete(id: string, version: number): Promise<void>;
  /** The filter ids of each feature (features without filters are absent), ids sorted. */
  filtersOfFeatures(featureIds: readonly string[]): Promise<Map<string, string[]>>;
  /** Replaces the filters of a feature. */
  setFeatureFilters(featureId: string, filterIds: readonly string[]): Promise<void>;
  /** The filter ids of each service account (those without filters are absent), ids sorted. */
  filtersOfServiceAccounts(serviceAccountIds: readonly string[]): Promise<Map<string, string[]>>;
  /** Replaces the filters of a service account. */
  setServiceAccountFilters(serviceAccountId: string, filterIds: readonly string[]): Promise<void>;
  /** The features (ownerId = feature id) carrying any of the filters. */
  featuresWith(filterIds: readonly string[]): Promise<FilterUse[]>;
  /** The service accounts (ownerId = service account id) carrying any of the filters. */
  serviceAccountsWith(filterIds: readonly string[]): Promise<FilterUse[]>;
}
