import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import {
  allOperations,
  type MrOperations,
  type MrSchemaContext,
  mrSchemas,
  type OperationId,
  type OperationSpec,
  operation,
} from '@fh/contracts/admin-api';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import type {
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  FastifySchema,
  RouteShorthandOptions,
} from 'fastify';
import type { Static, TSchema } from 'typebox';
import { rejectNulCharacters } from './reject-nul-characters.ts';
import { fillResponseDefaults } from './response-defaults.ts';
import { formatValidationErrors } from './validation-errors.ts';

/** The version of the upstream admin API contract we serve. */
export const MR_API_VERSION = '1.2.5';
export const OPENAPI_DOCUMENT_PATH = '/mr-api/openapi.json';
export const API_DOCS_PREFIX = '/api-docs';

export type OperationWithId = OperationSpec & { operationId: OperationId };

/**
 * Checks the bearer token of an operation that needs one, before the body is read; throw an AppError
 * (e.g. UnauthorizedError) to refuse. The operation tells it about `allowedDuringPasswordReset`.
 */
export type Authenticate = (
  request: FastifyRequest,
  reply: FastifyReply,
  operation: OperationWithId,
) => Promise<void>;

export interface MrApiOptions {
  /**
   * Runs as the onRequest hook of every operation with `auth: true`. Without it those operations are
   * open, which only tests and document generation want; the MR composition root always passes one.
   */
  authenticate?: Authenticate;
}

// ---- the types a controller sees for one operation ----

type Spec<Id extends OperationId> = MrOperations[Id];
type StaticOf<T> = T extends TSchema ? Static<T, MrSchemaContext> : never;

export type OperationParams<Id extends OperationId> =
  Spec<Id> extends { params: infer P } ? StaticOf<P> : object;
export type OperationQuery<Id extends OperationId> =
  Spec<Id> extends { query: infer Q } ? StaticOf<Q> : object;
export type OperationBody<Id extends OperationId> =
  Spec<Id> extends { body: infer B } ? StaticOf<B> : undefined;
/** What the handler returns: the body of one of the operation's success responses. */
export type OperationResult<Id extends OperationId> = {
  [S in keyof Spec<Id>['responses']]: Spec<Id>['responses'][S] extends TSchema
    ? Static<Spec<Id>['responses'][S], MrSchemaContext>
    : undefined;
}[keyof Spec<Id>['responses']];

export type OperationRequest<Id extends OperationId> = FastifyRequest<{
  Params: OperationParams<Id>;
  Querystring: OperationQuery<Id>;
  Body: OperationBody<Id>;
}>;

/**
 * Handles one operation. Return the response body (or nothing for 204 operations); the status is the
 * operation's success status unless the handler sets another or sends the reply itself.
 */
export type OperationHandler<Id extends OperationId> = (
  request: OperationRequest<Id>,
  reply: FastifyReply,
) => Promise<OperationResult<Id> | FastifyReply>;

/** Route options a controller may add (hooks, config); method, url and schema come from the table. */
export type RouteExtras = Pick<
  RouteShorthandOptions,
  'preHandler' | 'preValidation' | 'config' | 'bodyLimit'
>;

const kMrApi = Symbol.for('fh.mr-api');

interface MrApiState {
  authenticate?: Authenticate;
}

/**
 * Sets a Fastify instance up to serve the admin API: registers every component schema, validates
 * bodies strictly (no type coercion) and query/path parameters with coercion, formats validation
 * errors as `body/name must be string` (service-kit maps them to 400 `{code: 'bad_request'}`), and serves
 * the OpenAPI document at `/mr-api/openapi.json` and Swagger UI at `/api-docs`.
 *
 * Await it before registering operations with `route()`, so the document generator sees them.
 */
export async function registerMrApi(app: FastifyInstance, options: MrApiOptions = {}): Promise<void> {
  const schemas = Object.values(mrSchemas) as TSchema[];
  for (const schema of schemas) app.addSchema(schema);

  const bodyAjv = createAjv({ coerce: false });
  const parameterAjv = createAjv({ coerce: true });
  app.setValidatorCompiler(({ schema, httpPart }) =>
    (httpPart === 'body' ? bodyAjv : parameterAjv).compile(schema as object),
  );
  // Response schemas document the contract; bodies are written as they are (no silent stripping or
  // coercion by fast-json-stringify). Tests check responses against the document instead.
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  app.setSchemaErrorFormatter(formatValidationErrors);

  const state: MrApiState = options.authenticate ? { authenticate: options.authenticate } : {};
  app.decorate(kMrApi, state);

  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'ManagementResourceApi',
        description: 'The FeatureHub Management Repository admin API',
        version: MR_API_VERSION,
      },
      servers: [{ url: '/' }],
      components: {
        securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      },
    },
    // Name components after the schemas' $id (the upstream names) instead of def-0, def-1, ...
    refResolver: {
      buildLocalReference: (json, _baseUri, _fragment, i) =>
        typeof json.$id === 'string' ? json.$id : `def-${i}`,
    },
    transformObject: (document) =>
      'openapiObject' in document
        ? nullableReferencesAsAllOf(addOperationsServedElsewhere(document.openapiObject as OpenApiObject))
        : document.swaggerObject,
  });
  await app.register(swaggerUi, { routePrefix: API_DOCS_PREFIX, validatorUrl: false, staticCSP: false });
  app.get(OPENAPI_DOCUMENT_PATH, { schema: { hide: true } }, async () => app.swagger());
}

/**
 * Registers one operation of the table: method, path, validation schemas, document entry and (when
 * the operation needs a token) the authentication hook all come from its operationId.
 *
 *   route(app, 'createPortfolio', async (request) => service.create(request.body));
 */
export function route<Id extends OperationId>(
  app: FastifyInstance,
  operationId: Id,
  handler: OperationHandler<Id>,
  extras: RouteExtras = {},
): void {
  const state = (app as unknown as Record<symbol, MrApiState | undefined>)[kMrApi];
  if (!state) throw new Error(`registerMrApi() must run before route(app, '${operationId}', ...)`);
  const spec = operation(operationId) as unknown as OperationWithId;
  if (spec.servedElsewhere)
    throw new Error(`${operationId} is served by another package; it is only documented`);

  const successStatus = successStatusOf(spec);
  const fillDefaults = responseDefaultsFiller(spec, successStatus);
  const authenticate = state.authenticate;
  const onRequest =
    spec.auth && authenticate
      ? async (request: FastifyRequest, reply: FastifyReply) => authenticate(request, reply, spec)
      : undefined;

  app.route({
    ...extras,
    method: spec.method,
    url: spec.path,
    schema: fastifySchemaOf(spec),
    preValidation: rejectNulCharacters,
    ...(onRequest ? { onRequest } : {}),
    ...(spec.body ? {} : { preParsing: ignoreContentTypeOfEmptyBody }),
    handler: async (request, reply) => {
      const result = await handler(request as unknown as OperationRequest<Id>, reply);
      if (reply.sent || result === reply) return reply;
      if (reply.statusCode === 200 && successStatus !== 200) void reply.code(successStatus);
      if (result === undefined) return reply.send();
      fillDefaults?.(result);
      return reply.send(result);
    },
  });
}

/**
 * For operations without a request body: an empty body's Content-Type means nothing, so drop it before Fastify
 * picks a parser. axios 1.x (upstream's generated clients) sends `application/x-www-form-urlencoded` on every
 * body-less POST, which would otherwise answer 415; `application/json` with nothing in it would answer 400.
 * Operations with a body keep refusing a content type they cannot read.
 */
async function ignoreContentTypeOfEmptyBody(request: FastifyRequest): Promise<void> {
  const headers = request.headers;
  if (headers['content-type'] === undefined || headers['transfer-encoding'] !== undefined) return;
  const length = headers['content-length'];
  if (length === undefined || length === '0') delete headers['content-type'];
}

/** Fills an operation's success answer with its schema defaults (see `fillResponseDefaults`). */
function responseDefaultsFiller(spec: OperationSpec, status: number): ((body: unknown) => void) | undefined {
  const schema = (spec.responses as Record<number, TSchema | undefined>)[status];
  if (!schema) return undefined;
  return (body) => fillResponseDefaults(schema, body);
}

function successStatusOf(spec: OperationSpec): number {
  const statuses = Object.keys(spec.responses).map(Number);
  return statuses.find((s) => s >= 200 && s < 300) ?? 200;
}

function fastifySchemaOf(spec: OperationWithId): FastifySchema {
  const response: Record<string, unknown> = {};
  for (const [status, body] of Object.entries(spec.responses)) {
    response[status] = body ?? { type: 'null', description: 'No Content' };
  }
  // Upstream lists no success response for an operation that always refuses (deleteFeatureForEnvironment).
  if (Object.keys(response).length === 0) response['400'] = { type: 'null', description: 'Not supported' };
  return {
    operationId: spec.operationId,
    tags: spec.tags,
    ...(spec.summary ? { summary: spec.summary } : {}),
    ...(spec.deprecated ? { deprecated: true } : {}),
    ...(spec.auth ? { security: [{ bearerAuth: [] }] } : {}),
    ...(spec.params ? { params: spec.params } : {}),
    ...(spec.query ? { querystring: spec.query } : {}),
    ...(spec.body ? { body: spec.body } : {}),
    response,
  };
}

function createAjv({ coerce }: { coerce: boolean }): Ajv {
  const ajv = new Ajv({
    allErrors: true,
    coerceTypes: coerce ? 'array' : false,
    useDefaults: coerce,
    removeAdditional: false,
    allowUnionTypes: true,
    strict: true,
  });
  addFormats(ajv, { mode: 'fast' });
  // Upstream never checks addresses beyond "something@something"; neither do we, so that addresses it
  // accepts (e.g. user@localhost) are not refused here.
  ajv.addFormat('email', /^[^\s@]+@[^\s@]+$/);
  // ajv-formats takes any integer as an int64, 1e300 included, which PostgreSQL then refuses (a 500).
  // Versions and other int64 values must be integers JavaScript holds exactly.
  ajv.addFormat('int64', { type: 'number', validate: (value: number) => Number.isSafeInteger(value) });
  for (const schema of Object.values(mrSchemas) as TSchema[]) ajv.addSchema(schema);
  return ajv;
}

// ---- document entries for operations served by other packages ----

interface OpenApiObject {
  paths?: Record<string, Record<string, unknown>>;
  [key: string]: unknown;
}

function addOperationsServedElsewhere(document: OpenApiObject): OpenApiObject {
  const paths = { ...(document.paths ?? {}) };
  for (const spec of allOperations().filter((o) => o.servedElsewhere)) {
    const responses: Record<string, unknown> = {};
    for (const [status, body] of Object.entries(spec.responses)) {
      responses[status] = body
        ? { description: 'Success', content: { 'application/json': { schema: toOpenApiSchema(body) } } }
        : { description: 'No Content' };
    }
    paths[spec.path] = {
      ...(paths[spec.path] ?? {}),
      [spec.method.toLowerCase()]: {
        operationId: spec.operationId,
        tags: [...spec.tags],
        ...(spec.auth ? { security: [{ bearerAuth: [] }] } : {}),
        responses,
      },
    };
  }
  return { ...document, paths };
}

/**
 * The generator writes a nullable reference as `anyOf: [{$ref}, {nullable null-only schema}]`, which
 * client generators handle poorly; upstream writes `nullable: true, allOf: [{$ref}]`. Use its form.
 */
function nullableReferencesAsAllOf<T>(node: T): T {
  if (Array.isArray(node)) return node.map(nullableReferencesAsAllOf) as T;
  if (node === null || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) out[key] = nullableReferencesAsAllOf(value);
  const members = out['anyOf'];
  if (Array.isArray(members) && members.length === 2) {
    const [first, second] = members as Array<Record<string, unknown>>;
    if (first && typeof first['$ref'] === 'string' && Object.keys(first).length === 1 && isNullOnly(second)) {
      delete out['anyOf'];
      return { ...out, nullable: true, allOf: [first] } as T;
    }
  }
  return out as T;
}

function isNullOnly(schema: Record<string, unknown> | undefined): boolean {
  if (!schema) return false;
  if (schema['type'] === 'null') return true;
  const values = schema['enum'];
  return schema['nullable'] === true && Array.isArray(values) && values.length === 1 && values[0] === null;
}

/** Our schemas refer to components by bare name; the document refers to them by JSON pointer. */
function toOpenApiSchema(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(toOpenApiSchema);
  if (schema === null || typeof schema !== 'object') return schema;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    out[key] =
      key === '$ref' && typeof value === 'string' ? `#/components/schemas/${value}` : toOpenApiSchema(value);
  }
  return out;
}
