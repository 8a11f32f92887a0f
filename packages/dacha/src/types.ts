import type { CacheEnvironmentFeature, RoleType } from '@fh/contracts';

/**
 * Serialised payloads that belong to one state of an environment. Dacha hands a fresh memo out with
 * every new state, so whatever Edge stores here is dropped the moment a feature changes: that is the
 * whole invalidation scheme. Keys are chosen by the caller (e.g. "client-eval, no extended data").
 */
export interface PayloadMemo {
  get(key: string): string | undefined;
  set(key: string, payload: string): void;
}

/** What Dacha knows about one environment as seen through one API key. */
export interface EnvironmentFeatures {
  readonly environmentId: string;
  readonly organizationId: string;
  readonly portfolioId: string;
  readonly applicationId: string;
  /** The service account's id (not its key). */
  readonly serviceAccountId: string;
  /** The account's roles in this environment; never empty. */
  readonly roles: readonly RoleType[];
  /** The account's feature filters; empty = every feature. Applying them is the caller's job. */
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
 * - `not_ready`: the cache has not been filled yet; ask again shortly.
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

/** Receives the changes of one environment, in the order they were applied. */
export type EnvironmentListener = (change: EnvironmentChange) => void;

/** The logging Dacha needs; pino's logger fits. */
export interface DachaLogger {
  debug(obj: unknown, msg?: string): void;
  info(obj: unknown, msg?: string): void;
  warn(obj: unknown, msg?: string): void;
  error(obj: unknown, msg?: string): void;
}
