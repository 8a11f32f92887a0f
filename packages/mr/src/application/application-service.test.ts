import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { defaultMrSettings } from '../core/mr-context.ts';
import { createFakeStores } from '../db/stores.ts';
import { ChangeSet } from '../publishing/change-set.ts';
import { rejectsWithStatus } from '../testing/assertions.ts';
import { accessOf, grantRoles, seedOrganisation, seedPerson } from '../testing/organisation-world.ts';
import {
  applicationPermissions,
  applicationSummary,
  createApplication,
  deleteApplication,
  getApplication,
  listApplications,
  updateApplication,
} from './application-service.ts';

async function world() {
  const stores = createFakeStores();
  const seeded = await seedOrganisation(stores);
  const portfolio = await stores.portfolios.create({ organisationId: seeded.org.id, name: 'P' });
  await stores.groups.create({
    organisationId: seeded.org.id,
    portfolioId: portfolio.id,
    name: 'P Administrators',
    admin: true,
  });
  const su = await accessOf(stores, seeded.superuser);
  const create = async (name: string) =>
    (
      await createApplication(stores, new ChangeSet(), su, defaultMrSettings, portfolio.id, {
        name,
        description: `about ${name}`,
      })
    ).application;
  return { stores, ...seeded, portfolio, su, create };
}

describe('application service', () => {
  it('creates an application with its production environment and tells the caches about it', async () => {
    const w = await world();
    const changes = new ChangeSet();
    const view = await createApplication(
      w.stores,
      changes,
      w.su,
      { productionEnvironmentName: 'Live', productionEnvironmentDescription: 'the live one' },
      w.portfolio.id,
      { name: '  Shop  ', description: 'web shop' },
      { environments: true },
    );
    assert.equal(view.application.name, 'Shop');
    assert.equal(view.application.portfolioId, w.portfolio.id);
    assert.equal(view.environments?.length, 1);
    const env = view.environments![0]!;
    assert.equal(env.name, 'Live');
    assert.equal(env.description, 'the live one');
    assert.equal(env.production, true);
    assert.deepEqual([...changes.environments], [[env.id, 'create']]);
  });

  it('refuses a new application named like a live one of the portfolio in any case (409), as upstream', async () => {
    const w = await world();
    const shop = await w.create('Shop');
    await rejectsWithStatus(w.create('SHOP'), 409);
    await rejectsWithStatus(w.create(' shop '), 409);
    const elsewhere = await w.stores.portfolios.create({ organisationId: w.org.id, name: 'Elsewhere' });
    await createApplication(w.stores, new ChangeSet(), w.su, defaultMrSettings, elsewhere.id, {
      name: 'shop',
    });
    await deleteApplication(w.stores, new ChangeSet(), w.su, shop.id);
    assert.equal((await w.create('shop')).name, 'shop', 'an archived application does not count');
  });

  it('renames an application case-sensitively, as upstream: only the exact name of a live one clashes', async () => {
    const w = await world();
    await w.create('Shop');
    const store = await w.create('Store');
    const recased = await updateApplication(w.stores, w.su, store.id, {
      version: store.version,
      name: 'SHOP',
    });
    assert.equal(recased.application.name, 'SHOP');
    await rejectsWithStatus(
      updateApplication(w.stores, w.su, store.id, { version: recased.application.version, name: 'Shop' }),
      409,
    );
  });

  it('refuses a duplicate name (409), a blank name (400), a non-administrator (403), an unknown portfolio (404)', async () => {
    const w = await world();
    await w.create('Shop');
    await rejectsWithStatus(w.create('Shop'), 409);
    await rejectsWithStatus(w.create(' '), 400);
    const member = await seedPerson(w.stores, 'member');
    await grantRoles(w.stores, { org: w.org, portfolioId: w.portfolio.id, personId: member.id });
    await rejectsWithStatus(
      createApplication(
        w.stores,
        new ChangeSet(),
        await accessOf(w.stores, member),
        defaultMrSettings,
        w.portfolio.id,
        { name: 'x' },
      ),
      403,
    );
    await rejectsWithStatus(
      createApplication(w.stores, new ChangeSet(), w.su, defaultMrSettings, randomUUID(), { name: 'x' }),
      404,
    );
  });

  it('lists every application to administrators, only readable ones to members, ordered and filtered', async () => {
    const w = await world();
    const shop = await w.create('Shop');
    await w.create('Admin');
    await w.create('Billing');
    const names = async (access = w.su, query: Parameters<typeof listApplications>[3] = {}) =>
      (await listApplications(w.stores, access, w.portfolio.id, query)).map((v) => v.application.name);
    assert.deepEqual(await names(), ['Admin', 'Billing', 'Shop']);
    assert.deepEqual(await names(w.su, { order: 'DESC' }), ['Shop', 'Billing', 'Admin']);
    assert.deepEqual(await names(w.su, { filter: 'IL' }), ['Billing']);
    const member = await seedPerson(w.stores, 'member');
    const prod = (await w.stores.environments.list({ applicationId: shop.id }))[0]!;
    await grantRoles(w.stores, {
      org: w.org,
      portfolioId: w.portfolio.id,
      personId: member.id,
      environmentRoles: [{ environmentId: prod.id, roles: ['READ'] }],
    });
    assert.deepEqual(await names(await accessOf(w.stores, member)), ['Shop']);
    const outsider = await seedPerson(w.stores, 'outsider');
    await rejectsWithStatus(
      listApplications(w.stores, await accessOf(w.stores, outsider), w.portfolio.id),
      403,
    );
    await rejectsWithStatus(listApplications(w.stores, w.su, randomUUID()), 404);
  });

  it('gets an application for readers only', async () => {
    const w = await world();
    const shop = await w.create('Shop');
    const view = await getApplication(w.stores, w.su, shop.id, { environments: true, features: true });
    assert.equal(view.environments?.length, 1);
    assert.deepEqual(view.features, []);
    const member = await seedPerson(w.stores, 'member');
    await grantRoles(w.stores, { org: w.org, portfolioId: w.portfolio.id, personId: member.id });
    await rejectsWithStatus(getApplication(w.stores, await accessOf(w.stores, member), shop.id), 403);
    await grantRoles(w.stores, {
      org: w.org,
      portfolioId: w.portfolio.id,
      personId: member.id,
      applicationRoles: [{ applicationId: shop.id, roles: ['FEATURE_CREATE'] }],
    });
    const asMember = await getApplication(w.stores, await accessOf(w.stores, member), shop.id, {
      environments: true,
    });
    assert.deepEqual(asMember.environments, [], 'no environment role, no environments');
    await rejectsWithStatus(getApplication(w.stores, w.su, randomUUID()), 404);
  });

  it('updates name and description, refusing stale versions (422), duplicates (409) and the wrong portfolio (404)', async () => {
    const w = await world();
    const shop = await w.create('Shop');
    await w.create('Billing');
    const view = await updateApplication(w.stores, w.su, shop.id, {
      version: shop.version,
      name: 'Store',
      description: null,
    });
    assert.equal(view.application.name, 'Store');
    assert.equal(view.application.description, null);
    await rejectsWithStatus(
      updateApplication(w.stores, w.su, shop.id, { version: shop.version, name: 'x' }),
      422,
    );
    await rejectsWithStatus(
      updateApplication(w.stores, w.su, shop.id, { version: view.application.version, name: 'Billing' }),
      409,
    );
    await rejectsWithStatus(
      updateApplication(
        w.stores,
        w.su,
        shop.id,
        { version: view.application.version, name: 'y' },
        { inPortfolio: randomUUID() },
      ),
      404,
    );
  });

  it('deletes an application with its environments and features, telling caches to drop the environments', async () => {
    const w = await world();
    const shop = await w.create('Shop');
    const env = (await w.stores.environments.list({ applicationId: shop.id }))[0]!;
    await w.stores.features.create({ applicationId: shop.id, key: 'f', name: 'f', valueType: 'BOOLEAN' });
    const member = await seedPerson(w.stores, 'member');
    await grantRoles(w.stores, { org: w.org, portfolioId: w.portfolio.id, personId: member.id });
    await rejectsWithStatus(
      deleteApplication(w.stores, new ChangeSet(), await accessOf(w.stores, member), shop.id),
      403,
    );
    const changes = new ChangeSet();
    await deleteApplication(w.stores, changes, w.su, shop.id);
    assert.equal(await w.stores.applications.findById(shop.id), undefined);
    assert.equal(await w.stores.environments.findById(env.id), undefined);
    assert.deepEqual(await w.stores.features.list({ applicationId: shop.id }), []);
    assert.equal(changes.environments.get(env.id), 'delete');
    await rejectsWithStatus(deleteApplication(w.stores, new ChangeSet(), w.su, shop.id), 404);
    assert.equal((await w.create('Shop')).name, 'Shop', 'the name is free again');
  });

  it('summarises features, environments and who has permissions', async () => {
    const w = await world();
    const shop = await w.create('Shop');
    const empty = await applicationSummary(w.stores, w.su, shop.id);
    assert.deepEqual(empty, {
      groupsHavePermission: false,
      serviceAccountsHavePermission: false,
      featureCount: 0,
      environmentCount: 1,
    });
    const env = (await w.stores.environments.list({ applicationId: shop.id }))[0]!;
    await w.stores.features.create({ applicationId: shop.id, key: 'f', name: 'f', valueType: 'STRING' });
    const member = await seedPerson(w.stores, 'member');
    await grantRoles(w.stores, {
      org: w.org,
      portfolioId: w.portfolio.id,
      personId: member.id,
      environmentRoles: [{ environmentId: env.id, roles: ['READ'] }],
    });
    const sa = await w.stores.serviceAccounts.create({
      portfolioId: w.portfolio.id,
      name: 'sa',
      apiKeyServerSide: 's',
      apiKeyClientSide: 'c*c',
    });
    await w.stores.serviceAccounts.setPermissions(sa.id, [{ environmentId: env.id, roles: ['READ'] }]);
    assert.deepEqual(await applicationSummary(w.stores, w.su, shop.id), {
      groupsHavePermission: true,
      serviceAccountsHavePermission: true,
      featureCount: 1,
      environmentCount: 1,
    });
    const outsider = await seedPerson(w.stores, 'outsider');
    await rejectsWithStatus(applicationSummary(w.stores, await accessOf(w.stores, outsider), shop.id), 403);
  });

  it('reports the caller’s own application roles and the environments where they hold roles', async () => {
    const w = await world();
    const shop = await w.create('Shop');
    const prod = (await w.stores.environments.list({ applicationId: shop.id }))[0]!;
    const member = await seedPerson(w.stores, 'member');
    await grantRoles(w.stores, {
      org: w.org,
      portfolioId: w.portfolio.id,
      personId: member.id,
      applicationRoles: [{ applicationId: shop.id, roles: ['FEATURE_EDIT'] }],
      environmentRoles: [{ environmentId: prod.id, roles: ['CHANGE_VALUE'] }],
    });
    const dev = await w.stores.environments.create({ applicationId: shop.id, name: 'dev' });
    const mine = await applicationPermissions(w.stores, await accessOf(w.stores, member), shop.id);
    assert.deepEqual(mine.applicationRoles, ['FEATURE_EDIT']);
    assert.deepEqual(
      mine.environments,
      [{ id: prod.id, name: 'production', roles: ['CHANGE_VALUE', 'READ'] }],
      'dev, where the member holds no role, is left out as upstream does',
    );
    const admin = await applicationPermissions(w.stores, w.su, shop.id);
    assert.equal(admin.applicationRoles.length, 6);
    assert.deepEqual(
      admin.environments.map((e) => [e.id, e.roles.length]),
      [
        [prod.id, 5],
        [dev.id, 5],
      ],
    );
    const outsider = await seedPerson(w.stores, 'outsider');
    await rejectsWithStatus(
      applicationPermissions(w.stores, await accessOf(w.stores, outsider), shop.id),
      403,
    );
  });
});
