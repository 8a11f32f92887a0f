import { type Static, Type } from 'typebox';
import { enumObject, OptionalNullable } from './enum-values.ts';
import {
  FeatureValueTypeSchema,
  FeatureWireValueSchema,
  PERCENTAGE_SCALE,
  RoleTypeSchema,
  RolloutStrategyAttributeSchema,
} from './strategy.ts';

// Cache payloads (dacha-component.yaml): what MR publishes and Dacha stores and serves to Edge.
// JSON property names are the OpenAPI property names (`organizationId`, `featureValues`, ...); the
// upstream `x-basename` short names (`oId`, `fv`, ...) are not used on our bus.
// Ids are strings without a uuid format check: every producer is ours, and test data stays readable.

const PUBLISH_ACTIONS = ['CREATE', 'UPDATE', 'DELETE', 'EMPTY'] as const;

/** Schema of {@link PublishAction}. */
export const PublishActionSchema = Type.Enum(PUBLISH_ACTIONS);
/**
 * What a cache message does: CREATE/UPDATE store the record, DELETE removes it, EMPTY says "there
 * are no records of this kind" (the end of a full fill, used for Dacha1 completeness).
 */
export type PublishAction = Static<typeof PublishActionSchema>;
/** The publish actions by name, e.g. `PublishAction.DELETE`. */
export const PublishAction = enumObject(PUBLISH_ACTIONS);

/** One attribute rule of a cached strategy; same shape as every other strategy attribute. */
export const CacheRolloutStrategyAttributeSchema = RolloutStrategyAttributeSchema;
/** See {@link CacheRolloutStrategyAttributeSchema}. */
export type CacheRolloutStrategyAttribute = Static<typeof CacheRolloutStrategyAttributeSchema>;

/**
 * A strategy attached to a cached feature value, in evaluation order (custom, then application and
 * group strategies). The feature value's strategy value is already copied in as `value`.
 */
export const CacheRolloutStrategySchema = Type.Object({
  id: Type.String(),
  percentage: OptionalNullable(Type.Integer({ minimum: 0, maximum: PERCENTAGE_SCALE })),
  percentageAttributes: OptionalNullable(Type.Array(Type.String())),
  attributes: Type.Array(CacheRolloutStrategyAttributeSchema),
  value: Type.Optional(FeatureWireValueSchema),
});
/** See {@link CacheRolloutStrategySchema}. */
export type CacheRolloutStrategy = Static<typeof CacheRolloutStrategySchema>;

/** A feature definition as cached: `key` is unique within the application. */
export const CacheFeatureSchema = Type.Object({
  id: Type.String(),
  key: Type.String(),
  valueType: FeatureValueTypeSchema,
  /** Filter ids; a service account with filters only sees features carrying one of them. */
  filters: OptionalNullable(Type.Array(Type.String())),
  version: Type.Integer(),
});
/** See {@link CacheFeatureSchema}. */
export type CacheFeature = Static<typeof CacheFeatureSchema>;

/**
 * A feature value in one environment. `value` is the default (served when no strategy matches),
 * typed by the parent feature's `valueType`. A retired value is not sent to SDKs.
 */
export const CacheFeatureValueSchema = Type.Object({
  id: Type.String(),
  key: Type.String(),
  locked: Type.Boolean(),
  value: Type.Optional(FeatureWireValueSchema),
  rolloutStrategies: OptionalNullable(Type.Array(CacheRolloutStrategySchema)),
  version: Type.Integer(),
  retired: OptionalNullable(Type.Boolean()),
  personIdWhoChanged: OptionalNullable(Type.String()),
});
/** See {@link CacheFeatureValueSchema}. */
export type CacheFeatureValue = Static<typeof CacheFeatureValueSchema>;

/** A feature and its value (absent/null when it has no value in this environment) plus properties. */
export const CacheEnvironmentFeatureSchema = Type.Object({
  feature: CacheFeatureSchema,
  /** Feature properties; only passed to SDKs whose service account has EXTENDED_DATA. */
  fp: OptionalNullable(Type.Record(Type.String(), Type.String())),
  value: OptionalNullable(CacheFeatureValueSchema),
});
/** See {@link CacheEnvironmentFeatureSchema}. */
export type CacheEnvironmentFeature = Static<typeof CacheEnvironmentFeatureSchema>;

/** An environment as cached: `eInf` is the environment info map, `wInfo` the webhook settings. */
export const CacheEnvironmentSchema = Type.Object({
  id: Type.String(),
  version: Type.Integer(),
  eInf: OptionalNullable(Type.Record(Type.String(), Type.String())),
  wInfo: OptionalNullable(Type.Record(Type.String(), Type.String())),
});
/** See {@link CacheEnvironmentSchema}. */
export type CacheEnvironment = Static<typeof CacheEnvironmentSchema>;

/**
 * A whole environment with all its features (CloudEvent `publish-environment-v1`, subject
 * `io.featurehub.events.environment`). `serviceAccounts` are the ids of service accounts with access;
 * `count` is the total number of environments (Dacha1 completeness). A DELETE still fills every field.
 */
export const PublishEnvironmentSchema = Type.Object({
  environment: CacheEnvironmentSchema,
  organizationId: Type.String(),
  portfolioId: Type.String(),
  applicationId: Type.String(),
  featureValues: Type.Array(CacheEnvironmentFeatureSchema),
  serviceAccounts: Type.Array(Type.String()),
  action: PublishActionSchema,
  count: Type.Integer(),
});
/** See {@link PublishEnvironmentSchema}. */
export type PublishEnvironment = Static<typeof PublishEnvironmentSchema>;

/** One changed feature (value) in one environment; `environmentId` is needed because `value` may be null. */
export const PublishFeatureValueSchema = Type.Object({
  action: PublishActionSchema,
  environmentId: Type.String(),
  feature: CacheEnvironmentFeatureSchema,
});
/** See {@link PublishFeatureValueSchema}. */
export type PublishFeatureValue = Static<typeof PublishFeatureValueSchema>;

/**
 * Features that changed together (CloudEvent `publish-feature-v1`, subject
 * `io.featurehub.events.feature-values`).
 */
export const PublishFeatureValuesSchema = Type.Object({
  features: Type.Array(PublishFeatureValueSchema),
});
/** See {@link PublishFeatureValuesSchema}. */
export type PublishFeatureValues = Static<typeof PublishFeatureValuesSchema>;

/** The roles a service account holds in one environment. */
export const CacheServiceAccountPermissionSchema = Type.Object({
  permissions: Type.Array(RoleTypeSchema),
  environmentId: Type.String(),
});
/** See {@link CacheServiceAccountPermissionSchema}. */
export type CacheServiceAccountPermission = Static<typeof CacheServiceAccountPermissionSchema>;

/**
 * A service account as cached: its two API keys (client-eval keys contain `*`), optional feature
 * filters and per-environment permissions.
 */
export const CacheServiceAccountSchema = Type.Object({
  id: Type.String(),
  version: Type.Integer(),
  apiKeyClientSide: Type.String({ maxLength: 400 }),
  apiKeyServerSide: Type.String({ maxLength: 400 }),
  filters: OptionalNullable(Type.Array(Type.String())),
  permissions: Type.Array(CacheServiceAccountPermissionSchema),
});
/** See {@link CacheServiceAccountSchema}. */
export type CacheServiceAccount = Static<typeof CacheServiceAccountSchema>;

/**
 * A service account change (CloudEvent `publish-serviceaccount-v1`, subject
 * `io.featurehub.events.service-account`). `serviceAccount` may be null for EMPTY.
 */
export const PublishServiceAccountSchema = Type.Object({
  serviceAccount: OptionalNullable(CacheServiceAccountSchema),
  action: PublishActionSchema,
  count: Type.Integer(),
});
/** See {@link PublishServiceAccountSchema}. */
export type PublishServiceAccount = Static<typeof PublishServiceAccountSchema>;

/** CloudEvent types and subjects of the cache payloads, as upstream names them. */
export const CacheCloudEvents = Object.freeze({
  publishEnvironment: { type: 'publish-environment-v1', subject: 'io.featurehub.events.environment' },
  publishFeatureValues: { type: 'publish-feature-v1', subject: 'io.featurehub.events.feature-values' },
  publishServiceAccount: {
    type: 'publish-serviceaccount-v1',
    subject: 'io.featurehub.events.service-account',
  },
} as const);
