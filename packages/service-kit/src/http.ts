import Fastify, { type FastifyError, type FastifyInstance, LogController } from 'fastify';
import { AppError, errorCodeForStatus } from './errors.ts';
import type { HealthRegistry } from './health.ts';
import type { Logger } from './logger.ts';
import type { Metrics } from './metrics.ts';

export interface HttpServerOptions {
  logger: Logger;
  metrics: Metrics;
  health: HealthRegistry;
  version: { name: string; version: string };
  /** Largest accepted request body in bytes. */
  bodyLimit?: number;
  /** When false, `GET /` is left for the caller (MR serves the admin UI there). */
  rootRoute?: boolean;
}

/**
 * A Fastify server with what every role serves: health, metrics, version, a request-duration
 * histogram and the one error mapper (AppError → its status; anything unexpected → 500, logged).
 */
export function createHttpServer(options: HttpServerOptions): FastifyInstance {
  const { logger, metrics, health } = options;
  const app = Fastify({
    loggerInstance: logger as never,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
    forceCloseConnections: 'idle',
    return503OnClosing: true,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 500 },
  }) as unknown as FastifyInstance;

  // These hooks run on every request: callback hooks (no promise each), a float clock (no BigInt) and
  // one histogram child per route/method/status (no label object or status string per request).
  const children = new Map<string, Map<string, Map<number, { observe(seconds: number): void }>>>();
  const child = (route: string, method: string, status: number) => {
    let byMethod = children.get(route);
    if (byMethod === undefined) {
      byMethod = new Map();
      children.set(route, byMethod);
    }
    let byStatus = byMethod.get(method);
    if (byStatus === undefined) {
      byStatus = new Map();
      byMethod.set(method, byStatus);
    }
    let found = byStatus.get(status);
    if (found === undefined) {
      found = metrics.httpDuration.labels({ method, route, status_code: String(status) });
      byStatus.set(status, found);
    }
    return found;
  };
  app.decorateRequest('fhStart', null);
  app.addHook('onRequest', (request, _reply, done) => {
    (request as unknown as { fhStart: number | null }).fhStart = performance.now();
    done();
  });
  app.addHook('onResponse', (request, reply, done) => {
    const start = (request as unknown as { fhStart: number | null }).fhStart;
    if (start !== null) {
      child(request.routeOptions.url ?? 'unmatched', request.method, reply.statusCode).observe(
        (performance.now() - start) / 1000,
      );
    }
    done();
  });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const mapped = mapError(error);
    if (mapped.status >= 500) {
      request.log.error({ err: error, url: request.url, method: request.method }, 'request failed');
    }
    if (reply.sent || reply.raw.headersSent) return;
    void reply.status(mapped.status).send(mapped.body);
  });
  app.setNotFoundHandler((request, reply) => {
    void reply.status(404).send({
      code: errorCodeForStatus(404),
      message: `No route for ${request.method} ${request.url.split('?')[0]}`,
    });
  });

  app.get('/health/liveness', async () => ({ status: 'UP' }));
  const readiness = async (_req: unknown, reply: { status(code: number): unknown }) => {
    const report = await health.report();
    reply.status(report.status === 'UP' ? 200 : 503);
    return report;
  };
  app.get('/health/readiness', readiness);
  app.get('/health/readyness', readiness);
  app.get('/metrics', async (_req, reply) => {
    void reply.header('content-type', metrics.contentType);
    return metrics.render();
  });
  app.get('/info/version', async () => options.version);
  if (options.rootRoute !== false) app.get('/', async () => ({ status: 'UP' }));
  return app;
}

export interface ErrorBody {
  code: string;
  message: string;
  details?: unknown;
}

/**
 * Turns any thrown value into a status and a JSON body with a message a person can act on (docs/errors.md):
 * - an AppError answers its own status, code, message (and `details`, when it has them);
 * - a failed schema validation is a 400 `bad_request` with the validator's message (`body/name must be string`);
 * - a body that is not JSON is a 415 `unsupported_media_type`;
 * - Fastify's other 4xx errors (malformed JSON, an empty JSON body, a wrong Content-Length, a body over the
 *   limit) keep their status, with the code for it (`bad_request`, `body_too_large`, …);
 * - anything else is a 500 `internal` that says nothing about the cause (the error handler logs it).
 */
export function mapError(error: unknown): { status: number; body: ErrorBody } {
  if (error instanceof AppError) {
    return {
      status: error.status,
      body: {
        code: error.code,
        message: error.message,
        ...(error.details === undefined ? {} : { details: error.details }),
      },
    };
  }
  const fe = error as Partial<FastifyError> & { validation?: unknown };
  if (fe && fe.validation !== undefined) {
    return { status: 400, body: { code: errorCodeForStatus(400), message: fe.message ?? 'invalid request' } };
  }
  if (fe?.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
    return {
      status: 415,
      body: { code: errorCodeForStatus(415), message: `${fe.message}: send the body as application/json` },
    };
  }
  if (fe && typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    return {
      status: fe.statusCode,
      body: { code: errorCodeForStatus(fe.statusCode), message: fe.message ?? 'bad request' },
    };
  }
  return { status: 500, body: { code: errorCodeForStatus(500), message: 'Internal server error' } };
}
