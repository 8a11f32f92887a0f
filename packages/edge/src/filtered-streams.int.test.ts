import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import type { CacheEnvironmentFeature, FeatureState } from '@fh/contracts';
import { cacheFeature, publishFeature, publishServiceAccount } from '@fh/dacha/testing';
import { type EdgeFixture, ENV_ID, startEdge } from './test-support/edge-fixture.ts';
import { openSse } from './test-support/sse-client.ts';

// Feature filters (API 1.2.6) on Edge: a key whose service account has filters is sent only the features carrying
// one of them, and a live stream follows a feature whose filters change (feature / delete_feature).

const MOBILE_CLIENT = 'mobilemobilemobilemobilemobile*mobilemobilemobilemo';
const MOBILE_SERVER = 'mobileservermobileservermobileservermobi';

let edge: EdgeFixture | undefined;
afterEach(async () => {
  await edge?.close();
  edge = undefined;
});

function withFilters(held: CacheEnvironmentFeature, filters: string[]): CacheEnvironmentFeature {
  return { ...held, feature: { ...held.feature, filters, version: held.feature.version + 1 } };
}

describe('feature filters on Edge', () => {
  it('a filtered key gets only matching features, and its live SSE stream gains and loses features as filters change', async () => {
    const fx = await startEdge({
      features: [
        cacheFeature({ id: 'f-a', key: 'A', type: 'STRING', value: 'a', filters: ['mobile'] }),
        cacheFeature({ id: 'f-b', key: 'B', type: 'STRING', value: 'b' }),
        cacheFeature({ id: 'f-c', key: 'C', type: 'STRING', value: 'c', filters: ['server'] }),
      ],
    });
    edge = fx;
    fx.cache.applyServiceAccount(
      publishServiceAccount({
        id: 'sa-mobile',
        clientKey: MOBILE_CLIENT,
        serverKey: MOBILE_SERVER,
        permissions: { [ENV_ID]: ['READ'] },
        filters: ['mobile'],
      }),
    );
    const sse = await openSse(`${fx.url}/features/${ENV_ID}/${MOBILE_CLIENT}`);
    const initial = await sse.next((f) => f.event === 'features');
    assert.deepEqual(
      (JSON.parse(initial.data) as FeatureState[]).map((f) => f.key),
      ['A'],
    );
    const held = (key: string) => fx.cache.environment(ENV_ID)!.byKey(key)!;

    // C changes but still carries only "server": nothing is sent.
    fx.change('C', { value: 'c2' });
    // B gains "mobile": sent. A loses it: deleted.
    fx.cache.applyFeatureValues(publishFeature(ENV_ID, withFilters(held('B'), ['mobile'])));
    const gained = await sse.next((f) => f.event === 'feature');
    assert.equal((JSON.parse(gained.data) as FeatureState).key, 'B');
    fx.cache.applyFeatureValues(publishFeature(ENV_ID, withFilters(held('A'), [])));
    const lost = await sse.next((f) => f.event === 'delete_feature');
    assert.equal((JSON.parse(lost.data) as FeatureState).key, 'A');
    // A changes again, still without "mobile": the stream has nothing more to say about it.
    fx.change('A', { value: 'a2' });
    fx.change('B', { value: 'b2' });
    await sse.next((f) => f.event === 'feature' && (JSON.parse(f.data) as FeatureState).key === 'B', 2000, 3);
    const keysSent = sse.frames
      .filter((f) => f.event === 'feature' || f.event === 'delete_feature')
      .map((f) => `${f.event}:${(JSON.parse(f.data) as FeatureState).key}`);
    assert.deepEqual(keysSent, ['feature:B', 'delete_feature:A', 'feature:B']);
    sse.close();

    const poll = await fetch(`${fx.url}/features?apiKey=${encodeURIComponent(`${ENV_ID}/${MOBILE_SERVER}`)}`);
    const body = (await poll.json()) as Array<{ features: FeatureState[] }>;
    assert.deepEqual(
      body[0]!.features.map((f) => f.key),
      ['B'],
    );
  });
});
