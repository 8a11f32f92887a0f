// @fh/dacha: the in-memory cache of environments and service accounts that Edge reads.
export {
  applyCacheMessage,
  connectDachaToBus,
  type DachaBusOptions,
  type DachaBusSubscription,
} from './bus-wiring.ts';
export {
  environmentTagOf,
  localVersions,
  serviceAccountTagOf,
  versionDifferences,
} from './cache-versions.ts';
export { type ApplyOutcome, DachaCache, type DachaCacheOptions, mergeFeature } from './dacha-cache.ts';
export {
  type CatchUpResult,
  DachaNode,
  type DachaNodeOptions,
  type DachaNodeState,
  toPublishEnvironment,
} from './dacha-node.ts';
export { answerEdgeRequest, type EdgeResponder, serveEdgeRequests } from './edge-responder.ts';
export { EnvironmentSnapshot, isVisibleToSdks } from './environment-snapshot.ts';
export { createInProcessDacha, type InProcessDacha, type InProcessDachaOptions } from './in-process-dacha.ts';
export {
  type CacheLoader,
  LoadingFeatureSource,
  type LoadingFeatureSourceOptions,
} from './loading-feature-source.ts';
export type {
  DachaLogger,
  EnvironmentChange,
  EnvironmentFeatures,
  EnvironmentListener,
  FeaturePermission,
  FeaturesLookup,
  LookupFailure,
  PayloadMemo,
  PermissionLookup,
} from './types.ts';
