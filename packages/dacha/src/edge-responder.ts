import {
  type DachaKeyDetailsRequest,
  DachaNATSRequestSchema,
  type DachaNATSResponse,
  type DachaPermissionRequest,
} from '@fh/contracts';
import { type Bus, DACHA_EDGE_QUEUE, type FeatureHubSubjects } from '@fh/messaging';
import { Value } from 'typebox/value';
import type { DachaCache } from './dacha-cache.ts';
import type { DachaLogger, LookupFailure } from './types.ts';

/** HTTP-like statuses of a Dacha answer, as the Dacha REST API would send them. */
const FAILURE_STATUS: Record<LookupFailure, number> = {
  not_found: 404,
  no_permission: 403,
  not_ready: 503,
};

/**
 * Answers one Edge request (`DachaNATSRequest`) from the cache: 200 with `featuresResponse` or
 * `permissionResponse`, 404 unknown key/environment/feature, 403 key without a role there, 503 not
 * filled yet, 400 a request that is neither. Retired features are included unless `excludeRetired`
 * is true, so an Edge mirroring the environment can compare versions of hidden values too.
 */
export function answerEdgeRequest(cache: DachaCache, request: unknown): DachaNATSResponse {
  if (!Value.Check(DachaNATSRequestSchema, request)) return { status: 400 };
  if (request.featuresRequest != null) return featuresAnswer(cache, request.featuresRequest);
  if (request.permissionRequest != null) return permissionAnswer(cache, request.permissionRequest);
  return { status: 400 };
}

function featuresAnswer(cache: DachaCache, request: DachaKeyDetailsRequest): DachaNATSResponse {
  const lookup = cache.features(request.eId, request.serviceAccountKey);
  if (lookup.status !== 'found') return { status: FAILURE_STATUS[lookup.status] };
  const env = lookup.environment;
  const snapshot = cache.environment(request.eId);
  const features = request.excludeRetired === false && snapshot ? [...snapshot.all] : [...env.features];
  return {
    status: 200,
    featuresResponse: {
      etag: env.etag,
      organizationId: env.organizationId,
      portfolioId: env.portfolioId,
      applicationId: env.applicationId,
      serviceKeyId: env.serviceAccountId,
      environmentInfo: { ...env.environmentInfo },
      extendedDataAllowed: env.roles.includes('EXTENDED_DATA'),
      features,
      roles: [...env.roles],
      filters: [...env.filters],
      ...(snapshot ? { environmentVersion: snapshot.environment.version } : {}),
    },
  };
}

function permissionAnswer(cache: DachaCache, request: DachaPermissionRequest): DachaNATSResponse {
  const lookup = cache.permission(request.eId, request.serviceAccountKey, request.featureKey);
  if (lookup.status !== 'found') return { status: FAILURE_STATUS[lookup.status] };
  const p = lookup.permission;
  return {
    status: 200,
    permissionResponse: {
      organizationId: p.organizationId,
      portfolioId: p.portfolioId,
      applicationId: p.applicationId,
      serviceKeyId: p.serviceAccountId,
      environmentInfo: { ...(cache.environment(request.eId)?.environment.eInf ?? {}) },
      roles: [...p.roles],
      feature: p.feature,
      filters: [...p.filters],
    },
  };
}

/** A running Edge responder; `stop()` leaves the queue group. */
export interface EdgeResponder {
  stop(): void;
}

/**
 * Answers Edge on `subjects.edgeRequests` in the {@link DACHA_EDGE_QUEUE} queue group, so each request
 * reaches exactly one Dacha of the cache. Join only once the cache is complete: a Dacha that is still
 * filling would answer 404 for keys it simply has not received yet.
 */
export function serveEdgeRequests(
  cache: DachaCache,
  bus: Bus,
  options: { subjects: FeatureHubSubjects; logger?: DachaLogger },
): EdgeResponder {
  const sub = bus.subscribe(
    options.subjects.edgeRequests,
    (message) => {
      const answer = answerEdgeRequest(cache, message.data);
      if (answer.status === 400)
        options.logger?.warn({ subject: message.subject }, 'Dacha got a malformed Edge request');
      message.respond(answer);
    },
    { queue: DACHA_EDGE_QUEUE },
  );
  return { stop: () => sub.unsubscribe() };
}
