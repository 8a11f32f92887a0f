// Public surface of the Management Repository. Biome keeps the exports sorted by path: db/ is the database
// (connection, migrations, transactions, the Stores bundle and its fakes), <slice>/ the domain types and store
// interfaces, errors.ts the errors stores and API share.

// The admin API (schemas, operation table, Fastify plugin), namespaced: its type names (Portfolio, ...)
// are the wire shapes and would clash with the domain types of the stores.
export * as mrApi from './api/index.ts';
export type {
  Application,
  ApplicationQuery,
  ApplicationStore,
  CreateApplication,
  UpdateApplication,
} from './application/application-store.ts';
export { type PasswordHasher, ScryptPasswordHasher } from './auth/password-hasher.ts';
// Bus responders for Dachas (fills, version tags) and Edges (test-SDK updates).
export {
  type CacheRequestResponder,
  type CacheRequestResponderOptions,
  serveCacheRequests,
} from './cache-requests/cache-request-responder.ts';
export { cacheVersions } from './cache-requests/cache-versions.ts';
export { defaultMrSettings, type MrSettings } from './core/mr-context.ts';
// For processes that change data without the admin API (Edge-REST's test API).
export { UnitOfWork } from './core/unit-of-work.ts';
export {
  type DatabaseConfig,
  DatabaseConfigError,
  type DatabaseLocation,
  type DialectName,
  parseDatabaseUrl,
  redactDatabaseUrl,
  type ServerLocation,
  type SqliteLocation,
} from './db/database-url.ts';
export { migrationsFor, schemaFingerprint } from './db/migrations.ts';
export {
  type Database,
  type DatabaseLogger,
  type Executor,
  inTransaction,
  openDatabase,
} from './db/open-database.ts';
export { type DB, tableNames } from './db/schema.ts';
export {
  type Clock,
  type IdGenerator,
  manualClock,
  type StoreDeps,
  storeDeps,
  systemClock,
  uuidIds,
} from './db/store-support.ts';
export {
  createFakeStores,
  createSqlStores,
  type Stores,
  sqlStores,
  type TransactionalStores,
} from './db/stores.ts';
export { serveTestApiUpdates, type TestApiResponder } from './edge-updates/test-api-responder.ts';
export {
  type CreateEnvironment,
  type Environment,
  type EnvironmentInfo,
  type EnvironmentQuery,
  type EnvironmentStore,
  orderByPromotion,
  type UpdateEnvironment,
} from './environment/environment-store.ts';
export type {
  CreateFeature,
  Feature,
  FeatureQuery,
  FeatureStore,
  FeatureValueType,
  UpdateFeature,
} from './feature/feature-store.ts';
export type {
  CreateFeatureValue,
  FeatureHistoryQuery,
  FeatureHistoryRow,
  FeatureValue,
  FeatureValueQuery,
  FeatureValueStore,
  FeatureValueVersion,
  StrategyInstance,
  UpdateFeatureValue,
} from './feature-value/feature-value-store.ts';
// The test-API port (@fh/contracts' TestApiPort, which Edge calls), for an MR in the same process: new MrTestApiUpdater(mr.context.uow, mr.context.stores).
export {
  MrTestApiUpdater,
  TEST_API_ATTEMPTS,
  type TestApiFeatureUpdate,
  type TestApiUpdateResult,
} from './feature-value/test-api-updater.ts';
export type {
  ApplicationAcl,
  ApplicationRole,
  CreateGroup,
  EnvironmentAcl,
  EnvironmentRole,
  Group,
  GroupQuery,
  GroupStore,
  UpdateGroup,
} from './group/group-store.ts';
// The Management Repository as a composition root wires it.
export {
  type ManagementRepository,
  type ManagementRepositoryDeps,
  registerManagementRepository,
} from './mr.ts';
export type {
  CreateOrganisation,
  Organisation,
  OrganisationStore,
  UpdateOrganisation,
} from './organisation/organisation-store.ts';
export type {
  CreatePerson,
  Person,
  PersonQuery,
  PersonStore,
  PersonType,
  UpdatePerson,
} from './person/person-store.ts';
export type { Session, SessionStore } from './person/session-store.ts';
export type {
  CreatePortfolio,
  Portfolio,
  PortfolioQuery,
  PortfolioStore,
  UpdatePortfolio,
} from './portfolio/portfolio-store.ts';
export {
  BusChangePublisher,
  type BusChangePublisherOptions,
  type PublishAllResult,
} from './publishing/bus-change-publisher.ts';
export {
  type ChangePublisher,
  ChangeSet,
  noChangePublisher,
  type RecordChange,
} from './publishing/change-set.ts';
export { FeatureProperties } from './publishing/feature-properties.ts';
export { MrCacheSource } from './publishing/mr-cache-source.ts';
export type {
  CreateServiceAccount,
  ServiceAccount,
  ServiceAccountPermission,
  ServiceAccountQuery,
  ServiceAccountStore,
  UpdateServiceAccount,
} from './service-account/service-account-store.ts';
export { noSso, type SsoConfig, ssoConfigFrom } from './sso/sso-config.ts';
export type {
  ApplicationStrategy,
  ApplicationStrategyStore,
  CreateApplicationStrategy,
  UpdateApplicationStrategy,
} from './strategy/application-strategy-store.ts';
// Flags as code and moving installations over (docs/import-export.md).
export * as transfer from './transfer/index.ts';
export { registerAdminUi } from './web/admin-ui.ts';
// Webhooks, Slack and the system config (ADR 0010): the delivery worker's settings for the composition root.
export {
  defaultWebhookDeliverySettings,
  WebhookDelivery,
  type WebhookDeliverySettings,
} from './webhook/webhook-delivery.ts';
export { WebhookEnqueuer } from './webhook/webhook-enqueuer.ts';
