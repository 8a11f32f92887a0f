import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { FeatureUpdater, StrategyAttributeCountryName } from 'featurehub-javascript-node-sdk';
import {
  clientApiKey,
  type EdgeFixture,
  ENV_ID,
  serverApiKey,
  startEdge,
  UNKNOWN_SERVER_KEY,
  waitFor,
} from './test-support/edge-fixture.ts';
import { closeAllSdks, sdkClient } from './test-support/sdk.ts';

// The real featurehub-javascript-node-sdk@1.4.0 against this Edge over a DachaCache, SSE and polling.

let edge: EdgeFixture | undefined;
async function start(settings: Parameters<typeof startEdge>[0] = {}): Promise<EdgeFixture> {
  edge = await startEdge(settings);
  return edge;
}
afterEach(async () => {
  await closeAllSdks();
  await edge?.close();
  edge = undefined;
});

const POLL_MS = 100;

for (const mode of ['sse', 'polling'] as const) {
  const pollMs = mode === 'polling' ? { pollMs: POLL_MS } : {};

  describe(`SDK 1.4.0 over ${mode}`, () => {
    it('reads every value type with a client-evaluated key', async () => {
      const { url } = await start();
      const sdk = sdkClient(url, clientApiKey(), pollMs);
      assert.equal(await sdk.settled, 'Ready');
      const ctx = await sdk.config.newContext().build();
      assert.equal(ctx.getFlag('FLAG'), true);
      assert.equal(ctx.isEnabled('FLAG'), true);
      assert.equal(ctx.getNumber('NUM'), 42.5);
      assert.equal(ctx.getRawJson('CONFIG'), '{"size":3,"tags":["a"]}');
      assert.deepEqual(ctx.getJson('CONFIG'), { size: 3, tags: ['a'] });
      assert.equal(ctx.getString('TEXT'), 'hello, world = fine');
      assert.equal(ctx.isSet('UNSET'), false);
      assert.equal(ctx.feature('UNSET').getType(), 'STRING');
      assert.equal(ctx.feature('LOCKED').locked, true);
      assert.equal(ctx.feature('FLAG').locked, false);
    });

    it('evaluates strategies in the SDK for a client-evaluated key, per context', async () => {
      const { url } = await start();
      const sdk = sdkClient(url, clientApiKey(), pollMs);
      assert.equal(await sdk.settled, 'Ready');
      const nz = await sdk.config
        .newContext()
        .userKey('user5')
        .country(StrategyAttributeCountryName.NewZealand)
        .build();
      assert.equal(nz.getString('COLOUR'), 'nz');
      const user17 = await sdk.config
        .newContext()
        .userKey('user17')
        .country(StrategyAttributeCountryName.Australia)
        .build();
      assert.equal(user17.getString('COLOUR'), 'blue');
      const user5 = await sdk.config.newContext().userKey('user5').build();
      assert.equal(user5.getString('COLOUR'), 'red');
    });

    it('serves values evaluated on the server for a server-evaluated key, following context changes', async () => {
      const { url } = await start();
      const sdk = sdkClient(url, serverApiKey(), { ...pollMs, init: false });
      const ctx = sdk.config.newContext();
      await ctx.userKey('user17').country(StrategyAttributeCountryName.Australia).build();
      assert.equal(await sdk.settled, 'Ready');
      await waitFor(() => ctx.getString('COLOUR') === 'blue', 'blue for user17');
      assert.equal(ctx.getNumber('NUM'), 42.5);
      assert.equal(ctx.getFlag('SECRET'), false);

      await ctx.userKey('beta-tester').country(StrategyAttributeCountryName.NewZealand).build();
      await waitFor(() => ctx.getString('COLOUR') === 'nz', 'nz after the context changed');
      await waitFor(() => ctx.getFlag('SECRET') === true, 'the beta flag for beta-tester');
    });

    it('sees value changes, locks, retired and deleted features, and new features', async () => {
      const fx = await start();
      const sdk = sdkClient(fx.url, clientApiKey(), pollMs);
      assert.equal(await sdk.settled, 'Ready');
      const ctx = await sdk.config.newContext().build();

      fx.change('TEXT', { value: 'changed' });
      fx.change('FLAG', { locked: true });
      fx.change('NUM', { retired: true });
      fx.remove('CONFIG');
      fx.create('feature-new', 'NEW_FLAG', 'BOOLEAN', true);

      await waitFor(() => ctx.getString('TEXT') === 'changed', 'the new TEXT value');
      await waitFor(() => ctx.feature('FLAG').locked === true, 'FLAG locked');
      await waitFor(() => ctx.feature('NUM').getType() === undefined, 'the retired NUM gone');
      await waitFor(() => ctx.feature('CONFIG').getType() === undefined, 'the deleted CONFIG gone');
      await waitFor(() => ctx.getFlag('NEW_FLAG') === true, 'the new feature');

      fx.change('NUM', { retired: false });
      await waitFor(() => ctx.getNumber('NUM') === 42.5, 'NUM back after un-retiring');
    });

    it('applies test-API updates through MR (stored, versioned) and reports refusals', async () => {
      const fx = await start();
      const sdk = sdkClient(fx.url, clientApiKey(), pollMs);
      assert.equal(await sdk.settled, 'Ready');
      const ctx = await sdk.config.newContext().build();
      const updater = new FeatureUpdater(sdk.config);

      assert.equal(await updater.updateKey('TEXT', { lock: false, value: 'from the SDK' }), true);
      await waitFor(() => ctx.getString('TEXT') === 'from the SDK', 'the updated value');
      assert.equal(ctx.feature('TEXT').version, 2);
      assert.equal(fx.testApi.calls.at(-1)?.value, 'from the SDK');

      assert.equal(await updater.updateKey('TEXT', { lock: true }), true);
      await waitFor(() => ctx.feature('TEXT').locked === true, 'TEXT locked');
      assert.equal(await updater.updateKey('TEXT', { value: 'not while locked' }), false);
      assert.equal(await updater.updateKey('FLAG', { lock: false, value: 'foo' }), false);

      assert.equal(await updater.updateKey('TEXT', { lock: false, updateValue: true }), true);
      await waitFor(
        () => ctx.feature('TEXT').locked === false && !ctx.isSet('TEXT'),
        'TEXT cleared and unlocked',
      );

      assert.equal(await updater.updateKey('NUM', { lock: false, value: '17' }), true);
      await waitFor(() => ctx.getNumber('NUM') === 17, 'NUM set from a string');
      assert.equal(await updater.updateKey('FLAG', { lock: false, value: 'FALSE' }), true);
      await waitFor(() => ctx.getFlag('FLAG') === false, 'FLAG false');
      assert.equal(fx.cache.feature(ENV_ID, 'feature-flag')?.value?.version, 2);
    });

    it('fails cleanly for an unknown API key', async () => {
      const { url } = await start();
      const sdk = sdkClient(url, `${ENV_ID}/${UNKNOWN_SERVER_KEY}`, pollMs);
      assert.equal(await sdk.settled, 'Failed');
      const other = sdkClient(url, clientApiKey(), pollMs);
      assert.equal(await other.settled, 'Ready');
    });
  });
}

describe('SDK 1.4.0 over SSE: connection lifetime', () => {
  it('reconnects after the server drops the stream with bye, and catches up on missed changes', async () => {
    const fx = await start({ settings: { sseDropAfterSeconds: 0.3 } });
    const sdk = sdkClient(fx.url, clientApiKey());
    assert.equal(await sdk.settled, 'Ready');
    const ctx = await sdk.config.newContext().build();
    // Wait for a drop (no stream open), change a value while disconnected, then see it after reconnect.
    await waitFor(() => fx.edge.streamCount === 0, 'the server to drop the stream');
    fx.change('TEXT', { value: 'while away' });
    await waitFor(() => ctx.getString('TEXT') === 'while away', 'the change after reconnecting', 5000);
    assert.ok(fx.cache.listenerCount <= 1);
    assert.equal(sdk.config.readiness, 'Ready');
  });

  it('ends every stream with bye when the server closes, so shutdown never hangs', async () => {
    const fx = await start();
    const sdk = sdkClient(fx.url, clientApiKey());
    assert.equal(await sdk.settled, 'Ready');
    const started = Date.now();
    await fx.close();
    edge = undefined;
    assert.ok(Date.now() - started < 1000);
    assert.equal(fx.cache.listenerCount, 0);
  });
});
