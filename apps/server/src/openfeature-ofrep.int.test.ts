// The real OpenFeature server SDK with the real OFREP provider (@openfeature/ofrep-provider 0.1.3, what
// the registry serves) against every role that serves SDKs, each the built `featurehub` command: party,
// a separate edge (over NATS), party-server-ish and edge-rest. Plus the change events: a save in MR
// reaches the OFREP event stream of party and edge as `refetchEvaluation`.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { skipUnlessNatsServerBinary, skipUnlessService, until } from '@fh/test-support';
import { OFREPProvider } from '@openfeature/ofrep-provider';
import {
  type Client,
  type EvaluationDetails,
  type FlagValue,
  type Hook,
  OpenFeature,
} from '@openfeature/server-sdk';
import {
  type OpenFeatureWorld,
  startOpenFeatureWorld,
  type WorldRole,
} from './test-support/openfeature-world.ts';

const skip = (await skipUnlessService('postgres')) || (await skipUnlessNatsServerBinary());
const ROLES: readonly WorldRole[] = ['party', 'edge', 'party-ish', 'edge-rest'];

/** Asks `probe` every 50 ms until it says true; fails naming `what` after `ms`. */
async function eventually(what: string, probe: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function provider(baseUrl: string, key: string, scheme: 'bearer' | 'api-key' = 'bearer'): OFREPProvider {
  return new OFREPProvider({
    baseUrl,
    headers: scheme === 'bearer' ? [['Authorization', `Bearer ${key}`]] : [['X-API-Key', key]],
  });
}

describe('@openfeature/server-sdk + @openfeature/ofrep-provider against every SDK-serving role', {
  skip,
}, () => {
  let world: OpenFeatureWorld;
  const clients = new Map<WorldRole, Client>();

  before(async () => {
    world = await startOpenFeatureWorld(ROLES);
    for (const role of ROLES) {
      const baseUrl = world.roles[role]!.baseUrl;
      // Half the roles get the key as a bearer token, half as X-API-Key: both schemes of the spec.
      const scheme = role === 'party' || role === 'party-ish' ? 'bearer' : 'api-key';
      await OpenFeature.setProviderAndWait(role, provider(baseUrl, world.serverKey, scheme));
      clients.set(role, OpenFeature.getClient(role));
    }
  });
  after(async () => {
    await OpenFeature.close();
    await world?.close();
  });

  for (const role of ROLES) {
    it(`${role}: typed values, reasons and variants as FeatureHub evaluates them`, async () => {
      const client = clients.get(role)!;
      const flag = await client.getBooleanDetails('FLAG', false, { targetingKey: 'u1' });
      assert.equal(flag.value, true);
      assert.equal(flag.reason, 'STATIC');
      assert.equal(flag.variant, 'default');
      assert.equal(flag.errorCode, undefined);
      assert.equal(typeof flag.flagMetadata['featureId'], 'string');
      assert.equal(typeof flag.flagMetadata['version'], 'number');
      assert.equal(await client.getNumberValue('NUM', 0), 42.5);
      assert.deepEqual(await client.getObjectValue('CONFIG', {}), { size: 3, tags: ['a'] });

      const nz = await client.getStringDetails('COLOUR', 'none', {
        targetingKey: 'u1',
        country: 'new_zealand',
      });
      assert.deepEqual([nz.value, nz.reason, nz.variant], ['nz', 'TARGETING_MATCH', 'nz']);
      // The 20 % split: some of 60 users get blue, the rest red, each always the same.
      const seen = new Map<string, number>();
      for (let i = 0; i < 60; i++) {
        const d = await client.getStringDetails('COLOUR', 'none', { targetingKey: `user-${i}` });
        seen.set(`${d.value}/${d.reason}`, (seen.get(`${d.value}/${d.reason}`) ?? 0) + 1);
      }
      assert.deepEqual([...seen.keys()].sort(), ['blue/SPLIT', 'red/STATIC']);
    });

    it(`${role}: errors come back as OpenFeature error codes with the code default`, async () => {
      const client = clients.get(role)!;
      const missing = await client.getBooleanDetails('NO_SUCH_FLAG', true, { targetingKey: 'u1' });
      assert.deepEqual([missing.value, missing.errorCode], [true, 'FLAG_NOT_FOUND']);
      const keyless = await client.getStringDetails('COLOUR', 'code-default', { country: 'france' });
      assert.deepEqual([keyless.value, keyless.errorCode], ['code-default', 'TARGETING_KEY_MISSING']);
      const mismatch = await client.getNumberDetails('BANNER', 7, { targetingKey: 'u1' });
      assert.deepEqual([mismatch.value, mismatch.errorCode], [7, 'TYPE_MISMATCH']);
      const invalid = await client.getBooleanDetails('FLAG', false, { nested: { not: 'an attribute' } });
      assert.deepEqual([invalid.value, invalid.errorCode], [false, 'INVALID_CONTEXT']);

      // A key the server does not know: 401, which the provider turns into a general error.
      const stranger = `${world.environmentId}/${'x'.repeat(40)}`;
      await OpenFeature.setProviderAndWait(
        `${role}-stranger`,
        provider(world.roles[role]!.baseUrl, stranger),
      );
      const refused = await OpenFeature.getClient(`${role}-stranger`).getBooleanDetails('FLAG', false);
      assert.deepEqual([refused.value, refused.errorCode], [false, 'GENERAL']);
    });

    it(`${role}: a hook sees each evaluation, and a change saved in MR is served on the next one`, async () => {
      const client = clients.get(role)!;
      const evaluated: EvaluationDetails<FlagValue>[] = [];
      const hook: Hook = { after: (_ctx, details) => void evaluated.push(details) };
      const value = `banner-${role}`;
      await world.setValue('BANNER', value);
      await eventually(
        `${role} to serve the new BANNER`,
        async () =>
          (await client.getStringValue('BANNER', '', { targetingKey: 'u1' }, { hooks: [hook] })) === value,
      );
      assert.equal(evaluated.at(-1)?.value, value);
      assert.equal(evaluated.at(-1)?.flagKey, 'BANNER');
    });
  }

  it('bad input gets OFREP errors from every role, never a 5xx', async () => {
    const bad: [string, Record<string, string>, number, string | undefined][] = [
      ['{"context": {', {}, 400, 'PARSE_ERROR'],
      ['{"context": "me"}', {}, 400, 'INVALID_CONTEXT'],
      ['{"context": {"targetingKey": ["a"]}}', {}, 400, 'INVALID_CONTEXT'],
      [JSON.stringify({ context: { huge: 'x'.repeat(200_000) } }), {}, 400, 'INVALID_CONTEXT'],
      ['{"context": {}}', { authorization: 'Bearer nonsense' }, 401, undefined],
      [
        '{"context": {}}',
        { authorization: `Bearer ${world.environmentId}/${'z'.repeat(40)}` },
        401,
        undefined,
      ],
    ];
    for (const role of ROLES) {
      for (const [body, headers, status, code] of bad) {
        const res = await fetch(`${world.roles[role]!.baseUrl}/ofrep/v1/evaluate/flags/FLAG`, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${world.serverKey}`,
            'content-type': 'application/json',
            ...headers,
          },
          body,
        });
        const answer = (await res.json()) as { errorCode?: string; errorDetails?: string };
        assert.equal(res.status, status, `${role}: ${body.slice(0, 40)}`);
        assert.equal(answer.errorCode, code, `${role}: ${body.slice(0, 40)}`);
        assert.equal(typeof answer.errorDetails, 'string');
      }
    }
  });

  it('bulk answers carry an ETag and honour If-None-Match; event streams only where SSE exists', async () => {
    for (const role of ROLES) {
      const url = `${world.roles[role]!.baseUrl}/ofrep/v1/evaluate/flags`;
      const init = {
        method: 'POST',
        headers: { authorization: `Bearer ${world.clientKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ context: { targetingKey: 'u1' } }),
      };
      const first = await fetch(url, init);
      assert.equal(first.status, 200, role);
      const body = (await first.json()) as { flags: unknown[]; eventStreams?: unknown[] };
      assert.ok(body.flags.length >= 5, role);
      assert.equal(
        body.eventStreams !== undefined,
        role === 'party' || role === 'edge',
        `${role} event streams`,
      );
      const etag = first.headers.get('etag') ?? '';
      const second = await fetch(url, { ...init, headers: { ...init.headers, 'if-none-match': etag } });
      assert.equal(second.status, 304, role);
      await second.body?.cancel();
    }
  });

  it('party and edge send refetchEvaluation on the event stream when MR saves a change', async () => {
    for (const role of ['party', 'edge'] as const) {
      const base = world.roles[role]!.baseUrl;
      const bulk = await fetch(`${base}/ofrep/v1/evaluate/flags`, {
        method: 'POST',
        headers: { 'x-api-key': world.serverKey, 'content-type': 'application/json' },
        body: '{"context":{}}',
      });
      const { eventStreams } = (await bulk.json()) as {
        eventStreams: { endpoint: { requestUri: string } }[];
      };
      const abort = new AbortController();
      const stream = await fetch(`${base}${eventStreams[0]!.endpoint.requestUri}`, { signal: abort.signal });
      assert.equal(stream.status, 200);
      let text = '';
      const reading = (async () => {
        const decoder = new TextDecoder();
        try {
          for await (const chunk of stream.body!)
            text += decoder.decode(chunk as Uint8Array, { stream: true });
        } catch {
          // aborted
        }
      })();
      await until(`${role} stream to open`, () => text.includes(': connected'), 5000);
      await world.setValue('NUM', role === 'party' ? 1 : 2);
      await until(
        `${role} to send refetchEvaluation`,
        () => text.includes('"type":"refetchEvaluation"'),
        5000,
      );
      abort.abort();
      await reading;
    }
  });

  it('an edge whose cache is not ready answers 429 with Retry-After, and the OFREP provider backs off', async () => {
    // An edge of a cache no Dacha serves never gets an answer: its lookups say "not ready".
    const lonely = await world.start('edge', { CACHE_NAME: 'nobody-serves-this' });
    const key = `nobody-serves-this/${world.serverKey}`;
    const res = await fetch(`${lonely.baseUrl}/ofrep/v1/evaluate/flags/FLAG`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: '{"context":{}}',
    });
    assert.equal(res.status, 429);
    assert.equal(res.headers.get('retry-after'), '1');
    await res.body?.cancel();
    await OpenFeature.setProviderAndWait('lonely', provider(lonely.baseUrl, key));
    const client = OpenFeature.getClient('lonely');
    const first = await client.getBooleanDetails('FLAG', false);
    assert.deepEqual([first.value, first.errorCode], [false, 'GENERAL']);
    // Within Retry-After the provider does not ask again: it answers from its pause.
    const paused = await client.getBooleanDetails('FLAG', false);
    assert.match(paused.errorMessage ?? '', /paused due to TooManyRequests/);
  });
});
