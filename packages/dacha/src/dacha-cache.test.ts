import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DachaCache } from './dacha-cache.ts';
import {
  cacheFeature,
  nextValue,
  publishEnvironment,
  publishFeature,
  publishServiceAccount,
} from './testing.ts';
import type { EnvironmentChange } from './types.ts';

const ENV = '11111111-2222-4333-8444-555555555555';
const OTHER_ENV = '11111111-2222-4333-8444-666666666666';
const CLIENT_KEY = 'client*secret';
const SERVER_KEY = 'serversecret';

const flag = cacheFeature({ id: 'f-flag', key: 'FLAG', type: 'BOOLEAN', value: true });
const colour = cacheFeature({ id: 'f-colour', key: 'COLOUR', type: 'STRING', value: 'red' });

function filledCache(options: ConstructorParameters<typeof DachaCache>[0] = {}): DachaCache {
  const cache = new DachaCache(options);
  cache.applyEnvironment(
    publishEnvironment({ id: ENV, features: [flag, colour], serviceAccounts: ['sa-1'] }),
  );
  cache.applyServiceAccount(
    publishServiceAccount({
      id: 'sa-1',
      clientKey: CLIENT_KEY,
      serverKey: SERVER_KEY,
      permissions: { [ENV]: ['CHANGE_VALUE'], [OTHER_ENV]: [] },
    }),
  );
  return cache;
}

function record(cache: DachaCache, envId = ENV): EnvironmentChange[] {
  const seen: EnvironmentChange[] = [];
  cache.subscribe(envId, (c) => seen.push(c));
  return seen;
}

function found(cache: DachaCache, key = CLIENT_KEY) {
  const result = cache.features(ENV, key);
  assert.equal(result.status, 'found');
  if (result.status !== 'found') throw new Error('unreachable');
  return result.environment;
}

const summary = (changes: EnvironmentChange[]) =>
  changes.map((c) =>
    'feature' in c ? `${c.kind}:${c.feature.feature.key}@${c.feature.value?.version ?? 0}` : c.kind,
  );

describe('DachaCache lookups', () => {
  it('answers both API keys of an account with the environment features and its roles (READ implied)', () => {
    const cache = filledCache();
    for (const key of [CLIENT_KEY, SERVER_KEY]) {
      const env = found(cache, key);
      assert.deepEqual(
        env.features.map((f) => f.feature.key),
        ['FLAG', 'COLOUR'],
      );
      assert.deepEqual(env.roles, ['READ', 'CHANGE_VALUE']);
      assert.equal(env.serviceAccountId, 'sa-1');
      assert.equal(env.applicationId, '00000000-0000-4000-8000-00000000000c');
    }
  });

  it('tells an unknown key, an unknown environment and a key without roles apart', () => {
    const cache = filledCache();
    assert.equal(cache.features(ENV, 'nope').status, 'not_found');
    assert.equal(cache.features('99999999-2222-4333-8444-555555555555', CLIENT_KEY).status, 'not_found');
    cache.applyEnvironment(publishEnvironment({ id: OTHER_ENV, features: [] }));
    assert.equal(cache.features(OTHER_ENV, CLIENT_KEY).status, 'no_permission');
  });

  it('answers not_ready for unknown keys until the startup fill is marked complete', () => {
    const cache = filledCache({ ready: false });
    assert.equal(cache.features(ENV, 'nope').status, 'not_ready');
    assert.equal(cache.features(ENV, CLIENT_KEY).status, 'found');
    cache.markReady();
    assert.equal(cache.features(ENV, 'nope').status, 'not_found');
  });

  it('finds a feature by key for the test API, retired or not, and not_found for an unknown key', () => {
    const cache = filledCache();
    cache.applyFeatureValues(publishFeature(ENV, nextValue(colour, { retired: true })));
    const perm = cache.permission(ENV, SERVER_KEY, 'COLOUR');
    assert.equal(perm.status, 'found');
    if (perm.status === 'found') assert.equal(perm.permission.feature.value?.retired, true);
    assert.equal(cache.permission(ENV, SERVER_KEY, 'MISSING').status, 'not_found');
  });
});

describe('DachaCache versions', () => {
  it('an older environment message never overwrites a newer one', () => {
    const cache = new DachaCache();
    cache.applyServiceAccount(
      publishServiceAccount({ id: 'sa', clientKey: 'c*k', serverKey: 's', permissions: { [ENV]: ['READ'] } }),
    );
    assert.equal(
      cache.applyEnvironment(publishEnvironment({ id: ENV, version: 5, features: [flag, colour] })),
      'applied',
    );
    assert.equal(
      cache.applyEnvironment(publishEnvironment({ id: ENV, version: 4, features: [flag] })),
      'stale',
    );
    assert.equal(found(cache, 'c*k').features.length, 2);
  });

  it('an older feature value never overwrites a newer one', () => {
    const cache = filledCache();
    const v2 = nextValue(colour, { value: 'green' });
    const v3 = nextValue(v2, { value: 'blue' });
    cache.applyFeatureValues(publishFeature(ENV, v3));
    assert.deepEqual(cache.applyFeatureValues(publishFeature(ENV, v2)), ['stale']);
    assert.equal(cache.feature(ENV, 'f-colour')?.value?.value, 'blue');
  });

  it('compares the definition version and the value version separately', () => {
    const cache = filledCache();
    const newerValue = nextValue(colour, { value: 'green' });
    cache.applyFeatureValues(publishFeature(ENV, newerValue));
    // A rename (definition v2) published with the value as it was before the last save.
    const renamed = { ...colour, feature: { ...colour.feature, key: 'COLOR', version: 2 } };
    cache.applyFeatureValues(publishFeature(ENV, renamed));
    const held = cache.feature(ENV, 'f-colour');
    assert.equal(held?.feature.key, 'COLOR');
    assert.equal(held?.value?.value, 'green');
    assert.equal(held?.value?.version, 2);
  });

  it('an environment republish keeps a newer value that arrived before it', () => {
    const cache = filledCache();
    cache.applyFeatureValues(publishFeature(ENV, nextValue(flag, { value: false })));
    cache.applyEnvironment(publishEnvironment({ id: ENV, version: 2, features: [flag, colour] }));
    assert.equal(cache.feature(ENV, 'f-flag')?.value?.value, false);
  });

  it('an older service account never overwrites a newer one', () => {
    const cache = filledCache();
    cache.applyServiceAccount(
      publishServiceAccount({
        id: 'sa-1',
        version: 3,
        clientKey: 'new*key',
        serverKey: 'newkey',
        permissions: { [ENV]: ['READ'] },
      }),
    );
    const stale = publishServiceAccount({
      id: 'sa-1',
      version: 2,
      clientKey: CLIENT_KEY,
      serverKey: SERVER_KEY,
      permissions: { [ENV]: ['READ'] },
    });
    assert.equal(cache.applyServiceAccount(stale), 'stale');
    assert.equal(cache.features(ENV, CLIENT_KEY).status, 'not_found');
    assert.equal(cache.features(ENV, 'new*key').status, 'found');
  });
});

describe('DachaCache changes', () => {
  it('announces a changed value, and nothing for a message that changes nothing', () => {
    const cache = filledCache();
    const seen = record(cache);
    const v2 = nextValue(colour, { value: 'green' });
    cache.applyFeatureValues(publishFeature(ENV, v2));
    cache.applyFeatureValues(publishFeature(ENV, v2));
    assert.deepEqual(summary(seen), ['feature-updated:COLOUR@2']);
  });

  it('a retired value counts as absent: left out of lookups and announced as a delete', () => {
    const cache = filledCache();
    const seen = record(cache);
    const retired = nextValue(colour, { retired: true });
    cache.applyFeatureValues(publishFeature(ENV, retired));
    assert.deepEqual(
      found(cache).features.map((f) => f.feature.key),
      ['FLAG'],
    );
    cache.applyFeatureValues(publishFeature(ENV, nextValue(retired, { retired: false })));
    assert.deepEqual(summary(seen), ['feature-deleted:COLOUR@2', 'feature-updated:COLOUR@3']);
    assert.equal(found(cache).features.length, 2);
  });

  it('a deleted feature disappears and the delete carries the version the SDK holds', () => {
    const cache = filledCache();
    const seen = record(cache);
    cache.applyFeatureValues(publishFeature(ENV, colour, 'DELETE'));
    assert.deepEqual(summary(seen), ['feature-deleted:COLOUR@1']);
    assert.equal(cache.feature(ENV, 'f-colour'), undefined);
    assert.deepEqual(cache.applyFeatureValues(publishFeature(ENV, colour, 'DELETE')), ['unchanged']);
  });

  it('a new feature is announced, and a feature of an uncached environment is ignored', () => {
    const cache = filledCache();
    const seen = record(cache);
    const num = cacheFeature({ id: 'f-num', key: 'NUM', type: 'NUMBER', value: 3 });
    cache.applyFeatureValues(publishFeature(ENV, num, 'CREATE'));
    assert.deepEqual(cache.applyFeatureValues(publishFeature(OTHER_ENV, num, 'CREATE')), ['ignored']);
    assert.deepEqual(summary(seen), ['feature-updated:NUM@1']);
  });

  it('a rename deletes the old key before announcing the new one', () => {
    const cache = filledCache();
    const seen = record(cache);
    cache.applyFeatureValues(
      publishFeature(ENV, { ...colour, feature: { ...colour.feature, key: 'COLOR', version: 2 } }),
    );
    assert.deepEqual(summary(seen), ['feature-deleted:COLOUR@1', 'feature-updated:COLOR@1']);
  });

  it('an environment republish announces only what differs', () => {
    const cache = filledCache();
    const seen = record(cache);
    const num = cacheFeature({ id: 'f-num', key: 'NUM', type: 'NUMBER', value: 3 });
    cache.applyEnvironment(publishEnvironment({ id: ENV, version: 2, features: [flag, num] }));
    assert.deepEqual(summary(seen), ['feature-updated:NUM@1', 'feature-deleted:COLOUR@1']);
  });

  it('a deleted environment is announced and no longer found', () => {
    const cache = filledCache();
    const seen = record(cache);
    cache.applyEnvironment(
      publishEnvironment({ id: ENV, version: Number.MAX_SAFE_INTEGER, features: [], action: 'DELETE' }),
    );
    assert.deepEqual(summary(seen), ['environment-deleted']);
    assert.equal(cache.features(ENV, CLIENT_KEY).status, 'not_found');
  });

  it('a key reset invalidates the old key at once and tells every environment of the account', () => {
    const cache = filledCache();
    const seen = record(cache);
    const seenOther = record(cache, OTHER_ENV);
    cache.applyServiceAccount(
      publishServiceAccount({
        id: 'sa-1',
        version: 2,
        clientKey: 'reset*key',
        serverKey: SERVER_KEY,
        permissions: { [ENV]: ['READ'] },
      }),
    );
    assert.equal(cache.features(ENV, CLIENT_KEY).status, 'not_found');
    assert.equal(cache.features(ENV, 'reset*key').status, 'found');
    assert.deepEqual(summary(seen), ['service-account-changed']);
    assert.deepEqual(summary(seenOther), ['service-account-changed']);
  });

  it('a deleted service account loses both keys', () => {
    const cache = filledCache();
    cache.applyServiceAccount(
      publishServiceAccount({
        id: 'sa-1',
        clientKey: CLIENT_KEY,
        serverKey: SERVER_KEY,
        permissions: {},
        action: 'DELETE',
      }),
    );
    assert.equal(cache.features(ENV, CLIENT_KEY).status, 'not_found');
    assert.equal(cache.features(ENV, SERVER_KEY).status, 'not_found');
  });

  it('a failing listener does not stop the others, and unsubscribing leaves no listener behind', () => {
    const cache = filledCache();
    const unsubscribeBad = cache.subscribe(ENV, () => {
      throw new Error('boom');
    });
    const seen: EnvironmentChange[] = [];
    const unsubscribeGood = cache.subscribe(ENV, (c) => seen.push(c));
    cache.applyFeatureValues(publishFeature(ENV, nextValue(flag, { value: false })));
    assert.equal(seen.length, 1);
    unsubscribeBad();
    unsubscribeGood();
    unsubscribeGood();
    assert.equal(cache.listenerCount, 0);
  });
});

describe('DachaCache payload memo and etag', () => {
  it('keeps serialised payloads until the environment changes', () => {
    const cache = filledCache();
    found(cache).payloads.set('client', '[...]');
    assert.equal(found(cache).payloads.get('client'), '[...]');
    const etag = found(cache).etag;
    cache.applyFeatureValues(publishFeature(ENV, nextValue(flag, { value: false })));
    assert.equal(found(cache).payloads.get('client'), undefined);
    assert.notEqual(found(cache).etag, etag);
  });

  it('gives equal states equal etags, on any instance', () => {
    assert.equal(found(filledCache()).etag, found(filledCache()).etag);
  });

  it('a message that changes nothing keeps the memo', () => {
    const cache = filledCache();
    found(cache).payloads.set('client', 'x');
    cache.applyFeatureValues(publishFeature(ENV, flag));
    assert.equal(found(cache).payloads.get('client'), 'x');
  });
});
