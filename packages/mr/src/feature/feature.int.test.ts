import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { skipUnlessService } from '@fh/test-support';
import { type MrClient, startTestMr, type TestMr } from '../testing/test-mr.ts';
import { buildHttpValueWorld, type HttpValueWorld } from '../testing/value-world.ts';

for (const dialect of ['sqlite', 'postgres', 'mysql'] as const) {
  describe(`feature definitions over HTTP (${dialect})`, {
    skip: dialect === 'sqlite' ? false : await skipUnlessService(dialect),
  }, () => {
    let mr: TestMr;
    let world: HttpValueWorld;
    let admin: MrClient;
    let base: string;

    before(async () => {
      mr = await startTestMr({ dialect });
      world = await buildHttpValueWorld(mr);
      admin = world.admin;
      base = `/application/${world.app.id}/features`;
    });
    after(async () => mr?.close());

    it('creates features, a BOOLEAN one with a locked false value in every environment', async () => {
      const created = await admin.post(base, { key: 'FLAG_ONE', name: 'Flag one', valueType: 'BOOLEAN' });
      assert.equal(created.status, 200);
      assert.deepEqual(
        created.body.map((f: { key: string }) => f.key),
        ['FLAG_ONE'],
      );
      const text = await admin.post(`${base}?includeMetaData=true`, {
        key: 'TEXT_ONE',
        name: 'Text',
        valueType: 'STRING',
        description: 'words',
        metaData: '{"owner":"me"}',
      });
      assert.deepEqual(
        text.body.map((f: { key: string; metaData?: string }) => [f.key, f.metaData]),
        [
          ['FLAG_ONE', null],
          ['TEXT_ONE', '{"owner":"me"}'],
        ],
      );
      const flagId = created.body[0].id;
      for (const env of [world.dev, world.prod]) {
        const v = await admin.get(`/features/${env.id}/feature/FLAG_ONE`);
        assert.equal(v.status, 200);
        assert.deepEqual(
          [v.body.value, v.body.valueBoolean, v.body.locked, v.body.version],
          [false, false, true, 1],
        );
        assert.equal(v.body.key, 'FLAG_ONE');
      }
      const list = await admin.get(base);
      assert.equal(list.status, 200);
      assert.equal(list.body.find((f: { id: string }) => f.id === flagId).metaData, undefined);
    });

    it('refuses a duplicate key (409) and a blank or spaced key (400)', async () => {
      await admin.post(base, { key: 'DUP', name: 'Dup', valueType: 'STRING' });
      assert.equal((await admin.post(base, { key: 'DUP', name: 'again', valueType: 'STRING' })).status, 409);
      for (const key of ['', 'a b', ' lead']) {
        const res = await admin.post(base, { key, name: 'n', valueType: 'STRING' });
        assert.equal(res.status, 400, key);
        assert.match(res.body.message, /key/);
      }
      assert.equal((await admin.post(base, { key: 'K', name: 'n', valueType: 'TEXT' })).status, 400);
      assert.equal((await admin.post(base, { key: 'K', valueType: 'STRING' })).status, 400);
      assert.equal(
        (await admin.post(base, { key: 'K', name: 'n', valueType: 'STRING', link: 'x'.repeat(601) })).status,
        400,
      );
    });

    it('gets one feature by key or id', async () => {
      const [f] = (await admin.post(base, { key: 'ONE', name: 'One', valueType: 'NUMBER' })).body.filter(
        (x: { key: string }) => x.key === 'ONE',
      );
      assert.equal((await admin.get(`${base}/ONE`)).body.id, f.id);
      assert.equal((await admin.get(`${base}/${f.id}`)).body.key, 'ONE');
      assert.equal((await admin.get(`${base}/NOPE`)).status, 404);
    });

    it('updates by the body (rename by id, 409 on a taken key, 422 when stale), returning all or one', async () => {
      await admin.post(base, { key: 'OLD', name: 'Old', valueType: 'STRING' });
      const old = (await admin.get(`${base}/OLD`)).body;
      const renamed = await admin.put(`${base}?returnAllFeatures=false`, {
        id: old.id,
        key: 'NEW',
        name: 'New name',
        link: 'http://x',
        version: old.version,
      });
      assert.equal(renamed.status, 200);
      assert.deepEqual(
        renamed.body.map((f: { key: string; name: string }) => [f.key, f.name]),
        [['NEW', 'New name']],
      );
      const stale = await admin.put(base, { id: old.id, key: 'NEW', name: 'again', version: old.version });
      assert.equal(stale.status, 422);
      assert.equal((await admin.put(base, { id: old.id, key: 'DUP', name: 'x' })).status, 409);
      assert.equal((await admin.put(base, { key: 'MISSING', name: 'x' })).status, 404);
      const all = await admin.put(base, { key: 'NEW', name: 'by key' });
      assert.ok(all.body.length > 1);
      // the deprecated form: the path names the feature, the body has the new key
      const deprecated = await admin.put(`${base}/NEW`, { key: 'NEWER', name: 'by key' });
      assert.equal(deprecated.status, 200);
      assert.ok(deprecated.body.some((f: { key: string }) => f.key === 'NEWER'));
    });

    it('deletes (archives) a feature, returning the rest; its key can be used again', async () => {
      await admin.post(base, { key: 'GONE', name: 'Gone', valueType: 'BOOLEAN' });
      const res = await admin.delete(`${base}/GONE`);
      assert.equal(res.status, 200);
      assert.equal(
        res.body.some((f: { key: string }) => f.key === 'GONE'),
        false,
      );
      assert.equal((await admin.get(`${base}/GONE`)).status, 404);
      assert.equal((await admin.delete(`${base}/GONE`)).status, 404);
      assert.equal((await admin.post(base, { key: 'GONE', name: 'Back', valueType: 'STRING' })).status, 200);
    });

    it('enforces permissions: 401 without a token, 403 without the role, 404 for an unknown application', async () => {
      assert.equal((await mr.client.get(base)).status, 401);
      const { client: reader } = await world.client({ envs: { [world.dev.id]: ['READ'] } });
      const { client: creator } = await world.client({ app: ['FEATURE_CREATE'] });
      const { client: stranger } = await world.client({});
      assert.equal((await reader.get(base)).status, 200);
      assert.equal((await stranger.get(base)).status, 403);
      assert.equal((await reader.post(base, { key: 'R', name: 'r', valueType: 'STRING' })).status, 403);
      assert.equal((await creator.post(base, { key: 'C', name: 'c', valueType: 'STRING' })).status, 200);
      assert.equal((await creator.put(base, { key: 'C', name: 'changed' })).status, 403);
      assert.equal((await creator.delete(`${base}/C`)).status, 403);
      assert.equal(
        (await admin.get('/application/00000000-0000-4000-8000-000000000000/features')).status,
        404,
      );
      assert.equal((await admin.get('/application/not-a-uuid/features')).status, 400);
    });
  });
}
