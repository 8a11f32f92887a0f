// @fh/edge: the SDK-facing HTTP API (polling, SSE, test API), reading through the FeatureSource port.
export { type ApiKey, apiKeyFromParts, DEFAULT_CACHE_NAME, parseApiKey } from './api-key.ts';
export { BusFeatureSource, type BusFeatureSourceOptions } from './bus-feature-source.ts';
export { BusTestApi } from './bus-test-api.ts';
export {
  DEFAULT_EDGE_SETTINGS,
  type EdgeRoutes,
  type EdgeRoutesOptions,
  type EdgeSettings,
  registerEdgeRoutes,
} from './edge-routes.ts';
export {
  isFeatureVisible,
  type StateVariant,
  serialiseFeatures,
  toFeatureState,
} from './feature-state.ts';
export { CORS_PREFLIGHT_HEADERS, CORS_RESPONSE_HEADERS } from './http-headers.ts';
export type {
  EnvironmentChange,
  EnvironmentFeatures,
  FeaturePermission,
  FeatureSource,
  FeaturesLookup,
  FeatureUpdates,
  LookupFailure,
  PayloadMemo,
  PermissionLookup,
  TestApiPort,
  TestApiResult,
  TestApiStatus,
  TestFeatureUpdate,
} from './ports.ts';
export { decideTestUpdate, type TestUpdateDecision } from './test-api-rules.ts';
