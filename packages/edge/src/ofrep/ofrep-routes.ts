// The OpenFeature Remote Evaluation Protocol (OFREP 0.3, docs/openfeature.md) on every role that
// serves SDKs: `POST /ofrep/v1/evaluate/flags/{key}`, the bulk `POST /ofrep/v1/evaluate/flags` with
// ETag / If-None-Match, and, where the role has change events, the SSE stream the bulk answer names.
// Authorised by a FeatureHub SDK key; evaluated on the server whatever the kind of key.
import type { EvaluationContext, EvaluationOptions } from '@fh/evaluation';
import { mapOpenFeatureContext } from '@fh/evaluation';
import type { Logger } from '@fh/service-kit';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type ApiKey, apiKeyFromParts } from '../api-key.ts';
import { dependsOnClock } from '../feature-state.ts';
import { contextTag, filtersTag } from '../http-headers.ts';
import type { EnvironmentFeatures, FeatureSource, FeatureUpdates } from '../ports.ts';
import { evaluateAllBody, evaluateOneJson } from './ofrep-evaluation.ts';
import { OfrepEventHub, type OfrepEventSettings } from './ofrep-events.ts';
import { OFREP_CORS_HEADERS, OFREP_PREFLIGHT_HEADERS, ofrepCredentials } from './ofrep-http.ts';

/** Largest OFREP request body; a bigger one is an `INVALID_CONTEXT`. */
export const OFREP_BODY_LIMIT = 64 * 1024;
/** How long a client waits before asking again while the cache fills (429 Retry-After). */
const NOT_READY_RETRY_SECONDS = 1;
/** What the bulk answer advises for closing the event stream of an inactive (hidden) page. */
const INACTIVITY_DELAY_SECONDS = 120;

export interface OfrepRoutesOptions {
  readonly features: FeatureSource;
  /** Change events; without them (Edge-REST, party-server-ish) no event stream is offered. */
  readonly updates?: FeatureUpdates | undefined;
  readonly evaluation: EvaluationOptions;
  readonly logger: Logger;
  /** The named cache served: a key naming another is unknown here. */
  readonly cacheName: string;
  readonly events: OfrepEventSettings;
}

/** A handle on the registered OFREP routes. */
export interface OfrepRoutes {
  /** Open event streams right now. */
  readonly streamCount: number;
  closeStreams(): void;
}

/** Thrown inside the OFREP scope and answered in OFREP's shape. */
class OfrepError extends Error {
  constructor(
    readonly status: number,
    readonly errorCode: string | undefined,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }
}

interface FlagParams {
  key: string;
}

interface EventParams {
  environmentId: string;
  apiKey: string;
}

/** A request's context with its ETag tag. */
interface TaggedContext {
  readonly context: EvaluationContext;
  readonly tag: string | undefined;
}

const EMPTY: TaggedContext = Object.freeze({ context: Object.freeze({}), tag: undefined });
// Clients send the same body again and again (a user's context): the last few parsed bodies are kept
// with their tag, as polling keeps parsed x-featurehub headers. Small, so a flood of distinct bodies
// only churns it; long bodies are not kept.
const RECENT_BODIES = 256;
const MAX_KEPT_BODY = 4096;
const recent = new Map<string, TaggedContext>();

/** The request's context and tag, or the OFREP error its body earns. */
function taggedContext(body: unknown): TaggedContext {
  if (body === undefined || body === null || body === '') return EMPTY;
  const text = String(body);
  const kept = recent.get(text);
  if (kept !== undefined) {
    recent.delete(text);
    recent.set(text, kept);
    return kept;
  }
  const context = requestContext(text);
  for (const name of Object.keys(context)) Object.freeze(context[name]);
  const tagged: TaggedContext = { context: Object.freeze(context), tag: contextTag(context) };
  if (text.length <= MAX_KEPT_BODY) {
    if (recent.size >= RECENT_BODIES) {
      const oldest = recent.keys().next();
      if (oldest.done !== true) recent.delete(oldest.value);
    }
    recent.set(text, tagged);
  }
  return tagged;
}

/** The context a body carries, or the OFREP error it earns. */
function requestContext(body: string): EvaluationContext {
  let parsed: unknown;
  try {
    parsed = JSON.parse(String(body));
  } catch {
    throw new OfrepError(400, 'PARSE_ERROR', 'the request body is not JSON');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new OfrepError(
      400,
      'PARSE_ERROR',
      'the request body must be a JSON object: { "context": { ... } }',
    );
  }
  const mapped = mapOpenFeatureContext((parsed as { context?: unknown }).context);
  if (!mapped.ok) throw new OfrepError(400, 'INVALID_CONTEXT', mapped.message);
  return mapped.context;
}

/** The entity tags an If-None-Match names (a list, weak or strong, or `*`). */
function matchesIfNoneMatch(header: string | string[] | undefined, etag: string): boolean {
  if (header === undefined) return false;
  const text = Array.isArray(header) ? header.join(',') : header;
  return text.split(',').some((t) => {
    const tag = t.trim();
    return tag === '*' || tag === etag || tag === `W/${etag}`;
  });
}

/**
 * Registers OFREP in its own Fastify scope, so that its body parsing and error answers (OFREP's
 * `errorCode`/`errorDetails`, never the admin API's shape) touch no other route.
 */
export function registerOfrepRoutes(app: FastifyInstance, options: OfrepRoutesOptions): OfrepRoutes {
  const { features: source, updates, evaluation, logger, cacheName } = options;
  const hub = updates === undefined ? undefined : new OfrepEventHub(source, updates, options.events, logger);

  /** `,"eventStreams":[…]` naming this key's change stream, or '' where the role has none. */
  function eventStreamsJson(key: ApiKey): string {
    if (hub === undefined) return '';
    const streams = [
      {
        type: 'sse',
        endpoint: {
          requestUri: `/ofrep/v1/events/${key.environmentId}/${encodeURIComponent(key.serviceKey)}`,
        },
        inactivityDelaySec: INACTIVITY_DELAY_SECONDS,
      },
    ];
    return `,"eventStreams":${JSON.stringify(streams)}`;
  }

  async function environmentFor(key: ApiKey | undefined): Promise<EnvironmentFeatures> {
    if (key === undefined || key.cacheName !== cacheName) {
      throw new OfrepError(401, undefined, 'the SDK key is not one this server knows');
    }
    const lookup = await source.features(key.environmentId, key.serviceKey);
    switch (lookup.status) {
      case 'found':
        return lookup.environment;
      case 'not_ready':
        throw new OfrepError(429, 'GENERAL', 'the cache is filling; try again shortly', {
          'retry-after': String(NOT_READY_RETRY_SECONDS),
        });
      case 'no_permission':
        throw new OfrepError(403, undefined, 'this SDK key may not read this environment');
      default:
        throw new OfrepError(401, undefined, 'the SDK key is not one this server knows');
    }
  }

  async function authorised(request: FastifyRequest): Promise<{ key: ApiKey; env: EnvironmentFeatures }> {
    const credentials = ofrepCredentials(request.headers);
    if (credentials.status === 'missing') {
      throw new OfrepError(
        401,
        undefined,
        'give a FeatureHub SDK key (environmentId/serviceKey) as `Authorization: Bearer <key>` or `X-API-Key: <key>`',
        { 'www-authenticate': 'Bearer' },
      );
    }
    if (credentials.status === 'malformed') {
      throw new OfrepError(401, undefined, 'the SDK key must be `environmentId/serviceKey`', {
        'www-authenticate': 'Bearer error="invalid_token"',
      });
    }
    return { key: credentials.key, env: await environmentFor(credentials.key) };
  }

  const plugin = async (scope: FastifyInstance) => {
    scope.removeAllContentTypeParsers();
    // Every body is read as text and parsed here, so that what is not JSON gets OFREP's PARSE_ERROR.
    scope.addContentTypeParser('*', { parseAs: 'string', bodyLimit: OFREP_BODY_LIMIT }, (_req, body, done) =>
      done(null, body),
    );
    scope.addHook('onRequest', async (_request, reply) => {
      void reply.headers(OFREP_CORS_HEADERS);
    });
    scope.setErrorHandler((error: FastifyError | OfrepError, request, reply) => {
      const flagKey = (request.params as Partial<FlagParams> | undefined)?.key;
      const withKey = (body: Record<string, unknown>) =>
        flagKey === undefined ? body : { key: flagKey, ...body };
      if (error instanceof OfrepError) {
        void reply.headers(error.headers).code(error.status);
        const body =
          error.errorCode === undefined || error.status === 429
            ? { errorDetails: error.message }
            : withKey({ errorCode: error.errorCode, errorDetails: error.message });
        return reply.send(body);
      }
      const status = typeof error.statusCode === 'number' ? error.statusCode : 500;
      if (status === 413) {
        return reply.code(400).send(
          withKey({
            errorCode: 'INVALID_CONTEXT',
            errorDetails: `the request is larger than ${OFREP_BODY_LIMIT} bytes`,
          }),
        );
      }
      if (status >= 400 && status < 500) {
        return reply.code(400).send(withKey({ errorCode: 'PARSE_ERROR', errorDetails: error.message }));
      }
      logger.error({ err: error, url: request.url }, 'OFREP request failed');
      return reply.code(500).send({ errorDetails: 'the flags could not be evaluated' });
    });

    const preflight = async (_request: FastifyRequest, reply: FastifyReply) =>
      reply.headers(OFREP_PREFLIGHT_HEADERS).code(204).send();
    scope.options('/ofrep/v1/*', preflight);

    scope.post<{ Params: FlagParams }>('/ofrep/v1/evaluate/flags/:key', async (request, reply) => {
      const { env } = await authorised(request);
      const { context } = taggedContext(request.body);
      const flag = evaluateOneJson(env, request.params.key, context, evaluation);
      if (flag === undefined) {
        return reply.code(404).send({
          key: request.params.key,
          errorCode: 'FLAG_NOT_FOUND',
          errorDetails: `no flag ${JSON.stringify(request.params.key)} in this environment for this key`,
        });
      }
      return reply
        .code(flag.failed ? 400 : 200)
        .type('application/json; charset=utf-8')
        .send(flag.json);
    });

    scope.post('/ofrep/v1/evaluate/flags', async (request, reply) => {
      const { key, env } = await authorised(request);
      const { context, tag } = taggedContext(request.body);
      const etag = `"of${env.etag}${filtersTag(env.filters)}${tag === undefined ? '' : `.${tag}`}"`;
      // An answer that reads the clock may change without the state changing: never "not modified".
      const stable = !dependsOnClock(env.features, context);
      void reply.header('etag', etag);
      if (stable && matchesIfNoneMatch(request.headers['if-none-match'], etag)) return reply.code(304).send();
      const metadata = JSON.stringify({ environmentId: env.environmentId });
      const body = evaluateAllBody(
        '{"flags":',
        env,
        context,
        evaluation,
        `,"metadata":${metadata}${eventStreamsJson(key)}}`,
      );
      return reply.code(200).type('application/json; charset=utf-8').send(body);
    });

    scope.get<{ Params: EventParams }>(
      '/ofrep/v1/events/:environmentId/:apiKey',
      { exposeHeadRoute: false },
      async (request, reply) => {
        if (hub === undefined) {
          throw new OfrepError(
            501,
            undefined,
            'this server has no change events; poll the bulk endpoint instead',
          );
        }
        const key = apiKeyFromParts(undefined, request.params.environmentId, request.params.apiKey);
        const env = await environmentFor(key);
        const lastEventId = request.headers['last-event-id'];
        reply.hijack();
        hub.open(
          reply.raw,
          { environmentId: key!.environmentId, serviceKey: key!.serviceKey },
          env.etag,
          typeof lastEventId === 'string' ? lastEventId : undefined,
        );
      },
    );
  };
  void app.register(plugin);
  app.addHook('preClose', async () => {
    hub?.closeAll();
  });

  return {
    get streamCount() {
      return hub?.size ?? 0;
    },
    closeStreams: () => hub?.closeAll(),
  };
}
