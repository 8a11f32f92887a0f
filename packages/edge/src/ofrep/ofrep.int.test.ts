import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  clientApiKey,
  type EdgeFixture,
  ENV_ID,
  READ_ONLY_SERVER_KEY,
  serverApiKey,
  startEdge,
  UNKNOWN_SERVER_KEY,
} from '../test-support/edge-fixture.ts';
import { openSse } from '../test-support/sse-client.ts';

// OFREP over real HTTP on an Edge fed by a Dacha cache: the wire details a provider relies on
// (shapes, statuses, ETag/304, CORS, auth, bad input, change events). The real OpenFeature clients
// are run against the built command in apps/server/src/openfeature-*.int.test.ts.

let edge: EdgeFixture;
before(async () => {
  edge = await startEdge();
});
after(async () => {
  await edge.close();
});

async function ofrep(
  path: string,
  body: unknown,
  headers: Record<string, string> = { authorization: `Bearer ${serverApiKey()}` },
): Promise<{ status: number; headers: Headers; json: Record<string, unknown> | undefined }> {
  const res = await fetch(`${edge.url}/ofrep/v1/evaluate/flags${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, json: text === '' ? undefined : JSON.parse(text) };
}

type Flag = { key: string; value?: unknown; errorCode?: string };

function flagsOf(json: Record<string, unknown> | undefined): Flag[] {
  const flags = json?.['flags'];
  assert.ok(Array.isArray(flags), 'a bulk answer has flags');
  return flags as Flag[];
}

describe('OFREP single-flag evaluation', () => {
  it('answers typed values with reason, variant and metadata', async () => {
    const flag = await ofrep('/FLAG', { context: { targetingKey: 'u1' } });
    assert.equal(flag.status, 200);
    assert.equal(flag.headers.get('access-control-allow-origin'), '*');
    assert.deepEqual(flag.json, {
      key: 'FLAG',
      value: true,
      reason: 'STATIC',
      variant: 'default',
      metadata: { featureId: 'feature-flag', version: 1, valueType: 'BOOLEAN' },
    });
    assert.equal((await ofrep('/NUM', { context: {} })).json?.['value'], 42.5);
    assert.deepEqual((await ofrep('/CONFIG', { context: {} })).json?.['value'], { size: 3, tags: ['a'] });
    const nz = await ofrep('/COLOUR', { context: { targetingKey: 'u1', country: 'new_zealand' } });
    assert.equal(nz.json?.['value'], 'nz');
    assert.equal(nz.json?.['reason'], 'TARGETING_MATCH');
    assert.equal(nz.json?.['variant'], 'nz');
    const unset = await ofrep('/UNSET', { context: {} });
    assert.equal(unset.status, 200);
    assert.equal('value' in (unset.json ?? {}), false, 'an unset value defers to the code default');
    assert.equal(unset.json?.['reason'], 'DISABLED');
  });

  it('a percentage split names SPLIT, and the same user always lands in the same bucket', async () => {
    const reasons = new Set<unknown>();
    for (let i = 0; i < 40; i++) {
      const a = await ofrep('/COLOUR', { context: { targetingKey: `user-${i}` } });
      const b = await ofrep('/COLOUR', { context: { targetingKey: `user-${i}` } });
      assert.deepEqual(a.json, b.json);
      reasons.add(a.json?.['reason']);
      if (a.json?.['reason'] === 'SPLIT') assert.equal(a.json['value'], 'blue');
    }
    assert.deepEqual([...reasons].sort(), ['SPLIT', 'STATIC']);
  });

  it('a percentage rollout without a targeting key is TARGETING_KEY_MISSING', async () => {
    const res = await ofrep('/COLOUR', { context: { country: 'france' } });
    assert.equal(res.status, 400);
    assert.equal(res.json?.['key'], 'COLOUR');
    assert.equal(res.json?.['errorCode'], 'TARGETING_KEY_MISSING');
    // A strategy that needs no key still matches.
    assert.equal((await ofrep('/COLOUR', { context: { country: 'new_zealand' } })).json?.['value'], 'nz');
  });

  it('an unknown flag is FLAG_NOT_FOUND (404)', async () => {
    const res = await ofrep('/NOPE', { context: {} });
    assert.equal(res.status, 404);
    assert.equal(res.json?.['key'], 'NOPE');
    assert.equal(res.json?.['errorCode'], 'FLAG_NOT_FOUND');
  });

  it('takes the key as Bearer or X-API-Key; missing or unknown keys are 401, a key without access 403', async () => {
    assert.equal((await ofrep('/FLAG', { context: {} }, { 'x-api-key': serverApiKey() })).status, 200);
    assert.equal((await ofrep('/FLAG', { context: {} }, { 'x-api-key': clientApiKey() })).status, 200);
    const missing = await ofrep('/FLAG', { context: {} }, {});
    assert.equal(missing.status, 401);
    assert.equal(typeof missing.json?.['errorDetails'], 'string');
    assert.equal((await ofrep('/FLAG', { context: {} }, { authorization: 'Bearer not-a-key' })).status, 401);
    assert.equal(
      (await ofrep('/FLAG', { context: {} }, { authorization: `Bearer ${ENV_ID}/${UNKNOWN_SERVER_KEY}` }))
        .status,
      401,
    );
    // The read-only account has no role in the other environment.
    const other = '11111111-2222-4333-8444-666666666666';
    assert.equal(
      (await ofrep('/FLAG', { context: {} }, { authorization: `Bearer ${other}/${READ_ONLY_SERVER_KEY}` }))
        .status,
      403,
    );
  });

  it('bad input gets the spec errors, never a 5xx', async () => {
    const cases: [string, unknown, string][] = [
      ['{"context": ', '', 'PARSE_ERROR'],
      ['[1,2]', '', 'PARSE_ERROR'],
      ['"text"', '', 'PARSE_ERROR'],
      [JSON.stringify({ context: 'text' }), '', 'INVALID_CONTEXT'],
      [JSON.stringify({ context: [1] }), '', 'INVALID_CONTEXT'],
      [JSON.stringify({ context: { targetingKey: 5 } }), '', 'INVALID_CONTEXT'],
      [JSON.stringify({ context: { nested: { a: 1 } } }), '', 'INVALID_CONTEXT'],
      [JSON.stringify({ context: { list: [{ a: 1 }] } }), '', 'INVALID_CONTEXT'],
      [
        JSON.stringify({
          context: Object.fromEntries(Array.from({ length: 500 }, (_, i) => [`a${i}`, 'x'])),
        }),
        '',
        'INVALID_CONTEXT',
      ],
      [JSON.stringify({ context: { big: 'x'.repeat(100_000) } }), '', 'INVALID_CONTEXT'],
    ];
    for (const [body, , code] of cases) {
      for (const path of ['/FLAG', '']) {
        const res = await ofrep(path, body);
        assert.equal(res.status, 400, `${body.slice(0, 60)} → ${res.status}`);
        assert.equal(res.json?.['errorCode'], code, body.slice(0, 60));
        assert.equal(typeof res.json?.['errorDetails'], 'string');
        if (path !== '') assert.equal(res.json?.['key'], 'FLAG');
      }
    }
    // Other content types are read as JSON too; an empty body is an empty context.
    const plain = await ofrep('/FLAG', '{"context":{}}', {
      authorization: `Bearer ${serverApiKey()}`,
      'content-type': 'text/plain',
    });
    assert.equal(plain.status, 200);
    const empty = await fetch(`${edge.url}/ofrep/v1/evaluate/flags/FLAG`, {
      method: 'POST',
      headers: { authorization: `Bearer ${serverApiKey()}` },
    });
    assert.equal(empty.status, 200);
  });
});

describe('OFREP bulk evaluation', () => {
  it('evaluates every flag, sends an ETag and answers 304 to If-None-Match', async () => {
    const first = await ofrep('', { context: { targetingKey: 'u1', country: 'new_zealand' } });
    assert.equal(first.status, 200);
    const flags = flagsOf(first.json);
    assert.equal(flags.length, 8);
    assert.equal(flags.find((f) => f.key === 'COLOUR')?.value, 'nz');
    const etag = first.headers.get('etag');
    assert.ok(etag?.startsWith('"'));
    assert.equal(first.headers.get('access-control-expose-headers'), 'etag, retry-after');
    const streams = first.json?.['eventStreams'] as { type: string; endpoint: { requestUri: string } }[];
    assert.equal(streams[0]?.type, 'sse');
    assert.match(streams[0]?.endpoint.requestUri ?? '', /^\/ofrep\/v1\/events\//);

    const again = await ofrep(
      '',
      { context: { targetingKey: 'u1', country: 'new_zealand' } },
      {
        authorization: `Bearer ${serverApiKey()}`,
        'if-none-match': etag ?? '',
      },
    );
    assert.equal(again.status, 304);
    assert.equal(again.json, undefined);
    // Another context is another answer.
    const other = await ofrep(
      '',
      { context: { targetingKey: 'u2' } },
      {
        authorization: `Bearer ${serverApiKey()}`,
        'if-none-match': etag ?? '',
      },
    );
    assert.equal(other.status, 200);
    // A change makes the old tag stale.
    edge.change('FLAG', { value: false });
    const changed = await ofrep(
      '',
      { context: { targetingKey: 'u1', country: 'new_zealand' } },
      {
        authorization: `Bearer ${serverApiKey()}`,
        'if-none-match': etag ?? '',
      },
    );
    assert.equal(changed.status, 200);
    assert.notEqual(changed.headers.get('etag'), etag);
    const flag = flagsOf(changed.json).find((f) => f.key === 'FLAG');
    assert.equal(flag?.value, false);
    edge.change('FLAG', { value: true });
  });

  it('a key-less context gets TARGETING_KEY_MISSING for percentage rollouts only', async () => {
    const res = await ofrep('', { context: {} });
    const flags = flagsOf(res.json);
    assert.equal(flags.find((f) => f.key === 'COLOUR')?.errorCode, 'TARGETING_KEY_MISSING');
    assert.equal(flags.find((f) => f.key === 'FLAG')?.value, true);
  });

  it('answers CORS preflights', async () => {
    const res = await fetch(`${edge.url}/ofrep/v1/evaluate/flags`, {
      method: 'OPTIONS',
      headers: {
        origin: 'http://example.test',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type, authorization, x-api-key, if-none-match',
      },
    });
    assert.equal(res.status, 204);
    assert.equal(res.headers.get('access-control-allow-origin'), '*');
    const allowed = res.headers.get('access-control-allow-headers') ?? '';
    for (const h of ['content-type', 'authorization', 'x-api-key', 'if-none-match'])
      assert.ok(allowed.includes(h));
  });
});

describe('OFREP change events', () => {
  it('a change sends refetchEvaluation on the stream the bulk answer names', async () => {
    const bulk = await ofrep('', { context: {} });
    const [stream] = (bulk.json?.['eventStreams'] ?? []) as { endpoint: { requestUri: string } }[];
    const sse = await openSse(`${edge.url}${stream?.endpoint.requestUri}`);
    assert.equal(sse.status, 200);
    assert.equal(sse.headers.get('access-control-allow-origin'), '*');
    // The opening frame names the state the client starts from, so a reconnect says where it was.
    const opened = await sse.next((f) => f.event === ':comment');
    assert.ok((opened.id ?? '') !== '');
    const from = sse.frames.length;
    edge.change('NUM', { value: 7 });
    const frame = await sse.next((f) => f.event === 'message', 5000, from);
    const data = JSON.parse(frame.data) as { type: string; etag: string; lastModified: number };
    assert.equal(data.type, 'refetchEvaluation');
    assert.equal(frame.id, data.etag);
    assert.notEqual(data.etag, opened.id);
    assert.equal(typeof data.lastModified, 'number');
    const refetched = await ofrep(`?flagConfigEtag=${encodeURIComponent(data.etag)}`, { context: {} });
    const num = flagsOf(refetched.json).find((f) => f.key === 'NUM');
    assert.equal(num?.value, 7);
    sse.close();

    // A client coming back with an older Last-Event-ID is told to re-fetch at once.
    const back = await openSse(`${edge.url}${stream?.endpoint.requestUri}`, { 'last-event-id': 'old' });
    const missed = await back.next((f) => f.event === 'message' && f.data !== '');
    assert.equal((JSON.parse(missed.data) as { type: string }).type, 'refetchEvaluation');
    back.close();
  });

  it('an unknown key gets 401 instead of a stream', async () => {
    const res = await fetch(`${edge.url}/ofrep/v1/events/${ENV_ID}/${UNKNOWN_SERVER_KEY}`);
    assert.equal(res.status, 401);
    await res.body?.cancel();
  });
});
