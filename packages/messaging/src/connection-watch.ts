import type { Bus } from './bus.ts';

/** A running {@link watchConnection}; `stop()` ends it. */
export interface ConnectionWatch {
  stop(): void;
}

/**
 * Calls `onReconnect` whenever the bus becomes ready again after having been not ready (a NATS
 * reconnection). Core NATS drops what was published to a subscriber while it was away, so consumers
 * that must be complete (Dacha, Edge) re-synchronise here. The bus port has no status events, so this
 * samples `isReady()` every `intervalMs` (default 200): a blip shorter than that may go unnoticed, which
 * is why those consumers also re-synchronise periodically.
 */
export function watchConnection(
  bus: Pick<Bus, 'isReady'>,
  onReconnect: () => void,
  options: { intervalMs?: number } = {},
): ConnectionWatch {
  let wasReady = bus.isReady();
  const timer = setInterval(() => {
    const ready = bus.isReady();
    if (ready && !wasReady) onReconnect();
    wasReady = ready;
  }, options.intervalMs ?? 200);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
