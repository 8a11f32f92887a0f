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

for (const dialect of ['sqlite', 'postgres', 'mysql'] as const) {
  describe(`portfolio API (${dialect})`, {
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

    it('walks a portfolio through create, list, rename and delete', async () => {
      const created = expectOk(
        mr,
        'createPortfolio',
        await su.post('/portfolio?includeGroups=true', { name: 'Marketing', description: 'ads' }),
      );
      assert.equal(created.name, 'Marketing');
      assert.equal(created.organizationId, seeded.org.id);
      assert.deepEqual(
        created.groups.map((g: { name: string; admin: boolean }) => [g.name, g.admin]),
        [['Marketing Administrators', true]],
      );
      expectError(await su.post('/portfolio', { name: 'Marketing', description: null }), 409);

      const listed = expectOk(mr, 'findPortfolios', await su.get('/portfolio?filter=market&order=DESC'));
      assert.deepEqual(
        listed.map((p: { id: string }) => p.id),
        [created.id],
      );

      const renamed = expectOk(
        mr,
        'updatePortfolioOnOrganisation',
        await su.put('/portfolio?includeGroups=true', { ...created, groups: undefined, name: 'Brand' }),
      );
      assert.equal(renamed.name, 'Brand');
      assert.equal(renamed.version, created.version + 1);
      assert.deepEqual(
        renamed.groups.map((g: { name: string }) => g.name),
        ['Brand Administrators'],
      );
      expectError(
        await su.put('/portfolio', { id: created.id, name: 'Stale', version: created.version }),
        422,
      );

      const described = expectOk(
        mr,
        'updatePortfolio',
        await su.put(`/portfolio/${created.id}`, {
          id: created.id,
          name: 'Brand',
          description: null,
          version: renamed.version,
        }),
      );
      assert.equal(described.description, null);

      const app = expectOk(
        mr,
        'createApplication',
        await su.post(`/portfolio/${created.id}/application`, { name: 'Shop', description: 'web shop' }),
      );
      const got = expectOk(
        mr,
        'getPortfolio',
        await su.get(`/portfolio/${created.id}?includeApplications=true&includeEnvironments=true`),
      );
      assert.equal(got.applications[0].id, app.id);
      const envId = got.applications[0].environments[0].id;

      publisher.clear();
      const deleted = expectOk(mr, 'deletePortfolio', await su.delete(`/portfolio/${created.id}`));
      assert.equal(deleted, true);
      assert.equal(publisher.environments().get(envId), 'delete');
      expectError(await su.get(`/portfolio/${created.id}`), 404);
      expectError(await su.delete(`/portfolio/${created.id}`), 404);
      expectOk(mr, 'createPortfolio', await su.post('/portfolio', { name: 'Brand', description: 'again' }));
    });

    it('answers a new portfolio with its administrators group, and refuses its name in any case (409)', async () => {
      const created = expectOk(
        mr,
        'createPortfolio',
        await su.post('/portfolio', { name: 'Finance', description: null }),
      );
      assert.deepEqual(
        created.groups.map((g: { name: string; admin: boolean }) => [g.name, g.admin]),
        [['Finance Administrators', true]],
      );
      expectError(await su.post('/portfolio', { name: 'FINANCE', description: null }), 409);
      const other = expectOk(
        mr,
        'createPortfolio',
        await su.post('/portfolio', { name: 'Legal', description: null }),
      );
      expectError(await su.put('/portfolio', { id: other.id, name: 'finance', version: other.version }), 409);
      const recased = expectOk(
        mr,
        'updatePortfolioOnOrganisation',
        await su.put('/portfolio', { id: other.id, name: 'LEGAL', version: other.version }),
      );
      assert.equal(recased.name, 'LEGAL');
    });

    it('shows a member only the portfolios they have a group in, and refuses them admin work', async () => {
      const mine = expectOk(
        mr,
        'createPortfolio',
        await su.post('/portfolio', { name: 'Mine', description: null }),
      );
      const theirs = expectOk(
        mr,
        'createPortfolio',
        await su.post('/portfolio', { name: 'Theirs', description: null }),
      );
      const person = await seedPerson(mr.stores, 'member');
      await grantRoles(mr.stores, { org: seeded.org, portfolioId: mine.id, personId: person.id });
      const member = await loginAs(mr, person);
      const visible = expectOk(mr, 'findPortfolios', await member.get('/portfolio'));
      assert.deepEqual(
        visible.map((p: { name: string }) => p.name),
        ['Mine'],
      );
      expectOk(mr, 'getPortfolio', await member.get(`/portfolio/${mine.id}`));
      expectError(await member.get(`/portfolio/${theirs.id}`), 404);
      expectError(await member.post('/portfolio', { name: 'New', description: null }), 403);
      expectError(await member.put('/portfolio', { ...mine, name: 'Renamed' }), 403);
      expectError(await member.delete(`/portfolio/${mine.id}`), 403);
      assert.equal((await mr.stores.portfolios.findById(mine.id))?.name, 'Mine');
    });
  });
}

describe('portfolio API: refusals (sqlite)', () => {
  let mr: TestMr;
  let su: MrClient;
  let seeded: SeededOrganisation;

  before(async () => {
    mr = await startTestMr();
    const s = await superuserClient(mr);
    su = s.client;
    seeded = s;
  });
  after(async () => {
    await mr?.close();
  });

  it('answers 401 to every operation without a valid token', async () => {
    const id = randomUUID();
    for (const anonymous of [mr.client, mr.client.withToken('not-a-token')]) {
      expectError(await anonymous.get('/portfolio'), 401);
      expectError(await anonymous.post('/portfolio', { name: 'x', description: null }), 401);
      expectError(await anonymous.put('/portfolio', { id, name: 'x', version: 1 }), 401);
      expectError(await anonymous.get(`/portfolio/${id}`), 401);
      expectError(await anonymous.put(`/portfolio/${id}`, { id, name: 'x', version: 1 }), 401);
      expectError(await anonymous.delete(`/portfolio/${id}`), 401);
    }
  });

  it('answers 404 for unknown portfolios and 400 for invalid bodies and ids', async () => {
    const id = randomUUID();
    expectError(await su.get(`/portfolio/${id}`), 404);
    expectError(await su.put(`/portfolio/${id}`, { id, name: 'x', version: 1 }), 404);
    expectError(await su.put('/portfolio', { id, name: 'x', version: 1 }), 404);
    expectError(await su.delete(`/portfolio/${id}`), 404);
    expectError(await su.get('/portfolio/not-a-uuid'), 400);
    expectError(await su.post('/portfolio', { description: 'no name' }), 400, /name/);
    expectError(await su.post('/portfolio', { name: '', description: null }), 400);
    expectError(await su.post('/portfolio', { name: '   ', description: null }), 400, /blank/);
    expectError(await su.post('/portfolio', { name: 'x'.repeat(201), description: null }), 400);
    expectError(await su.put('/portfolio', { id, name: 'x' }), 400, /version/);
    expectError(await su.request('POST', '/portfolio', undefined, { rawBody: '{not json' }), 400);
    expectError(await su.get('/portfolio?order=SIDEWAYS'), 400);
    // PostgreSQL cannot store U+0000: refused up front instead of failing in the database
    expectError(await su.post('/portfolio', { name: 'a\u0000b', description: null }), 400, /NUL/);
    expectError(await su.get('/portfolio?filter=%00'), 400, /NUL/);
  });

  it('lets a portfolio administrator rename their portfolio but not create or delete portfolios', async () => {
    const p = expectOk(
      mr,
      'createPortfolio',
      await su.post('/portfolio', { name: 'Ops', description: null }),
    );
    const person = await seedPerson(mr.stores, 'admin');
    await grantRoles(mr.stores, { org: seeded.org, portfolioId: p.id, personId: person.id, admin: true });
    const admin = await loginAs(mr, person);
    const renamed = expectOk(
      mr,
      'updatePortfolio',
      await admin.put(`/portfolio/${p.id}`, { id: p.id, name: 'Operations', version: p.version }),
    );
    assert.equal(renamed.name, 'Operations');
    expectError(await admin.post('/portfolio', { name: 'Mine', description: null }), 403);
    expectError(await admin.delete(`/portfolio/${p.id}`), 403);
  });
});
