import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { createApplication } from '../application/application-service.ts';
import { defaultMrSettings } from '../core/mr-context.ts';
import { createFakeStores } from '../db/stores.ts';
import { ChangeSet } from '../publishing/change-set.ts';
import { rejectsWithStatus } from '../testing/assertions.ts';
import { accessOf, grantRoles, seedOrganisation, seedPerson } from '../testing/organisation-world.ts';
import {
  createPortfolio,
  deletePortfolio,
  getPortfolio,
  listPortfolios,
  updatePortfolio,
} from './portfolio-service.ts';

async function world() {
  const stores = createFakeStores();
  const seeded = await seedOrganisation(stores);
  const su = await accessOf(stores, seeded.superuser);
  const create = async (name: string, description: string | null = null) =>
    (await createPortfolio(stores, su, defaultMrSettings, { name, description })).portfolio;
  return { stores, ...seeded, su, create };
}

describe('portfolio service', () => {
  it('creates a portfolio with its admin group, which every superuser joins', async () => {
    const w = await world();
    const second = await seedPerson(w.stores, 'second superuser');
    await w.stores.groups.addMember(w.superGroup.id, second.id);
    const view = await createPortfolio(
      w.stores,
      w.su,
      { portfolioAdminGroupSuffix: 'Admins' },
      { name: ' Marketing ', description: 'ads' },
      { groups: true },
    );
    assert.equal(view.portfolio.name, 'Marketing');
    assert.equal(view.portfolio.organisationId, w.org.id);
    assert.equal(view.groups?.length, 1);
    const group = view.groups![0]!;
    assert.equal(group.name, 'Marketing Admins');
    assert.equal(group.admin, true);
    assert.deepEqual(
      (await w.stores.groups.listMemberIds(group.id)).sort(),
      [w.superuser.id, second.id].sort(),
    );
  });

  it('answers a created portfolio with its administrators group among its groups, even unasked', async () => {
    const w = await world();
    const view = await createPortfolio(w.stores, w.su, defaultMrSettings, { name: 'Ops' });
    assert.deepEqual(
      view.groups?.map((g) => [g.name, g.admin, g.portfolioId]),
      [['Ops Administrators', true, view.portfolio.id]],
    );
    const asked = await createPortfolio(w.stores, w.su, defaultMrSettings, { name: 'Dev' }, { groups: true });
    assert.deepEqual(
      asked.groups?.map((g) => g.name),
      ['Dev Administrators'],
      'listed once when includeGroups also asks for it',
    );
  });

  it('refuses a portfolio name a live portfolio has in another case (409), but not an archived one', async () => {
    const w = await world();
    const marketing = await w.create('Marketing');
    await rejectsWithStatus(w.create('MARKETING'), 409);
    await rejectsWithStatus(w.create(' marketing '), 409);
    await deletePortfolio(w.stores, new ChangeSet(), w.su, marketing.id);
    assert.equal((await w.create('marketing')).name, 'marketing');
  });

  it('refuses renaming a portfolio to another live portfolio’s name in any case (409), allows changing its own case', async () => {
    const w = await world();
    const sales = await w.create('Sales');
    await w.create('Marketing');
    await rejectsWithStatus(
      updatePortfolio(w.stores, w.su, defaultMrSettings, sales.id, {
        version: sales.version,
        name: 'marketing',
      }),
      409,
    );
    const recased = await updatePortfolio(w.stores, w.su, defaultMrSettings, sales.id, {
      version: sales.version,
      name: 'SALES',
    });
    assert.equal(recased.portfolio.name, 'SALES');
    // a stale version is reported before a name clash, as upstream
    await rejectsWithStatus(
      updatePortfolio(w.stores, w.su, defaultMrSettings, sales.id, {
        version: sales.version,
        name: 'marketing',
      }),
      422,
    );
  });

  it('lets only superusers create portfolios, refuses duplicates (409) and blank names (400)', async () => {
    const w = await world();
    await w.create('Marketing');
    await rejectsWithStatus(w.create('Marketing'), 409);
    await rejectsWithStatus(w.create('  '), 400);
    const admin = await seedPerson(w.stores, 'admin');
    const p = await w.create('Sales');
    await grantRoles(w.stores, { org: w.org, portfolioId: p.id, personId: admin.id, admin: true });
    await rejectsWithStatus(
      createPortfolio(w.stores, await accessOf(w.stores, admin), defaultMrSettings, { name: 'Mine' }),
      403,
    );
  });

  it('shows superusers every portfolio and others those they have a group in, ordered and filtered', async () => {
    const w = await world();
    await w.create('Beta');
    const alpha = await w.create('Alpha');
    await w.create('Gamma');
    const names = async (access = w.su, query: Parameters<typeof listPortfolios>[2] = {}) =>
      (await listPortfolios(w.stores, access, query)).map((v) => v.portfolio.name);
    assert.deepEqual(await names(), ['Alpha', 'Beta', 'Gamma']);
    assert.deepEqual(await names(w.su, { order: 'DESC' }), ['Gamma', 'Beta', 'Alpha']);
    assert.deepEqual(await names(w.su, { filter: 'MM' }), ['Gamma']);
    const member = await seedPerson(w.stores, 'member');
    await grantRoles(w.stores, { org: w.org, portfolioId: alpha.id, personId: member.id });
    assert.deepEqual(await names(await accessOf(w.stores, member)), ['Alpha']);
    const nobody = await seedPerson(w.stores, 'nobody');
    assert.deepEqual(await names(await accessOf(w.stores, nobody)), []);
  });

  it('includes groups, readable applications and their environments when asked', async () => {
    const w = await world();
    const p = await w.create('P');
    const shop = (
      await createApplication(w.stores, new ChangeSet(), w.su, defaultMrSettings, p.id, { name: 'Shop' })
    ).application;
    await createApplication(w.stores, new ChangeSet(), w.su, defaultMrSettings, p.id, { name: 'Other' });
    const view = await getPortfolio(w.stores, w.su, p.id, {
      groups: true,
      applications: true,
      environments: true,
    });
    assert.deepEqual(
      view.applications?.map((a) => [a.application.name, a.environments?.length]),
      [
        ['Other', 1],
        ['Shop', 1],
      ],
    );
    const member = await seedPerson(w.stores, 'member');
    await grantRoles(w.stores, {
      org: w.org,
      portfolioId: p.id,
      personId: member.id,
      applicationRoles: [{ applicationId: shop.id, roles: ['FEATURE_EDIT'] }],
    });
    const asMember = await getPortfolio(w.stores, await accessOf(w.stores, member), p.id, {
      applications: true,
    });
    assert.deepEqual(
      asMember.applications?.map((a) => a.application.name),
      ['Shop'],
    );
  });

  it('answers 404 for unknown portfolios and for portfolios the caller cannot see, not revealing they exist', async () => {
    const w = await world();
    const p = await w.create('P');
    await rejectsWithStatus(getPortfolio(w.stores, w.su, randomUUID()), 404);
    const nobody = await seedPerson(w.stores, 'nobody');
    await rejectsWithStatus(getPortfolio(w.stores, await accessOf(w.stores, nobody), p.id), 404);
  });

  it('renames a portfolio and its admin group; refuses stale (422), duplicate (409) and non-admin (403) updates', async () => {
    const w = await world();
    const p = await w.create('Marketing', 'ads');
    await w.create('Sales');
    const admin = await seedPerson(w.stores, 'admin');
    await grantRoles(w.stores, { org: w.org, portfolioId: p.id, personId: admin.id, admin: true });
    const view = await updatePortfolio(
      w.stores,
      await accessOf(w.stores, admin),
      defaultMrSettings,
      p.id,
      { version: p.version, name: 'Brand' },
      { groups: true },
    );
    assert.equal(view.portfolio.name, 'Brand');
    assert.equal(view.portfolio.description, 'ads', 'a missing description is unchanged');
    assert.deepEqual(
      view.groups?.map((g) => g.name),
      ['Brand Administrators'],
    );
    await rejectsWithStatus(
      updatePortfolio(w.stores, w.su, defaultMrSettings, p.id, { version: p.version, name: 'x' }),
      422,
    );
    await rejectsWithStatus(
      updatePortfolio(w.stores, w.su, defaultMrSettings, p.id, {
        version: view.portfolio.version,
        name: 'Sales',
      }),
      409,
    );
    const member = await seedPerson(w.stores, 'member');
    await grantRoles(w.stores, { org: w.org, portfolioId: p.id, personId: member.id });
    await rejectsWithStatus(
      updatePortfolio(w.stores, await accessOf(w.stores, member), defaultMrSettings, p.id, {
        version: view.portfolio.version,
        name: 'Mine',
      }),
      403,
    );
    await rejectsWithStatus(
      updatePortfolio(w.stores, w.su, defaultMrSettings, randomUUID(), { version: 1, name: 'x' }),
      404,
    );
  });

  it('deletes a portfolio with its contents and tells caches to drop its environments and service accounts', async () => {
    const w = await world();
    const p = await w.create('P');
    const app = (
      await createApplication(w.stores, new ChangeSet(), w.su, defaultMrSettings, p.id, { name: 'A' })
    ).application;
    const env = (await w.stores.environments.list({ applicationId: app.id }))[0]!;
    const sa = await w.stores.serviceAccounts.create({
      portfolioId: p.id,
      name: 'sa',
      apiKeyServerSide: 's',
      apiKeyClientSide: 'c*c',
    });
    const admin = await seedPerson(w.stores, 'admin');
    await grantRoles(w.stores, { org: w.org, portfolioId: p.id, personId: admin.id, admin: true });
    await rejectsWithStatus(
      deletePortfolio(w.stores, new ChangeSet(), await accessOf(w.stores, admin), p.id),
      403,
    );
    const changes = new ChangeSet();
    await deletePortfolio(w.stores, changes, w.su, p.id);
    assert.equal(await w.stores.portfolios.findById(p.id), undefined);
    assert.equal(await w.stores.applications.findById(app.id), undefined);
    assert.equal(await w.stores.serviceAccounts.findById(sa.id), undefined);
    assert.deepEqual(await w.stores.groups.list({ portfolioId: p.id }), []);
    assert.equal(changes.environments.get(env.id), 'delete');
    assert.equal(changes.serviceAccounts.get(sa.id), 'delete');
    await rejectsWithStatus(deletePortfolio(w.stores, new ChangeSet(), w.su, p.id), 404);
    assert.equal((await w.create('P')).name, 'P', 'the name is free again');
  });
});
