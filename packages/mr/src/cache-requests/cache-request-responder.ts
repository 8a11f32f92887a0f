import {
  type CacheFillComplete,
  CacheManagementCloudEvents,
  FILL_ID_HEADER,
  type MrCacheRequest,
  MrCacheRequestSchema,
  type PublishEnvironment,
  type PublishServiceAccount,
} from '@fh/contracts';
import { type Bus, eventSubjects, eventTypes, type FeatureHubSubjects, MR_CACHE_QUEUE } from '@fh/messaging';
import type { Logger } from '@fh/service-kit';
import { Value } from 'typebox/value';
import type { Stores } from '../db/stores.ts';
import type { FeatureProperties } from '../publishing/feature-properties.ts';
import { MrCacheSource } from '../publishing/mr-cache-source.ts';
import { cacheVersions } from './cache-versions.ts';

/** What {@link serveCacheRequests} needs. */
export interface CacheRequestResponderOptions {
  bus: Bus;
  /** The subjects of the cache MR serves. */
  subjects: FeatureHubSubjects;
  /** Stores outside any transaction: answers are built from committed state. */
  stores: Stores;
  logger?: Pick<Logger, 'debug' | 'info' | 'warn' | 'error'>;
  /** The operator's feature properties (`sdk.feature.properties`), rendered into `fp`. */
  featureProperties?: FeatureProperties;
}

/** A running responder; `stop()` leaves the queue group. */
export interface CacheRequestResponder {
  stop(): void;
  /** Resolves once every fill started so far has been streamed (tests, shutdown). */
  idle(): Promise<void>;
}

/**
 * MR's side of Dacha filling and healing, on the cache's `fullCacheRequests` subject in the
 * `MR_CACHE_QUEUE` queue group (one MR instance answers each request):
 * - `versions` → the version tag of every live environment and service account;
 * - `fill` → a `{ fillId }` acknowledgement, then the records asked for (all when none are named) are
 *   streamed to the requester's `fillSubject`, service accounts first, each tagged with the fill id,
 *   and a `cache-fill-complete-v1` message with the counts and the ids that no longer exist.
 * Only one Dacha (the elected master) asks for everything; the others fill from it.
 */
export function serveCacheRequests(options: CacheRequestResponderOptions): CacheRequestResponder {
  const { bus, subjects, stores, logger } = options;
  const source = new MrCacheSource(stores, options.featureProperties);
  let running: Promise<unknown> = Promise.resolve();

  const sub = bus.subscribe(
    subjects.fullCacheRequests,
    async (message) => {
      if (!Value.Check(MrCacheRequestSchema, message.data)) {
        logger?.warn({ subject: message.subject }, 'MR got a malformed cache request');
        message.respond({ status: 400 });
        return;
      }
      const request = message.data;
      if (request.type === 'versions') {
        message.respond(await cacheVersions(stores));
        return;
      }
      message.respond({ fillId: request.fillId });
      // Streamed after the reply, outside the handler, so version requests are not held up by it.
      const fill = streamFill(bus, source, stores, request, logger).catch((err: unknown) =>
        logger?.error({ err, requesterId: request.requesterId }, 'streaming a cache fill failed'),
      );
      running = Promise.all([running, fill]);
    },
    { queue: MR_CACHE_QUEUE },
  );
  return {
    stop: () => sub.unsubscribe(),
    idle: async () => {
      await running;
    },
  };
}

async function streamFill(
  bus: Bus,
  source: MrCacheSource,
  stores: Stores,
  request: Extract<MrCacheRequest, { type: 'fill' }>,
  logger: CacheRequestResponderOptions['logger'],
): Promise<void> {
  const everything = request.environmentIds === undefined && request.serviceAccountIds === undefined;
  const accountIds =
    request.serviceAccountIds ?? (everything ? (await stores.serviceAccounts.list({})).map((a) => a.id) : []);
  const environmentIds =
    request.environmentIds ?? (everything ? (await stores.environments.list({})).map((e) => e.id) : []);
  if (everything) {
    logger?.info(
      {
        requesterId: request.requesterId,
        environments: environmentIds.length,
        serviceAccounts: accountIds.length,
      },
      'full cache requested by a Dacha',
    );
  } else {
    logger?.debug(
      { requesterId: request.requesterId, environmentIds, serviceAccountIds: accountIds },
      'cache records requested by a Dacha',
    );
  }
  const headers = { [FILL_ID_HEADER]: request.fillId };
  const missingServiceAccounts: string[] = [];
  let serviceAccounts = 0;
  for (const id of accountIds) {
    const serviceAccount = await source.serviceAccount(id);
    if (!serviceAccount) {
      missingServiceAccounts.push(id);
      continue;
    }
    const message: PublishServiceAccount = { serviceAccount, action: 'UPDATE', count: accountIds.length };
    bus.publish(request.fillSubject, message, {
      headers,
      event: {
        type: eventTypes.publishServiceAccount,
        subject: eventSubjects[eventTypes.publishServiceAccount],
      },
    });
    serviceAccounts++;
  }
  const missingEnvironments: string[] = [];
  let environments = 0;
  for (const id of environmentIds) {
    const environment: PublishEnvironment | undefined = await source.environment(id);
    if (!environment) {
      missingEnvironments.push(id);
      continue;
    }
    bus.publish(
      request.fillSubject,
      { ...environment, count: environmentIds.length },
      {
        headers,
        event: { type: eventTypes.publishEnvironment, subject: eventSubjects[eventTypes.publishEnvironment] },
      },
    );
    environments++;
  }
  const complete: CacheFillComplete = {
    fillId: request.fillId,
    sourceId: 'mr',
    environments,
    serviceAccounts,
    ...(missingEnvironments.length > 0 ? { missingEnvironments } : {}),
    ...(missingServiceAccounts.length > 0 ? { missingServiceAccounts } : {}),
  };
  bus.publish(request.fillSubject, complete, {
    headers,
    event: { type: CacheManagementCloudEvents.fillComplete },
  });
}
