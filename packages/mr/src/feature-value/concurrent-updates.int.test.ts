import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { skipUnlessService } from '@fh/test-support';
import { type MrClient, startTestMr, type TestMr } from '../testing/test-mr.ts';
import { buildHttpValueWorld, type HttpValueWorld } from '../testing/value-world.ts';
import { MrTestApiUpdater } from './test-api-updater.ts';

// 200 concurrent, conflicting updates of one feature value: each succeeds or gets 409, none is lost
// silently, the history has exactly one row per success and the final state is the last success.

const CONCURRENT = 200;

for (const dialect of ['sqlite', 'postgres', 'mysql'] as const) {
  describe(`concurrent feature value updates (${dialect})`, {
    skip: dialect === 'sqlite' ? false : await skipUnlessService(dialect),
  }, () => {
    let mr: TestMr;
    let world: HttpValueWorld;
    let admin: MrClient;

    before(async () => {
      mr = await startTestMr({ dialect });
      world = await buildHttpValueWorld(mr);
      admin = world.admin;
    });
    after(async () => mr?.close());

    async function startValue(key: string) {
      assert.equal(
        (await admin.post(`/application/${world.app.id}/features`, { key, name: key, valueType: 'STRING' }))
          .status,
        200,
      );
      const path = `/features/${world.dev.id}/feature/${key}`;
      const first = await admin.put(path, { key, locked: false, valueString: 'start' });
      assert.equal(first.status, 200);
      return { path, id: first.body.id as string };
    }

    async function checkConsistent(
      featureValueId: string,
      path: string,
      results: { status: number; body: { version?: number; value?: unknown } }[],
    ) {
      const statuses = new Set(results.map((r) => r.status));
      assert.deepEqual(
        [...statuses].filter((s) => s !== 200 && s !== 409),
        [],
        `only 200 and 409 expected, got ${[...statuses].join(', ')}`,
      );
      const successes = results.filter((r) => r.status === 200);
      assert.ok(successes.length >= 1);
      const versions = successes.map((r) => r.body.version!).sort((a, b) => a - b);
      assert.deepEqual(
        versions,
        successes.map((_, i) => i + 2),
        'each success saved its own version',
      );
      const history = await mr.stores.featureValues.history(featureValueId, { order: 'asc' });
      assert.equal(history.length, 1 + successes.length, 'one history row per success (plus the first save)');
      for (const s of successes) {
        const row = history.find((h) => h.version === s.body.version);
        assert.equal(row?.value, s.body.value, `version ${s.body.version} holds what its request saved`);
        assert.equal(row?.versionFrom, s.body.version! - 1);
      }
      const last = successes.reduce((a, b) => (a.body.version! > b.body.version! ? a : b));
      const final = await admin.get(path);
      assert.deepEqual([final.body.value, final.body.version], [last.body.value, last.body.version]);
    }

    it('200 updates from the same version: exactly one wins, the rest get 409', async () => {
      const { path, id } = await startValue('SAME_BASE');
      const results = await Promise.all(
        Array.from({ length: CONCURRENT }, (_, i) =>
          admin.put(path, { key: 'SAME_BASE', locked: false, valueString: `w${i}`, version: 1 }),
        ),
      );
      assert.equal(results.filter((r) => r.status === 200).length, 1);
      await checkConsistent(id, path, results);
    });

    it('200 concurrent read-modify-write clients: every answer is 200 or 409 and nothing is lost', async () => {
      const { path, id } = await startValue('RMW');
      const results = await Promise.all(
        Array.from({ length: CONCURRENT }, async (_, i) => {
          const read = await admin.get(path);
          return admin.put(path, { ...read.body, valueString: `c${i}`, value: undefined });
        }),
      );
      await checkConsistent(id, path, results);
    });

    it('concurrent test-API updates all land (retried), each saved once', async () => {
      assert.equal(
        (
          await admin.post(`/application/${world.app.id}/features`, {
            key: 'SDK',
            name: 'SDK',
            valueType: 'NUMBER',
          })
        ).status,
        200,
      );
      const feature = (await mr.stores.features.findByKey(world.app.id, 'SDK'))!;
      const account = await world.serviceAccount({ [world.dev.id]: ['CHANGE_VALUE', 'LOCK', 'UNLOCK'] });
      const updater = new MrTestApiUpdater(mr.mr.context.uow, mr.stores);
      const results = await Promise.all(
        Array.from({ length: 30 }, (_, i) =>
          updater.applyFeatureUpdate({
            environmentId: world.dev.id,
            apiKey: account.apiKeyClientSide,
            serviceAccountId: account.id,
            featureId: feature.id,
            featureKey: 'SDK',
            lock: undefined,
            updateValue: true,
            value: i + 1,
          }),
        ),
      );
      const ok = results.filter((r) => r.status === 200).length;
      assert.deepEqual(
        results.filter((r) => r.status !== 200 && r.status !== 503),
        [],
      );
      const fv = (await mr.stores.featureValues.find(world.dev.id, feature.id))!;
      assert.equal(fv.version, ok);
      assert.equal((await mr.stores.featureValues.history(fv.id)).length, ok);
    });
  });
}
