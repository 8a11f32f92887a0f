import type { ColumnType, SqlBool } from 'kysely';

// Row types of the tables created by ./migrations.ts. Stores map these to camelCase domain types;
// nothing outside src/db and the sql-*-store files should need them.
//
// Portability notes (see docs/adr/0002-soft-delete-and-unique-names.md for archive_key):
// - ids are varchar(36) UUID strings; JSON is text; booleans come back as true/false (PostgreSQL) or
//   1/0 (MySQL, SQLite), hence SqlBool; timestamps come back as Date (PostgreSQL, MySQL) or ISO text
//   (SQLite), hence Timestamp. Always read them through the helpers of ./store-support.ts.

export type Timestamp = ColumnType<Date | string, Date, Date>;
export type Bool = ColumnType<SqlBool, SqlBool, SqlBool>;
/** bigint columns; PostgreSQL int8 is parsed to a JS number by the pool (versions stay far below 2^53). */
export type BigIntNumber = number;

interface Versioned {
  version: BigIntNumber;
  when_created: Timestamp;
  when_updated: Timestamp;
}

interface Archivable extends Versioned {
  when_archived: Timestamp | null;
  /** '' while live; the row's own id once archived, which frees the name for reuse. */
  archive_key: string;
}

export interface OrganisationTable extends Versioned {
  id: string;
  name: string;
  group_id: string | null;
  when_archived: Timestamp | null;
}

export interface PersonTable extends Versioned {
  id: string;
  email: string;
  name: string | null;
  person_type: string;
  password_hash: string | null;
  password_alg: string | null;
  password_requires_reset: Bool;
  registration_token: string | null;
  registration_token_expiry: Timestamp | null;
  when_last_authenticated: Timestamp | null;
  created_by: string | null;
  changed_by: string | null;
  when_archived: Timestamp | null;
}

export interface SessionTable {
  token_hash: string;
  person_id: string;
  when_created: Timestamp;
  last_seen: Timestamp;
}

export interface PortfolioTable extends Archivable {
  id: string;
  organisation_id: string;
  name: string;
  description: string | null;
  created_by: string | null;
}

export interface GroupTable extends Archivable {
  id: string;
  organisation_id: string;
  portfolio_id: string | null;
  /** portfolio_id, or organisation_id for organisation-level groups: the scope names are unique in. */
  name_scope: string;
  name: string;
  is_admin: Bool;
  created_by: string | null;
}

export interface GroupMemberTable {
  group_id: string;
  person_id: string;
}

export interface ApplicationAclTable {
  group_id: string;
  application_id: string;
  /** comma-separated ApplicationRole names */
  roles: string;
}

export interface EnvironmentAclTable {
  group_id: string;
  environment_id: string;
  /** comma-separated EnvironmentRole names */
  roles: string;
}

export interface ApplicationTable extends Archivable {
  id: string;
  portfolio_id: string;
  name: string;
  description: string | null;
  created_by: string | null;
}

export interface EnvironmentTable extends Archivable {
  id: string;
  application_id: string;
  name: string;
  description: string | null;
  prior_environment_id: string | null;
  is_production: Bool;
  /** JSON object of user environment info (API environmentInfo) */
  user_info: string;
  /** JSON object of management (mgmt.*) info */
  management_info: string;
  /** JSON object of webhook/integration info (API webhookEnvironmentInfo) */
  webhook_info: string;
  when_unpublished: Timestamp | null;
}

export interface FeatureTable extends Archivable {
  id: string;
  application_id: string;
  feature_key: string;
  name: string;
  alias: string | null;
  value_type: string;
  description: string | null;
  link: string | null;
  meta_data: string | null;
  secret: Bool;
}

export interface FeatureValueTable extends Versioned {
  id: string;
  environment_id: string;
  feature_id: string;
  default_value: string | null;
  locked: Bool;
  retired: Bool;
  /** JSON array of custom rollout strategies */
  rollout_strategies: string;
  who_updated: string | null;
}

export interface FeatureValueVersionTable {
  feature_value_id: string;
  version: BigIntNumber;
  version_from: BigIntNumber | null;
  feature_id: string;
  who_updated: string | null;
  default_value: string | null;
  locked: Bool;
  retired: Bool;
  rollout_strategies: string;
  /** JSON array of the application strategies attached at that version */
  shared_strategies: string;
  when_created: Timestamp;
}

export interface ApplicationStrategyTable extends Archivable {
  id: string;
  application_id: string;
  name: string;
  code: string;
  /** JSON of the strategy body */
  strategy: string;
  who_changed: string | null;
}

export interface FeatureValueStrategyTable {
  feature_value_id: string;
  strategy_id: string;
  position: number;
  enabled: Bool;
  value: string | null;
}

export interface FeatureGroupTable extends Archivable {
  id: string;
  application_id: string;
  environment_id: string;
  position: number;
  name: string;
  description: string | null;
  /** JSON array; only the first strategy is honoured */
  strategies: string;
  who_changed: string | null;
}

export interface FeatureGroupFeatureTable {
  feature_group_id: string;
  feature_id: string;
  value: string | null;
}

export interface FeatureFilterTable extends Versioned {
  id: string;
  portfolio_id: string;
  name: string;
  description: string | null;
  created_by: string | null;
}

export interface FeatureFilterFeatureTable {
  filter_id: string;
  feature_id: string;
}

export interface ServiceAccountFilterTable {
  filter_id: string;
  service_account_id: string;
}

export interface ServiceAccountTable extends Archivable {
  id: string;
  portfolio_id: string;
  name: string;
  description: string | null;
  api_key_server: string;
  api_key_client: string;
  sdk_person_id: string | null;
  created_by: string | null;
  changed_by: string | null;
  when_unpublished: Timestamp | null;
}

export interface ServiceAccountEnvironmentTable {
  service_account_id: string;
  environment_id: string;
  /** comma-separated EnvironmentRole names */
  roles: string;
  when_created: Timestamp;
  when_updated: Timestamp;
}

export interface WebhookResultTable {
  id: string;
  environment_id: string;
  when_sent: Timestamp;
  status: number;
  method: string;
  cloud_event_type: string | null;
  webhook_type: string | null;
  body: string;
}

/** One webhook or Slack event waiting for (or done with) delivery; see migration 0002. */
export interface WebhookOutboxTable {
  seq: ColumnType<number, never, never>;
  /** the CloudEvent id, the same on every attempt */
  id: string;
  environment_id: string;
  event_type: string;
  /** JSON array of the feature keys the change touched */
  feature_keys: string;
  /** JSON `{ previous, current }`: feature key → its value before and after the change */
  changes: string;
  who_changed: string | null;
  /** the JSON body, fixed at the first attempt so every retry sends the same */
  payload: string | null;
  /** pending | delivered | abandoned */
  status: string;
  attempts: number;
  next_attempt_at: Timestamp;
  lease_owner: string | null;
  lease_until: Timestamp | null;
  last_status: number | null;
  when_created: Timestamp;
  when_delivered: Timestamp | null;
}

export interface TrackedEventTable extends Versioned {
  id: string;
  organisation_id: string;
  link_id: string;
  link_type: string;
  event_type: string;
  status: number | null;
  data: string;
  metadata: string | null;
  responses: string | null;
}

export interface SystemConfigTable extends Versioned {
  organisation_id: string;
  code: string;
  value: string | null;
  who_updated: string | null;
}

export interface UserStateTable extends Versioned {
  id: string;
  person_id: string;
  state_type: string;
  /** the portfolio, application or environment id the state is about */
  scope_id: string;
  data: string;
}

/** The whole typed schema. */
export interface DB {
  fh_organisation: OrganisationTable;
  fh_person: PersonTable;
  fh_session: SessionTable;
  fh_portfolio: PortfolioTable;
  fh_group: GroupTable;
  fh_group_member: GroupMemberTable;
  fh_application_acl: ApplicationAclTable;
  fh_environment_acl: EnvironmentAclTable;
  fh_application: ApplicationTable;
  fh_environment: EnvironmentTable;
  fh_feature: FeatureTable;
  fh_feature_value: FeatureValueTable;
  fh_feature_value_version: FeatureValueVersionTable;
  fh_application_strategy: ApplicationStrategyTable;
  fh_feature_value_strategy: FeatureValueStrategyTable;
  fh_feature_group: FeatureGroupTable;
  fh_feature_group_feature: FeatureGroupFeatureTable;
  fh_feature_filter: FeatureFilterTable;
  fh_feature_filter_feature: FeatureFilterFeatureTable;
  fh_service_account_filter: ServiceAccountFilterTable;
  fh_service_account: ServiceAccountTable;
  fh_service_account_env: ServiceAccountEnvironmentTable;
  fh_webhook_result: WebhookResultTable;
  fh_tracked_event: TrackedEventTable;
  fh_system_config: SystemConfigTable;
  fh_user_state: UserStateTable;
  fh_webhook_outbox: WebhookOutboxTable;
}

/** Every table, parents before children: the order migrations create them and tests may wipe them. */
export const tableNames = [
  'fh_organisation',
  'fh_person',
  'fh_session',
  'fh_portfolio',
  'fh_group',
  'fh_group_member',
  'fh_application',
  'fh_environment',
  'fh_application_acl',
  'fh_environment_acl',
  'fh_feature',
  'fh_feature_value',
  'fh_feature_value_version',
  'fh_application_strategy',
  'fh_feature_value_strategy',
  'fh_feature_group',
  'fh_feature_group_feature',
  'fh_feature_filter',
  'fh_feature_filter_feature',
  'fh_service_account',
  'fh_service_account_filter',
  'fh_service_account_env',
  'fh_webhook_result',
  'fh_tracked_event',
  'fh_system_config',
  'fh_user_state',
  'fh_webhook_outbox',
] as const satisfies readonly (keyof DB)[];
