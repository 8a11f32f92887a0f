import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { createFakeStores } from '../db/stores.ts';
import { ChangeSet } from '../publishing/change-set.ts';
import { rejectsWithStatus } from '../testing/assertions.ts';
import { accessOf, grantRoles, seedOrganisation, seedPerson } from '../testing/organisation-world.ts';
import {
  createEnvironment,
  deleteEnvironment,
  findCycle,
  getEnvironment,
  listEnvironments,
  mergeWebhookInfo,
  reorderEnvironments,
  updateEnvironment,
  withoutManagementKeys,
} from './environment-service.ts';

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
  const app = await stores.applications.create({ portfolioId: portfolio.id, name: 'App' });
  const su = await accessOf(stores, seeded.superuser);
  const create = async (name: string, extra: { priorEnvironmentId?: string } = {}) =>
    (await createEnvironment(stores, new ChangeSet(), su, app.id, { name, ...extra })).environment;
  const names = async () => (await stores.environments.list({ applicationId: app.id })).map((e) => e.name);
  return { stores, ...seeded, portfolio, app, su, create, names };
}

describe('environment service', () => {
  describe('create', () => {
    it('appends a new environment after the last one and tells the caches', async () => {
      const w = await world();
      await w.create('dev');
      const changes = new ChangeSet();
      const view = await createEnvironment(w.stores, changes, w.su, w.app.id, {
        name: 'test',
        production: true,
        environmentInfo: { cacheControl: 'max-age=5', 'mgmt.cacheControl': 'no-store' },
      });
      assert.deepEqual(await w.names(), ['dev', 'test']);
      assert.equal(view.environment.production, true);
      assert.deepEqual(view.environment.environmentInfo, { cacheControl: 'max-age=5' });
      assert.deepEqual([...changes.environments], [[view.environment.id, 'create']]);
    });

    it('inserts after the named prior environment, and its old follower now follows the new one', async () => {
      const w = await world();
      const dev = await w.create('dev');
      const prod = await w.create('prod');
      const changes = new ChangeSet();
      const view = await createEnvironment(w.stores, changes, w.su, w.app.id, {
        name: 'test',
        priorEnvironmentId: dev.id,
      });
      assert.deepEqual(await w.names(), ['dev', 'test', 'prod']);
      assert.equal((await w.stores.environments.findById(prod.id))?.priorEnvironmentId, view.environment.id);
      assert.equal(changes.environments.get(prod.id), 'upsert');
    });

    it('rejects a prior environment of another application with 400', async () => {
      const w = await world();
      const other = await w.stores.applications.create({ portfolioId: w.portfolio.id, name: 'Other' });
      const foreign = await w.stores.environments.create({ applicationId: other.id, name: 'x' });
      await rejectsWithStatus(
        createEnvironment(w.stores, new ChangeSet(), w.su, w.app.id, {
          name: 'dev',
          priorEnvironmentId: foreign.id,
        }),
        400,
        /not an environment of application/,
      );
    });

    it('gives every boolean feature a locked false value in the new environment, and nothing else a value', async () => {
      const w = await world();
      const flag = await w.stores.features.create({
        applicationId: w.app.id,
        key: 'flag',
        name: 'flag',
        valueType: 'BOOLEAN',
      });
      const text = await w.stores.features.create({
        applicationId: w.app.id,
        key: 'text',
        name: 'text',
        valueType: 'STRING',
      });
      const env = await w.create('dev');
      const flagValue = await w.stores.featureValues.find(env.id, flag.id);
      assert.equal(flagValue?.value, 'false');
      assert.equal(flagValue?.locked, true);
      assert.equal(flagValue?.whoUpdated, w.superuser.id);
      assert.equal(await w.stores.featureValues.find(env.id, text.id), undefined);
    });

    it('refuses a duplicate name with 409, a blank name with 400 and a non-administrator with 403', async () => {
      const w = await world();
      await w.create('dev');
      await rejectsWithStatus(w.create('dev'), 409);
      await rejectsWithStatus(w.create('   '), 400, /blank/);
      const reader = await seedPerson(w.stores, 'reader');
      await grantRoles(w.stores, { org: w.org, portfolioId: w.portfolio.id, personId: reader.id });
      await rejectsWithStatus(
        createEnvironment(w.stores, new ChangeSet(), await accessOf(w.stores, reader), w.app.id, {
          name: 'x',
        }),
        403,
      );
      await rejectsWithStatus(
        createEnvironment(w.stores, new ChangeSet(), w.su, randomUUID(), { name: 'x' }),
        404,
      );
    });

    it('lets a portfolio administrator create environments', async () => {
      const w = await world();
      const admin = await seedPerson(w.stores, 'admin');
      await grantRoles(w.stores, {
        org: w.org,
        portfolioId: w.portfolio.id,
        personId: admin.id,
        admin: true,
      });
      const view = await createEnvironment(
        w.stores,
        new ChangeSet(),
        await accessOf(w.stores, admin),
        w.app.id,
        {
          name: 'dev',
        },
      );
      assert.equal(view.environment.name, 'dev');
    });
  });

  describe('read', () => {
    it('lists in promotion order by default, by name with ASC/DESC, and filters by name', async () => {
      const w = await world();
      const b = await w.create('b-staging');
      await w.create('a-dev', { priorEnvironmentId: b.id });
      await w.create('c-prod');
      const names = async (order?: 'ASC' | 'DESC' | 'PRIORITY', filter?: string) =>
        (
          await listEnvironments(w.stores, w.su, w.app.id, {
            ...(order ? { order } : {}),
            ...(filter ? { filter } : {}),
          })
        ).map((v) => v.environment.name);
      assert.deepEqual(await names(), ['b-staging', 'a-dev', 'c-prod']);
      assert.deepEqual(await names('PRIORITY'), ['b-staging', 'a-dev', 'c-prod']);
      assert.deepEqual(await names('ASC'), ['a-dev', 'b-staging', 'c-prod']);
      assert.deepEqual(await names('DESC'), ['c-prod', 'b-staging', 'a-dev']);
      assert.deepEqual(await names(undefined, 'DEV'), ['a-dev']);
    });

    it('shows a member only the environments they hold a role in, and refuses outsiders', async () => {
      const w = await world();
      const dev = await w.create('dev');
      await w.create('prod');
      const member = await seedPerson(w.stores, 'member');
      await grantRoles(w.stores, {
        org: w.org,
        portfolioId: w.portfolio.id,
        personId: member.id,
        environmentRoles: [{ environmentId: dev.id, roles: ['READ'] }],
      });
      const views = await listEnvironments(w.stores, await accessOf(w.stores, member), w.app.id);
      assert.deepEqual(
        views.map((v) => v.environment.name),
        ['dev'],
      );
      const outsider = await seedPerson(w.stores, 'outsider');
      await rejectsWithStatus(listEnvironments(w.stores, await accessOf(w.stores, outsider), w.app.id), 403);
      await rejectsWithStatus(listEnvironments(w.stores, w.su, randomUUID()), 404);
    });

    it('gets one environment with details, ACLs, features and service accounts when asked', async () => {
      const w = await world();
      const dev = await w.create('dev');
      await w.stores.environments.update(dev.id, {
        webhookEnvironmentInfo: { 'webhook.features.enabled': 'true' },
      });
      const feature = await w.stores.features.create({
        applicationId: w.app.id,
        key: 'f',
        name: 'f',
        valueType: 'STRING',
      });
      const member = await seedPerson(w.stores, 'member');
      const group = await grantRoles(w.stores, {
        org: w.org,
        portfolioId: w.portfolio.id,
        personId: member.id,
        environmentRoles: [{ environmentId: dev.id, roles: ['READ'] }],
      });
      const sa = await w.stores.serviceAccounts.create({
        portfolioId: w.portfolio.id,
        name: 'sa',
        apiKeyServerSide: 'server-key',
        apiKeyClientSide: 'client*key',
      });
      await w.stores.serviceAccounts.setPermissions(sa.id, [{ environmentId: dev.id, roles: ['READ'] }]);
      const all = { acls: true, features: true, details: true, serviceAccounts: true, sdkUrls: true };
      const asAdmin = await getEnvironment(w.stores, w.su, dev.id, all);
      assert.deepEqual(
        asAdmin.groupRoles?.map((a) => a.groupId),
        [group.id],
      );
      assert.deepEqual(
        asAdmin.features?.map((f) => f.id),
        [feature.id],
      );
      assert.equal(asAdmin.webhookDetails, true);
      assert.equal(asAdmin.serviceAccounts?.[0]?.showKeys, true);
      const asMember = await getEnvironment(w.stores, await accessOf(w.stores, member), dev.id, all);
      assert.equal(asMember.details, true);
      assert.equal(asMember.webhookDetails, false, 'webhook settings are for administrators');
      assert.equal(asMember.serviceAccounts?.[0]?.showKeys, true, 'READ covers the account’s READ');
      await w.stores.serviceAccounts.setPermissions(sa.id, [
        { environmentId: dev.id, roles: ['READ', 'CHANGE_VALUE'] },
      ]);
      const again = await getEnvironment(w.stores, await accessOf(w.stores, member), dev.id, all);
      assert.equal(again.serviceAccounts?.[0]?.showKeys, false, 'the account holds more than the member');
    });

    it('answers 404 for an unknown environment and 403 without a role in it', async () => {
      const w = await world();
      const dev = await w.create('dev');
      await rejectsWithStatus(getEnvironment(w.stores, w.su, randomUUID()), 404);
      const member = await seedPerson(w.stores, 'member');
      await grantRoles(w.stores, {
        org: w.org,
        portfolioId: w.portfolio.id,
        personId: member.id,
        applicationRoles: [{ applicationId: w.app.id, roles: ['FEATURE_EDIT'] }],
      });
      await rejectsWithStatus(getEnvironment(w.stores, await accessOf(w.stores, member), dev.id), 403);
    });
  });

  describe('update', () => {
    it('changes only the fields given; null description clears; info replaced without mgmt keys', async () => {
      const w = await world();
      const dev = (
        await createEnvironment(w.stores, new ChangeSet(), w.su, w.app.id, {
          name: 'dev',
          description: 'first',
          environmentInfo: { a: '1' },
        })
      ).environment;
      const changes = new ChangeSet();
      const view = await updateEnvironment(w.stores, changes, w.su, dev.id, {
        version: dev.version,
        description: null,
        environmentInfo: { b: '2', 'mgmt.x': 'y' },
      });
      assert.equal(view.environment.name, 'dev');
      assert.equal(view.environment.description, null);
      assert.deepEqual(view.environment.environmentInfo, { b: '2' });
      assert.equal(view.environment.version, dev.version + 1);
      assert.equal(changes.environments.get(dev.id), 'upsert');
    });

    it('merges webhook settings, removing a key marked .deleted', async () => {
      const w = await world();
      const dev = await w.create('dev');
      const first = await updateEnvironment(w.stores, new ChangeSet(), w.su, dev.id, {
        version: dev.version,
        webhookEnvironmentInfo: {
          'webhook.features.endpoint': 'http://x',
          'webhook.features.headers.A': '1',
        },
      });
      const second = await updateEnvironment(w.stores, new ChangeSet(), w.su, dev.id, {
        version: first.environment.version,
        webhookEnvironmentInfo: {
          'webhook.features.enabled': 'true',
          'webhook.features.headers.A.deleted': '',
        },
      });
      assert.deepEqual(second.environment.webhookEnvironmentInfo, {
        'webhook.features.endpoint': 'http://x',
        'webhook.features.enabled': 'true',
      });
    });

    it('refuses a stale version with 422, a duplicate name with 409, and another application’s environment with 404', async () => {
      const w = await world();
      const dev = await w.create('dev');
      await w.create('prod');
      await rejectsWithStatus(
        updateEnvironment(w.stores, new ChangeSet(), w.su, dev.id, { version: dev.version + 5, name: 'x' }),
        422,
      );
      await rejectsWithStatus(
        updateEnvironment(w.stores, new ChangeSet(), w.su, dev.id, { version: dev.version, name: 'prod' }),
        409,
      );
      await rejectsWithStatus(
        updateEnvironment(
          w.stores,
          new ChangeSet(),
          w.su,
          dev.id,
          { version: dev.version, name: 'x' },
          { inApplication: randomUUID() },
        ),
        404,
      );
      assert.equal((await w.stores.environments.findById(dev.id))?.name, 'dev');
    });

    it('moves an environment to after a new prior one, keeping a single chain', async () => {
      const w = await world();
      const dev = await w.create('dev');
      await w.create('test');
      const staging = await w.create('staging');
      await w.create('prod');
      await updateEnvironment(w.stores, new ChangeSet(), w.su, staging.id, {
        version: staging.version,
        priorEnvironmentId: dev.id,
      });
      assert.deepEqual(await w.names(), ['dev', 'staging', 'test', 'prod']);
      const current = (await w.stores.environments.findById(dev.id))!;
      await updateEnvironment(w.stores, new ChangeSet(), w.su, dev.id, {
        version: current.version,
        priorEnvironmentId: (await w.stores.environments.findByName(w.app.id, 'prod'))!.id,
      });
      assert.deepEqual(await w.names(), ['staging', 'test', 'prod', 'dev']);
      await rejectsWithStatus(
        updateEnvironment(w.stores, new ChangeSet(), w.su, staging.id, {
          version: (await w.stores.environments.findById(staging.id))!.version,
          priorEnvironmentId: staging.id,
        }),
        400,
      );
    });
  });

  describe('ordering', () => {
    it('reverses the promotion order and republishes the environments that moved', async () => {
      const w = await world();
      const dev = await w.create('dev');
      const test = await w.create('test');
      const prod = await w.create('prod');
      const changes = new ChangeSet();
      const views = await reorderEnvironments(w.stores, changes, w.su, w.app.id, [
        { id: prod.id, priorEnvironmentId: null, version: prod.version },
        { id: test.id, priorEnvironmentId: prod.id, version: test.version },
        { id: dev.id, priorEnvironmentId: test.id, version: dev.version },
      ]);
      assert.deepEqual(
        views.map((v) => v.environment.name),
        ['prod', 'test', 'dev'],
      );
      assert.deepEqual([...changes.environments.keys()].sort(), [dev.id, test.id, prod.id].sort());
    });

    it('rejects a cycle with 400 naming the environments in it, changing nothing', async () => {
      const w = await world();
      const dev = await w.create('dev');
      const test = await w.create('test');
      await rejectsWithStatus(
        reorderEnvironments(w.stores, new ChangeSet(), w.su, w.app.id, [
          { id: dev.id, priorEnvironmentId: test.id, version: dev.version },
        ]),
        400,
        /cycle: (dev → test → dev|test → dev → test)/,
      );
      await rejectsWithStatus(
        reorderEnvironments(w.stores, new ChangeSet(), w.su, w.app.id, [
          { id: dev.id, priorEnvironmentId: dev.id, version: dev.version },
        ]),
        400,
        /cycle/,
      );
      assert.deepEqual(await w.names(), ['dev', 'test']);
    });

    it('rejects unknown environments and predecessors with 400, and stale versions with 400 too (upstream)', async () => {
      const w = await world();
      const dev = await w.create('dev');
      const other = await w.stores.applications.create({ portfolioId: w.portfolio.id, name: 'Other' });
      const foreign = await w.stores.environments.create({ applicationId: other.id, name: 'x' });
      const reorder = (placements: Parameters<typeof reorderEnvironments>[4]) =>
        reorderEnvironments(w.stores, new ChangeSet(), w.su, w.app.id, placements);
      await rejectsWithStatus(
        reorder([{ id: foreign.id, priorEnvironmentId: null, version: foreign.version }]),
        400,
        /not an environment/,
      );
      await rejectsWithStatus(
        reorder([{ id: dev.id, priorEnvironmentId: foreign.id, version: dev.version }]),
        400,
        /cannot follow/,
      );
      await rejectsWithStatus(
        reorder([{ id: dev.id, priorEnvironmentId: null, version: 99 }]),
        400,
        /version/,
      );
      await rejectsWithStatus(reorder([{ id: dev.id, priorEnvironmentId: null, version: undefined }]), 400);
      await rejectsWithStatus(
        reorder([
          { id: dev.id, priorEnvironmentId: null, version: dev.version },
          { id: dev.id, priorEnvironmentId: null, version: dev.version },
        ]),
        400,
        /twice/,
      );
    });

    it('finds cycles in a predecessor map', () => {
      assert.equal(
        findCycle(
          new Map([
            ['a', null],
            ['b', 'a'],
            ['c', 'b'],
          ]),
        ),
        undefined,
      );
      assert.deepEqual(
        findCycle(
          new Map([
            ['a', 'c'],
            ['b', 'a'],
            ['c', 'b'],
            ['d', null],
          ]),
        ),
        ['a', 'c', 'b', 'a'],
      );
      assert.deepEqual(findCycle(new Map([['a', 'a']])), ['a', 'a']);
    });
  });

  describe('delete', () => {
    it('archives the environment, relinks its follower and tells the caches (environment delete, account update)', async () => {
      const w = await world();
      const dev = await w.create('dev');
      const test = await w.create('test');
      const prod = await w.create('prod');
      const sa = await w.stores.serviceAccounts.create({
        portfolioId: w.portfolio.id,
        name: 'sa',
        apiKeyServerSide: 's1',
        apiKeyClientSide: 'c*1',
      });
      await w.stores.serviceAccounts.setPermissions(sa.id, [{ environmentId: test.id, roles: ['READ'] }]);
      const changes = new ChangeSet();
      await deleteEnvironment(w.stores, changes, w.su, test.id);
      assert.deepEqual(await w.names(), ['dev', 'prod']);
      assert.equal((await w.stores.environments.findById(prod.id))?.priorEnvironmentId, dev.id);
      assert.equal(changes.environments.get(test.id), 'delete');
      assert.equal(changes.environments.get(prod.id), 'upsert');
      assert.equal(changes.serviceAccounts.get(sa.id), 'upsert');
      assert.deepEqual(await w.stores.serviceAccounts.listPermissions({ serviceAccountIds: [sa.id] }), []);
    });

    it('refuses non-administrators with 403 and unknown environments with 404', async () => {
      const w = await world();
      const dev = await w.create('dev');
      const member = await seedPerson(w.stores, 'member');
      await grantRoles(w.stores, {
        org: w.org,
        portfolioId: w.portfolio.id,
        personId: member.id,
        environmentRoles: [{ environmentId: dev.id, roles: ['READ', 'CHANGE_VALUE'] }],
      });
      await rejectsWithStatus(
        deleteEnvironment(w.stores, new ChangeSet(), await accessOf(w.stores, member), dev.id),
        403,
      );
      await rejectsWithStatus(deleteEnvironment(w.stores, new ChangeSet(), w.su, randomUUID()), 404);
      assert.deepEqual(await w.names(), ['dev']);
    });
  });

  it('drops mgmt. keys and merges webhook info', () => {
    assert.deepEqual(withoutManagementKeys({ 'mgmt.a': '1', b: '2', 'xmgmt.c': '3' }), {
      b: '2',
      'xmgmt.c': '3',
    });
    assert.deepEqual(mergeWebhookInfo({ a: '1', b: '2' }, { b: '3', 'a.deleted': 'true', c: '4' }), {
      b: '3',
      c: '4',
    });
  });
});
