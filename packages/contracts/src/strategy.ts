import { type Static, Type } from 'typebox';
import { enumObject, OptionalNullable } from './enum-values.ts';
import {
  ROLLOUT_STRATEGY_ATTRIBUTE_CONDITIONALS as CONDITIONALS,
  FEATURE_VALUE_TYPES,
  ROLLOUT_STRATEGY_FIELD_TYPES as FIELD_TYPES,
  ROLE_TYPES,
} from './enums.ts';

/** Schema of {@link RolloutStrategyAttributeConditional}. */
export const RolloutStrategyAttributeConditionalSchema = Type.Enum(CONDITIONALS);
/** How a rollout-strategy attribute compares the context value with its `values`. */
export type RolloutStrategyAttributeConditional = Static<typeof RolloutStrategyAttributeConditionalSchema>;
/** The conditionals by name, e.g. `RolloutStrategyAttributeConditional.EQUALS`. */
export const RolloutStrategyAttributeConditional = enumObject(CONDITIONALS);

/** Schema of {@link RolloutStrategyFieldType}. */
export const RolloutStrategyFieldTypeSchema = Type.Enum(FIELD_TYPES);
/** How a rollout-strategy attribute interprets the context value and its `values`. */
export type RolloutStrategyFieldType = Static<typeof RolloutStrategyFieldTypeSchema>;
/** The field types by name, e.g. `RolloutStrategyFieldType.SEMANTIC_VERSION`. */
export const RolloutStrategyFieldType = enumObject(FIELD_TYPES);

/** Schema of {@link FeatureValueType}. */
export const FeatureValueTypeSchema = Type.Enum(FEATURE_VALUE_TYPES);
/** The type of a feature, fixed when the feature is created. */
export type FeatureValueType = Static<typeof FeatureValueTypeSchema>;
/** The feature value types by name, e.g. `FeatureValueType.BOOLEAN`. */
export const FeatureValueType = enumObject(FEATURE_VALUE_TYPES);

/** Schema of {@link RoleType}. */
export const RoleTypeSchema = Type.Enum(ROLE_TYPES);
/** A permission on feature values in one environment (groups and service accounts). */
export type RoleType = Static<typeof RoleTypeSchema>;
/** The roles by name, e.g. `RoleType.CHANGE_VALUE`. */
export const RoleType = enumObject(ROLE_TYPES);

/**
 * The values a strategy attribute compares against. Their JSON type depends on the field type
 * (NUMBER: numbers, BOOLEAN: booleans, DATE/DATETIME/STRING/SEMANTIC_VERSION/IP_ADDRESS: strings),
 * which JSON Schema cannot tie to the sibling `type`, so any JSON value is accepted here.
 */
export const RolloutStrategyArrayTypeSchema = Type.Unknown();

/**
 * One attribute rule of a rollout strategy (`RolloutStrategyAttribute` in every upstream API).
 * The same shape is used by the admin API, the cache (`CacheRolloutStrategyAttribute`) and Edge
 * (`FeatureRolloutStrategyAttribute`).
 */
export const RolloutStrategyAttributeSchema = Type.Object({
  id: OptionalNullable(Type.String()),
  conditional: RolloutStrategyAttributeConditionalSchema,
  fieldName: Type.String(),
  values: OptionalNullable(Type.Array(RolloutStrategyArrayTypeSchema)),
  type: RolloutStrategyFieldTypeSchema,
});
/** One attribute rule of a rollout strategy; see {@link RolloutStrategyAttributeSchema}. */
export type RolloutStrategyAttribute = Static<typeof RolloutStrategyAttributeSchema>;

/** Percentages are integers on this scale: 1,000,000 = 100 %, so 20 % is `200000`. */
export const PERCENTAGE_SCALE = 1_000_000;

/**
 * A value carried by a feature or strategy on the wire: BOOLEAN is a JSON boolean, NUMBER a JSON
 * number, STRING a string and JSON a *string containing JSON*. `null` means "not set".
 */
export const FeatureWireValueSchema = Type.Union([Type.Boolean(), Type.Number(), Type.String(), Type.Null()]);
/** See {@link FeatureWireValueSchema}. */
export type FeatureWireValue = Static<typeof FeatureWireValueSchema>;

const strategyCore = {
  percentage: OptionalNullable(Type.Integer({ minimum: 0, maximum: PERCENTAGE_SCALE })),
  percentageAttributes: OptionalNullable(Type.Array(Type.String())),
  attributes: OptionalNullable(Type.Array(RolloutStrategyAttributeSchema)),
  value: Type.Optional(FeatureWireValueSchema),
};

/**
 * The evaluable part of a strategy (`BaseRolloutStrategy`): a percentage on the
 * {@link PERCENTAGE_SCALE}, optional attributes to hash instead of the user/session key,
 * attribute rules, and the value served when the strategy matches.
 */
export const BaseRolloutStrategySchema = Type.Object(strategyCore);
/** See {@link BaseRolloutStrategySchema}. */
export type BaseRolloutStrategy = Static<typeof BaseRolloutStrategySchema>;

/**
 * A rollout strategy as the admin API (MR) sees it: the evaluable part plus UI data.
 * `id` may be null on create; the server always assigns one.
 */
export const RolloutStrategySchema = Type.Object({
  ...strategyCore,
  id: OptionalNullable(Type.String()),
  name: Type.Optional(Type.String()),
  colouring: OptionalNullable(Type.Integer()),
  disabled: Type.Optional(Type.Boolean()),
  avatar: OptionalNullable(Type.String({ maxLength: 200 })),
  // The admin API is looser than the wire: MR converts the value to the feature's type itself.
  value: Type.Optional(Type.Unknown()),
});
/** See {@link RolloutStrategySchema}. */
export type RolloutStrategy = Static<typeof RolloutStrategySchema>;

/**
 * True when `value` has the JSON type the wire requires for a feature of `type`
 * (`null`/`undefined` — "not set" — is accepted for every type). JSON values must be strings.
 */
export function isWireValueOfType(type: FeatureValueType, value: unknown): boolean {
  if (value === null || value === undefined) return true;
  switch (type) {
    case 'BOOLEAN':
      return typeof value === 'boolean';
    case 'NUMBER':
      return typeof value === 'number' && Number.isFinite(value);
    case 'STRING':
    case 'JSON':
      return typeof value === 'string';
    default:
      return false;
  }
}
