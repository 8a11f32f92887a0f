// Storage: database connection, schema, transactions.
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
export type { DB } from './db/schema.ts';
// Errors shared by stores and the API.
export { ConflictError, MrError, NotFoundError, StaleVersionError, ValidationError } from './errors.ts';
// The admin API (schemas, operation table, Fastify plugin), namespaced: its type names (Portfolio, ...)
// are the wire shapes and would clash with the domain types of the stores.
export * as mrApi from './api/index.ts';
