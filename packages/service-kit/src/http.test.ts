import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BadRequestError } from './errors.ts';
import { HealthRegistry } from './health.ts';
import { createHttpServer } from './http.ts';
import { silentLogger } from './logger.ts';
import { Metrics } from './metrics.ts';

function server(ready: () => boolean) {
  const health = new HealthRegistry();
  health.register('database', ready);
  const app = createHttpServer({
    logger: silentLogger(),
    metrics: new Metrics(),
    health,
    version: { name: 'featurehub-test', version: '1.2.3' },
  });
  app.get('/bad', async () => {
    throw new BadRequestError('name must not be blank');
  });
  app.get('/boom', async () => {
    throw new Error('secret internals');
  });
  app.post('/echo', async (req) => req.body);
  return { app, health };
}

describe('createHttpServer', () => {
  it('answers liveness always and readiness only when every check passes', async () => {
    let ok = false;
    const { app } = server(() => ok);
    assert.equal((await app.inject({ url: '/health/liveness' })).statusCode, 200);
    const down = await app.inject({ url: '/health/readiness' });
    assert.equal(down.statusCode, 503);
    assert.deepEqual(down.json(), { status: 'DOWN', checks: { database: 'DOWN' } });
    ok = true;
    assert.equal((await app.inject({ url: '/health/readiness' })).statusCode, 200);
  });

  it('goes unready once shutdown starts', async () => {
    const { app, health } = server(() => true);
    health.markShuttingDown();
    assert.equal((await app.inject({ url: '/health/readiness' })).statusCode, 503);
  });

  it('serves the version and Prometheus metrics with the request histogram', async () => {
    const { app } = server(() => true);
    assert.deepEqual((await app.inject({ url: '/info/version' })).json(), {
      name: 'featurehub-test',
      version: '1.2.3',
    });
    await app.inject({ url: '/info/version' });
    const metrics = await app.inject({ url: '/metrics' });
    assert.equal(metrics.statusCode, 200);
    assert.match(metrics.headers['content-type'] as string, /text\/plain/);
    assert.match(metrics.body, /http_request_duration_seconds_bucket\{.*route="\/info\/version"/);
    assert.match(metrics.body, /process_cpu_user_seconds_total/);
  });

  it('maps application errors to their status with a message, and hides unexpected ones behind a 500', async () => {
    const { app } = server(() => true);
    const bad = await app.inject({ url: '/bad' });
    assert.equal(bad.statusCode, 400);
    assert.deepEqual(bad.json(), { code: 'bad_request', message: 'name must not be blank' });
    const boom = await app.inject({ url: '/boom' });
    assert.equal(boom.statusCode, 500);
    assert.doesNotMatch(boom.body, /secret internals/);
  });

  it('rejects malformed JSON and oversized bodies with a 4xx', async () => {
    const { app } = server(() => true);
    const malformed = await app.inject({
      method: 'POST',
      url: '/echo',
      headers: { 'content-type': 'application/json' },
      payload: '{"a":',
    });
    assert.equal(malformed.statusCode, 400);
    const huge = await app.inject({
      method: 'POST',
      url: '/echo',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ a: 'x'.repeat(2 * 1024 * 1024) }),
    });
    assert.equal(huge.statusCode, 413);
    assert.equal(huge.json().code, 'body_too_large');
  });

  it('answers unknown routes with a JSON 404', async () => {
    const { app } = server(() => true);
    const r = await app.inject({ url: '/nope?x=1' });
    assert.equal(r.statusCode, 404);
    assert.equal(r.json().message, 'No route for GET /nope');
  });
});
