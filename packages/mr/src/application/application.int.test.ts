import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { skipUnlessService } from '@fh/test-support';
import { expectError, expectOk } from '../testing/assertions.ts';
import {
  grantRoles,
  loginAs,
  type SeededOrganisation,
  seedPerson,
  superuserClient,
} from '../testing/organisation-world.ts';
import { RecordingPublisher } from '../testing/recording-publisher.ts';
import type { MrClient, TestMr } from '../testing/test-mr.ts';
import { startTestMr } from '../testing/test-mr.ts';

async function newPortfolio(mr: TestMr, su: MrClient, name: string): Promise<{ id: string }> {
  return expectOk(mr, 'createPortfolio', await su.post('/portfolio', { name, description: null }));
}

for (const dialect of ['sqlite', 'postgres', 'mysql'] as const) {
  describe(`application API (${dialect})`, {
    skip: dialect === 'sqlite' ? false : await skipUnlessService(dialect),
  }, () => {
    let mr: TestMr;
    let su: MrClient;
    let seeded: SeededOrganisation;
    const publisher = new RecordingPublisher();

    before(async () => {
      mr = await startTestMr({ dialect, publisher });
      const s = await superuserClient(mr);
      su = s.client;
      seeded = s;
    });
    after(async () => {
      await mr?.close();
    });

    it('walks an application through create, list, update, summary and delete', async () => {
      const p = await newPortfolio(mr, su, 'Walk');
      publisher.clear();
      const app = expectOk(
        mr,
        'createApplication',
        await su.post(`/portfolio/${p.id}/application?includeEnvironments=true`, {
          name: 'Shop',
          description: 'web shop',
        }),
      );
      assert.equal(app.portfolioId, p.id);
      assert.equal(app.environments.length, 1);
      const production = app.environments[0];
      assert.equal(production.name, 'production');
      assert.equal(production.production, true);
      assert.equal(publisher.environments().get(production.id), 'create');
      expectError(
        await su.post(`/portfolio/${p.id}/application`, { name: 'Shop', description: 'again' }),
        409,
      );
      expectError(
        await su.post(`/portfolio/${p.id}/application`, { name: 'sHoP', description: 'any case' }),
        409,
      );

      expectOk(
        mr,
        'createApplication',
        await su.post(`/portfolio/${p.id}/application`, { name: 'Admin', description: '' }),
      );
      const listed = expectOk(
        mr,
        'findApplications',
        await su.get(
          `/portfolio/${p.id}/application?order=DESC&includeEnvironments=true&includeFeatures=true`,
        ),
      );
      assert.deepEqual(
        listed.map((a: { name: string }) => a.name),
        ['Shop', 'Admin'],
      );
      assert.deepEqual(listed[0].features, []);

      const updated = expectOk(
        mr,
        'updateApplicationOnPortfolio',
        await su.put(`/portfolio/${p.id}/application`, {
          id: app.id,
          name: 'Store',
          description: 'renamed',
          version: app.version,
        }),
      );
      assert.equal(updated.name, 'Store');
      expectError(
        await su.put(`/portfolio/${p.id}/application`, { id: app.id, name: 'Stale', version: app.version }),
        422,
      );
      expectError(
        await su.put(`/application/${app.id}`, { id: app.id, name: 'Admin', version: updated.version }),
        409,
      );
      const again = expectOk(
        mr,
        'updateApplication',
        await su.put(`/application/${app.id}`, { id: app.id, name: 'Shop', version: updated.version }),
      );
      assert.equal(again.description, 'renamed', 'a missing description is unchanged');

      const got = expectOk(
        mr,
        'getApplication',
        await su.get(`/application/${app.id}?includeEnvironments=true`),
      );
      assert.equal(got.environments[0].id, production.id);
      const summary = expectOk(mr, 'summaryApplication', await su.get(`/application/${app.id}/summary`));
      assert.deepEqual(summary, {
        groupsHavePermission: false,
        serviceAccountsHavePermission: false,
        featureCount: 0,
        environmentCount: 1,
      });
      const perms = expectOk(
        mr,
        'applicationPermissions',
        await su.get(`/application/${app.id}/permissions`),
      );
      assert.equal(perms.applicationRoles.length, 6);
      assert.deepEqual(
        perms.environments.map((e: { id: string }) => e.id),
        [production.id],
      );

      publisher.clear();
      assert.equal(expectOk(mr, 'deleteApplication', await su.delete(`/application/${app.id}`)), true);
      assert.equal(publisher.environments().get(production.id), 'delete');
      expectError(await su.get(`/application/${app.id}`), 404);
      expectError(await su.get(`/environment/${production.id}`), 404);
    });

    it('shows members only the applications they can read, with their own permissions', async () => {
      const p = await newPortfolio(mr, su, 'Members');
      const shop = expectOk(
        mr,
        'createApplication',
        await su.post(`/portfolio/${p.id}/application?includeEnvironments=true`, {
          name: 'Shop',
          description: '',
        }),
      );
      const hidden = expectOk(
        mr,
        'createApplication',
        await su.post(`/portfolio/${p.id}/application`, { name: 'Hidden', description: '' }),
      );
      const person = await seedPerson(mr.stores, 'member');
      await grantRoles(mr.stores, {
        org: seeded.org,
        portfolioId: p.id,
        personId: person.id,
        applicationRoles: [{ applicationId: shop.id, roles: ['FEATURE_CREATE'] }],
        environmentRoles: [{ environmentId: shop.environments[0].id, roles: ['READ', 'LOCK'] }],
      });
      const member = await loginAs(mr, person);
      const listed = expectOk(mr, 'findApplications', await member.get(`/portfolio/${p.id}/application`));
      assert.deepEqual(
        listed.map((a: { name: string }) => a.name),
        ['Shop'],
      );
      expectOk(mr, 'getApplication', await member.get(`/application/${shop.id}`));
      expectError(await member.get(`/application/${hidden.id}`), 403);
      const perms = expectOk(
        mr,
        'applicationPermissions',
        await member.get(`/application/${shop.id}/permissions`),
      );
      assert.deepEqual(perms.applicationRoles, ['FEATURE_CREATE']);
      assert.deepEqual(perms.environments[0].roles.sort(), ['LOCK', 'READ']);
      const none = expectOk(
        mr,
        'applicationPermissions',
        await member.get(`/application/${hidden.id}/permissions`),
      );
      assert.deepEqual(
        none,
        { applicationRoles: [], environments: [] },
        'environments without roles are left out',
      );
      const summary = expectOk(mr, 'summaryApplication', await member.get(`/application/${shop.id}/summary`));
      assert.equal(summary.groupsHavePermission, true);

      expectError(
        await member.post(`/portfolio/${p.id}/application`, { name: 'Mine', description: '' }),
        403,
      );
      expectError(
        await member.put(`/application/${shop.id}`, { id: shop.id, name: 'x', version: shop.version }),
        403,
      );
      expectError(await member.delete(`/application/${shop.id}`), 403);
      assert.equal((await mr.stores.applications.findById(shop.id))?.name, 'Shop');
    });
  });
}

describe('application API: refusals (sqlite)', () => {
  let mr: TestMr;
  let su: MrClient;

  before(async () => {
    mr = await startTestMr();
    su = (await superuserClient(mr)).client;
  });
  after(async () => {
    await mr?.close();
  });

  it('answers 401 to every operation without a valid token', async () => {
    const id = randomUUID();
    const anonymous = mr.client;
    const body = { id, name: 'x', version: 1 };
    expectError(await anonymous.get(`/portfolio/${id}/application`), 401);
    expectError(await anonymous.post(`/portfolio/${id}/application`, { name: 'x', description: '' }), 401);
    expectError(await anonymous.put(`/portfolio/${id}/application`, body), 401);
    expectError(await anonymous.get(`/application/${id}`), 401);
    expectError(await anonymous.put(`/application/${id}`, body), 401);
    expectError(await anonymous.delete(`/application/${id}`), 401);
    expectError(await anonymous.get(`/application/${id}/summary`), 401);
    expectError(await anonymous.get(`/application/${id}/permissions`), 401);
  });

  it('answers 404 for unknown ids and 400 for invalid bodies, changing nothing', async () => {
    const id = randomUUID();
    const p = await newPortfolio(mr, su, 'P');
    const app = expectOk(
      mr,
      'createApplication',
      await su.post(`/portfolio/${p.id}/application`, { name: 'App', description: '' }),
    );
    expectError(await su.get(`/portfolio/${id}/application`), 404);
    expectError(await su.post(`/portfolio/${id}/application`, { name: 'x', description: '' }), 404);
    expectError(await su.get(`/application/${id}`), 404);
    expectError(await su.put(`/application/${id}`, { id, name: 'x', version: 1 }), 404);
    expectError(await su.delete(`/application/${id}`), 404);
    expectError(await su.get(`/application/${id}/summary`), 404);
    expectError(await su.get(`/application/${id}/permissions`), 404);
    const other = await newPortfolio(mr, su, 'Other');
    expectError(
      await su.put(`/portfolio/${other.id}/application`, { id: app.id, name: 'x', version: app.version }),
      404,
      /not found in portfolio/,
    );
    expectError(await su.post(`/portfolio/${p.id}/application`, { name: 'x' }), 400, /description/);
    expectError(
      await su.post(`/portfolio/${p.id}/application`, { name: ' ', description: '' }),
      400,
      /blank/,
    );
    expectError(
      await su.post(`/portfolio/${p.id}/application`, { name: 'x'.repeat(101), description: '' }),
      400,
    );
    expectError(await su.put(`/application/${app.id}`, { id: app.id, name: 'x' }), 400, /version/);
    expectError(await su.put(`/application/${app.id}`, { id: app.id, name: 7, version: 1 }), 400);
    expectError(await su.get('/application/nope'), 400);
    assert.equal((await mr.stores.applications.findById(app.id))?.name, 'App');
  });
});
