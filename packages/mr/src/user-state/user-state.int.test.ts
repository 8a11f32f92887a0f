import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { skipUnlessService } from '@fh/test-support';
import { expectError, expectOk } from '../testing/assertions.ts';
import { grantRoles, loginAs, seedPerson, superuserClient } from '../testing/organisation-world.ts';
import { type MrClient, startTestMr, type TestMr } from '../testing/test-mr.ts';

for (const dialect of ['sqlite', 'postgres', 'mysql'] as const) {
  describe(`hidden environments API (${dialect})`, {
    skip: dialect === 'sqlite' ? false : await skipUnlessService(dialect),
  }, () => {
    let mr: TestMr;
    let su: MrClient;
    let reader: MrClient;
    let outsider: MrClient;
    let appId: string;
    let otherAppId: string;
    let prod: string;
    let dev: string;
    let foreignEnv: string;
    const path = (id: string) => `/user-data/state/${id}/hidden-environments`;

    before(async () => {
      mr = await startTestMr({ dialect });
      const seeded = await superuserClient(mr);
      su = seeded.client;
      const portfolio = expectOk(
        mr,
        'createPortfolio',
        await su.post('/portfolio', { name: 'P', description: '' }),
      );
      const createApp = async (name: string) =>
        expectOk(
          mr,
          'createApplication',
          await su.post(`/portfolio/${portfolio.id}/application?includeEnvironments=true`, {
            name,
            description: '',
          }),
        );
      const app = await createApp('A');
      appId = app.id;
      prod = app.environments[0].id;
      const created = await su.post(`/application/${appId}/environment`, { name: 'dev', description: '' });
      dev = expectOk(mr, 'createEnvironment', created).id;
      const other = await createApp('B');
      otherAppId = other.id;
      foreignEnv = other.environments[0].id;

      // a feature reader of A (READ in dev only), and someone who reads B but not A
      const readerPerson = await seedPerson(mr.stores, 'reader');
      await grantRoles(mr.stores, {
        org: seeded.org,
        portfolioId: portfolio.id,
        personId: readerPerson.id,
        environmentRoles: [{ environmentId: dev, roles: ['READ'] }],
      });
      reader = await loginAs(mr, readerPerson);
      const outsiderPerson = await seedPerson(mr.stores, 'outsider');
      await grantRoles(mr.stores, {
        org: seeded.org,
        portfolioId: portfolio.id,
        personId: outsiderPerson.id,
        environmentRoles: [{ environmentId: foreignEnv, roles: ['READ'] }],
      });
      outsider = await loginAs(mr, outsiderPerson);
    });
    after(async () => {
      await mr?.close();
    });

    it('a feature reader saves a choice and reads it back; it is theirs alone', async () => {
      const empty = expectOk(mr, 'getHiddenEnvironments', await reader.get(path(appId)));
      assert.deepEqual(empty, { noneSelected: false, environmentIds: [] });

      const body = { noneSelected: false, environmentIds: [dev] };
      assert.deepEqual(expectOk(mr, 'saveHiddenEnvironments', await reader.post(path(appId), body)), body);
      assert.deepEqual(expectOk(mr, 'getHiddenEnvironments', await reader.get(path(appId))), body);

      const theSuperusers = expectOk(mr, 'getHiddenEnvironments', await su.get(path(appId)));
      assert.deepEqual(theSuperusers.environmentIds, []);
    });

    it('keeps "none selected" and replaces the earlier choice', async () => {
      const none = { noneSelected: true, environmentIds: [] };
      expectOk(mr, 'saveHiddenEnvironments', await su.post(path(appId), none));
      assert.deepEqual(expectOk(mr, 'getHiddenEnvironments', await su.get(path(appId))), none);
      const both = { noneSelected: false, environmentIds: [prod, dev] };
      expectOk(mr, 'saveHiddenEnvironments', await su.post(path(appId), both));
      assert.deepEqual(expectOk(mr, 'getHiddenEnvironments', await su.get(path(appId))), both);
    });

    it('refuses environments of another application with 422 and a message, keeping the choice', async () => {
      const before = expectOk(mr, 'getHiddenEnvironments', await reader.get(path(appId)));
      const res = await reader.post(path(appId), { environmentIds: [dev, foreignEnv] });
      expectError(res, 422, new RegExp(foreignEnv));
      assert.equal(typeof (res.body as { message?: unknown }).message, 'string');
      expectError(await reader.post(path(appId), { environmentIds: [randomUUID()] }), 422);
      expectError(await reader.post(path(appId), { environmentIds: [dev, prod, dev] }), 422, /has 2/);
      assert.deepEqual(expectOk(mr, 'getHiddenEnvironments', await reader.get(path(appId))), before);
    });

    it('answers 401 without a token, 403 to a person who may not read the application, 404 for an unknown one', async () => {
      expectError(await mr.client.get(path(appId)), 401);
      expectError(await mr.client.post(path(appId), { environmentIds: [] }), 401);
      expectError(await outsider.get(path(appId)), 403);
      expectError(await outsider.post(path(appId), { environmentIds: [dev] }), 403);
      expectOk(mr, 'getHiddenEnvironments', await outsider.get(path(otherAppId)));
      expectError(await su.get(path(randomUUID())), 404);
      expectError(await su.post(path(randomUUID()), { environmentIds: [] }), 404);
    });

    it('answers 400 to ids that are not UUIDs and to a flag that is not a boolean', async () => {
      expectError(await su.get(path('not-a-uuid')), 400);
      expectError(await su.post(path(appId), { environmentIds: ['dev'] }), 400, /environmentIds/);
      expectError(await su.post(path(appId), { noneSelected: 'yes' }), 400, /noneSelected/);
    });

    it('forgets an environment once it is deleted', async () => {
      const created = await su.post(`/application/${appId}/environment`, {
        name: 'soon gone',
        description: '',
      });
      const gone = expectOk(mr, 'createEnvironment', created).id;
      expectOk(mr, 'saveHiddenEnvironments', await su.post(path(appId), { environmentIds: [dev, gone] }));
      assert.equal((await su.delete(`/environment/${gone}`)).status, 200);
      const now = expectOk(mr, 'getHiddenEnvironments', await su.get(path(appId)));
      assert.deepEqual(now.environmentIds, [dev]);
    });
  });
}
