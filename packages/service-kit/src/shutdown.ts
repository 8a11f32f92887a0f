import type { Logger } from './logger.ts';

export interface ShutdownStep {
  name: string;
  close: () => Promise<void> | void;
}

/**
 * Runs the steps in order on SIGTERM or SIGINT (stop accepting and drain first, then the bus and
 * the database), then exits 0. If they take longer than `timeoutMs` the process exits 1.
 */
export function installGracefulShutdown(
  logger: Logger,
  steps: () => readonly ShutdownStep[],
  options: { timeoutMs?: number; exit?: (code: number) => void } = {},
): { shutdown: (reason: string) => Promise<void> } {
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const timeoutMs = options.timeoutMs ?? 10_000;
  let running: Promise<void> | undefined;

  const shutdown = (reason: string): Promise<void> => {
    if (running) return running;
    running = (async () => {
      logger.info({ reason }, 'shutting down');
      const timer = setTimeout(() => {
        logger.error({ timeoutMs }, 'shutdown took too long; exiting');
        exit(1);
      }, timeoutMs);
      timer.unref();
      let code = 0;
      for (const step of steps()) {
        try {
          await step.close();
        } catch (err) {
          code = 1;
          logger.error({ err, step: step.name }, 'shutdown step failed');
        }
      }
      clearTimeout(timer);
      logger.info({ code }, 'stopped');
      exit(code);
    })();
    return running;
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
  return { shutdown };
}
