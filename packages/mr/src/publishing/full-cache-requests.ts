import { type Bus, type FeatureHubSubjects, MR_CACHE_QUEUE } from '@fh/messaging';
import type { Logger } from '@fh/service-kit';
import type { BusChangePublisher } from './bus-change-publisher.ts';

/** A live subscription; `stop()` ends it. */
export interface FullCacheResponder {
  stop(): void;
}

/**
 * Answers Dachas asking for the whole cache (`fullCacheRequests`, one MR of the queue group per
 * request): acknowledges at once, then republishes every service account and environment on the cache
 * channel, where every Dacha (not only the asker) takes what is newer than what it holds.
 */
export function answerFullCacheRequests(
  bus: Bus,
  subjects: FeatureHubSubjects,
  publisher: Pick<BusChangePublisher, 'publishAll'>,
  logger?: Pick<Logger, 'info' | 'error'>,
): FullCacheResponder {
  const sub = bus.subscribe(
    subjects.fullCacheRequests,
    (message) => {
      message.respond({ status: 'publishing' });
      publisher.publishAll().then(
        (sent) => logger?.info(sent, 'republished the whole cache on request'),
        (err: unknown) => logger?.error({ err }, 'republishing the whole cache failed'),
      );
    },
    { queue: MR_CACHE_QUEUE },
  );
  return { stop: () => sub.unsubscribe() };
}
