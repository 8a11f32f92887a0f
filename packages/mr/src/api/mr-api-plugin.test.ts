import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FeatureValue, Portfolio } from '@fh/contracts/admin-api';
import { createHttpServer, HealthRegistry, Metrics, silentLogger, UnauthorizedError } from '@fh/service-kit';
import type { FastifyInstance } from 'fastify';
import { type Authenticate, registerMrApi, route } from './mr-api-plugin.ts';

const PORTFOLIO_ID = '8a5f4a3e-2c1b-4d6e-9f70-1a2b3c4d5e6f';

async function server(authenticate?: Authenticate): Promise<FastifyInstance> {
  const app = createHttpServer({
    logger: silentLogger(),
    metrics: new Metrics(),
    health: new HealthRegistry(),
    version: { name: 'featurehub-mr', version: 'test' },
  });
  await registerMrApi(app, authenticate ? { authenticate } : {});
  return app;
}

function portfolio(name: string, description: string | null | undefined): Portfolio {
  return { id: PORTFOLIO_ID, name, description, version: 1 };
}

async function postPortfolio(app: FastifyInstance, payload: unknown) {
  return app.inject({ method: 'POST', url: '/mr-api/portfolio', payload: payload as object });
}

describe('request validation', () => {
  async function portfolioServer() {
    const app = await server();
    route(app, 'createPortfolio', async (request) => portfolio(request.body.name, request.body.description));
    return app;
  }

  it('accepts a valid body, including fields upstream clients send that the schema does not list', async () => {
    const app = await portfolioServer();
    const res = await postPortfolio(app, {
      name: 'Fleet',
      description: null,
      whenArchived: null,
      extra: [1],
    });
    assert.equal(res.statusCode, 200);
    // The answer also carries Portfolio's schema defaults (empty groups and applications).
    assert.deepEqual(res.json(), {
      id: PORTFOLIO_ID,
      name: 'Fleet',
      description: null,
      version: 1,
      groups: [],
      applications: [],
    });
  });

  it('refuses a field of the wrong type with 400 naming the field, without coercing it', async () => {
    const app = await portfolioServer();
    const res = await postPortfolio(app, { name: 123, description: 'd' });
    assert.equal(res.statusCode, 400);
    assert.deepEqual(res.json(), { code: 'bad_request', message: 'body/name must be string' });
  });

  it('names a missing required field', async () => {
    const app = await portfolioServer();
    const res = await postPortfolio(app, { description: 'no name' });
    assert.equal(res.statusCode, 400);
    assert.equal(res.json().message, 'body/name is required');
  });

  it('says a nullable field must be its type or null, once, without the anyOf noise', async () => {
    const app = await portfolioServer();
    const res = await postPortfolio(app, { name: 'Fleet', description: 5 });
    assert.equal(res.json().message, 'body/description must be string or null');
  });

  it('enforces the upstream length limits', async () => {
    const app = await portfolioServer();
    const res = await postPortfolio(app, { name: 'x'.repeat(201), description: null });
    assert.equal(res.statusCode, 400);
    assert.equal(res.json().message, 'body/name must NOT have more than 200 characters');
  });

  it('reports every problem of a body at once', async () => {
    const app = await portfolioServer();
    const res = await postPortfolio(app, { name: '', description: 7 });
    assert.equal(
      res.json().message,
      'body/name must NOT have fewer than 1 characters; body/description must be string or null',
    );
  });

  it('refuses a missing body as a 400, not a 500', async () => {
    const app = await portfolioServer();
    const res = await app.inject({ method: 'POST', url: '/mr-api/portfolio' });
    assert.equal(res.statusCode, 400);
    assert.equal(res.json().code, 'bad_request');
  });

  it('refuses an int64 that JavaScript cannot hold exactly (a version of 1e300) with 400', async () => {
    const app = await server();
    route(app, 'updatePortfolioOnOrganisation', async (request) =>
      portfolio(request.body.name, request.body.description),
    );
    const put = (version: number) =>
      app.inject({
        method: 'PUT',
        url: '/mr-api/portfolio',
        payload: { id: PORTFOLIO_ID, name: 'Fleet', version },
      });
    assert.equal((await put(2 ** 53 - 1)).statusCode, 200);
    for (const version of [1e300, 2 ** 53 + 2]) {
      const res = await put(version);
      assert.equal(res.statusCode, 400, String(version));
      assert.match(res.json().message, /body\/version must be a valid int64/);
    }
  });

  it('follows references into nested shapes and lists the allowed values of an enum', async () => {
    const app = await server();
    route(app, 'updateFeatureForEnvironment', async (request) => request.body);
    const value: Record<string, unknown> = {
      key: 'flag',
      locked: false,
      rolloutStrategies: [
        {
          name: 'beta',
          attributes: [{ conditional: 'SORT_OF', fieldName: 'country', type: 'STRING', values: [] }],
        },
      ],
    };
    const res = await app.inject({
      method: 'PUT',
      url: `/mr-api/features/${PORTFOLIO_ID}/feature/flag`,
      payload: value,
    });
    assert.equal(res.statusCode, 400);
    assert.match(
      res.json().message,
      /^body\/rolloutStrategies\/0\/attributes\/0\/conditional must be one of: EQUALS, ENDS_WITH, .*REGEX$/,
    );
  });

  it('does not turn "true" into a boolean in a body', async () => {
    const app = await server();
    route(app, 'updateFeatureForEnvironment', async (request) => request.body);
    const res = await app.inject({
      method: 'PUT',
      url: `/mr-api/features/${PORTFOLIO_ID}/feature/flag`,
      payload: { key: 'flag', locked: 'true' },
    });
    assert.equal(res.json().message, 'body/locked must be boolean');
  });

  it('validates array bodies item by item', async () => {
    const app = await server();
    route(app, 'updateAllFeaturesForEnvironment', async (request) => request.body);
    const values: FeatureValue[] = [{ key: 'a', locked: true }];
    const ok = await app.inject({ method: 'PUT', url: `/mr-api/features/${PORTFOLIO_ID}`, payload: values });
    assert.equal(ok.statusCode, 200);
    assert.deepEqual(ok.json(), [
      {
        ...values[0],
        // FeatureValue's schema defaults, filled into the answer
        retired: false,
        rolloutStrategyInstances: [],
        rolloutStrategies: [],
        sharedRolloutStrategies: [],
        featureGroupStrategies: [],
        version: 0,
      },
    ]);
    const bad = await app.inject({
      method: 'PUT',
      url: `/mr-api/features/${PORTFOLIO_ID}`,
      payload: [{ key: 'a', locked: true }, { locked: true }],
    });
    assert.equal(bad.json().message, 'body/1/key is required');
    const notArray = await app.inject({
      method: 'PUT',
      url: `/mr-api/features/${PORTFOLIO_ID}`,
      payload: {},
    });
    assert.equal(notArray.json().message, 'body must be array');
  });

  it('refuses a path id that is not a uuid where upstream declares one', async () => {
    const app = await server();
    route(app, 'getPortfolio', async (request) => portfolio(request.params.id, null));
    const res = await app.inject({ url: '/mr-api/portfolio/not-a-uuid' });
    assert.equal(res.statusCode, 400);
    assert.equal(res.json().message, 'params/id must be a valid uuid');
    assert.equal((await app.inject({ url: `/mr-api/portfolio/${PORTFOLIO_ID}` })).statusCode, 200);
  });

  it('accepts "self" where upstream allows it instead of a uuid', async () => {
    const app = await server();
    route(app, 'getPerson', async (request) => ({ name: request.params.id }));
    const res = await app.inject({ url: '/mr-api/person/self' });
    assert.deepEqual(res.json(), { name: 'self', groups: [], additional: [] });
  });
});

describe('query parameters', () => {
  it('are coerced to their declared types, with repeated parameters as arrays', async () => {
    const app = await server();
    let seen: unknown;
    route(app, 'findPeople', async (request) => {
      seen = { ...request.query };
      return { max: 0 };
    });
    const res = await app.inject({
      url: '/mr-api/person?personTypes=person&personTypes=serviceAccount&startAt=5&includeGroups=true&filter=ann',
    });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(seen, {
      personTypes: ['person', 'serviceAccount'],
      startAt: 5,
      includeGroups: true,
      filter: 'ann',
    });
    await app.inject({ url: '/mr-api/person?personTypes=person' });
    assert.deepEqual(seen, { personTypes: ['person'] });
  });

  it('get their upstream defaults', async () => {
    const app = await server();
    let returnAll: boolean | undefined;
    route(app, 'updateFeatureForApplicationOnFeature', async (request) => {
      returnAll = request.query.returnAllFeatures;
      return [];
    });
    await app.inject({
      method: 'PUT',
      url: `/mr-api/application/${PORTFOLIO_ID}/features`,
      payload: { name: 'Feature' },
    });
    assert.equal(returnAll, true);
  });

  it('refuses a value outside the enum, naming the parameter', async () => {
    const app = await server();
    route(app, 'findPortfolios', async () => []);
    const res = await app.inject({ url: '/mr-api/portfolio?order=sideways' });
    assert.equal(res.statusCode, 400);
    assert.deepEqual(res.json(), {
      code: 'bad_request',
      message: 'querystring/order must be one of: ASC, DESC',
    });
  });
});

describe('route()', () => {
  it('answers with the operation success status when it is not 200', async () => {
    const app = await server();
    route(app, 'createApplicationStrategy', async (request) => ({
      id: PORTFOLIO_ID,
      name: request.body.name,
    }));
    route(app, 'updatePersonV2', async () => undefined);
    const created = await app.inject({
      method: 'POST',
      url: `/mr-api/application/${PORTFOLIO_ID}/strategy`,
      payload: { name: 'beta' },
    });
    assert.equal(created.statusCode, 201);
    const updated = await app.inject({
      method: 'PUT',
      url: `/mr-api/person/${PORTFOLIO_ID}/v2`,
      payload: { version: 1 },
    });
    assert.equal(updated.statusCode, 204);
    assert.equal(updated.body, '');
  });

  it('fills the schema defaults into answers, in nested references too, and keeps what is set', async () => {
    const app = await server();
    route(app, 'getGroup', async () => ({ id: PORTFOLIO_ID, name: 'Devs', members: [{ name: 'Ann' }] }));
    route(app, 'getFeatureForEnvironment', async () => ({
      key: 'flag',
      locked: false,
      rolloutStrategies: [
        {
          name: 'nz',
          attributes: [{ conditional: 'EQUALS' as const, fieldName: 'country', type: 'STRING' as const }],
        },
      ],
      sharedRolloutStrategies: null,
    }));
    const group = (await app.inject({ url: `/mr-api/group/${PORTFOLIO_ID}` })).json();
    // Upstream's clients push into these lists whether or not the include flags were sent.
    assert.deepEqual(group.applicationRoles, []);
    assert.deepEqual(group.environmentRoles, []);
    assert.deepEqual(group.members, [{ name: 'Ann', groups: [], additional: [] }]);
    const value = (await app.inject({ url: `/mr-api/features/${PORTFOLIO_ID}/feature/flag` })).json();
    assert.equal(value.retired, false);
    assert.deepEqual(value.rolloutStrategyInstances, []);
    assert.equal(value.sharedRolloutStrategies, null, 'an explicit null stays');
    const [strategy] = value.rolloutStrategies;
    assert.deepEqual(strategy.percentageAttributes, []);
    assert.deepEqual(strategy.attributes[0].values, [], 'defaults reach inside nested references');
  });

  it('ignores the content type of an empty body where the operation takes none, and refuses one it cannot read', async () => {
    const app = await server();
    route(app, 'addPersonToGroup', async () => ({ id: PORTFOLIO_ID, name: 'Devs' }));
    route(app, 'createPortfolio', async (request) => portfolio(request.body.name, null));
    const url = `/mr-api/group/${PORTFOLIO_ID}/person/${PORTFOLIO_ID}`;
    // What axios 1.x sends for post(url) with no data.
    for (const contentType of ['application/x-www-form-urlencoded', 'application/json', 'text/plain']) {
      const res = await app.inject({ method: 'POST', url, headers: { 'content-type': contentType } });
      assert.equal(res.statusCode, 200, `${contentType}: ${res.body}`);
      assert.equal(res.json().name, 'Devs');
    }
    const refused = await app.inject({
      method: 'POST',
      url: '/mr-api/portfolio',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'name=Fleet',
    });
    assert.equal(refused.statusCode, 415);
    assert.equal(refused.json().code, 'unsupported_media_type');
    assert.match(refused.json().message, /application\/json/);
    const empty = await app.inject({
      method: 'POST',
      url: '/mr-api/portfolio',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    assert.equal(
      empty.statusCode,
      415,
      'an operation with a body still reads the content type of an empty one',
    );
  });

  it('writes boolean results as JSON', async () => {
    const app = await server();
    route(app, 'deletePortfolio', async () => false);
    const res = await app.inject({ method: 'DELETE', url: `/mr-api/portfolio/${PORTFOLIO_ID}` });
    assert.equal(res.statusCode, 200);
    assert.equal(res.body, 'false');
  });

  it('authenticates operations that need a token before looking at the body, and only those', async () => {
    const seen: string[] = [];
    const app = await server(async (request, _reply, operation) => {
      seen.push(operation.operationId);
      if (request.headers.authorization !== 'Bearer good') throw new UnauthorizedError();
    });
    route(app, 'createPortfolio', async (request) => portfolio(request.body.name, null));
    route(app, 'login', async () => ({ accessToken: 'token' }));

    const refused = await postPortfolio(app, { name: 5 });
    assert.equal(refused.statusCode, 401);
    const invalid = await app.inject({
      method: 'POST',
      url: '/mr-api/portfolio',
      headers: { authorization: 'Bearer good' },
      payload: { name: 5 },
    });
    assert.equal(invalid.statusCode, 400);
    const login = await app.inject({
      method: 'POST',
      url: '/mr-api/login',
      payload: { email: 'ann@example.com', password: 'secret' },
    });
    assert.equal(login.statusCode, 200);
    assert.deepEqual(seen, ['createPortfolio', 'createPortfolio']);
  });

  it('refuses to run before registerMrApi and for operations another package serves', async () => {
    const bare = createHttpServer({
      logger: silentLogger(),
      metrics: new Metrics(),
      health: new HealthRegistry(),
      version: { name: 'x', version: '1' },
    });
    assert.throws(() => route(bare, 'login', async () => ({})), /registerMrApi\(\) must run before/);
    const app = await server();
    assert.throws(
      () => route(app, 'getInfoVersion', async () => ({ name: 'x', version: '1' })),
      /only documented/,
    );
  });
});

describe('API documentation', () => {
  it('serves the OpenAPI document with every component under its upstream name', async () => {
    const app = await server();
    route(app, 'createPortfolio', async (request) => portfolio(request.body.name, null));
    const res = await app.inject({ url: '/mr-api/openapi.json' });
    assert.equal(res.statusCode, 200);
    const doc = res.json();
    assert.equal(doc.openapi, '3.0.3');
    assert.equal(doc.info.version, '1.2.5');
    assert.equal(Object.keys(doc.components.schemas).length, 128); // 115 of mr-api 1.2.5, 13 of API 1.2.6
    assert.deepEqual(doc.components.securitySchemes.bearerAuth, {
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'JWT',
    });
    const create = doc.paths['/mr-api/portfolio'].post;
    assert.equal(create.operationId, 'createPortfolio');
    assert.deepEqual(create.requestBody.content['application/json'].schema, {
      $ref: '#/components/schemas/CreatePortfolio',
    });
    assert.deepEqual(create.security, [{ bearerAuth: [] }]);
    assert.deepEqual(doc.components.schemas.Audit.properties.createdBy, {
      nullable: true,
      allOf: [{ $ref: '#/components/schemas/Person' }],
    });
    assert.equal(doc.paths['/info/version'].get.operationId, 'getInfoVersion');
    assert.equal(doc.paths['/mr-api/openapi.json'], undefined);
  });

  it('serves Swagger UI at /api-docs from bundled assets only', async () => {
    const app = await server();
    const page = await app.inject({ url: '/api-docs' });
    assert.equal(page.statusCode, 200);
    assert.match(page.headers['content-type'] as string, /text\/html/);
    const references = [...page.body.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1] ?? '');
    assert.ok(references.length >= 4);
    for (const reference of references) {
      assert.doesNotMatch(reference, /^[a-z]+:\/\//i, `${reference} must be served locally`);
      assert.equal((await app.inject({ url: reference })).statusCode, 200, reference);
    }
    const initializer = await app.inject({ url: '/api-docs/static/swagger-initializer.js' });
    assert.match(initializer.body, /validatorUrl: null/);
    const code = initializer.body
      .split('\n')
      .filter((line) => !line.trim().startsWith('//'))
      .join('\n');
    assert.doesNotMatch(code, /https?:\/\//);
    const css = await app.inject({ url: '/api-docs/static/swagger-ui.css' });
    assert.doesNotMatch(css.body, /url\(["']?https?:/);
    assert.equal((await app.inject({ url: '/api-docs/json' })).statusCode, 200);
  });
});
