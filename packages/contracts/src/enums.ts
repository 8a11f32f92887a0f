// The members of the enumerations more than one wire format (or our domain code) uses, each listed once.
// Schemas (`Type.Enum`, the admin API's `$id`-named components), enum objects and union types are all
// derived from these lists. Plain constants, no schema library.

/** The type of a feature, fixed when the feature is created (`FeatureValueType`). */
export const FEATURE_VALUE_TYPES = ['BOOLEAN', 'STRING', 'NUMBER', 'JSON'] as const;

/** A permission on feature values in one environment, for groups and service accounts (`RoleType`). */
export const ROLE_TYPES = ['READ', 'LOCK', 'UNLOCK', 'CHANGE_VALUE', 'EXTENDED_DATA'] as const;

/** A permission a group holds on an application (`ApplicationRoleType`, admin API only). */
export const APPLICATION_ROLE_TYPES = [
  'FEATURE_EDIT',
  'FEATURE_CREATE',
  'FEATURE_EDIT_AND_DELETE',
  'APP_STRATEGY_EDIT',
  'APP_STRATEGY_CREATE',
  'APP_STRATEGY_EDIT_AND_DELETE',
] as const;

/**
 * What kind of account a person record is (`PersonType`, admin API only): a human, an admin API
 * service account, or the hidden "shadow" person an SDK service account's test-API changes are
 * recorded against.
 */
export const PERSON_TYPES = ['person', 'serviceAccount', 'sdkServiceAccount'] as const;

/** How a rollout-strategy attribute compares the context value with its `values`. */
export const ROLLOUT_STRATEGY_ATTRIBUTE_CONDITIONALS = [
  'EQUALS',
  'ENDS_WITH',
  'STARTS_WITH',
  'GREATER',
  'GREATER_EQUALS',
  'LESS',
  'LESS_EQUALS',
  'NOT_EQUALS',
  'INCLUDES',
  'EXCLUDES',
  'REGEX',
] as const;

/** How a rollout-strategy attribute interprets the context value and its `values`. */
export const ROLLOUT_STRATEGY_FIELD_TYPES = [
  'STRING',
  'SEMANTIC_VERSION',
  'NUMBER',
  'DATE',
  'DATETIME',
  'BOOLEAN',
  'IP_ADDRESS',
] as const;
