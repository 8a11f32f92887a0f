export {
  createMysqlTestDatabase,
  createPostgresTestDatabase,
  createSqliteTestDatabase,
  createTestDatabase,
  type TestDatabase,
  type TestDatabaseOptions,
  type TestDialect,
} from './databases.ts';
export {
  type NatsServer,
  type NatsServerOptions,
  natsServerBinary,
  skipUnlessNatsServerBinary,
  startNatsServer,
} from './nats.ts';
export { featurehubBin, type RunningRole, repoRoot, runRoleToExit, startRole } from './processes.ts';
export { type ServiceName, serviceUrl, skipUnlessService } from './services.ts';
export { until } from './until.ts';
