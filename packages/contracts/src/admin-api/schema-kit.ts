import {
  type TEnum,
  type TNull,
  type TSchema,
  type TSchemaOptions,
  type TUnion,
  type TUnsafe,
  Type,
} from 'typebox';

/**
 * The names of the 115 component schemas of the upstream admin API (mr-api 1.2.5) and the 13 schemas API 1.2.6
 * adds (feature filters, UpdateGroup). Every schema we
 * register carries one of these as its `$id`, so the OpenAPI document names its components exactly as
 * upstream does and a `ref('...')` typo fails to compile.
 */
export type MrSchemaName =
  | 'AdminServiceResetTokenResponse'
  | 'AnemicPerson'
  | 'Application'
  | 'ApplicationFeatureValues'
  | 'ApplicationGroupRole'
  | 'ApplicationPermissions'
  | 'ApplicationRoleType'
  | 'ApplicationRolloutStrategy'
  | 'ApplicationRolloutStrategyEnvironment'
  | 'ApplicationRolloutStrategyList'
  | 'ApplicationSummary'
  | 'ApplicationVersionInfo'
  | 'Audit'
  | 'BaseRolloutStrategy'
  | 'BaseStrategy'
  | 'BaseUIStrategy'
  | 'CacheRefreshRequest'
  | 'CacheRefreshResponse'
  | 'CreateApplication'
  | 'CreateApplicationRolloutStrategy'
  | 'CreateEnvironment'
  | 'CreateFeature'
  | 'CreateGroup'
  | 'CreatePersonDetails'
  | 'CreatePortfolio'
  | 'CreateServiceAccount'
  | 'CustomRolloutStrategyViolation'
  | 'Environment'
  | 'EnvironmentFeatureValues'
  | 'EnvironmentFeaturesResult'
  | 'EnvironmentGroupRole'
  | 'EnvironmentPermission'
  | 'EnvironmentSortOrder'
  | 'Feature'
  | 'FeatureEnvironment'
  | 'FeatureGroup'
  | 'FeatureGroupCreate'
  | 'FeatureGroupFeature'
  | 'FeatureGroupList'
  | 'FeatureGroupListFeature'
  | 'FeatureGroupListGroup'
  | 'FeatureGroupUpdate'
  | 'FeatureGroupUpdateFeature'
  | 'FeatureHistoryItem'
  | 'FeatureHistoryList'
  | 'FeatureHistoryOrder'
  | 'FeatureHistoryValue'
  | 'FeatureValue'
  | 'FeatureValueType'
  | 'Group'
  | 'GroupRolloutStrategy'
  | 'HiddenEnvironments'
  | 'IdentityProviderInfo'
  | 'ListApplicationRolloutStrategyItem'
  | 'ListApplicationRolloutStrategyItemUser'
  | 'Organization'
  | 'OutstandingRegistration'
  | 'PasswordReset'
  | 'PasswordUpdate'
  | 'Person'
  | 'PersonId'
  | 'PersonInfo'
  | 'PersonRegistrationDetails'
  | 'PersonType'
  | 'Portfolio'
  | 'ProviderRedirect'
  | 'RegistrationUrl'
  | 'ResetApiKeyType'
  | 'RoleType'
  | 'RolloutStrategy'
  | 'RolloutStrategyArrayType'
  | 'RolloutStrategyAttribute'
  | 'RolloutStrategyAttributeConditional'
  | 'RolloutStrategyCollectionViolationType'
  | 'RolloutStrategyFieldType'
  | 'RolloutStrategyInstance'
  | 'RolloutStrategyValidationRequest'
  | 'RolloutStrategyValidationResponse'
  | 'RolloutStrategyViolation'
  | 'RolloutStrategyViolationType'
  | 'SearchPerson'
  | 'SearchPersonResult'
  | 'SearchPersonSortBy'
  | 'ServiceAccount'
  | 'ServiceAccountPermission'
  | 'SetupMissingResponse'
  | 'SetupResponse'
  | 'SetupSiteAdmin'
  | 'SharedRolloutStrategyViolation'
  | 'SortOrder'
  | 'StrategyAttributeCountryName'
  | 'StrategyAttributeDeviceName'
  | 'StrategyAttributePlatformName'
  | 'StrategyAttributeWellKnownNames'
  | 'SystemConfig'
  | 'SystemConfigDecryptResult'
  | 'SystemConfigs'
  | 'ThinGroupRolloutStrategy'
  | 'TokenizedPerson'
  | 'TrackEventResponse'
  | 'TrackEventsSummary'
  | 'TrackEventsSummaryItem'
  | 'UpdateApplicationRolloutStrategy'
  | 'UpdateEnvironment'
  | 'UpdateEnvironmentV2'
  | 'UpdatePerson'
  | 'UpdatedSystemConfig'
  | 'UpdatedSystemConfigs'
  | 'UserCredentials'
  | 'WebhookCheck'
  | 'WebhookDetail'
  | 'WebhookSummary'
  | 'WebhookSummaryItem'
  | 'WebhookTypeDetail'
  | 'WebhookTypeDetails'
  // upstream API 1.2.6 (head/feature-filters.yaml)
  | 'CreateFeatureFilter'
  | 'FeatureFilter'
  | 'SearchFeatureFilterServiceAccount'
  | 'SearchFeatureFilterFeature'
  | 'SearchFeatureFilterApplication'
  | 'SearchFeatureFilterItem'
  | 'SearchFeatureFilterResult'
  | 'MatchTypeEnum'
  | 'MatchingFilter'
  | 'MatchingFilterResult'
  | 'MatchingFilterResults'
  | 'OptionalAnemicPerson'
  | 'UpdateGroup';

/** A reference to a registered component schema, resolved by ajv and by the OpenAPI generator. */
export function ref<N extends MrSchemaName>(name: N) {
  return Type.Ref(name);
}

export function uuid(options?: TSchemaOptions) {
  return Type.String({ format: 'uuid', ...options });
}

export function dateTime(options?: TSchemaOptions) {
  return Type.String({ format: 'date-time', ...options });
}

export function int64(options?: TSchemaOptions) {
  return Type.Integer({ format: 'int64', ...options });
}

/** A string enumeration with an explicit `type`, as upstream writes them. */
export function stringEnum<const V extends string[]>(
  values: readonly [...V],
  options?: TSchemaOptions,
): TEnum<V> {
  return Type.Enum(values, { type: 'string', ...options });
}

/**
 * `nullable: true` of OpenAPI 3.0, written as JSON Schema (`anyOf [T, null]`) so ajv validates it and
 * the static type includes null; the OpenAPI generator folds it back into `nullable: true`.
 */
export function nullable<T extends TSchema>(schema: T, options?: TSchemaOptions): TUnion<[T, TNull]> {
  return Type.Union([schema, Type.Null()], options);
}

/** A property that may be absent or null: the commonest shape of the upstream contract. */
export function optionalNullable<T extends TSchema>(schema: T, options?: TSchemaOptions) {
  return Type.Optional(nullable(schema, options));
}

/** `type: object, additionalProperties: {type: string}`: the environment info maps and headers. */
export function stringMap(options?: TSchemaOptions): TUnsafe<Record<string, string>> {
  return Type.Unsafe<Record<string, string>>({
    type: 'object',
    additionalProperties: { type: 'string' },
    ...options,
  });
}

/** A schema without a type (upstream `value` fields): any JSON value, null included. */
export function anyValue(options?: TSchemaOptions) {
  return Type.Unknown(options);
}
