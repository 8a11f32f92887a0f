import {
  PublishEnvironmentSchema,
  PublishFeatureValuesSchema,
  PublishServiceAccountSchema,
} from '@fh/contracts';
import { type Bus, eventTypes, type FeatureHubSubjects, featureHubSubjects } from '@fh/messaging';
import { Value } from 'typebox/value';
import type { DachaCache } from './dacha-cache.ts';
import type { DachaLogger } from './types.ts';

export interface DachaBusOptions {
  /** The subjects of the cache to follow; default the `default` cache. */
  subjects?: FeatureHubSubjects;
  logger?: DachaLogger;
}

/** A live bus subscription of a cache; `stop()` ends delivery. */
export interface DachaBusSubscription {
  stop(): void;
}

/**
 * Feeds a cache from MR's cache channel: `publish-environment-v1`, `publish-feature-v1` and
 * `publish-serviceaccount-v1`, told apart by the CloudEvents type. A message that does not match its
 * schema is logged and dropped; it never reaches the cache.
 */
export function connectDachaToBus(
  cache: DachaCache,
  bus: Bus,
  options: DachaBusOptions = {},
): DachaBusSubscription {
  const subjects = options.subjects ?? featureHubSubjects();
  const logger = options.logger;
  const sub = bus.subscribe(subjects.cacheChannel, (message) => {
    const type = message.event?.type;
    const outcome = applyCacheMessage(cache, type, message.data);
    if (outcome === 'invalid') {
      logger?.warn(
        { subject: message.subject, type },
        'Dacha dropped a cache message that does not match its schema',
      );
    } else if (outcome === 'unknown') {
      logger?.debug({ subject: message.subject, type }, 'Dacha ignored a message of an unknown type');
    }
  });
  return { stop: () => sub.unsubscribe() };
}

/**
 * Applies one cache message by its CloudEvents type, after checking it against the contract schema.
 * Exposed so other transports (tests, a REST fill) share the exact same checks.
 */
export function applyCacheMessage(
  cache: DachaCache,
  type: string | undefined,
  data: unknown,
): 'applied' | 'invalid' | 'unknown' {
  switch (type) {
    case eventTypes.publishEnvironment:
      if (!Value.Check(PublishEnvironmentSchema, data)) return 'invalid';
      cache.applyEnvironment(data);
      return 'applied';
    case eventTypes.publishFeature:
      if (!Value.Check(PublishFeatureValuesSchema, data)) return 'invalid';
      cache.applyFeatureValues(data);
      return 'applied';
    case eventTypes.publishServiceAccount:
      if (!Value.Check(PublishServiceAccountSchema, data)) return 'invalid';
      cache.applyServiceAccount(data);
      return 'applied';
    default:
      return 'unknown';
  }
}
