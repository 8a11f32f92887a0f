import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { afterEach, describe, it } from 'node:test';
import type { FeatureState } from '@fh/contracts';
import { cacheFeature } from '@fh/dacha/testing';
import { EdgeFeatureHubConfig, StrategyAttributeCountryName } from 'featurehub-javascript-node-sdk';
import {
  CLIENT_KEY,
  clientApiKey,
  type EdgeFixture,
  type EdgeFixtureOptions,
  ENV_ID,
  fixtureFeatures,
  SERVER_KEY,
  serverApiKey,
  startEdge,
  UNKNOWN_SERVER_KEY,
  waitFor,
} from './test-support/edge-fixture.ts';
import { closeAllSdks, sdkClient } from './test-support/sdk.ts';
import { eventNames, openSse } from './test-support/sse-client.ts';

// One test per trap of docs/edge-protocol.md §8, named after it.

let edge: EdgeFixture | undefined;
async function start(options: EdgeFixtureOptions = {}): Promise<EdgeFixture> {
  edge = await startEdge(options);
  return edge;
}
afterEach(async () => {
  await closeAllSdks();
  await edge?.close();
  edge = undefined;
});

const enc = encodeURIComponent;
const pollUrl = (url: string, ...keys: string[]) =>
  `${url}/features?${keys.map((k) => `apiKey=${enc(k)}`).join('&')}&contextSha=0`;

async function poll(url: string, headers: Record<string, string> = {}) {
  const res = await fetch(url, { headers });
  const text = await res.text();
  return {
    res,
    text,
    json: text === '' ? undefined : (JSON.parse(text) as { id: string; features: FeatureState[] }[]),
  };
}

function feature(body: { features: FeatureState[] }[] | undefined, key: string): FeatureState | undefined {
  return body?.[0]?.features.find((f) => f.key === key);
}

/** A raw PUT with a chunked body (no content-length), exactly as the node SDK's FeatureUpdater sends it. */
function chunkedPut(url: string, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      { method: 'PUT', headers: { 'content-type': 'application/json' } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.write(body.slice(0, 5));
    req.end(body.slice(5));
  });
}

// Strategies that only match when x-featurehub is decoded exactly as the Java Edge does.
const decodeFeature = cacheFeature({
  id: 'feature-decode',
  key: 'DECODE',
  type: 'STRING',
  value: 'none',
  strategies: [
    {
      id: 'space',
      value: 'space',
      attributes: [{ conditional: 'EQUALS', fieldName: 'city', type: 'STRING', values: ['new york'] }],
    },
    {
      id: 'list',
      value: 'list',
      attributes: [
        { conditional: 'EQUALS', fieldName: 'musical styles', type: 'STRING', values: ['psychedelic'] },
      ],
    },
    {
      id: 'first-eq',
      value: 'first-eq',
      attributes: [{ conditional: 'EQUALS', fieldName: 'formula', type: 'STRING', values: ['a=b'] }],
    },
  ],
});

describe('docs/edge-protocol.md §8 traps', () => {
  it('1. accepts /features and /features/ for polling, 2- and 3-part SSE and PUT paths, raw * in paths', async () => {
    const { url } = await start();
    for (const path of ['/features', '/features/']) {
      const res = await fetch(`${url}${path}?apiKey=${enc(clientApiKey())}&contextSha=0`);
      assert.equal(res.status, 200, path);
    }
    for (const path of [`/features/${ENV_ID}/${CLIENT_KEY}`, `/features/default/${ENV_ID}/${CLIENT_KEY}`]) {
      assert.ok(path.includes('*'));
      const sse = await openSse(`${url}${path}`);
      await sse.next((f) => f.event === 'features');
      sse.close();
    }
    const body = JSON.stringify({ lock: false, value: 'x' });
    assert.equal(await chunkedPut(`${url}/features/${ENV_ID}/${SERVER_KEY}/TEXT`, body), 200);
    assert.equal(
      await chunkedPut(
        `${url}/features/default/${ENV_ID}/${SERVER_KEY}/TEXT`,
        JSON.stringify({ value: 'y' }),
      ),
      200,
    );
    assert.equal(
      await chunkedPut(`${url}/features/${ENV_ID}+${SERVER_KEY}/TEXT`, JSON.stringify({ value: 'z' })),
      200,
    );
  });

  it('2. always includes features: [] and never answers [] for the whole poll', async () => {
    const { url } = await start();
    const unknown = `${ENV_ID}/${UNKNOWN_SERVER_KEY}`;
    const { res, json } = await poll(pollUrl(url, unknown, clientApiKey()));
    assert.equal(res.status, 200);
    assert.deepEqual(json?.[0], { id: ENV_ID, features: [] });
    assert.ok((json?.[1]?.features.length ?? 0) > 0);
    // The real SDK with one unknown and one known key: no crash, Ready.
    const sdk = sdkClient(url, unknown, { pollMs: 100, init: false });
    sdk.config.apiKey(clientApiKey());
    sdk.config.init();
    assert.equal(await sdk.settled, 'Ready');
  });

  it('3. value typing: BOOLEAN is a JSON bool, NUMBER a JSON number, JSON a string, type always sent', async () => {
    const { url } = await start();
    for (const key of [clientApiKey(), serverApiKey()]) {
      const { json } = await poll(pollUrl(url, key));
      assert.equal(feature(json, 'FLAG')?.value, true);
      assert.equal(feature(json, 'NUM')?.value, 42.5);
      assert.equal(feature(json, 'CONFIG')?.value, '{"size":3,"tags":["a"]}');
      assert.equal(feature(json, 'TEXT')?.value, 'hello, world = fine');
      assert.equal('value' in (feature(json, 'UNSET') ?? {}), false);
      for (const f of json?.[0]?.features ?? [])
        assert.ok(['BOOLEAN', 'STRING', 'NUMBER', 'JSON'].includes(f.type), f.key);
    }
  });

  it('4. version monotonicity: every change raises version; deletes carry a version the SDK accepts', async () => {
    const fx = await start();
    const sse = await openSse(`${fx.url}/features/${clientApiKey()}`);
    const list = JSON.parse((await sse.next((f) => f.event === 'features')).data) as FeatureState[];
    const before = list.find((f) => f.key === 'TEXT')?.version ?? -1;
    fx.change('TEXT', { value: 'v2' });
    const updated = JSON.parse((await sse.next((f) => f.event === 'feature')).data) as FeatureState;
    assert.ok(updated.version > before);
    fx.change('TEXT', { retired: true });
    const retired = JSON.parse((await sse.next((f) => f.event === 'delete_feature')).data) as FeatureState;
    assert.ok(retired.version >= updated.version);
    sse.close();
  });

  it('5. etags include the context, are quoted, and 304 only for a single key', async () => {
    const { url } = await start();
    const one = pollUrl(url, serverApiKey());
    const first = await poll(one);
    const etag = first.res.headers.get('etag') ?? '';
    assert.match(etag, /^".+"$/);
    // The SDK's second poll adds its context but still sends the old etag: that must not be a 304.
    const contexted = await poll(one, { 'x-featurehub': 'country=new_zealand', 'if-none-match': etag });
    assert.equal(contexted.res.status, 200);
    assert.equal(feature(contexted.json, 'COLOUR')?.value, 'nz');
    const etag2 = contexted.res.headers.get('etag') ?? '';
    assert.notEqual(etag2, etag);
    const again = await poll(one, { 'x-featurehub': 'country=new_zealand', 'if-none-match': etag2 });
    assert.equal(again.res.status, 304);
    const two = pollUrl(url, serverApiKey(), clientApiKey());
    const both = await poll(two);
    const repeat = await poll(two, { 'if-none-match': both.res.headers.get('etag') ?? '' });
    assert.equal(repeat.res.status, 200);
    // And the real SDK: init() polls without a context, build() adds one; it must see the contexted value.
    const sdk = sdkClient(url, serverApiKey(), { pollMs: 50 });
    assert.equal(await sdk.settled, 'Ready');
    const ctx = await sdk.config.newContext().country(StrategyAttributeCountryName.NewZealand).build();
    await waitFor(() => ctx.getString('COLOUR') === 'nz', 'the contexted value');
  });

  it('6. SSE answers 200 with ack then features, and sends the full list on every reconnect (Last-Event-ID ignored)', async () => {
    const { url } = await start();
    const sse = await openSse(`${url}/features/${clientApiKey()}`);
    assert.equal(sse.status, 200);
    const features = await sse.next((f) => f.event === 'features');
    assert.deepEqual(eventNames(sse).slice(0, 2), ['ack', 'features']);
    sse.close();
    const again = await openSse(`${url}/features/${clientApiKey()}`, { 'last-event-id': features.id ?? '' });
    const second = await again.next((f) => f.event === 'features');
    assert.equal(second.data, features.data);
    again.close();
  });

  it('7. holds feature updates until the features list has been written', async () => {
    let release: (() => void) | undefined;
    const fx = await start({
      source: (cache) => ({
        features: async (env, key) => {
          await new Promise<void>((r) => {
            release = r;
          });
          return cache.features(env, key);
        },
        permission: (env, key, feature) => cache.permission(env, key, feature),
      }),
    });
    const sse = await openSse(`${fx.url}/features/${clientApiKey()}`);
    await sse.next((f) => f.event === 'ack');
    await waitFor(() => release, 'the lookup to start');
    fx.change('TEXT', { value: 'during connect' });
    release?.();
    await sse.next((f) => f.event === 'feature');
    assert.deepEqual(eventNames(sse), ['ack', 'features', 'feature']);
    sse.close();
  });

  it('8. many short-lived SSE connections for server-evaluated keys leave no listeners behind', async () => {
    const fx = await start();
    const sdk = sdkClient(fx.url, serverApiKey());
    const ctx = sdk.config.newContext();
    for (const user of ['a', 'b', 'c', 'd', 'e']) await ctx.userKey(user).build();
    assert.equal(await sdk.settled, 'Ready');
    await waitFor(() => fx.edge.streamCount === 1 && fx.cache.listenerCount === 1, 'one stream left');
    for (let i = 0; i < 5; i++) {
      const raw = await openSse(`${fx.url}/features/${serverApiKey()}`);
      raw.close();
    }
    await closeAllSdks();
    await waitFor(() => fx.edge.streamCount === 0 && fx.cache.listenerCount === 0, 'every stream cleaned up');
  });

  it('9. x-featurehub: split before decoding, first =, + is a space, %2C lists, 30 attributes, xfeaturehub query', async () => {
    const { url } = await start({ features: [...fixtureFeatures(), decodeFeature] });
    const one = pollUrl(url, serverApiKey());
    const decodeWith = async (header: string) =>
      feature((await poll(one, { 'x-featurehub': header })).json, 'DECODE')?.value;
    assert.equal(await decodeWith('city=new+york'), 'space');
    assert.equal(await decodeWith('city=new%20york'), 'space');
    assert.equal(await decodeWith('musical styles=deep%2Cpsychedelic'), 'list');
    assert.equal(await decodeWith('formula=a%3Db'), 'first-eq');
    assert.equal(await decodeWith('formula=a=b'), 'first-eq');
    const thirty = Array.from({ length: 30 }, (_, i) => `a${i}=x`).join(',');
    assert.equal(await decodeWith(`${thirty},city=new+york`), 'none');
    assert.equal(await decodeWith('%%%,=,,==x,city'), 'none');
    const query = await poll(`${one}&xfeaturehub=${enc(encodeURI('city=new+york'))}`, {
      'x-featurehub': 'city=paris',
    });
    assert.equal(feature(query.json, 'DECODE')?.value, 'space');
  });

  it('10. the session attribute (as the JS SDK names it) is the percentage key ahead of userkey', async () => {
    const { url } = await start();
    const one = pollUrl(url, serverApiKey());
    const colour = async (header: string) =>
      feature((await poll(one, { 'x-featurehub': header })).json, 'COLOUR')?.value;
    assert.equal(await colour('userkey=user17'), 'blue'); // bucket 116328
    assert.equal(await colour('session=sess-abc,userkey=user17'), 'red'); // bucket 433852
  });

  it('11. both key types hash percentages with the feature id, so a user lands in the same bucket', async () => {
    const { url } = await start();
    const sdk = sdkClient(url, clientApiKey());
    assert.equal(await sdk.settled, 'Ready');
    const one = pollUrl(url, serverApiKey());
    for (let i = 0; i < 30; i++) {
      const user = `user${i}`;
      const client = (await sdk.config.newContext().userKey(user).build()).getString('COLOUR');
      const server = feature((await poll(one, { 'x-featurehub': `userkey=${user}` })).json, 'COLOUR')?.value;
      assert.equal(server, client, user);
    }
  });

  it('12. client-evaluated strategies carry an integer percentage, 0 when there is none', async () => {
    const { url } = await start();
    const { json } = await poll(pollUrl(url, clientApiKey()));
    const strategies = feature(json, 'COLOUR')?.strategies ?? [];
    assert.deepEqual(
      strategies.map((s) => s.percentage),
      [0, 200000],
    );
    // With an absent percentage 1.4.0 would never match the 20 % after the attribute-only strategy.
    const sdk = sdkClient(url, clientApiKey());
    assert.equal(await sdk.settled, 'Ready');
    const ctx = await sdk.config
      .newContext()
      .userKey('user17')
      .country(StrategyAttributeCountryName.Australia)
      .build();
    assert.equal(ctx.getString('COLOUR'), 'blue');
  });

  it('13. server-evaluated payloads never contain strategies and carry v', async () => {
    const fx = await start();
    const { text, json } = await poll(pollUrl(fx.url, serverApiKey()), {
      'x-featurehub': 'country=new_zealand',
    });
    assert.equal(text.includes('strategies'), false);
    assert.equal(text.includes('beta-tester'), false);
    assert.equal(feature(json, 'COLOUR')?.v, 'nz');
    const sse = await openSse(`${fx.url}/features/${serverApiKey()}`, {
      'x-featurehub': 'country=new_zealand',
    });
    await sse.next((f) => f.event === 'features');
    fx.change('COLOUR', { value: 'green' });
    await sse.next((f) => f.event === 'feature');
    for (const frame of sse.frames) assert.equal(frame.data.includes('strategies'), false);
    assert.equal((JSON.parse(sse.frames.at(-1)?.data ?? '{}') as FeatureState).v, 'nz');
    sse.close();
  });

  it('14. SSE event names are exact and lower case, data is JSON on one line', async () => {
    const fx = await start();
    const sse = await openSse(`${fx.url}/features/${clientApiKey()}`);
    await sse.next((f) => f.event === 'features');
    fx.change('TEXT', { value: 'line1\nline2' });
    fx.remove('NUM');
    await sse.next((f) => f.event === 'delete_feature');
    assert.deepEqual(eventNames(sse), ['ack', 'features', 'feature', 'delete_feature']);
    for (const frame of sse.frames) {
      assert.equal(frame.data.includes('\n'), false);
      JSON.parse(frame.data);
    }
    sse.close();
  });

  it('15. test PUT accepts chunked bodies and answers 200/202/412/400 in the documented order', async () => {
    const { url } = await start();
    const put = (key: string, body: unknown) =>
      chunkedPut(`${url}/features/${ENV_ID}/${SERVER_KEY}/${key}`, JSON.stringify(body));
    assert.equal(await put('TEXT', { lock: false, value: 'x' }), 200);
    assert.equal(await put('TEXT', { value: 'x' }), 202);
    assert.equal(await put('LOCKED', { value: true }), 412);
    assert.equal(await put('FLAG', { lock: false, updateValue: true }), 412);
    assert.equal(await put('FLAG', { lock: false, value: 'foo' }), 400);
    assert.equal(await put('CONFIG', { value: { a: 1 } }), 400);
    assert.equal(await put('CONFIG', { value: '{"a":1}' }), 200);
    assert.equal(await put('TEXT', {}), 400);
  });

  it('16. SSE is not buffered or compressed, is dropped periodically with bye, and can send heartbeats', async () => {
    const { url } = await start({ settings: { sseDropAfterSeconds: 0.3, sseHeartbeatSeconds: 0.05 } });
    const sse = await openSse(`${url}/features/${clientApiKey()}`, { 'accept-encoding': 'gzip' });
    assert.equal(sse.headers.get('x-accel-buffering'), 'no');
    assert.equal(sse.headers.get('cache-control'), 'no-cache');
    assert.equal(sse.headers.get('content-encoding'), null);
    await sse.next((f) => f.event === ':comment');
    await sse.next((f) => f.event === 'bye');
    await sse.ended;
    assert.equal(sse.frames.at(-1)?.event, 'bye');
  });

  it('17. CORS: preflights are answered and etag and cache-control are exposed', async () => {
    const { url } = await start({ settings: { cacheControl: 'max-age=5' } });
    for (const path of [
      '/features',
      `/features/${ENV_ID}/${CLIENT_KEY}`,
      `/features/${ENV_ID}/${SERVER_KEY}/FLAG`,
    ]) {
      const res = await fetch(`${url}${path}`, {
        method: 'OPTIONS',
        headers: {
          origin: 'http://app.example',
          'access-control-request-method': 'GET',
          'access-control-request-headers': 'x-featurehub',
        },
      });
      assert.equal(res.status, 200, path);
      assert.match(res.headers.get('access-control-allow-headers') ?? '', /x-featurehub/);
      assert.match(res.headers.get('access-control-allow-headers') ?? '', /if-none-match/);
      assert.match(res.headers.get('access-control-allow-methods') ?? '', /PUT/);
    }
    const { res } = await poll(pollUrl(url, clientApiKey()), { origin: 'http://app.example' });
    assert.equal(res.headers.get('access-control-allow-origin'), '*');
    assert.equal(res.headers.get('access-control-expose-headers'), 'etag,cache-control');
    const sse = await openSse(`${url}/features/${clientApiKey()}`, { origin: 'http://app.example' });
    assert.equal(sse.headers.get('access-control-allow-origin'), '*');
    sse.close();
  });

  it('18. test-harness traps: per-instance poller, no static supplier change, close() releases everything', async () => {
    const fx = await start();
    const supplier = EdgeFeatureHubConfig.defaultEdgeServiceSupplier;
    const polling = sdkClient(fx.url, clientApiKey(), { pollMs: 20 });
    const streaming = sdkClient(fx.url, clientApiKey());
    assert.equal(await polling.settled, 'Ready');
    assert.equal(await streaming.settled, 'Ready');
    assert.equal(EdgeFeatureHubConfig.defaultEdgeServiceSupplier, supplier);
    await closeAllSdks();
    await waitFor(() => fx.edge.streamCount === 0 && fx.cache.listenerCount === 0, 'everything released');
  });

  it('19. never sends the SaaS-only 236 or config event', async () => {
    const { url } = await start();
    const first = await poll(pollUrl(url, clientApiKey()));
    const second = await poll(pollUrl(url, clientApiKey()), {
      'if-none-match': first.res.headers.get('etag') ?? '',
    });
    assert.deepEqual([first.res.status, second.res.status], [200, 304]);
    const sse = await openSse(`${url}/features/${clientApiKey()}`);
    await sse.next((f) => f.event === 'features');
    assert.equal(eventNames(sse).includes('config'), false);
    sse.close();
  });

  it('20. where the docs are wrong the code wins: base64url contextSha ignored, if-none-match, features event, PUT 200', async () => {
    const { url } = await start();
    const base = `${url}/features?apiKey=${enc(serverApiKey())}`;
    const a = await poll(`${base}&contextSha=NPzjpdGPlwYBS3NZ1t8LTm4BkuTVpnpF48AwEPRt4lc`);
    const b = await poll(`${base}&contextSha=not-even-base64!`);
    const c = await poll(base);
    assert.deepEqual([a.res.status, b.res.status, c.res.status], [200, 200, 200]);
    assert.equal(a.text, b.text);
    assert.equal((await poll(base, { 'if-none-match': c.res.headers.get('etag') ?? '' })).res.status, 304);
    const sse = await openSse(`${url}/features/${clientApiKey()}`);
    await sse.next((f) => f.event === 'features');
    assert.equal(eventNames(sse).includes('services'), false);
    sse.close();
    assert.equal(
      await chunkedPut(`${url}/features/${ENV_ID}/${SERVER_KEY}/NUM`, '{"lock":false,"value":7}'),
      200,
    );
  });
});
