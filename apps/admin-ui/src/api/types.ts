// Wire shapes of the MR admin API (mr-api 1.2.5), limited to what the admin UI reads and writes.
// Optional fields are the ones the server may leave out; the UI never assumes an include* expansion.

export type SortOrder = 'ASC' | 'DESC';
export type PersonType = 'person' | 'serviceAccount' | 'sdkServiceAccount';
export type FeatureValueType = 'BOOLEAN' | 'STRING' | 'NUMBER' | 'JSON';
export type RoleType = 'READ' | 'LOCK' | 'UNLOCK' | 'CHANGE_VALUE' | 'EXTENDED_DATA';
export type ApplicationRoleType =
  | 'FEATURE_EDIT'
  | 'FEATURE_CREATE'
  | 'FEATURE_EDIT_AND_DELETE'
  | 'APP_STRATEGY_EDIT'
  | 'APP_STRATEGY_CREATE'
  | 'APP_STRATEGY_EDIT_AND_DELETE';

export type RolloutStrategyFieldType =
  | 'STRING'
  | 'SEMANTIC_VERSION'
  | 'NUMBER'
  | 'DATE'
  | 'DATETIME'
  | 'BOOLEAN'
  | 'IP_ADDRESS';

export type RolloutStrategyAttributeConditional =
  | 'EQUALS'
  | 'ENDS_WITH'
  | 'STARTS_WITH'
  | 'GREATER'
  | 'GREATER_EQUALS'
  | 'LESS'
  | 'LESS_EQUALS'
  | 'NOT_EQUALS'
  | 'INCLUDES'
  | 'EXCLUDES'
  | 'REGEX';

export interface Audit {
  whenCreated?: string;
  whenUpdated?: string;
  createdBy?: Person;
  updatedBy?: Person;
}

export interface PersonId {
  id: string;
}

export interface Person {
  id?: PersonId;
  name?: string;
  email?: string;
  personType?: PersonType;
  version?: number;
  passwordRequiresReset?: boolean;
  groups?: Group[];
  whenArchived?: string;
  whenLastAuthenticated?: string;
  whenLastSeen?: string;
}

export interface AnemicPerson {
  id: string;
  name: string;
  email?: string;
  type: PersonType;
}

export interface SearchPerson {
  id: string;
  name: string;
  email: string;
  version: number;
  personType: PersonType;
  whenLastAuthenticated?: string;
  whenLastSeen?: string;
  whenDeactivated?: string;
  groupCount: number;
}

export interface OutstandingRegistration {
  id: string;
  token: string;
  expired: boolean;
}

export interface SearchPersonResult {
  max: number;
  people?: Person[];
  summarisedPeople?: SearchPerson[];
  outstandingRegistrations?: OutstandingRegistration[];
}

export interface TokenizedPerson {
  accessToken?: string;
  redirectUrl?: string;
  person?: Person;
  capabilityInfo?: Record<string, string>;
}

export interface IdentityProviderInfo {
  buttonIcon: string;
  buttonBackgroundColor: string;
  buttonText: string;
}

export interface Organization extends Audit {
  id?: string;
  version?: number;
  name?: string;
  orgGroup?: Group;
}

export interface SetupResponse {
  organization: Organization;
  providers: string[];
  providerInfo?: Record<string, IdentityProviderInfo>;
  capabilityInfo?: Record<string, string>;
  redirectUrl?: string;
}

export interface SetupSiteAdmin {
  portfolio: string;
  organizationName: string;
  emailAddress?: string;
  password?: string;
  name?: string;
  authProvider?: string;
}

export interface RegistrationUrl {
  registrationUrl?: string;
  personId: string;
  token: string;
}

export interface PersonRegistrationDetails {
  name: string;
  email: string;
  password: string;
  confirmPassword: string;
  registrationToken: string;
}

export interface CreatePersonDetails {
  email?: string;
  personType: PersonType;
  name?: string;
  groupIds?: string[];
}

export interface UpdatePerson {
  name?: string;
  email?: string;
  version: number;
  groups?: string[];
  unarchive?: boolean;
}

export interface Portfolio extends Audit {
  id?: string;
  name?: string;
  description?: string;
  version?: number;
  organizationId?: string;
  groups?: Group[];
  applications?: Application[];
}

export interface Application extends Audit {
  id?: string;
  name?: string;
  description?: string;
  portfolioId?: string;
  version?: number;
  environments?: Environment[];
  features?: Feature[];
}

export interface ApplicationSummary {
  groupsHavePermission: boolean;
  serviceAccountsHavePermission: boolean;
  featureCount: number;
  environmentCount: number;
}

export interface EnvironmentPermission {
  id: string;
  name: string;
  roles: RoleType[];
}

export interface ApplicationPermissions {
  applicationRoles: ApplicationRoleType[];
  environments: EnvironmentPermission[];
}

export interface Environment extends Audit {
  id?: string;
  applicationId?: string;
  name?: string;
  priorEnvironmentId?: string;
  version?: number;
  description?: string;
  production?: boolean;
  groupRoles?: EnvironmentGroupRole[];
  environmentInfo?: Record<string, string>;
  serviceAccountPermission?: ServiceAccountPermission[];
}

export interface CreateEnvironment {
  name: string;
  description: string;
  priorEnvironmentId?: string;
  production?: boolean;
}

export interface UpdateEnvironmentV2 {
  id: string;
  version: number;
  name?: string;
  description?: string;
  production?: boolean;
  priorEnvironmentId?: string;
}

export interface Feature {
  id?: string;
  key?: string;
  name: string;
  valueType?: FeatureValueType;
  link?: string;
  description?: string;
  metaData?: string;
  secret?: boolean;
  version?: number;
  whenArchived?: string;
}

export interface CreateFeature {
  key: string;
  name: string;
  valueType: FeatureValueType;
  link?: string;
  description?: string;
  metaData?: string;
}

export type StrategyValue = boolean | string | number | null;

export interface RolloutStrategyAttribute {
  id?: string;
  conditional: RolloutStrategyAttributeConditional;
  fieldName: string;
  values: Array<string | number | boolean>;
  type: RolloutStrategyFieldType;
}

export interface RolloutStrategy {
  id?: string;
  name?: string;
  colouring?: number;
  disabled?: boolean;
  avatar?: string;
  percentage?: number;
  percentageAttributes?: string[];
  attributes?: RolloutStrategyAttribute[];
  value?: StrategyValue;
}

export interface RolloutStrategyInstance {
  name?: string;
  strategyId?: string;
  value?: StrategyValue;
  disabled?: boolean;
}

export interface ThinGroupRolloutStrategy {
  name?: string;
  value?: StrategyValue;
  featureGroupId?: string;
}

export interface FeatureValue {
  id?: string;
  key: string;
  locked: boolean;
  value?: unknown;
  valueString?: string | null;
  valueNumber?: number | null;
  valueBoolean?: boolean | null;
  valueJson?: string | null;
  retired?: boolean;
  rolloutStrategyInstances?: RolloutStrategyInstance[];
  rolloutStrategies?: RolloutStrategy[];
  sharedRolloutStrategies?: RolloutStrategy[];
  featureGroupStrategies?: ThinGroupRolloutStrategy[];
  environmentId?: string;
  version?: number;
  whoUpdated?: Person;
  whenUpdated?: string;
  whatUpdated?: string;
}

export interface EnvironmentFeatureValues {
  environmentId?: string;
  environmentName?: string;
  priorEnvironmentId?: string;
  features?: FeatureValue[];
  roles?: RoleType[];
}

export interface ApplicationFeatureValues {
  applicationId: string;
  features: Feature[];
  environments: EnvironmentFeatureValues[];
  maxFeatures: number;
}

export interface HiddenEnvironments {
  noneSelected?: boolean;
  environmentIds?: string[];
}

export interface FeatureHistoryValue {
  version?: number;
  versionFrom?: number;
  when?: string;
  who?: AnemicPerson;
  value?: unknown;
  locked?: boolean;
  retired?: boolean;
  rolloutStrategies?: RolloutStrategy[];
}

export interface FeatureHistoryItem {
  envId?: string;
  featureValueId?: string;
  featureId?: string;
  history?: FeatureHistoryValue[];
}

export interface FeatureHistoryList {
  max?: number;
  items?: FeatureHistoryItem[];
}

export type RolloutStrategyViolationType =
  | 'no_name'
  | 'name_too_long'
  | 'empty_match_criteria'
  | 'negative_percentage'
  | 'percentage_over_100_percent'
  | 'array_attribute_no_values'
  | 'attr_invalid_well_known_enum'
  | 'attr_missing_value'
  | 'attr_missing_conditional'
  | 'attr_missing_field_name'
  | 'attr_missing_field_type'
  | 'attr_val_not_semantic_version'
  | 'attr_val_not_number'
  | 'attr_val_not_date'
  | 'attr_val_not_date_time'
  | 'attr_val_not_cidr'
  | 'attr_unknown_failure';

export type RolloutStrategyCollectionViolationType =
  | 'percentage_adds_over_100_percent'
  | 'boolean_has_no_value';

export interface RolloutStrategyViolation {
  id?: string;
  violation: RolloutStrategyViolationType;
}

export interface RolloutStrategyValidationResponse {
  customStategyViolations?: Array<{ strategy?: RolloutStrategy; violations?: RolloutStrategyViolation[] }>;
  sharedStrategyViolations?: Array<{
    strategy?: RolloutStrategyInstance;
    violation?: RolloutStrategyViolation[];
  }>;
  violations?: RolloutStrategyCollectionViolationType[];
}

/** An application strategy: shared rules that feature values attach with their own value. */
export interface ApplicationRolloutStrategy {
  id?: string;
  name?: string;
  colouring?: number;
  disabled?: boolean;
  avatar?: string;
  percentage?: number;
  percentageAttributes?: string[];
  attributes?: RolloutStrategyAttribute[];
}

export interface ListApplicationRolloutStrategyItem {
  strategy?: ApplicationRolloutStrategy;
  whenUpdated?: string;
  whenCreated?: string;
  updatedBy?: { email?: string; name?: string };
  uniqueCode?: string;
  usage?: Array<{ id?: string; name?: string; featuresCount?: number }>;
}

export interface ApplicationRolloutStrategyList {
  max: number;
  page: number;
  items: ListApplicationRolloutStrategyItem[];
}

export interface ApplicationGroupRole {
  applicationId: string;
  groupId: string;
  roles: ApplicationRoleType[];
}

export interface EnvironmentGroupRole {
  environmentId: string;
  groupId: string;
  roles: RoleType[];
}

export interface Group extends Audit {
  id?: string;
  admin?: boolean;
  portfolioId?: string;
  organizationId?: string;
  version?: number;
  name?: string;
  members?: Person[];
  applicationRoles?: ApplicationGroupRole[];
  environmentRoles?: EnvironmentGroupRole[];
}

export interface ServiceAccountPermission {
  id?: string;
  permissions: RoleType[];
  environmentId: string;
  sdkUrlClientEval?: string;
  sdkUrlServerEval?: string;
}

export interface ServiceAccount {
  id: string;
  name: string;
  portfolioId?: string;
  description?: string;
  version?: number;
  apiKeyClientSide?: string;
  apiKeyServerSide?: string;
  /** Set by the server when `permissions` is partial; sent back to say "leave permissions alone". */
  permsInvalid?: boolean;
  permissions?: ServiceAccountPermission[];
}

export interface CreateServiceAccount {
  name: string;
  description?: string;
  permissions?: ServiceAccountPermission[];
}

export type ResetApiKeyType = 'client_eval_only' | 'server_eval_only';
