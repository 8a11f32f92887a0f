import type { EnvironmentChange, FeaturesLookup, PermissionLookup } from '@fh/dacha';

// The ports Edge reads and writes through. Edge owns them: the in-process Dacha (`@fh/dacha`'s DachaCache),
// its LoadingFeatureSource and Edge's own BusFeatureSource satisfy FeatureSource and FeatureUpdates
// structurally. The answers they give are Dacha's own types (they mirror the Dacha API, dacha-api.yaml, as
// typed in-process calls), written once in `@fh/dacha` and re-exported here. The test-API port is shared with
// MR (which implements it), so it lives in @fh/contracts and is re-exported here too.

export type { TestApiPort, TestApiResult, TestApiStatus, TestFeatureUpdate } from '@fh/contracts';
export type {
  EnvironmentChange,
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

/** Lets SSE streams hear about the changes of one environment. */
export interface FeatureUpdates {
  /** Returns the unsubscribe function; Edge calls it when the stream ends. */
  subscribe(environmentId: string, listener: (change: EnvironmentChange) => void): () => void;
}
