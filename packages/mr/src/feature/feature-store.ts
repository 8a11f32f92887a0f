import type { FeatureValueType } from '@fh/contracts';

export type { FeatureValueType };

export interface Feature {
  id: string;
  applicationId: string;
  key: string;
  name: string;
  valueType: FeatureValueType;
  description: string | null;
  link: string | null;
  metaData: string | null;
  alias: string | null;
  secret: boolean;
  version: number;
  whenCreated: Date;
  whenUpdated: Date;
  whenArchived: Date | null;
}

export interface CreateFeature {
  applicationId: string;
  key: string;
  name: string;
  valueType: FeatureValueType;
  description?: string | null;
  link?: string | null;
  metaData?: string | null;
  alias?: string | null;
  secret?: boolean;
}

/** Missing fields stay unchanged, null clears; `version`, when given, must match. */
export interface UpdateFeature {
  key?: string;
  name?: string;
  valueType?: FeatureValueType;
  description?: string | null;
  link?: string | null;
  metaData?: string | null;
  alias?: string | null;
  secret?: boolean;
  version?: number;
}

export interface FeatureQuery {
  applicationId?: string;
  ids?: readonly string[];
  keys?: readonly string[];
  includeArchived?: boolean;
}

export interface FeatureStore {
  /** @throws ConflictError (code duplicate_key) when a live feature of the application has the key */
  create(input: CreateFeature): Promise<Feature>;
  findById(id: string, options?: { includeArchived?: boolean }): Promise<Feature | undefined>;
  findByKey(applicationId: string, key: string): Promise<Feature | undefined>;
  /** ordered by key */
  list(query: FeatureQuery): Promise<Feature[]>;
  update(id: string, patch: UpdateFeature): Promise<Feature>;
  /** Archives the feature; its key becomes free. Its values and their history are kept. */
  archive(id: string): Promise<Feature>;
}
