import type { CacheEnvironmentFeature, RoleType } from '@fh/contracts';

// The ports Edge reads and writes through, and the answers they give. Edge owns them: the in-process
// Dacha (`@fh/dacha`'s DachaCache), its LoadingFeatureSource and Edge's own BusFeatureSource satisfy
// FeatureSource and FeatureUpdates structurally. These mirror the Dacha API (dacha-api.yaml) in spirit,
// as typed in-process calls. The test-API port is shared with MR (which implements it), so it lives in
// @fh/contracts and is re-exported here.

export type { TestApiPort, TestApiResult, TestApiStatus, TestFeatureUpdate } from '@fh/contracts';

/**
 * Serialised payloads that belong to one state of an environment. The source hands a fresh memo out
 * with every new state, so whatever Edge stores here is dropped the moment a feature changes: that is
 * the whole invalidation scheme. Keys are chosen by Edge (e.g. "client-eval, no extended data").
 */
export interface PayloadMemo {
  get(key: string): string | undefined;
  set(key: string, payload: string): void;
}

/** What the source knows about one environment as seen through one API key. */
export interface EnvironmentFeatures {
  readonly environmentId: string;
  readonly organizationId: string;
  readonly portfolioId: string;
  readonly applicationId: string;
  /** The service account's id (not its key). */
  readonly serviceAccountId: string;
  /** The account's roles in this environment; never empty. */
  readonly roles: readonly RoleType[];
  /** The account's feature filters; empty = every feature. Applying them is Edge's job. */
  readonly filters: readonly string[];
  /** The environment info map (`eInf`): e.g. `mgmt.cacheControl`. */
  readonly environmentInfo: Readonly<Record<string, string>>;
  /** Changes whenever any feature an SDK could see changes; the same content gives the same tag. */
  readonly etag: string;
  /** The features an SDK may see, in publishing order. Retired values are already left out. */
  readonly features: readonly CacheEnvironmentFeature[];
  /** Serialised payloads for exactly this state of the environment. */
  readonly payloads: PayloadMemo;
}

/** One feature of an environment with the roles of the API key asking (test API). */
export interface FeaturePermission {
  readonly environmentId: string;
  readonly organizationId: string;
  readonly portfolioId: string;
  readonly applicationId: string;
  readonly serviceAccountId: string;
  readonly roles: readonly RoleType[];
  readonly filters: readonly string[];
  /** The feature and its current value, retired or not. */
  readonly feature: CacheEnvironmentFeature;
}

/**
 * - `not_found`: unknown API key, environment or feature.
 * - `no_permission`: the key exists but has no role in this environment.
 * - `not_ready`: the source has not been filled yet; ask again shortly.
 */
export type LookupFailure = 'not_found' | 'no_permission' | 'not_ready';

/** Answer to "features for (environment, API key)". */
export type FeaturesLookup =
  | { readonly status: 'found'; readonly environment: EnvironmentFeatures }
  | { readonly status: LookupFailure };

/** Answer to "roles of (environment, API key) and feature (key)". */
export type PermissionLookup =
  | { readonly status: 'found'; readonly permission: FeaturePermission }
  | { readonly status: LookupFailure };

/** Where Edge reads features. `apiKey` is the service-key part only (no environment id). */
export interface FeatureSource {
  features(environmentId: string, apiKey: string): FeaturesLookup | Promise<FeaturesLookup>;
  permission(
    environmentId: string,
    apiKey: string,
    featureKey: string,
  ): PermissionLookup | Promise<PermissionLookup>;
}

/**
 * A change an open SDK stream must hear about. `feature-deleted` covers a deleted feature, a value
 * being retired, and the old key of a renamed feature; its `feature` carries the version to send.
 * `service-account-changed` means keys or permissions of that account changed: re-check access.
 */
export type EnvironmentChange =
  | {
      readonly kind: 'feature-updated';
      readonly environmentId: string;
      readonly feature: CacheEnvironmentFeature;
    }
  | {
      readonly kind: 'feature-deleted';
      readonly environmentId: string;
      readonly feature: CacheEnvironmentFeature;
    }
  | { readonly kind: 'environment-deleted'; readonly environmentId: string }
  | {
      readonly kind: 'service-account-changed';
      readonly environmentId: string;
      readonly serviceAccountId: string;
    };

/** Lets SSE streams hear about the changes of one environment. */
export interface FeatureUpdates {
  /** Returns the unsubscribe function; Edge calls it when the stream ends. */
  subscribe(environmentId: string, listener: (change: EnvironmentChange) => void): () => void;
}
