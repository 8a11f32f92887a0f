import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { PublishFeatureValues } from '@fh/contracts';
import { eventTypes } from '@fh/messaging';
import { ConflictError, ForbiddenError, NotFoundError } from '@fh/service-kit';
import type { ApplicationRole } from '../group/group-store.ts';
import { Access } from '../permission/access.ts';
import { ChangeSet } from '../publishing/change-set.ts';
import { createPublishingWorld, type PublishingWorld } from '../testing/publishing-world.ts';
import { InvalidRolloutStrategiesError } from './rollout-strategy-validation.ts';
import { toApiApplicationStrategy, toApiStrategyList } from './strategy-mapper.ts';
import { type StrategyActor, StrategyService } from './strategy-service.ts';

const PERSON = 'person-1';

function actorWith(
  appId: string,
  roles: ApplicationRole[],
  options: { superuser?: boolean } = {},
): StrategyActor {
  return {
    personId: PERSON,
    access: new Access({
      personId: PERSON,
      isSuperuser: options.superuser ?? false,
      adminPortfolios: [],
      memberPortfolios: [],
      appRoles: new Map([[appId, new Set(roles)]]),
      envRoles: new Map(),
      appsWithEnvRoles: [],
    }),
  };
}

const beta = {
  name: 'Beta testers',
  attributes: [
    { conditional: 'EQUALS' as const, fieldName: 'beta', type: 'BOOLEAN' as const, values: [true] },
  ],
};

describe('StrategyService', () => {
  let world: PublishingWorld;
  let service: StrategyService;
  let admin: StrategyActor;
  // The list as the controller answers it (the service returns a domain page).
  const apiList = async (...args: Parameters<StrategyService['list']>) =>
    toApiStrategyList(await service.list(...args));
  beforeEach(async () => {
    world = await createPublishingWorld();
    let n = 0;
    service = new StrategyService((length) => String(n++).padStart(length, '0').slice(-length));
    admin = actorWith(world.applicationId, [], { superuser: true });
  });
  afterEach(async () => {
    await world.close();
  });

  it('creates a strategy with a unique "@" code and normalised attribute ids', async () => {
    const a = await service.create(world.stores, admin, world.applicationId, beta);
    const b = await service.create(world.stores, admin, world.applicationId, {
      name: 'Half',
      percentage: 500000,
    });
    assert.match(a.code, /^@[A-Za-z0-9]{3}$/);
    assert.notEqual(a.code, b.code);
    const api = toApiApplicationStrategy(a);
    assert.equal(api.name, 'Beta testers');
    assert.equal(api.attributes?.[0]?.id?.length, 4);
    assert.equal(api.disabled, false);
  });

  it('refuses a name already used in the application, whatever its case', async () => {
    await service.create(world.stores, admin, world.applicationId, beta);
    await assert.rejects(
      service.create(world.stores, admin, world.applicationId, { ...beta, name: '  BETA testers ' }),
      ConflictError,
    );
  });

  it('creates a strategy without rules yet, as a named placeholder', async () => {
    const created = await service.create(world.stores, admin, world.applicationId, { name: 'Nothing yet' });
    assert.equal(created.name, 'Nothing yet');
    assert.deepEqual((created.strategy as { attributes?: unknown[] }).attributes ?? [], []);
  });

  it('refuses a broken strategy, listing the violations (422)', async () => {
    await assert.rejects(
      service.create(world.stores, admin, world.applicationId, {
        name: 'Broken',
        attributes: [{ conditional: 'EQUALS', fieldName: '  ', type: 'STRING', values: ['nz'] }],
      }),
      (err: unknown) =>
        err instanceof InvalidRolloutStrategiesError &&
        err.status === 422 &&
        err.response.customStategyViolations?.[0]?.violations?.[0]?.violation === 'attr_missing_field_name',
    );
    await assert.rejects(
      service.create(world.stores, admin, world.applicationId, { name: 'x'.repeat(151), percentage: 1 }),
      (err: unknown) =>
        err instanceof InvalidRolloutStrategiesError &&
        err.response.customStategyViolations?.[0]?.violations?.some(
          (v) => v.violation === 'name_too_long',
        ) === true,
    );
  });

  it('needs APP_STRATEGY_CREATE to create, EDIT to edit and EDIT_AND_DELETE to delete, when holding no FEATURE_* role', async () => {
    const creator = actorWith(world.applicationId, ['APP_STRATEGY_CREATE']);
    const editor = actorWith(world.applicationId, ['APP_STRATEGY_EDIT']);
    const nobody = actorWith(world.applicationId, []);
    await assert.rejects(service.create(world.stores, nobody, world.applicationId, beta), ForbiddenError);
    const created = await service.create(world.stores, creator, world.applicationId, beta);
    const changes = new ChangeSet();
    await assert.rejects(
      service.update(world.stores, changes, creator, world.applicationId, created.id, { percentage: 1 }),
      ForbiddenError,
    );
    await service.update(world.stores, changes, editor, world.applicationId, created.id, { percentage: 1 });
    await assert.rejects(
      service.delete(world.stores, changes, editor, world.applicationId, created.id),
      ForbiddenError,
    );
    const deleter = actorWith(world.applicationId, ['APP_STRATEGY_EDIT_AND_DELETE']);
    await service.delete(world.stores, changes, deleter, world.applicationId, created.id);
  });

  for (const role of ['FEATURE_CREATE', 'FEATURE_EDIT', 'FEATURE_EDIT_AND_DELETE'] as const) {
    it(`a ${role} holder may create, edit and delete application strategies (upstream's featureCreatorCheck)`, async () => {
      const featureRole = actorWith(world.applicationId, [role]);
      const changes = new ChangeSet();
      const created = await service.create(world.stores, featureRole, world.applicationId, beta);
      const updated = await service.update(
        world.stores,
        changes,
        featureRole,
        world.applicationId,
        created.id,
        { percentage: 1 },
      );
      assert.equal(toApiApplicationStrategy(updated).percentage, 1);
      await service.delete(world.stores, changes, featureRole, world.applicationId, created.id);
      assert.equal(await world.stores.strategies.findById(created.id), undefined);
    });
  }

  it('a FEATURE_* role on another application grants nothing here', async () => {
    const elsewhere = actorWith('another-app', ['FEATURE_EDIT_AND_DELETE']);
    await assert.rejects(service.create(world.stores, elsewhere, world.applicationId, beta), ForbiddenError);
  });

  it('answers 404 for an unknown application or a strategy of another application', async () => {
    const unknown = '00000000-0000-4000-8000-000000000000';
    await assert.rejects(service.create(world.stores, admin, unknown, beta), NotFoundError);
    const created = await service.create(world.stores, admin, world.applicationId, beta);
    const other = await world.stores.applications.create({ portfolioId: world.portfolioId, name: 'Other' });
    await assert.rejects(service.get(world.stores, admin, other.id, created.id), NotFoundError);
  });

  it('editing a strategy bumps every value using it, writes history and republishes so Dacha serves the new rule', async () => {
    const env = world.environment;
    const feature = await world.addFeature('COLOUR', 'STRING');
    const unrelated = await world.addFeature('OTHER', 'STRING');
    const account = await world.addServiceAccount('sdk', { [env.id]: ['READ'] });
    const strategy = await service.create(world.stores, admin, world.applicationId, beta);
    const value = await world.stores.featureValues.create({
      environmentId: env.id,
      featureId: feature.id,
      value: 'red',
      strategyInstances: [{ strategyId: strategy.id, value: 'purple', enabled: true }],
    });
    const other = await world.stores.featureValues.create({
      environmentId: env.id,
      featureId: unrelated.id,
      value: 'x',
    });
    await world.commit(async (_tx, changes) => {
      changes.environmentChanged(env.id);
      changes.serviceAccountChanged(account.id);
    });

    await world.commit((tx, changes) =>
      service.update(tx, changes, admin, world.applicationId, strategy.id, { percentage: 250000 }),
    );

    const saved = await world.stores.featureValues.findById(value.id);
    assert.equal(saved?.version, value.version + 1);
    assert.equal(saved?.whoUpdated, PERSON);
    assert.equal((await world.stores.featureValues.history(value.id)).length, 2);
    assert.equal((await world.stores.featureValues.findById(other.id))?.version, other.version);
    const [message] = world.onCacheChannel(eventTypes.publishFeature) as PublishFeatureValues[];
    assert.deepEqual(
      message?.features.map((f) => f.feature.feature.key),
      ['COLOUR'],
    );
    const held = world.dacha.feature(env.id, feature.id);
    assert.deepEqual(
      held?.value?.rolloutStrategies?.map((s) => [s.id, s.percentage, s.value]),
      [[strategy.code, 250000, 'purple']],
    );
  });

  it('an edit that changes nothing saves nothing', async () => {
    const strategy = await service.create(world.stores, admin, world.applicationId, beta);
    const changes = new ChangeSet();
    const same = await service.update(world.stores, changes, admin, world.applicationId, strategy.id, {
      name: 'Beta testers',
    });
    assert.equal(same.version, strategy.version);
    assert.ok(changes.isEmpty());
  });

  it('disabling a strategy takes it out of what Dacha serves', async () => {
    const env = world.environment;
    const feature = await world.addFeature('COLOUR', 'STRING');
    const strategy = await service.create(world.stores, admin, world.applicationId, beta);
    await world.stores.featureValues.create({
      environmentId: env.id,
      featureId: feature.id,
      value: 'red',
      strategyInstances: [{ strategyId: strategy.id, value: 'purple', enabled: true }],
    });
    await world.commit(async (_tx, changes) => changes.environmentChanged(env.id));
    await world.commit((tx, changes) =>
      service.update(tx, changes, admin, world.applicationId, strategy.id, { disabled: true }),
    );
    assert.deepEqual(world.dacha.feature(env.id, feature.id)?.value?.rolloutStrategies, []);
  });

  it('deleting a strategy detaches it from every value with a new version, and archives it', async () => {
    const env = world.environment;
    const feature = await world.addFeature('COLOUR', 'STRING');
    const strategy = await service.create(world.stores, admin, world.applicationId, beta);
    const value = await world.stores.featureValues.create({
      environmentId: env.id,
      featureId: feature.id,
      value: 'red',
      strategyInstances: [{ strategyId: strategy.id, value: 'purple', enabled: true }],
    });
    await world.commit(async (_tx, changes) => changes.environmentChanged(env.id));
    await world.commit((tx, changes) => service.delete(tx, changes, admin, world.applicationId, strategy.id));

    const saved = await world.stores.featureValues.findById(value.id);
    assert.deepEqual(saved?.strategyInstances, []);
    assert.equal(saved?.version, value.version + 1);
    assert.equal(await world.stores.strategies.findById(strategy.id), undefined);
    assert.deepEqual(world.dacha.feature(env.id, feature.id)?.value?.rolloutStrategies, []);
    // the name is free again
    await service.create(world.stores, admin, world.applicationId, beta);
  });

  it('lists with filter, order, pages, usage and who changed it', async () => {
    const env = world.environment;
    const person = await world.stores.persons.create({ email: 'who@example.com', name: 'Who' });
    const who = { ...admin, personId: person.id };
    const names = ['Alpha', 'beta', 'Gamma', 'delta'];
    const created = [];
    for (const name of names)
      created.push(await service.create(world.stores, who, world.applicationId, { name, percentage: 1 }));
    const feature = await world.addFeature('F', 'STRING');
    await world.stores.featureValues.create({
      environmentId: env.id,
      featureId: feature.id,
      strategyInstances: [{ strategyId: created[0]!.id, value: 'x', enabled: true }],
    });

    const all = await apiList(world.stores, admin, world.applicationId, {});
    assert.deepEqual(
      all.items.map((i) => i.strategy?.name),
      ['Alpha', 'beta', 'delta', 'Gamma'],
    );
    const page = await apiList(world.stores, admin, world.applicationId, {
      sortOrder: 'DESC',
      max: 2,
      page: 1,
    });
    assert.deepEqual(
      page.items.map((i) => i.strategy?.name),
      ['beta', 'Alpha'],
    );
    assert.equal(page.max, 4);
    assert.equal(page.page, 1);
    const filtered = await apiList(world.stores, admin, world.applicationId, {
      filter: 'ALP',
      includeUsage: true,
      includeWhoChanged: true,
    });
    assert.equal(filtered.items.length, 1);
    assert.deepEqual(filtered.items[0]?.usage, [{ id: env.id, name: 'production', featuresCount: 1 }]);
    assert.deepEqual(filtered.items[0]?.updatedBy, { email: 'who@example.com', name: 'Who' });
    assert.match(filtered.items[0]?.uniqueCode ?? '', /^@/);
    // as upstream, who changed a strategy comes with every item, asked for or not; usage only when asked
    assert.deepEqual(
      all.items.map((i) => i.updatedBy),
      names.map(() => ({ email: 'who@example.com', name: 'Who' })),
    );
    assert.equal(all.items[0]?.usage, undefined);

    await service.delete(world.stores, new ChangeSet(), admin, world.applicationId, created[1]!.id);
    assert.equal((await apiList(world.stores, admin, world.applicationId, {})).items.length, 3);
    assert.equal(
      (await apiList(world.stores, admin, world.applicationId, { includeArchived: true })).items.length,
      4,
    );
  });

  it('lists an item whose changer is unknown with an updatedBy that has no name', async () => {
    await world.stores.strategies.create({
      applicationId: world.applicationId,
      name: 'Orphan',
      code: '@orp',
      strategy: { percentage: 1 },
      whoChanged: null,
    });
    const list = await apiList(world.stores, admin, world.applicationId, {});
    assert.deepEqual(list.items[0]?.updatedBy, { name: null });
  });

  it('reading needs some access to the application', async () => {
    const stranger = actorWith('another-app', ['FEATURE_EDIT']);
    await assert.rejects(apiList(world.stores, stranger, world.applicationId, {}), ForbiddenError);
    const reader = actorWith(world.applicationId, ['FEATURE_CREATE']);
    assert.equal((await apiList(world.stores, reader, world.applicationId, {})).items.length, 0);
  });

  it('validation lists the violations instead of failing', async () => {
    const response = await service.validate(world.stores, admin, world.applicationId, {
      customStrategies: [
        { name: 'a', percentage: 700000 },
        { name: 'b', percentage: 700000 },
        { name: '', percentage: -1 },
      ],
    });
    assert.deepEqual(response.violations, ['percentage_adds_over_100_percent']);
    assert.deepEqual(
      response.customStategyViolations?.[0]?.violations?.map((v) => v.violation),
      ['no_name', 'negative_percentage'],
    );
  });
});
