import type { FeatureStateUpdate, FeatureWireValue } from '@fh/contracts';
import type { EnvironmentChange, FeaturesLookup, PermissionLookup } from '@fh/dacha';

// The ports Edge reads and writes through. The in-process Dacha (`@fh/dacha`'s DachaCache)
// satisfies FeatureSource and FeatureUpdates as is; a bus-backed source can come later. MR implements
// TestApiPort. These mirror the Dacha API (dacha-api.yaml) in spirit, as typed in-process calls.

// The shapes of a lookup are Dacha's (Edge already builds on Dacha's snapshots); Edge's ports are the
// operations below.
export type {
  EnvironmentFeatures,
  FeaturePermission,
  FeaturesLookup,
  LookupFailure,
  PayloadMemo,
  PermissionLookup,
} from '@fh/dacha';

/** Where Edge reads features. `apiKey` is the service-key part only (no environment id). */
export interface FeatureSource {
  features(environmentId: string, apiKey: string): FeaturesLookup | Promise<FeaturesLookup>;
  permission(
    environmentId: string,
    apiKey: string,
    featureKey: string,
  ): PermissionLookup | Promise<PermissionLookup>;
}

export type { EnvironmentChange } from '@fh/dacha';

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
