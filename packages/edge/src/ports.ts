import type { CacheEnvironmentFeature, FeatureStateUpdate, FeatureWireValue, RoleType } from '@fh/contracts';

// The ports Edge reads and writes through. The in-process Dacha (`@fh/dacha`'s DachaCache)
// satisfies FeatureSource and FeatureUpdates as is; a bus-backed source can come later. MR implements
// TestApiPort. These mirror the Dacha API (dacha-api.yaml) in spirit, as typed in-process calls.

/**
 * Serialised payloads tied to one state of an environment: the source must hand out a fresh memo
 * whenever a feature changes, so Edge can keep serialised feature lists here without invalidating.
 */
export interface PayloadMemo {
  get(key: string): string | undefined;
  set(key: string, payload: string): void;
}

/** An environment as one API key sees it. */
export interface EnvironmentFeatures {
  readonly environmentId: string;
  readonly organizationId: string;
  readonly portfolioId: string;
  readonly applicationId: string;
  readonly serviceAccountId: string;
  /** Never empty; EXTENDED_DATA allows feature properties (`fp`). */
  readonly roles: readonly RoleType[];
  /** The account's feature filters; empty = all. Edge applies them. */
  readonly filters: readonly string[];
  /** `mgmt.cacheControl` / `cacheControl` here override or back up the configured Cache-Control. */
  readonly environmentInfo: Readonly<Record<string, string>>;
  /** Changes whenever a feature an SDK could see changes. */
  readonly etag: string;
  /** Visible features (retired values already left out), in order. */
  readonly features: readonly CacheEnvironmentFeature[];
  readonly payloads: PayloadMemo;
}

/** A feature (retired or not) and the roles of the API key asking, for the test API. */
export interface FeaturePermission {
  readonly environmentId: string;
  readonly organizationId: string;
  readonly portfolioId: string;
  readonly applicationId: string;
  readonly serviceAccountId: string;
  readonly roles: readonly RoleType[];
  readonly filters: readonly string[];
  readonly feature: CacheEnvironmentFeature;
}

/** `not_found`: unknown key/environment/feature; `no_permission`: no role there; `not_ready`: try later. */
export type LookupFailure = 'not_found' | 'no_permission' | 'not_ready';

export type FeaturesLookup =
  | { readonly status: 'found'; readonly environment: EnvironmentFeatures }
  | { readonly status: LookupFailure };

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

/** A change an SSE stream must pass on (see `@fh/dacha` EnvironmentChange). */
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

/**
 * A test-API update that passed Edge's checks (edge-protocol.md §2.3 steps 1–7) against the cached
 * state. `value` is already converted to the feature's wire type (BOOLEAN boolean, NUMBER number,
 * STRING/JSON string, `null` = clear).
 */
export interface TestFeatureUpdate {
  readonly environmentId: string;
  /** The service-key part of the API key. */
  readonly apiKey: string;
  readonly serviceAccountId: string;
  readonly organizationId: string;
  readonly portfolioId: string;
  readonly applicationId: string;
  readonly featureId: string;
  readonly featureKey: string;
  /** `undefined` leaves the lock as it is. */
  readonly lock: boolean | undefined;
  /** True when the value is to be set to `value`. */
  readonly updateValue: boolean;
  readonly value: FeatureWireValue;
  /** The body as the SDK sent it. */
  readonly request: FeatureStateUpdate;
}

/** Statuses a test-API update may end with (any 2xx is success to the SDK). */
export type TestApiStatus = 200 | 202 | 400 | 403 | 404 | 412 | 503;

export interface TestApiResult {
  readonly status: TestApiStatus;
  readonly message?: string;
}

/**
 * Applies test-API updates through MR, so the change is stored, versioned, written to history and
 * published to the caches like any other change. MR re-checks against its own (authoritative)
 * state in the order of §2.3 and answers: 200 changed, 202 nothing to change, 404 unknown
 * environment/key/feature, 403 missing role, 412 locked (or null flag), 400 bad value.
 * Throwing means an unexpected failure (Edge answers 500).
 */
export interface TestApiPort {
  applyFeatureUpdate(update: TestFeatureUpdate): Promise<TestApiResult>;
}
