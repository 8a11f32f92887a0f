import { pino } from 'pino';

/** The logging surface every component takes: pino-compatible, structured first. */
export interface Logger {
  trace(obj: unknown, msg?: string): void;
  debug(obj: unknown, msg?: string): void;
  info(obj: unknown, msg?: string): void;
  warn(obj: unknown, msg?: string): void;
  error(obj: unknown, msg?: string): void;
  fatal(obj: unknown, msg?: string): void;
  child(bindings: Record<string, unknown>): Logger;
}

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Structured JSON logs to stdout at the given level. */
export function createLogger(options: { level: LogLevel; name?: string }): Logger {
  return pino({ level: options.level, name: options.name, base: { pid: process.pid } }) as unknown as Logger;
}

/** A logger that drops everything, for tests and tools. */
export function silentLogger(): Logger {
  return createLogger({ level: 'silent' });
}
