import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CacheServiceAccount, PublishEnvironment } from '@fh/contracts';
import { type CacheLoader, LoadingFeatureSource } from './loading-feature-source.ts';
import { cacheFeature, nextValue, publishEnvironment, publishServiceAccount } from './testing.ts';

const ENV = '11111111-2222-4333-8444-555555555555';
const flag = cacheFeature({ id: 'f-flag', key: 'FLAG', type: 'BOOLEAN', value: true });

class FakeDatabase implements CacheLoader {
  environments = new Map<string, PublishEnvironment>();
  accounts: CacheServiceAccount[] = [];
  reads = 0;
  async environment(id: string) {
    this.reads++;
    return this.environments.get(id);
  }
  async serviceAccountByApiKey(key: string) {
    this.reads++;
    return this.accounts.find((a) => a.apiKeyClientSide === key || a.apiKeyServerSide === key);
  }
}

function setup() {
  const db = new FakeDatabase();
  db.environments.set(ENV, publishEnvironment({ id: ENV, features: [flag] }));
  const account = publishServiceAccount({
    id: 'sa',
    clientKey: 'c*k',
    serverKey: 's',
    permissions: { [ENV]: ['CHANGE_VALUE'] },
  });
  db.accounts.push(account.serviceAccount!);
  let now = 0;
  const source = new LoadingFeatureSource({ loader: db, ttlMs: 1000, now: () => now });
  return { db, source, advance: (ms: number) => (now += ms) };
}

describe('LoadingFeatureSource', () => {
  it('answers like a filled Dacha and reuses what it loaded for the TTL', async () => {
    const { db, source, advance } = setup();
    const first = await source.features(ENV, 'c*k');
    assert.equal(first.status, 'found');
    await Promise.all([source.features(ENV, 'c*k'), source.features(ENV, 'c*k')]);
    assert.equal(db.reads, 2);
    db.environments.set(
      ENV,
      publishEnvironment({ id: ENV, version: 2, features: [nextValue(flag, { value: false })] }),
    );
    advance(1001);
    const later = await source.features(ENV, 'c*k');
    assert.equal(later.status === 'found' && later.environment.features[0]?.value?.value, false);
    assert.equal(db.reads, 4);
  });

  it('notices a deleted environment and a reset key once the TTL has passed', async () => {
    const { db, source, advance } = setup();
    await source.features(ENV, 'c*k');
    db.accounts = [{ ...db.accounts[0]!, version: 2, apiKeyClientSide: 'new*k' }];
    advance(1001);
    assert.equal((await source.features(ENV, 'c*k')).status, 'not_found');
    assert.equal((await source.features(ENV, 'new*k')).status, 'found');
    db.environments.clear();
    advance(1001);
    assert.equal((await source.features(ENV, 'new*k')).status, 'not_found');
  });

  it('reads fresh records for the test API', async () => {
    const { db, source } = setup();
    await source.features(ENV, 's');
    db.environments.set(
      ENV,
      publishEnvironment({ id: ENV, version: 2, features: [nextValue(flag, { locked: true })] }),
    );
    const p = await source.permission(ENV, 's', 'FLAG');
    assert.equal(p.status === 'found' && p.permission.feature.value?.locked, true);
  });
});
