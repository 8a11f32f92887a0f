import { type Static, Type } from 'typebox';
import { enumObject, OptionalNullable } from './enum-values.ts';
import {
  FeatureValueTypeSchema,
  FeatureWireValueSchema,
  PERCENTAGE_SCALE,
  RolloutStrategyAttributeSchema,
} from './strategy.ts';
import { COUNTRY_NAMES, DEVICE_NAMES, PLATFORM_NAMES, WELL_KNOWN_NAMES } from './well-known-names.ts';

// The Edge ⇄ SDK wire model. Where the published OpenAPI (edge-api 1.1.9) and what SDK 1.4.0 does on
// the wire (docs/edge-protocol.md §3) disagree, these follow the SDK.

/**
 * One attribute rule inside a strategy sent to client-evaluating SDKs. Same shape as
 * {@link RolloutStrategyAttributeSchema}.
 */
export const FeatureRolloutStrategyAttributeSchema = RolloutStrategyAttributeSchema;
/** See {@link FeatureRolloutStrategyAttributeSchema}. */
export type FeatureRolloutStrategyAttribute = Static<typeof FeatureRolloutStrategyAttributeSchema>;

/**
 * A strategy inside `FeatureState.strategies` (client-eval keys only). `percentage` is on the
 * 1,000,000 scale; for SDK 1.4.0 write it as an integer, `0` when there is no percentage rule
 * (docs/edge-protocol.md §6.3). `id` is a plain string, not necessarily a UUID.
 */
export const FeatureRolloutStrategySchema = Type.Object({
  id: Type.String(),
  percentage: OptionalNullable(Type.Integer({ minimum: 0, maximum: PERCENTAGE_SCALE })),
  percentageAttributes: OptionalNullable(Type.Array(Type.String())),
  attributes: OptionalNullable(Type.Array(FeatureRolloutStrategyAttributeSchema)),
  value: Type.Optional(FeatureWireValueSchema),
});
/** See {@link FeatureRolloutStrategySchema}. */
export type FeatureRolloutStrategy = Static<typeof FeatureRolloutStrategySchema>;

/**
 * A feature as an SDK receives it (polling list item, SSE `features`/`feature`/`delete_feature`).
 *
 * - `id` is the **feature id** (not the feature-value id); SDKs hash percentages with it.
 * - `l` (locked), `version` and `type` are required here although the OpenAPI marks them
 *   optional: SDK 1.4.0 returns `undefined` from every getter without `type`, and Edge always
 *   writes `l` and `version` (`0` when the feature has no value in the environment).
 * - `value` is absent when not set; BOOLEAN → JSON boolean, NUMBER → JSON number, JSON → string.
 * - `strategies` only for client-eval keys; `v` (matched strategy id) only for server-eval keys.
 * - `fp` (feature properties) only with the EXTENDED_DATA role.
 * - `environmentId` is never sent by a server; the polling SDK fills it in.
 */
export const FeatureStateSchema = Type.Object({
  id: Type.String(),
  key: Type.String(),
  l: Type.Boolean(),
  version: Type.Integer(),
  type: FeatureValueTypeSchema,
  value: Type.Optional(FeatureWireValueSchema),
  v: OptionalNullable(Type.String()),
  strategies: OptionalNullable(Type.Array(FeatureRolloutStrategySchema)),
  fp: OptionalNullable(Type.Record(Type.String(), Type.String())),
  environmentId: OptionalNullable(Type.String()),
});
/** See {@link FeatureStateSchema}. */
export type FeatureState = Static<typeof FeatureStateSchema>;

/**
 * One element of the polling (`GET /features`) response, one per requested API key in request
 * order. `features` is required here: SDK 1.4.0 crashes when it is missing, so always send `[]`.
 */
export const FeatureEnvironmentCollectionSchema = Type.Object({
  id: Type.String(),
  features: Type.Array(FeatureStateSchema),
});
/** See {@link FeatureEnvironmentCollectionSchema}. */
export type FeatureEnvironmentCollection = Static<typeof FeatureEnvironmentCollectionSchema>;

/**
 * Body of the test API `PUT /features/.../{featureKey}`. A non-null `value` implies
 * `updateValue: true`; `value: null` with `updateValue: true` clears the value.
 * `value` is any JSON here: the Edge checks it against the feature type after decoding.
 */
export const FeatureStateUpdateSchema = Type.Object({
  value: Type.Optional(Type.Unknown()),
  updateValue: OptionalNullable(Type.Boolean()),
  lock: OptionalNullable(Type.Boolean()),
});
/** See {@link FeatureStateUpdateSchema}. */
export type FeatureStateUpdate = Static<typeof FeatureStateUpdateSchema>;

const SSE_RESULT_STATES = [
  'ack',
  'bye',
  'failure',
  'features',
  'feature',
  'delete_feature',
  'config',
  'error',
] as const;

/** Schema of {@link SSEResultState}. */
export const SSEResultStateSchema = Type.Enum(SSE_RESULT_STATES);
/**
 * SSE event names, exactly as SDKs expect them (lower case, `delete_feature` with an underscore).
 * `error` is reserved and never sent; `config` is SaaS-only.
 */
export type SSEResultState = Static<typeof SSEResultStateSchema>;
/** The SSE event names by name, e.g. `SSEResultState.delete_feature`. */
export const SSEResultState = enumObject(SSE_RESULT_STATES);

/**
 * Data of the SSE `ack`, `bye` and `failure` events, e.g. `{"status":"discover"}`,
 * `{"status":"closed"}`. (The heartbeat `ack` carries the JSON string `"❤️"` instead.)
 */
export const SSEStatusMessageSchema = Type.Object({ status: Type.String() });
/** See {@link SSEStatusMessageSchema}. */
export type SSEStatusMessage = Static<typeof SSEStatusMessageSchema>;

/** `GET /info/version` answer. */
export const ApplicationVersionInfoSchema = Type.Object({ name: Type.String(), version: Type.String() });
/** See {@link ApplicationVersionInfoSchema}. */
export type ApplicationVersionInfo = Static<typeof ApplicationVersionInfoSchema>;

/** Schema of {@link StrategyAttributeWellKnownNames}. */
export const StrategyAttributeWellKnownNamesSchema = Type.Enum(WELL_KNOWN_NAMES);
/**
 * Context attribute names the SDK setters write (`userKey()` → `userkey`, `sessionKey()` →
 * `session`, ...). Any other name is allowed as a custom attribute.
 */
export type StrategyAttributeWellKnownNames = Static<typeof StrategyAttributeWellKnownNamesSchema>;
/** The well-known attribute names, e.g. `StrategyAttributeWellKnownNames.userkey`. */
export const StrategyAttributeWellKnownNames = enumObject(WELL_KNOWN_NAMES);

/** Schema of {@link StrategyAttributeDeviceName}. */
export const StrategyAttributeDeviceNameSchema = Type.Enum(DEVICE_NAMES);
/** Values of the well-known `device` attribute. */
export type StrategyAttributeDeviceName = Static<typeof StrategyAttributeDeviceNameSchema>;
/** The device names, e.g. `StrategyAttributeDeviceName.mobile`. */
export const StrategyAttributeDeviceName = enumObject(DEVICE_NAMES);

/** Schema of {@link StrategyAttributePlatformName}. */
export const StrategyAttributePlatformNameSchema = Type.Enum(PLATFORM_NAMES);
/** Values of the well-known `platform` attribute. */
export type StrategyAttributePlatformName = Static<typeof StrategyAttributePlatformNameSchema>;
/** The platform names, e.g. `StrategyAttributePlatformName.ios`. */
export const StrategyAttributePlatformName = enumObject(PLATFORM_NAMES);

/** Schema of {@link StrategyAttributeCountryName}. */
export const StrategyAttributeCountryNameSchema = Type.Enum(COUNTRY_NAMES);
/** Values of the well-known `country` attribute: snake_case names such as `new_zealand`. */
export type StrategyAttributeCountryName = Static<typeof StrategyAttributeCountryNameSchema>;
/** The country names, e.g. `StrategyAttributeCountryName.new_zealand`. */
export const StrategyAttributeCountryName = enumObject(COUNTRY_NAMES);
