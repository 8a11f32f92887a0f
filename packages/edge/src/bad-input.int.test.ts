import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import {
  CLIENT_KEY,
  clientApiKey,
  type EdgeFixture,
  type EdgeFixtureOptions,
  ENV_ID,
  OTHER_ENV_ID,
  READ_ONLY_SERVER_KEY,
  SERVER_KEY,
  serverApiKey,
  startEdge,
  UNKNOWN_SERVER_KEY,
} from './test-support/edge-fixture.ts';
import { eventNames, openSse } from './test-support/sse-client.ts';

// Raw HTTP: bad input gets its documented 4xx (never a 5xx) and never disturbs other clients;
// ETag/304 and Cache-Control behaviour; a cache that is not ready.

let edge: EdgeFixture | undefined;
async function start(options: EdgeFixtureOptions = {}): Promise<EdgeFixture> {
  edge = await startEdge(options);
  return edge;
}
afterEach(async () => {
  await edge?.close();
  edge = undefined;
});

const enc = encodeURIComponent;

async function put(url: string, path: string, body: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${url}${path}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
  await res.text();
  return res.status;
}

describe('bad input to Edge', () => {
  it('polling: no key 400, only malformed or unknown keys 404, too many keys 400, garbage context 200', async () => {
    const { url } = await start();
    const status = async (query: string, headers: Record<string, string> = {}) =>
      (await fetch(`${url}/features?${query}`, { headers })).status;
    assert.equal(await status('contextSha=0'), 400);
    assert.equal(await status('apiKey='), 404);
    assert.equal(await status(`apiKey=${enc('not-a-uuid/key')}&apiKey=${enc('a/b/c/d')}`), 404);
    assert.equal(await status(`apiKey=${enc(`${ENV_ID}/${UNKNOWN_SERVER_KEY}`)}`), 404);
    assert.equal(await status(`apiKey=${enc(`other/${ENV_ID}/${SERVER_KEY}`)}`), 404);
    assert.equal(await status(`apiKey=${enc(`${OTHER_ENV_ID}/nope`)}`), 404);
    const many = Array.from({ length: 51 }, (_, i) => `apiKey=${enc(`${ENV_ID}/k${i}`)}`).join('&');
    assert.equal(await status(many), 400);
    assert.equal(
      await status(`apiKey=${enc(serverApiKey())}`, { 'x-featurehub': '%E0%A4%A,=%,,\u00ff=\u00ff' }),
      200,
    );
    assert.equal(await status(`sdkUrl=${enc(serverApiKey())}&apiKey=nonsense`), 200);
  });

  it('SSE: malformed or unknown keys and unknown caches get 200, ack, failure and the end of the stream', async () => {
    const { url } = await start();
    for (const path of [
      `/features/not-a-uuid/${CLIENT_KEY}`,
      `/features/${ENV_ID}/${UNKNOWN_SERVER_KEY}`,
      `/features/elsewhere/${ENV_ID}/${CLIENT_KEY}`,
      `/features/${OTHER_ENV_ID}/${READ_ONLY_SERVER_KEY}`,
    ]) {
      const sse = await openSse(`${url}${path}`, { 'x-featurehub': '%%%' });
      assert.equal(sse.status, 200, path);
      await sse.ended;
      assert.deepEqual(eventNames(sse), ['ack', 'failure'], path);
    }
  });

  it('test PUT: malformed key 400, unknown key or feature 404, read-only 403, bad bodies 400/413/415', async () => {
    const { url } = await start({ settings: { testApiBodyLimit: 256 } });
    const ok = JSON.stringify({ lock: false, value: 'x' });
    assert.equal(await put(url, `/features/not-a-uuid/${SERVER_KEY}/TEXT`, ok), 400);
    assert.equal(await put(url, `/features/${ENV_ID}+${SERVER_KEY}+extra/TEXT`, ok), 400);
    assert.equal(await put(url, `/features/${ENV_ID}/${UNKNOWN_SERVER_KEY}/TEXT`, ok), 404);
    assert.equal(await put(url, `/features/${ENV_ID}/${SERVER_KEY}/NO_SUCH_FEATURE`, ok), 404);
    assert.equal(await put(url, `/features/${ENV_ID}/${READ_ONLY_SERVER_KEY}/TEXT`, ok), 403);
    assert.equal(await put(url, `/features/${OTHER_ENV_ID}/${SERVER_KEY}/FLAG`, ok), 403);
    const path = `/features/${ENV_ID}/${SERVER_KEY}/TEXT`;
    assert.equal(await put(url, path, '{not json'), 400);
    assert.equal(await put(url, path, ''), 400);
    assert.equal(await put(url, path, '[1,2]'), 400);
    assert.equal(await put(url, path, '"text"'), 400);
    assert.equal(await put(url, path, JSON.stringify({ lock: 'yes' })), 400);
    assert.equal(await put(url, path, JSON.stringify({ updateValue: 1, value: 'x' })), 400);
    assert.equal(await put(url, path, JSON.stringify({ value: 'x'.repeat(1000) })), 413);
    assert.equal(await put(url, path, ok, { 'content-type': 'text/plain' }), 400);
    assert.equal(await put(url, path, ok, { 'content-type': 'application/xml' }), 415);
    assert.equal(
      await put(url, `/features/${ENV_ID}/${SERVER_KEY}/NUM`, JSON.stringify({ value: 'twelve' })),
      400,
    );
    assert.equal(
      await put(url, `/features/${ENV_ID}/${SERVER_KEY}/NUM`, JSON.stringify({ value: true })),
      400,
    );
  });

  it('a flood of bad requests never disturbs an open stream', async () => {
    const fx = await start();
    const sse = await openSse(`${fx.url}/features/${clientApiKey()}`);
    await sse.next((f) => f.event === 'features');
    const bad = [
      fetch(`${fx.url}/features?apiKey=${enc('x/y')}`),
      fetch(`${fx.url}/features/${ENV_ID}/${UNKNOWN_SERVER_KEY}`),
      fetch(`${fx.url}/features/${ENV_ID}/${SERVER_KEY}/TEXT`, {
        method: 'PUT',
        body: '{',
        headers: { 'content-type': 'application/json' },
      }),
      fetch(`${fx.url}/features?apiKey=${enc(serverApiKey())}`, { headers: { 'x-featurehub': ',,,=,%zz' } }),
    ];
    for (const res of await Promise.all(bad)) {
      assert.ok(res.status < 500, String(res.status));
      await res.body?.cancel();
    }
    fx.change('TEXT', { value: 'still here' });
    const frame = await sse.next((f) => f.event === 'feature');
    assert.match(frame.data, /still here/);
    sse.close();
  });
});

describe('polling ETag, 304 and Cache-Control', () => {
  it('answers 304 with the etag while nothing changes, 200 with a new etag after a change', async () => {
    const fx = await start({ settings: { cacheControl: 'max-age=20' } });
    const url = `${fx.url}/features?apiKey=${enc(clientApiKey())}&contextSha=0`;
    const first = await fetch(url);
    await first.text();
    const etag = first.headers.get('etag') ?? '';
    assert.equal(first.headers.get('cache-control'), 'max-age=20');
    const same = await fetch(url, { headers: { 'if-none-match': etag } });
    assert.equal(same.status, 304);
    assert.equal(same.headers.get('etag'), etag);
    assert.equal(same.headers.get('cache-control'), 'max-age=20');
    fx.change('FLAG', { value: false });
    const changed = await fetch(url, { headers: { 'if-none-match': etag } });
    assert.equal(changed.status, 200);
    assert.notEqual(changed.headers.get('etag'), etag);
    assert.match(await changed.text(), /"key":"FLAG","l":false,"version":2,"type":"BOOLEAN","value":false/);
  });

  it('takes Cache-Control from the environment: mgmt.cacheControl over the setting over cacheControl', async () => {
    const managed = await start({
      settings: { cacheControl: 'max-age=20' },
      eInf: { 'mgmt.cacheControl': 'max-age=7' },
    });
    const url = `/features?apiKey=${enc(clientApiKey())}`;
    assert.equal((await fetch(`${managed.url}${url}`)).headers.get('cache-control'), 'max-age=7');
    await managed.close();
    edge = undefined;
    const fallback = await start({ eInf: { cacheControl: 'max-age=9' } });
    assert.equal((await fetch(`${fallback.url}${url}`)).headers.get('cache-control'), 'max-age=9');
  });

  it('a client-evaluated poll is served from the serialised payload kept for the environment', async () => {
    const fx = await start();
    const url = `${fx.url}/features?apiKey=${enc(clientApiKey())}`;
    const first = await (await fetch(url)).text();
    const held = fx.cache.environment(ENV_ID);
    assert.ok(held?.get('client||') !== undefined);
    held?.set('client||', '[{"marker":true}]');
    assert.equal(await (await fetch(url)).text(), `[{"id":"${ENV_ID}","features":[{"marker":true}]}]`);
    fx.change('FLAG', { value: false });
    assert.notEqual(await (await fetch(url)).text(), first);
  });
});

describe('a cache that is not ready', () => {
  it('answers polls with 503 and ends SSE streams with bye instead of features', async () => {
    const { url } = await start({ cacheReady: false, settings: { notReadyCloseSeconds: 0.05 } });
    const res = await fetch(`${url}/features?apiKey=${enc(`${ENV_ID}/${UNKNOWN_SERVER_KEY}`)}`);
    assert.equal(res.status, 503);
    assert.equal(await res.text(), 'cache layer not ready, try again shortly');
    const sse = await openSse(`${url}/features/${ENV_ID}/${UNKNOWN_SERVER_KEY}`);
    await sse.ended;
    assert.deepEqual(eventNames(sse), ['ack', 'bye']);
  });

  it('a feature source that throws gives 503 to polls and failure to streams, never a crash', async () => {
    const broken = {
      features: async () => {
        throw new Error('source down');
      },
      permission: async () => {
        throw new Error('source down');
      },
    };
    const { url } = await start({ source: () => broken });
    assert.equal((await fetch(`${url}/features?apiKey=${enc(clientApiKey())}`)).status, 503);
    const sse = await openSse(`${url}/features/${clientApiKey()}`);
    await sse.ended;
    assert.deepEqual(eventNames(sse), ['ack', 'failure']);
  });
});
