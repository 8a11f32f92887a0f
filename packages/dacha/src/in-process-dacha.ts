import type { Bus, FeatureHubSubjects } from '@fh/messaging';
import { connectDachaToBus, type DachaBusSubscription } from './bus-wiring.ts';
import { DachaCache, type DachaCacheOptions } from './dacha-cache.ts';

export interface InProcessDachaOptions extends DachaCacheOptions {
  /** When given, the cache follows MR's cache channel on this bus. */
  bus?: Bus;
  subjects?: FeatureHubSubjects;
}

/** A {@link DachaCache} living in the party server's process, optionally fed from a bus. */
export interface InProcessDacha extends DachaCache {
  /** Stops following the bus (the cache keeps answering from what it holds). */
  close(): void;
}

/**
 * The party server's Dacha: a {@link DachaCache} (which is Edge's `FeatureSource` and
 * `FeatureUpdates`), subscribed to MR's cache messages when a bus is given.
 */
export function createInProcessDacha(options: InProcessDachaOptions = {}): InProcessDacha {
  const cache = new DachaCache(options);
  let subscription: DachaBusSubscription | undefined;
  if (options.bus !== undefined) {
    subscription = connectDachaToBus(cache, options.bus, {
      ...(options.subjects === undefined ? {} : { subjects: options.subjects }),
      ...(options.logger === undefined ? {} : { logger: options.logger }),
    });
  }
  return Object.assign(cache, {
    close(): void {
      subscription?.stop();
      subscription = undefined;
    },
  });
}
