// Our OpenFeature provider (@featurehub-ts/openfeature-provider) in Node with the real
// @openfeature/server-sdk against the built command: the party server over SSE, party-server-ish by
// polling. Local evaluation (no request per flag), a hook, a context per HTTP request through the
// SDK's transaction context, and the provider events (ready, configuration-changed, stale, error).
import assert from 'node:assert/strict';
import { AsyncLocalStorage } from 'node:async_hooks';
import { createServer, type Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { FeatureHubProvider } from '@featurehub-ts/openfeature-provider';
import { skipUnlessNatsServerBinary, skipUnlessService, until } from '@fh/test-support';
import {
  AsyncLocalStorageTransactionContextPropagator,
  type EvaluationDetails,
  type FlagValue,
  type Hook,
  OpenFeature,
  ProviderEvents,
  ProviderStatus,
} from '@openfeature/server-sdk';
import { type OpenFeatureWorld, startOpenFeatureWorld } from './test-support/openfeature-world.ts';

const skip = (await skipUnlessService('postgres')) || (await skipUnlessNatsServerBinary());

describe('our OpenFeature provider in Node (@openfeature/server-sdk)', { skip }, () => {
  let world: OpenFeatureWorld;
  let requests = 0;
  const counting: typeof fetch = (input, init) => {
    requests++;
    return fetch(input, init);
  };

  before(async () => {
    world = await startOpenFeatureWorld(['party', 'party-ish']);
    await OpenFeature.setProviderAndWait(
      'party',
      new FeatureHubProvider({
        edgeUrl: world.roles.party!.baseUrl,
        apiKey: world.clientKey,
        fetch: counting,
      }),
    );
  });
  after(async () => {
    await OpenFeature.close();
    await world?.close();
  });

  it('evaluates locally what FeatureHub would serve, with reasons, variants and metadata, without a request per flag', async () => {
    const client = OpenFeature.getClient('party');
    const before = requests;
    const flag = await client.getBooleanDetails('FLAG', false, { targetingKey: 'u1' });
    assert.deepEqual([flag.value, flag.reason, flag.variant], [true, 'STATIC', 'default']);
    assert.equal(typeof flag.flagMetadata['featureId'], 'string');
    assert.equal(await client.getNumberValue('NUM', 0), 42.5);
    assert.deepEqual(await client.getObjectValue('CONFIG', {}), { size: 3, tags: ['a'] });
    const nz = await client.getStringDetails('COLOUR', 'x', { targetingKey: 'u1', country: 'new_zealand' });
    assert.deepEqual([nz.value, nz.reason, nz.variant], ['nz', 'TARGETING_MATCH', 'nz']);
    const seen = new Set<string>();
    for (let i = 0; i < 100; i++) {
      const d = await client.getStringDetails('COLOUR', 'x', { targetingKey: `user-${i}` });
      seen.add(`${d.value}/${d.reason}`);
    }
    assert.deepEqual([...seen].sort(), ['blue/SPLIT', 'red/STATIC']);
    assert.equal(requests, before, 'no request was made to evaluate');

    const missing = await client.getBooleanDetails('NO_SUCH_FLAG', true);
    assert.deepEqual([missing.value, missing.errorCode], [true, 'FLAG_NOT_FOUND']);
    const mismatch = await client.getNumberDetails('BANNER', 7);
    assert.deepEqual([mismatch.value, mismatch.errorCode], [7, 'TYPE_MISMATCH']);
    const keyless = await client.getStringDetails('COLOUR', 'code-default', { country: 'france' });
    assert.deepEqual([keyless.value, keyless.errorCode], ['code-default', 'TARGETING_KEY_MISSING']);
    const invalid = await client.getBooleanDetails('FLAG', false, { nested: { a: 1 } });
    assert.deepEqual([invalid.value, invalid.errorCode], [false, 'INVALID_CONTEXT']);
  });

  it('a context per HTTP request (transaction context) and a hook on every evaluation', async () => {
    OpenFeature.setTransactionContextPropagator(new AsyncLocalStorageTransactionContextPropagator());
    const client = OpenFeature.getClient('party');
    const evaluated: EvaluationDetails<FlagValue>[] = [];
    const hook: Hook = { after: (_ctx, details) => void evaluated.push(details) };
    client.addHooks(hook);
    const users = new AsyncLocalStorage<string>();
    // An application server: each request carries its user; the flag is evaluated for that user.
    const server: Server = createServer((req, res) => {
      const user = String(req.headers['x-user'] ?? '');
      const country = String(req.headers['x-country'] ?? '');
      OpenFeature.setTransactionContext({ targetingKey: user, country }, () =>
        users.run(user, async () => {
          const colour = await client.getStringValue('COLOUR', 'none');
          res.end(JSON.stringify({ user: users.getStore(), colour }));
        }),
      );
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    try {
      const ask = async (user: string, country: string) => {
        const res = await fetch(`http://127.0.0.1:${port}/`, {
          headers: { 'x-user': user, 'x-country': country },
        });
        return (await res.json()) as { user: string; colour: string };
      };
      const answers = await Promise.all([
        ask('kiwi', 'new_zealand'),
        ask('u1', 'france'),
        ask('kiwi2', 'new_zealand'),
      ]);
      assert.deepEqual(
        answers.map((a) => a.colour),
        ['nz', (await client.getStringValue('COLOUR', 'none', { targetingKey: 'u1' })) as string, 'nz'],
      );
      assert.ok(evaluated.filter((d) => d.flagKey === 'COLOUR').length >= 3);
      assert.ok(evaluated.every((d) => d.errorCode === undefined));
    } finally {
      server.close();
      client.clearHooks();
    }
  });

  it('a change saved in MR arrives over the stream: configuration-changed names the flag, the new value is served', async () => {
    const client = OpenFeature.getClient('party');
    const changed: string[][] = [];
    client.addHandler(ProviderEvents.ConfigurationChanged, (details) =>
      changed.push(details?.flagsChanged ?? []),
    );
    await world.setValue('BANNER', 'changed over SSE');
    await until(
      'configuration-changed for BANNER',
      () => changed.some((keys) => keys.includes('BANNER')),
      10_000,
    );
    assert.equal(await client.getStringValue('BANNER', ''), 'changed over SSE');
  });

  it('on party-server-ish (no SSE) it polls; when the server goes away it reports stale', async () => {
    const ish = world.roles['party-ish']!;
    const provider = new FeatureHubProvider({
      edgeUrl: ish.baseUrl,
      apiKey: world.clientKey,
      pollIntervalMs: 200,
    });
    await OpenFeature.setProviderAndWait('ish', provider);
    const client = OpenFeature.getClient('ish');
    assert.equal(client.providerStatus, ProviderStatus.READY);
    const events: string[] = [];
    client.addHandler(ProviderEvents.ConfigurationChanged, () => events.push('changed'));
    client.addHandler(ProviderEvents.Stale, () => events.push('stale'));
    await world.setValue('BANNER', 'changed while polling');
    await until('the poll to see the change', () => events.includes('changed'), 10_000);
    assert.equal(await client.getStringValue('BANNER', ''), 'changed while polling');

    await ish.stop('SIGKILL');
    await until('stale once the server is gone', () => events.includes('stale'), 10_000);
    assert.equal(client.providerStatus, ProviderStatus.STALE);
    // Values stay what they were: evaluation is local.
    assert.equal(await client.getStringValue('BANNER', ''), 'changed while polling');
  });

  it('a key FeatureHub does not know is an error at start', async () => {
    const stranger = `${world.environmentId}/${'x'.repeat(30)}*${'y'.repeat(20)}`;
    await assert.rejects(
      OpenFeature.setProviderAndWait(
        'stranger',
        new FeatureHubProvider({ edgeUrl: world.roles.party!.baseUrl, apiKey: stranger }),
      ),
    );
    assert.equal(OpenFeature.getClient('stranger').providerStatus, ProviderStatus.FATAL);
  });
});
