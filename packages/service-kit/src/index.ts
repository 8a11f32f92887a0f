export { type Role, type ServerConfig, ROLES, ConfigError, loadConfig, parseFlags, normaliseDatabaseUrl } from './config.ts';
export {
  AppError,
  BadRequestError,
  ConflictError,
  ForbiddenError,
  NotFoundError,
  UnauthorizedError,
} from './errors.ts';
export { type HealthCheck, type HealthReport, HealthRegistry } from './health.ts';
export { type ErrorBody, type HttpServerOptions, createHttpServer, mapError } from './http.ts';
export { type LogLevel, type Logger, LOG_LEVELS, createLogger, silentLogger } from './logger.ts';
export { Metrics } from './metrics.ts';
export { parseProperties } from './properties.ts';
export { type ShutdownStep, installGracefulShutdown } from './shutdown.ts';
