import type { EvaluationOptions } from '@fh/evaluation';
import type { Logger } from '@fh/service-kit';
import { type ApiKey, parseApiKey } from './api-key.ts';
import {
  dependsOnClock,
  evaluatedFeaturesBody,
  type StateVariant,
  serialiseFeatures,
  variantKey,
} from './feature-state.ts';
import { cacheControlFor, filtersTag, taggedRequestContext } from './http-headers.ts';
import type { EnvironmentFeatures, FeatureSource, FeaturesLookup } from './ports.ts';

/** What a poll answers, before it becomes an HTTP reply. */
export type PollAnswer =
  | { readonly status: 400 | 404; readonly message: string }
  | { readonly status: 503; readonly text: string }
  | { readonly status: 304; readonly etag: string; readonly cacheControl: string }
  | { readonly status: 200; readonly body: Buffer; readonly etag: string; readonly cacheControl: string };

export interface PollRequest {
  readonly query: Record<string, unknown>;
  readonly contextHeader: string | string[] | undefined;
  readonly ifNoneMatch: string | undefined;
}

export interface PollSettings {
  readonly cacheControl: string;
  readonly cacheName: string;
}

const MAX_KEYS_PER_POLL = 50;

// Whole single-key answers as bytes, per payload memo (which the source replaces on every change, so
// entries go with it), each tied to the memo's serialised list it was made from. Sending a kept
// Buffer spares the per-poll string building, the UTF-8 length scan for content-length and the
// encoding on write: most of what a client-evaluated poll cost.
const bodies = new WeakMap<object, Map<string, { readonly features: string; readonly body: Buffer }>>();

function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  return [];
}

/**
 * `GET /features` (docs/edge-protocol.md §2.1): one FeatureEnvironmentCollection per known key, in
 * request order, always with `features`; an etag over every environment plus the context; 304 only
 * for a single key whose etag (context included) matches.
 */
export async function answerPoll(
  source: FeatureSource,
  request: PollRequest,
  settings: PollSettings,
  evaluation: EvaluationOptions,
  logger: Logger,
): Promise<PollAnswer> {
  // The legacy `sdkUrl` parameter means the same and wins when present, as in the Java Edge.
  const legacy = strings(request.query['sdkUrl']);
  const raw = legacy.length > 0 ? legacy : strings(request.query['apiKey']);
  if (raw.length === 0) return { status: 400, message: 'apiKey query parameter is required' };

  const keys: ApiKey[] = [];
  const seen = new Set<string>();
  for (const text of raw) {
    if (seen.has(text)) continue;
    seen.add(text);
    const key = parseApiKey(text);
    if (key !== undefined && key.cacheName === settings.cacheName) keys.push(key);
  }
  if (keys.length === 0) return { status: 404, message: 'no valid API key was given' };
  if (keys.length > MAX_KEYS_PER_POLL)
    return { status: 400, message: `at most ${MAX_KEYS_PER_POLL} API keys per poll` };

  const { context, tag: contextTag } = taggedRequestContext(request.query, request.contextHeader);
  const lookups: FeaturesLookup[] = await Promise.all(
    keys.map(async (k): Promise<FeaturesLookup> => {
      try {
        return await source.features(k.environmentId, k.serviceKey);
      } catch (err) {
        logger.error({ err, environmentId: k.environmentId }, 'poll feature lookup failed');
        return { status: 'not_ready' };
      }
    }),
  );
  const found = lookups.filter((l) => l.status === 'found').length;
  if (found === 0) {
    if (lookups.some((l) => l.status === 'not_ready')) {
      return { status: 503, text: 'cache layer not ready, try again shortly' };
    }
    return { status: 404, message: 'API Key provided does not exist' };
  }

  const tags: string[] = [];
  const entries: { id: string; env?: EnvironmentFeatures; variant?: StateVariant }[] = [];
  let firstEnv: EnvironmentFeatures | undefined;
  let anyServerEvaluated = false;
  let clockDependent = false;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    const lookup = lookups[i]!;
    const id = JSON.stringify(key.environmentId);
    if (lookup.status !== 'found') {
      entries.push({ id });
      tags.push('x');
      continue;
    }
    const env = lookup.environment;
    firstEnv ??= env;
    const variant: StateVariant = {
      clientEvaluated: key.clientEvaluated,
      extendedData: env.roles.includes('EXTENDED_DATA'),
      filters: env.filters,
    };
    if (!key.clientEvaluated) {
      anyServerEvaluated = true;
      clockDependent ||= dependsOnClock(env.features, context);
    }
    entries.push({ id, env, variant });
    tags.push(`${env.etag}${variant.extendedData ? '1' : '0'}${filtersTag(env.filters)}`);
  }

  const ctx = anyServerEvaluated ? contextTag : undefined;
  const etag = `"${tags.join(';')}${ctx === undefined ? '' : `//${ctx}`}"`;
  const cacheControl = cacheControlFor(firstEnv?.environmentInfo, settings.cacheControl);
  if (keys.length === 1 && !clockDependent && request.ifNoneMatch === etag) {
    return { status: 304, etag, cacheControl };
  }
  const single = entries.length === 1 ? entries[0] : undefined;
  if (
    single?.env !== undefined &&
    single.variant !== undefined &&
    (single.variant.clientEvaluated || (Object.keys(context).length === 0 && !clockDependent))
  ) {
    // The same bytes for every such poll of this environment state and variant.
    let kept = bodies.get(single.env.payloads);
    if (kept === undefined) {
      kept = new Map();
      bodies.set(single.env.payloads, kept);
    }
    const memoKey = `${single.id}|${variantKey(single.variant)}`;
    // A memo hit: the same string object as last time, so this comparison costs nothing.
    const features = serialiseFeatures(single.env, single.variant, context, evaluation);
    let entry = kept.get(memoKey);
    if (entry === undefined || entry.features !== features) {
      entry = { features, body: Buffer.from(`[{"id":${single.id},"features":${features}}]`) };
      kept.set(memoKey, entry);
    }
    return { status: 200, body: entry.body, etag, cacheControl };
  }
  if (single?.env !== undefined && single.variant !== undefined && !single.variant.clientEvaluated) {
    // Evaluated for this request: the answer is copied together from bytes kept per feature result.
    const body = evaluatedFeaturesBody(
      `[{"id":${single.id},"features":`,
      single.env,
      single.variant,
      context,
      evaluation,
      '}]',
    );
    return { status: 200, body, etag, cacheControl };
  }
  // An unknown key among known ones still gets `features: []`: without it SDK 1.4.0 crashes.
  const parts = entries.map(({ id, env, variant }) =>
    env === undefined || variant === undefined
      ? `{"id":${id},"features":[]}`
      : `{"id":${id},"features":${serialiseFeatures(env, variant, context, evaluation)}}`,
  );
  return { status: 200, body: Buffer.from(`[${parts.join(',')}]`), etag, cacheControl };
}
