// Every subject, queue group and CloudEvents type FeatureHub uses on the bus, in one place.
// docs/messaging.md lists who publishes and who subscribes to each, and the upstream names they follow.
import { InvalidSubjectError } from './errors.ts';

/** The cache name upstream uses unless `cache.name` is set. */
export const DEFAULT_CACHE_NAME = 'default';

/** CloudEvents `type` attributes (upstream names). */
export const eventTypes = {
  /** `PublishFeatureValues`: changed feature values/definitions (MR → Dacha, MR → Edge). */
  publishFeature: 'publish-feature-v1',
  /** `PublishEnvironment`: a whole environment with its features (MR → Dacha). */
  publishEnvironment: 'publish-environment-v1',
  /** `PublishServiceAccount`: a service account with its keys and permissions (MR → Dacha). */
  publishServiceAccount: 'publish-serviceaccount-v1',
  /** `CacheManagementMessage`: Dacha peer/master negotiation (Dacha ↔ Dacha ↔ MR). */
  cacheManagement: 'cache-management-v1',
  /** `StreamedFeatureUpdate`: a test-SDK PUT accepted by Edge, applied by MR. */
  featureUpdate: 'feature-update-v1',
  /** `EnricherPing`. */
  enricherPing: 'enricher-ping-v1',
  /** `EnrichedFeatures`: a full environment snapshot for webhooks. */
  enrichedFeature: 'enriched-feature-v1',
  /** Result of a feature webhook call (Edge → MR). */
  webhookEnvironmentResult: 'webhook-environment-result-v1',
  /** Result of a tracked event (→ MR). */
  trackedEventResult: 'tracked-event-result-v1',
  /** `EdgeStatsBundle`. */
  edgeStatBundle: 'edge-stat-bundle-v1',
} as const;

/** One of {@link eventTypes}. */
export type EventType = (typeof eventTypes)[keyof typeof eventTypes];

/** The CloudEvents `subject` attribute upstream sends with each event type. */
export const eventSubjects: Readonly<Partial<Record<EventType, string>>> = {
  'publish-feature-v1': 'io.featurehub.events.feature-values',
  'publish-environment-v1': 'io.featurehub.events.environment',
  'publish-serviceaccount-v1': 'io.featurehub.events.service-account',
  'feature-update-v1': 'io.featurehub.edge.feature-update',
  'webhook-environment-result-v1': 'io.featurehub.webhooks',
  'tracked-event-result-v1': 'io.featurehub.trackedevents',
  'edge-stat-bundle-v1': 'io.featurehub.events.edge-stat',
};

/** Edge (and others) → MR: test-SDK updates and results; one MR instance takes each (queue group). */
export const MR_UPDATES_SUBJECT = 'featurehub/mr-updates-queue';
/** Queue group of MR instances on {@link MR_UPDATES_SUBJECT}. */
export const MR_UPDATES_QUEUE = 'featurehub/mr-update';
/** Enricher → Edge: full-environment snapshots for webhooks (reserved). */
export const ENRICHED_EVENTS_SUBJECT = 'featurehub/enriched-events';
/** Edge → usage service: hit statistics (reserved). */
export const EDGE_STATS_SUBJECT = 'featurehub/edge-stats';

/** Queue group of the Dachas answering Edge requests on one cache's `edgeRequests` subject. */
export const DACHA_EDGE_QUEUE = 'dacha';
/** Queue group of MR instances answering full-cache requests on one cache's `fullCacheRequests` subject. */
export const MR_CACHE_QUEUE = 'mr';
/** Queue group of the (one-per-message) enrichment consumer on a cache's `featureChannel`. */
export const ENRICHER_QUEUE = 'enricher';

/** The subjects of one named cache (`cache.name`), plus the cache-independent ones. */
export interface FeatureHubSubjects {
  readonly cacheName: string;
  /** MR → every Dacha, broadcast: `publish-environment-v1`, `publish-serviceaccount-v1`, `publish-feature-v1`. */
  readonly cacheChannel: string;
  /** MR → every Edge, broadcast: `publish-feature-v1`, to push SSE updates. */
  readonly featureChannel: string;
  /** Edge → one Dacha (queue group {@link DACHA_EDGE_QUEUE}), request/reply for an environment's features. */
  readonly edgeRequests: string;
  /** Dacha ↔ Dacha ↔ MR, broadcast: `CacheManagementMessage` (seeking a cache, claiming master, ...). */
  readonly cacheManagement: string;
  /** Dacha → one MR (queue group {@link MR_CACHE_QUEUE}), request/reply: republish the whole cache. */
  readonly fullCacheRequests: string;
  /** Edge → one MR: {@link MR_UPDATES_SUBJECT}. */
  readonly mrUpdates: string;
}

const CACHE_NAME = /^[A-Za-z0-9_-]+$/;

/**
 * The subjects for a cache name. Cache-scoped subjects embed the name, so several FeatureHub caches
 * can share one NATS; throws {@link InvalidSubjectError} for a name that cannot be a subject token.
 */
export function featureHubSubjects(cacheName: string = DEFAULT_CACHE_NAME): FeatureHubSubjects {
  if (!CACHE_NAME.test(cacheName)) {
    throw new InvalidSubjectError(cacheName, 'a cache name may only contain letters, digits, - and _');
  }
  const prefix = `featurehub/${cacheName}`;
  return Object.freeze({
    cacheName,
    cacheChannel: `${prefix}/mr-dacha-channel`,
    featureChannel: `${prefix}/mr-edge-channel`,
    edgeRequests: `${prefix}/edge_v2`,
    cacheManagement: `${prefix}/cache-management-v2`,
    fullCacheRequests: `${prefix}/mr-cache-requests`,
    mrUpdates: MR_UPDATES_SUBJECT,
  });
}
