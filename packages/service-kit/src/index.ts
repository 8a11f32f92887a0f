export {
  ConfigError,
  loadConfig,
  normaliseDatabaseUrl,
  parseFlags,
  ROLES,
  type Role,
  type ServerConfig,
} from './config.ts';
export {
  AppError,
  type AppErrorOptions,
  BadRequestError,
  ConflictError,
  errorCodeForStatus,
  ForbiddenError,
  NotFoundError,
  StaleVersionError,
  UnauthorizedError,
} from './errors.ts';
export { type HealthCheck, HealthRegistry, type HealthReport } from './health.ts';
export { createHttpServer, type ErrorBody, type HttpServerOptions, mapError } from './http.ts';
export { createLogger, LOG_LEVELS, type Logger, type LogLevel, silentLogger } from './logger.ts';
export { Metrics } from './metrics.ts';
export { parseProperties } from './properties.ts';
export { installGracefulShutdown, type ShutdownStep } from './shutdown.ts';
