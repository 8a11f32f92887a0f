import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { skipUnlessService } from '@fh/test-support';
import { expectError, expectOk } from '../testing/assertions.ts';
import { type MrWithDacha, startMrWithDacha } from '../testing/mr-with-dacha.ts';
import {
  grantRoles,
  loginAs,
  type SeededOrganisation,
  seedPerson,
  superuserClient,
} from '../testing/organisation-world.ts';
import type { MrClient } from '../testing/test-mr.ts';

for (const dialect of ['sqlite', 'postgres', 'mysql'] as const) {
  describe(`SDK service account API (${dialect})`, {
    skip: dialect === 'sqlite' ? false : await skipUnlessService(dialect),
  }, () => {
    let world: MrWithDacha;
    let su: MrClient;
    let seeded: SeededOrganisation;
    let portfolioId: string;
    let appId: string;
    let envId: string;
    let counter = 0;

    before(async () => {
      world = await startMrWithDacha(dialect);
      const s = await superuserClient(world.mr);
      su = s.client;
      seeded = s;
      const p = expectOk(
        world.mr,
        'createPortfolio',
        await su.post('/portfolio', { name: 'SA portfolio', description: '' }),
      );
      portfolioId = p.id;
      const app = expectOk(
        world.mr,
        'createApplication',
        await su.post(`/portfolio/${portfolioId}/application?includeEnvironments=true`, {
          name: 'App',
          description: '',
        }),
      );
      appId = app.id;
      envId = app.environments[0].id;
      // make sure the environment is in the Dacha, whatever the application slice records
      await world.publisher.publishAll();
      await world.settle();
    });
    after(async () => {
      await world?.close();
    });

    const createAccount = async (roles: string[] = ['READ']) => {
      const res = await su.post(`/portfolio/${portfolioId}/service-account?includePermissions=true`, {
        name: `sdk-${++counter}`,
        description: 'for the tests',
        permissions: [{ environmentId: envId, permissions: roles }],
      });
      return expectOk(world.mr, 'createServiceAccountInPortfolio', res);
    };

    it('creates an account whose keys Dacha accepts at once, in the documented formats', async () => {
      const sa = await createAccount();
      assert.match(sa.apiKeyServerSide, /^[A-Za-z0-9]{40}$/);
      assert.match(sa.apiKeyClientSide, /^[A-Za-z0-9]{30}\*[A-Za-z0-9]{20}$/);
      assert.deepEqual(sa.permissions, [
        {
          environmentId: envId,
          permissions: ['READ'],
          sdkUrlClientEval: `${envId}/${sa.apiKeyClientSide}`,
          sdkUrlServerEval: `${envId}/${sa.apiKeyServerSide}`,
        },
      ]);
      await world.settle();
      assert.equal(world.dacha.features(envId, sa.apiKeyServerSide).status, 'found');
      assert.equal(world.dacha.features(envId, sa.apiKeyClientSide).status, 'found');
    });

    it('lists with SDK URLs, gets by id (scoped to an application) and filters by name', async () => {
      const sa = await createAccount(['READ', 'CHANGE_VALUE']);
      const list = expectOk(
        world.mr,
        'searchServiceAccountsInPortfolio',
        await su.get(`/portfolio/${portfolioId}/service-account?includeSdkUrls=true&filter=${sa.name}`),
      );
      assert.equal(list.length, 1);
      assert.equal(list[0].permissions[0].sdkUrlServerEval, `${envId}/${sa.apiKeyServerSide}`);
      assert.equal(list[0].permissions[0].sdkUrlClientEval, `${envId}/${sa.apiKeyClientSide}`);
      const got = expectOk(
        world.mr,
        'getServiceAccount',
        await su.get(`/service-account/${sa.id}?includePermissions=true&byApplicationId=${appId}`),
      );
      assert.equal(got.permissions.length, 1);
      expectError(await su.get('/service-account/self'), 404);
    });

    it('updates name and permissions, with 422 for a stale version and 400 for repeated environments', async () => {
      const sa = await createAccount();
      const updated = expectOk(
        world.mr,
        'updateServiceAccountOnPortfolio',
        await su.put(`/portfolio/${portfolioId}/service-account?includePermissions=true&appId=${appId}`, {
          id: sa.id,
          name: `${sa.name}-renamed`,
          version: sa.version,
          permissions: [{ environmentId: envId, permissions: ['READ', 'LOCK'] }],
        }),
      );
      assert.deepEqual(updated.permissions, [{ environmentId: envId, permissions: ['READ', 'LOCK'] }]);
      assert.ok(updated.version > sa.version);
      await world.settle();
      assert.deepEqual(world.dacha.serviceAccount(sa.id)?.permissions, [
        { environmentId: envId, permissions: ['READ', 'LOCK'] },
      ]);

      expectError(
        await su.put(`/portfolio/${portfolioId}/service-account`, {
          id: sa.id,
          name: 'x',
          version: sa.version,
        }),
        422,
      );
      expectError(
        await su.put(`/service-account/${sa.id}`, {
          id: sa.id,
          name: updated.name,
          version: updated.version,
          permissions: [
            { environmentId: envId, permissions: ['READ'] },
            { environmentId: envId, permissions: ['LOCK'] },
          ],
        }),
        400,
      );
      const viaId = expectOk(
        world.mr,
        'updateServiceAccount',
        await su.put(`/service-account/${sa.id}?includePermissions=true`, {
          id: sa.id,
          name: updated.name,
          version: updated.version,
          permsInvalid: true,
          permissions: [],
        }),
      );
      assert.equal(viaId.permissions.length, 1, 'permsInvalid leaves the permissions alone');
    });

    it('resets keys: the old key stops working in Dacha and the new one works', async () => {
      const sa = await createAccount();
      const reset = expectOk(
        world.mr,
        'resetApiKey',
        await su.post(`/service-account/${sa.id}/reset-api-key?apiKeyType=server_eval_only`),
      );
      assert.equal(reset.apiKeyClientSide, sa.apiKeyClientSide);
      assert.notEqual(reset.apiKeyServerSide, sa.apiKeyServerSide);
      await world.settle();
      assert.equal(world.dacha.features(envId, sa.apiKeyServerSide).status, 'not_found');
      assert.equal(world.dacha.features(envId, reset.apiKeyServerSide).status, 'found');
      expectError(await su.post(`/service-account/${sa.id}/reset-api-key?apiKeyType=both`), 400);
    });

    it('deletes (archives): caches drop the keys and the name is free again', async () => {
      const sa = await createAccount();
      const res = await su.delete(`/service-account/${sa.id}`);
      assert.equal(res.status, 200);
      assert.equal(res.body, true);
      await world.settle();
      assert.equal(world.dacha.features(envId, sa.apiKeyServerSide).status, 'not_found');
      expectError(await su.get(`/service-account/${sa.id}`), 404);
      expectOk(
        world.mr,
        'createServiceAccountInPortfolio',
        await su.post(`/portfolio/${portfolioId}/service-account`, { name: sa.name }),
      );
    });

    it('answers 409 for a duplicate name, 400 for a foreign environment, 404 for an unknown portfolio, 401 without a token', async () => {
      const sa = await createAccount();
      expectError(await su.post(`/portfolio/${portfolioId}/service-account`, { name: sa.name }), 409);
      const other = expectOk(
        world.mr,
        'createPortfolio',
        await su.post('/portfolio', { name: 'Elsewhere', description: '' }),
      );
      expectError(
        await su.post(`/portfolio/${other.id}/service-account`, {
          name: 'x',
          permissions: [{ environmentId: envId, permissions: ['READ'] }],
        }),
        400,
      );
      expectError(
        await su.post('/portfolio/00000000-0000-4000-8000-000000000000/service-account', { name: 'x' }),
        404,
      );
      expectError(await su.post(`/portfolio/${portfolioId}/service-account`, { name: '' }), 400);
      expectError(await world.mr.client.get(`/portfolio/${portfolioId}/service-account`), 401);
    });

    it('deleting an environment gives its service accounts a new version without that permission', async () => {
      const staging = expectOk(
        world.mr,
        'createEnvironment',
        await su.post(`/application/${appId}/environment`, { name: `staging-${++counter}`, description: '' }),
      );
      const res = await su.post(`/portfolio/${portfolioId}/service-account`, {
        name: `sdk-${++counter}`,
        permissions: [
          { environmentId: envId, permissions: ['READ'] },
          { environmentId: staging.id, permissions: ['READ'] },
        ],
      });
      const sa = expectOk(world.mr, 'createServiceAccountInPortfolio', res);
      await world.settle();
      const before = world.dacha.serviceAccount(sa.id);
      assert.equal(before?.permissions.length, 2);

      expectOk(world.mr, 'deleteEnvironment', await su.delete(`/environment/${staging.id}`));
      await world.settle();
      const after = world.dacha.serviceAccount(sa.id);
      assert.ok(after && before && after.version > before.version, 'the account version must grow');
      assert.deepEqual(after?.permissions, [{ environmentId: envId, permissions: ['READ'] }]);
      assert.equal(world.dacha.environment(staging.id), undefined);
    });

    it('members may list but not manage; they see SDK URLs only where their roles cover the account', async () => {
      const sa = await createAccount(['READ', 'CHANGE_VALUE']);
      const reader = await seedPerson(world.mr.stores, 'reader');
      await grantRoles(world.mr.stores, {
        org: seeded.org,
        portfolioId,
        personId: reader.id,
        environmentRoles: [{ environmentId: envId, roles: ['READ'] }],
      });
      const client = await loginAs(world.mr, reader);
      const list = expectOk(
        world.mr,
        'searchServiceAccountsInPortfolio',
        await client.get(`/portfolio/${portfolioId}/service-account?includeSdkUrls=true`),
      );
      const mine = list.find((a: { id: string }) => a.id === sa.id);
      assert.equal(mine.apiKeyServerSide, undefined);
      assert.equal(mine.permissions[0].sdkUrlServerEval, undefined);
      const readOnly = list.find(
        (a: { permissions: { permissions: string[] }[] }) =>
          a.permissions.length > 0 && a.permissions[0]!.permissions.join() === 'READ',
      );
      assert.ok(readOnly?.permissions[0].sdkUrlServerEval, 'a READ-only account is covered by READ');
      expectError(await client.post(`/portfolio/${portfolioId}/service-account`, { name: 'nope' }), 403);
      expectError(await client.delete(`/service-account/${sa.id}`), 403);
      expectError(await client.post(`/service-account/${sa.id}/reset-api-key`), 403);
    });
  });
}
