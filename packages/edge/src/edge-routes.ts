import { FeatureStateUpdateSchema } from '@fh/contracts';
import type { EvaluationOptions } from '@fh/evaluation';
import {
  AppError,
  BadRequestError,
  errorCodeForStatus,
  ForbiddenError,
  type Logger,
  NotFoundError,
} from '@fh/service-kit';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Value } from 'typebox/value';
import { type ApiKey, apiKeyFromParts, DEFAULT_CACHE_NAME } from './api-key.ts';
import { isFeatureVisible } from './feature-state.ts';
import { CORS_PREFLIGHT_HEADERS, CORS_RESPONSE_HEADERS, requestContext } from './http-headers.ts';
import { registerOfrepRoutes } from './ofrep/ofrep-routes.ts';
import { answerPoll } from './polling.ts';
import type { FeatureSource, FeatureUpdates, TestApiPort } from './ports.ts';
import { SseHub } from './sse.ts';
import { decideTestUpdate } from './test-api-rules.ts';

/** Edge settings (see `ServerConfig.edge`); every one has the upstream default. */
export interface EdgeSettings {
  /** SSE streams end with `bye` after this many seconds; 0 = never. Default 30. Fractions allowed. */
  readonly sseDropAfterSeconds: number;
  /** A comment line on SSE streams every N seconds; 0 = off (default). */
  readonly sseHeartbeatSeconds: number;
  /** Cache-Control on poll answers, e.g. `max-age=30` (the SDK then polls that often); '' = none. */
  readonly cacheControl: string;
  /** The named cache served (the `default/` in 3-part keys). Default `default`. */
  readonly cacheName: string;
  /** Largest test-API body in bytes; default: the server's body limit. */
  readonly testApiBodyLimit: number | undefined;
  /** SSE streams of a not-yet-ready cache end with `bye` within this many seconds. Default 10. */
  readonly notReadyCloseSeconds: number;
  /** Unread SSE output allowed per client before it is cut off. Default 1 MiB. */
  readonly maxSseBufferedBytes: number;
}

export const DEFAULT_EDGE_SETTINGS: EdgeSettings = Object.freeze({
  sseDropAfterSeconds: 30,
  sseHeartbeatSeconds: 0,
  cacheControl: '',
  cacheName: DEFAULT_CACHE_NAME,
  testApiBodyLimit: undefined,
  notReadyCloseSeconds: 10,
  maxSseBufferedBytes: 1024 * 1024,
});

export interface EdgeRoutesOptions {
  /** Where features are read (the in-process Dacha in the party server). */
  readonly features: FeatureSource;
  /**
   * Where SSE streams hear about changes. Without it (Edge-REST, party-server-ish: no bus) the SSE
   * routes answer 501 and SDKs must poll.
   */
  readonly updates?: FeatureUpdates | undefined;
  /** How test-API updates reach MR; without it `PUT` answers 404 as if the feature were unknown. */
  readonly testApi?: TestApiPort | undefined;
  readonly options?: Partial<EdgeSettings> | undefined;
  readonly logger?: Logger | undefined;
  /** Clock for `now` strategy rules (server-evaluated keys). */
  readonly now?: (() => Date) | undefined;
}

/** A handle on the registered routes. */
export interface EdgeRoutes {
  /** Open SSE streams right now. */
  readonly streamCount: number;
  /** Ends every SSE stream with `bye` (also done automatically when the server closes). */
  closeStreams(): void;
}

interface KeyParams {
  namedCache?: string;
  environmentId: string;
  apiKey: string;
}

interface UpdateParams extends Partial<KeyParams> {
  sdkUrl?: string;
  featureKey: string;
}

/**
 * Registers the SDK-facing Edge API on a server made by `createHttpServer`: `GET /features` (polling),
 * `GET /features/{env}/{key}` and `GET /features/default/{env}/{key}` (SSE), the test API `PUT`
 * in its three path forms, and CORS preflights. Errors go through the server's error mapper.
 */
export function registerEdgeRoutes(app: FastifyInstance, options: EdgeRoutesOptions): EdgeRoutes {
  const settings: EdgeSettings = { ...DEFAULT_EDGE_SETTINGS, ...stripUndefined(options.options ?? {}) };
  const logger = options.logger ?? (app.log as unknown as Logger);
  const evaluation: EvaluationOptions = options.now === undefined ? {} : { now: options.now };
  const hub = new SseHub(
    options.features,
    options.updates ?? noUpdates,
    {
      dropAfterMs: Math.max(0, settings.sseDropAfterSeconds * 1000),
      heartbeatMs: Math.max(0, settings.sseHeartbeatSeconds * 1000),
      maxBufferedBytes: settings.maxSseBufferedBytes,
      notReadyCloseMs: Math.max(1, settings.notReadyCloseSeconds * 1000),
      cacheName: settings.cacheName,
    },
    logger,
    evaluation,
  );

  // OpenFeature's OFREP over the same features, evaluator and change events (docs/openfeature.md).
  const ofrep = registerOfrepRoutes(app, {
    features: options.features,
    updates: options.updates,
    evaluation,
    logger,
    cacheName: settings.cacheName,
    events: {
      dropAfterMs: Math.max(0, settings.sseDropAfterSeconds * 1000),
      heartbeatMs: Math.max(0, settings.sseHeartbeatSeconds * 1000),
      maxBufferedBytes: settings.maxSseBufferedBytes,
    },
  });

  // Headers set here survive into error replies made by the server's error mapper.
  const edgeHeaders = async (_request: FastifyRequest, reply: FastifyReply) => {
    void reply.headers(CORS_RESPONSE_HEADERS);
    void reply.header('x-accel-buffering', 'no');
  };
  const preflight = async (_request: FastifyRequest, reply: FastifyReply) => {
    void reply.headers(CORS_PREFLIGHT_HEADERS).code(200).send();
  };
  app.options('/features', preflight);
  app.options('/features/*', preflight);

  app.get('/features', { onRequest: edgeHeaders }, async (request, reply) => {
    const ifNoneMatch = request.headers['if-none-match'];
    const answer = await answerPoll(
      options.features,
      {
        query: (request.query ?? {}) as Record<string, unknown>,
        contextHeader: request.headers['x-featurehub'],
        ifNoneMatch: typeof ifNoneMatch === 'string' ? ifNoneMatch : undefined,
      },
      settings,
      evaluation,
      logger,
    );
    switch (answer.status) {
      case 400:
        throw new BadRequestError(answer.message);
      case 404:
        throw new NotFoundError(answer.message);
      case 503:
        return reply.code(503).type('text/plain; charset=utf-8').send(answer.text);
      case 304:
        if (answer.cacheControl !== '') void reply.header('cache-control', answer.cacheControl);
        return reply.code(304).header('etag', answer.etag).send();
      default:
        if (answer.cacheControl !== '') void reply.header('cache-control', answer.cacheControl);
        return reply
          .code(200)
          .header('etag', answer.etag)
          .type('application/json; charset=utf-8')
          .send(answer.body);
    }
  });

  const stream = (request: FastifyRequest<{ Params: KeyParams }>, reply: FastifyReply) => {
    if (options.updates === undefined) {
      throw new AppError(501, 'not_implemented', 'this Edge serves polling only (GET /features?apiKey=...)');
    }
    const { namedCache, environmentId, apiKey } = request.params;
    const key = apiKeyFromParts(namedCache, environmentId, apiKey);
    const context = requestContext(request.query as Record<string, unknown>, request.headers['x-featurehub']);
    reply.hijack();
    hub.open(reply.raw, key, context);
  };
  app.get<{ Params: KeyParams }>('/features/:environmentId/:apiKey', { exposeHeadRoute: false }, stream);
  app.get<{ Params: KeyParams }>(
    '/features/:namedCache/:environmentId/:apiKey',
    { exposeHeadRoute: false },
    stream,
  );

  const update = async (request: FastifyRequest<{ Params: UpdateParams }>, reply: FastifyReply) => {
    const key = updateKey(request.params);
    if (key === undefined)
      throw new BadRequestError('the API key in the path is not `{environmentId}/{serviceKey}`');
    if (key.cacheName !== settings.cacheName) throw new NotFoundError(`unknown cache ${key.cacheName}`);
    const body: unknown = request.body;
    if (
      body === null ||
      typeof body !== 'object' ||
      Array.isArray(body) ||
      !Value.Check(FeatureStateUpdateSchema, body)
    ) {
      throw new BadRequestError(
        'body must be a FeatureStateUpdate: { value?, updateValue?: boolean, lock?: boolean }',
      );
    }
    const { featureKey } = request.params;
    const found = await options.features.permission(key.environmentId, key.serviceKey, featureKey);
    if (found.status === 'not_ready')
      throw new AppError(503, 'not_ready', 'cache layer not ready, try again shortly');
    if (found.status === 'no_permission') throw new ForbiddenError('no write roles');
    if (found.status !== 'found' || options.testApi === undefined)
      throw new NotFoundError('no such feature for this key');
    const permission = found.permission;
    if (!isFeatureVisible(permission.feature, permission.filters))
      throw new NotFoundError('no such feature for this key');

    const decision = decideTestUpdate(permission.feature, permission.roles, body);
    if (decision.outcome === 'reject')
      throw new AppError(decision.status, errorCodeForStatus(decision.status), decision.message);
    if (decision.outcome === 'unchanged') return reply.code(202).send();
    const result = await options.testApi.applyFeatureUpdate({
      environmentId: key.environmentId,
      apiKey: key.serviceKey,
      serviceAccountId: permission.serviceAccountId,
      organizationId: permission.organizationId,
      portfolioId: permission.portfolioId,
      applicationId: permission.applicationId,
      featureId: permission.feature.feature.id,
      featureKey,
      lock: decision.lock,
      updateValue: decision.updateValue,
      value: decision.value,
      request: body,
    });
    if (result.status >= 400) {
      throw new AppError(
        result.status,
        errorCodeForStatus(result.status),
        result.message ?? 'update refused',
      );
    }
    return reply.code(result.status).send();
  };
  const updateOptions = {
    onRequest: edgeHeaders,
    ...(settings.testApiBodyLimit === undefined ? {} : { bodyLimit: settings.testApiBodyLimit }),
  };
  app.put<{ Params: UpdateParams }>('/features/:sdkUrl/:featureKey', updateOptions, update);
  app.put<{ Params: UpdateParams }>('/features/:environmentId/:apiKey/:featureKey', updateOptions, update);
  app.put<{ Params: UpdateParams }>(
    '/features/:namedCache/:environmentId/:apiKey/:featureKey',
    updateOptions,
    update,
  );

  app.addHook('preClose', async () => {
    hub.closeAll();
  });

  return {
    get streamCount() {
      return hub.size + ofrep.streamCount;
    },
    closeStreams: () => {
      hub.closeAll();
      ofrep.closeStreams();
    },
  };
}

const noUpdates: FeatureUpdates = { subscribe: () => () => undefined };

function updateKey(params: UpdateParams): ApiKey | undefined {
  if (params.sdkUrl !== undefined) {
    // The OpenAPI form `{environmentId}+{serviceKey}`: `+` stands for `/`.
    const parts = params.sdkUrl.replaceAll('+', '/').split('/');
    if (parts.length !== 2) return undefined;
    return apiKeyFromParts(undefined, parts[0] ?? '', parts[1] ?? '');
  }
  return apiKeyFromParts(params.namedCache, params.environmentId ?? '', params.apiKey ?? '');
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
