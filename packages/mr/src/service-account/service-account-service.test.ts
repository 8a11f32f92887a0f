import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import {
  BadRequestError,
  ConflictError,
  ForbiddenError,
  NotFoundError,
  StaleVersionError,
} from '@fh/service-kit';
import type { EnvironmentRole } from '../group/group-store.ts';
import { Access } from '../permission/access.ts';
import { ChangeSet } from '../publishing/change-set.ts';
import { createPublishingWorld, type PublishingWorld } from '../testing/publishing-world.ts';
import { newClientEvalKey, newServerEvalKey } from './api-keys.ts';
import { toApiServiceAccount, toKeysToReset } from './service-account-mapper.ts';
import { nameMatcher, type ServiceAccountActor, ServiceAccountService } from './service-account-service.ts';

function actor(
  init: { admin?: string; member?: string; envRoles?: Record<string, EnvironmentRole[]> } = {},
): ServiceAccountActor {
  return {
    personId: 'person-1',
    access: new Access({
      personId: 'person-1',
      isSuperuser: false,
      adminPortfolios: init.admin ? [init.admin] : [],
      memberPortfolios: [init.admin, init.member].filter((p): p is string => p !== undefined),
      appRoles: new Map(),
      envRoles: new Map(Object.entries(init.envRoles ?? {}).map(([k, v]) => [k, new Set(v)])),
      appsWithEnvRoles: [],
    }),
  };
}

describe('API keys', () => {
  it('server-eval keys are 40 alphanumerics; client-eval keys are 30 + "*" + 20', () => {
    assert.match(newServerEvalKey(), /^[A-Za-z0-9]{40}$/);
    assert.match(newClientEvalKey(), /^[A-Za-z0-9]{30}\*[A-Za-z0-9]{20}$/);
    assert.notEqual(newServerEvalKey(), newServerEvalKey());
  });
});

describe('ServiceAccountService', () => {
  let world: PublishingWorld;
  let service: ServiceAccountService;
  let admin: ServiceAccountActor;
  beforeEach(async () => {
    world = await createPublishingWorld();
    service = new ServiceAccountService();
    admin = actor({ admin: world.portfolioId });
  });
  afterEach(async () => {
    await world.close();
  });

  const create = (
    permissions: { environmentId: string; permissions: EnvironmentRole[] }[] = [],
    name = 'sdk',
    who = admin,
  ) =>
    world.commit((tx, changes) =>
      service.create(
        tx,
        changes,
        who,
        world.portfolioId,
        { name, permissions },
        { includePermissions: true },
      ),
    );

  it('creates an account with keys, a shadow person and permissions, and publishes it so Dacha knows the keys', async () => {
    const env = world.environment;
    const created = await create([{ environmentId: env.id, permissions: ['READ', 'CHANGE_VALUE'] }]);
    await world.commit(async (_tx, changes) => changes.environmentChanged(env.id));
    const api = toApiServiceAccount(created);
    assert.match(api.apiKeyServerSide ?? '', /^[A-Za-z0-9]{40}$/);
    assert.match(api.apiKeyClientSide ?? '', /^[A-Za-z0-9]{30}\*[A-Za-z0-9]{20}$/);
    // Created with its permissions, an account also shows each permission's SDK URLs, as upstream's does.
    assert.deepEqual(api.permissions, [
      {
        environmentId: env.id,
        permissions: ['READ', 'CHANGE_VALUE'],
        sdkUrlClientEval: `${env.id}/${api.apiKeyClientSide}`,
        sdkUrlServerEval: `${env.id}/${api.apiKeyServerSide}`,
      },
    ]);
    const shadow = await world.stores.persons.findById(created.account.sdkPersonId!);
    assert.equal(shadow?.personType, 'sdkServiceAccount');
    assert.match(shadow?.email ?? '', /@sdk\.sa\.featurehub\.io$/);
    assert.equal(world.dacha.features(env.id, created.account.apiKeyServerSide).status, 'found');
    assert.equal(world.dacha.features(env.id, created.account.apiKeyClientSide).status, 'found');
  });

  it('only portfolio admins create, and names are unique in the portfolio', async () => {
    await assert.rejects(create([], 'sdk', actor({ member: world.portfolioId })), ForbiddenError);
    await create();
    await assert.rejects(create(), ConflictError);
    await assert.rejects(create([], '   '), BadRequestError);
  });

  it('refuses environments outside the portfolio and repeated environments', async () => {
    const otherPortfolio = await world.stores.portfolios.create({
      organisationId: world.organisationId,
      name: 'Other',
    });
    const otherApp = await world.stores.applications.create({ portfolioId: otherPortfolio.id, name: 'A' });
    const foreign = await world.stores.environments.create({ applicationId: otherApp.id, name: 'e' });
    await assert.rejects(create([{ environmentId: foreign.id, permissions: ['READ'] }]), BadRequestError);
    await assert.rejects(
      create([{ environmentId: '00000000-0000-4000-8000-000000000000', permissions: ['READ'] }]),
      BadRequestError,
    );
    const env = world.environment.id;
    await assert.rejects(
      create([
        { environmentId: env, permissions: ['READ'] },
        { environmentId: env, permissions: ['LOCK'] },
      ]),
      BadRequestError,
    );
  });

  it('updates name and permissions, scoped to one application when asked, and refuses stale versions', async () => {
    const env = world.environment;
    const otherApp = await world.stores.applications.create({ portfolioId: world.portfolioId, name: 'B' });
    const otherEnv = await world.stores.environments.create({ applicationId: otherApp.id, name: 'b-prod' });
    const created = await create([
      { environmentId: env.id, permissions: ['READ'] },
      { environmentId: otherEnv.id, permissions: ['READ'] },
    ]);
    const update = (input: Parameters<ServiceAccountService['update']>[4], applicationId?: string) =>
      world.commit((tx, changes) =>
        service.update(
          tx,
          changes,
          admin,
          { serviceAccountId: created.account.id, portfolioId: world.portfolioId, applicationId },
          input,
          { includePermissions: true },
        ),
      );

    const scoped = await update(
      {
        name: 'renamed',
        version: created.account.version,
        permissions: [{ environmentId: env.id, permissions: ['READ', 'LOCK'] }],
      },
      world.applicationId,
    );
    assert.equal(scoped.account.name, 'renamed');
    assert.deepEqual(
      scoped.permissions?.map((p) => [p.environmentId, p.roles]).sort(),
      [
        [env.id, ['READ', 'LOCK']],
        [otherEnv.id, ['READ']],
      ].sort(),
    );
    await assert.rejects(update({ name: 'x', version: created.account.version }), StaleVersionError);

    const unscoped = await update({ name: 'renamed', version: scoped.account.version, permissions: [] });
    assert.deepEqual(unscoped.permissions, []);
    const untouched = await update({
      name: 'renamed',
      version: unscoped.account.version,
      permissions: [{ environmentId: env.id, permissions: ['READ'] }],
      permsInvalid: true,
    });
    assert.deepEqual(untouched.permissions, []);
    assert.equal(untouched.account.version, unscoped.account.version, 'nothing changed, nothing saved');
  });

  it('a no-op update publishes nothing', async () => {
    const created = await create([{ environmentId: world.environment.id, permissions: ['READ'] }]);
    const changes = new ChangeSet();
    await service.update(
      world.stores,
      changes,
      admin,
      { serviceAccountId: created.account.id },
      {
        name: 'sdk',
        version: created.account.version,
        permissions: [{ environmentId: world.environment.id, permissions: ['READ'] }],
      },
      {},
    );
    assert.ok(changes.isEmpty());
  });

  it('resetting the client key leaves the server key, and the old client key stops working in Dacha', async () => {
    const env = world.environment;
    const created = await create([{ environmentId: env.id, permissions: ['READ'] }]);
    await world.commit(async (_tx, changes) => changes.environmentChanged(env.id));
    const reset = await world.commit((tx, changes) =>
      service.resetApiKey(tx, changes, admin, created.account.id, toKeysToReset('client_eval_only')),
    );
    assert.equal(reset.account.apiKeyServerSide, created.account.apiKeyServerSide);
    assert.notEqual(reset.account.apiKeyClientSide, created.account.apiKeyClientSide);
    assert.equal(world.dacha.features(env.id, created.account.apiKeyClientSide).status, 'not_found');
    assert.equal(world.dacha.features(env.id, reset.account.apiKeyClientSide).status, 'found');

    const both = await world.commit((tx, changes) =>
      service.resetApiKey(tx, changes, admin, created.account.id, toKeysToReset(undefined)),
    );
    assert.notEqual(both.account.apiKeyServerSide, created.account.apiKeyServerSide);
    assert.notEqual(both.account.apiKeyClientSide, reset.account.apiKeyClientSide);
  });

  it('deleting archives the account and publishes DELETE', async () => {
    const env = world.environment;
    const created = await create([{ environmentId: env.id, permissions: ['READ'] }]);
    await world.commit(async (_tx, changes) => changes.environmentChanged(env.id));
    await world.commit((tx, changes) => service.delete(tx, changes, admin, created.account.id));
    assert.equal(await world.stores.serviceAccounts.findById(created.account.id), undefined);
    assert.equal(world.dacha.features(env.id, created.account.apiKeyServerSide).status, 'not_found');
    await assert.rejects(service.get(world.stores, admin, created.account.id, {}), NotFoundError);
  });

  it('members see SDK URLs only where their roles cover the account, and never the bare keys', async () => {
    const env = world.environment;
    const second = await world.addEnvironment('staging');
    await create([
      { environmentId: env.id, permissions: ['READ'] },
      { environmentId: second.id, permissions: ['READ', 'CHANGE_VALUE'] },
    ]);
    const member = actor({
      member: world.portfolioId,
      envRoles: { [env.id]: ['READ'], [second.id]: ['READ'] },
    });
    const [seen] = await service.search(world.stores, member, world.portfolioId, { includeSdkUrls: true });
    const api = toApiServiceAccount(seen!);
    assert.equal(api.apiKeyServerSide, undefined);
    const byEnv = new Map(api.permissions?.map((p) => [p.environmentId, p]));
    assert.equal(byEnv.get(env.id)?.sdkUrlServerEval, `${env.id}/${seen!.account.apiKeyServerSide}`);
    assert.equal(byEnv.get(env.id)?.sdkUrlClientEval, `${env.id}/${seen!.account.apiKeyClientSide}`);
    assert.equal(byEnv.get(second.id)?.sdkUrlServerEval, undefined);

    const [asAdmin] = await service.search(world.stores, admin, world.portfolioId, { includeSdkUrls: true });
    assert.ok(toApiServiceAccount(asAdmin!).permissions?.every((p) => p.sdkUrlServerEval !== undefined));

    const outsider = actor({});
    await assert.rejects(service.search(world.stores, outsider, world.portfolioId, {}), ForbiddenError);
  });

  it('the search filter matches whole names ignoring case, with % and _ as wildcards (as upstream)', () => {
    const exact = nameMatcher('mobile app');
    assert.equal(exact('Mobile App'), true);
    assert.equal(exact('Mobile App 2'), false);
    assert.equal(nameMatcher('mobile%')('Mobile App 2'), true);
    assert.equal(nameMatcher('sa_1')('SA-1'), true);
    assert.equal(nameMatcher('a.b')('axb'), false, 'other characters are literal');
    assert.equal(nameMatcher('  ')('anything'), true);
  });

  it('search filters by name and limits permissions to one application', async () => {
    const otherApp = await world.stores.applications.create({ portfolioId: world.portfolioId, name: 'B' });
    const otherEnv = await world.stores.environments.create({ applicationId: otherApp.id, name: 'b-prod' });
    await create(
      [
        { environmentId: world.environment.id, permissions: ['READ'] },
        { environmentId: otherEnv.id, permissions: ['READ'] },
      ],
      'Mobile app',
    );
    await create([], 'backend');
    await create([], 'Mobile app 2');
    const found = await service.search(world.stores, admin, world.portfolioId, {
      filter: 'MOBILE APP',
      includePermissions: true,
      applicationId: otherApp.id,
    });
    assert.deepEqual(
      found.map((d) => [d.account.name, d.permissions?.map((p) => p.environmentId)]),
      [['Mobile app', [otherEnv.id]]],
    );
    const plain = await service.search(world.stores, admin, world.portfolioId, {});
    assert.equal(plain.length, 3);
    assert.equal(plain[0]?.permissions, undefined);
  });

  it('get needs a portfolio admin and answers 404 for unknown ids such as "self"', async () => {
    const created = await create();
    await assert.rejects(
      service.get(world.stores, actor({ member: world.portfolioId }), created.account.id, {}),
      ForbiddenError,
    );
    await assert.rejects(service.get(world.stores, admin, 'self', {}), NotFoundError);
  });
});
