// @fh/contracts: wire types and their runtime (TypeBox) schemas. No I/O, no imports of our own packages.
// Each shape is exported twice: `XSchema` (a JSON Schema object for Value.Check / fastify) and `type X`.
// Enums are also exported as frozen `{ MEMBER: 'MEMBER' }` objects under the type's name; their members
// are listed once, in `enums.ts`. The admin API contract is a separate entry, `@fh/contracts/admin-api`.

export type {
  CacheEnvironment,
  CacheEnvironmentFeature,
  CacheFeature,
  CacheFeatureValue,
  CacheRolloutStrategy,
  CacheRolloutStrategyAttribute,
  CacheServiceAccount,
  CacheServiceAccountPermission,
  PublishEnvironment,
  PublishFeatureValue,
  PublishFeatureValues,
  PublishServiceAccount,
} from './cache.ts';
export {
  CacheCloudEvents,
  CacheEnvironmentFeatureSchema,
  CacheEnvironmentSchema,
  CacheFeatureSchema,
  CacheFeatureValueSchema,
  CacheRolloutStrategyAttributeSchema,
  CacheRolloutStrategySchema,
  CacheServiceAccountPermissionSchema,
  CacheServiceAccountSchema,
  PublishAction,
  PublishActionSchema,
  PublishEnvironmentSchema,
  PublishFeatureValueSchema,
  PublishFeatureValuesSchema,
  PublishServiceAccountSchema,
} from './cache.ts';
export type {
  CacheFillAccepted,
  CacheFillComplete,
  CacheManagementMessage,
  CacheVersions,
  FeatureUpdateResult,
  FeatureVersionParts,
  MrCacheRequest,
  ServiceAccountVersionParts,
  StreamedFeatureUpdate,
} from './cache-management.ts';
export {
  CacheFillAcceptedSchema,
  CacheFillCompleteSchema,
  CacheManagementCloudEvents,
  CacheManagementMessageSchema,
  CacheRequestType,
  CacheRequestTypeSchema,
  CacheState,
  CacheStateSchema,
  CacheVersionsSchema,
  environmentVersionTag,
  FeatureUpdateResultSchema,
  FILL_ID_HEADER,
  MrCacheRequestSchema,
  StreamedFeatureUpdateSchema,
  serviceAccountVersionTag,
} from './cache-management.ts';
export type {
  Dacha2Environment,
  Dacha2ServiceAccount,
  DachaKeyDetailsRequest,
  DachaKeyDetailsResponse,
  DachaNATSRequest,
  DachaNATSResponse,
  DachaPermissionRequest,
  DachaPermissionResponse,
  DachaStructureResponse,
} from './dacha-api.ts';
export {
  Dacha2EnvironmentSchema,
  Dacha2ServiceAccountSchema,
  DachaKeyDetailsRequestSchema,
  DachaKeyDetailsResponseSchema,
  DachaNATSRequestSchema,
  DachaNATSResponseSchema,
  DachaPermissionRequestSchema,
  DachaPermissionResponseSchema,
  DachaStructureResponseSchema,
} from './dacha-api.ts';
export type {
  ApplicationVersionInfo,
  FeatureEnvironmentCollection,
  FeatureRolloutStrategy,
  FeatureRolloutStrategyAttribute,
  FeatureState,
  FeatureStateUpdate,
  SSEStatusMessage,
} from './edge.ts';
export {
  ApplicationVersionInfoSchema,
  FeatureEnvironmentCollectionSchema,
  FeatureRolloutStrategyAttributeSchema,
  FeatureRolloutStrategySchema,
  FeatureStateSchema,
  FeatureStateUpdateSchema,
  SSEResultState,
  SSEResultStateSchema,
  SSEStatusMessageSchema,
  StrategyAttributeCountryName,
  StrategyAttributeCountryNameSchema,
  StrategyAttributeDeviceName,
  StrategyAttributeDeviceNameSchema,
  StrategyAttributePlatformName,
  StrategyAttributePlatformNameSchema,
  StrategyAttributeWellKnownNames,
  StrategyAttributeWellKnownNamesSchema,
} from './edge.ts';
export {
  APPLICATION_ROLE_TYPES,
  FEATURE_VALUE_TYPES,
  PERSON_TYPES,
  ROLE_TYPES,
  ROLLOUT_STRATEGY_ATTRIBUTE_CONDITIONALS,
  ROLLOUT_STRATEGY_FIELD_TYPES,
} from './enums.ts';
export type {
  BaseRolloutStrategy,
  FeatureWireValue,
  RolloutStrategy,
  RolloutStrategyAttribute,
} from './strategy.ts';
export {
  BaseRolloutStrategySchema,
  FeatureValueType,
  FeatureValueTypeSchema,
  FeatureWireValueSchema,
  isWireValueOfType,
  PERCENTAGE_SCALE,
  RoleType,
  RoleTypeSchema,
  RolloutStrategyArrayTypeSchema,
  RolloutStrategyAttributeConditional,
  RolloutStrategyAttributeConditionalSchema,
  RolloutStrategyAttributeSchema,
  RolloutStrategyFieldType,
  RolloutStrategyFieldTypeSchema,
  RolloutStrategySchema,
} from './strategy.ts';
export {
  fromStreamedFeatureUpdate,
  type TestApiPort,
  type TestApiResult,
  type TestApiStatus,
  type TestFeatureUpdate,
  toStreamedFeatureUpdate,
} from './test-api.ts';
export { COUNTRY_NAMES, DEVICE_NAMES, PLATFORM_NAMES, WELL_KNOWN_NAMES } from './well-known-names.ts';
