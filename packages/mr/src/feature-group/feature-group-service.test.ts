import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { AppError, BadRequestError, ConflictError, ForbiddenError, NotFoundError } from '@fh/service-kit';
import { cacheVersions } from '../cache-requests/cache-versions.ts';
import type { Feature } from '../feature/feature-store.ts';
import { toApiFeatureValue } from '../feature-value/feature-value-mapper.ts';
import { lookupsFor } from '../feature-value/feature-value-queries.ts';
import type { EnvironmentRole } from '../group/group-store.ts';
import { Access } from '../permission/access.ts';
import { MrCacheSource } from '../publishing/mr-cache-source.ts';
import { InvalidRolloutStrategiesError } from '../strategy/rollout-strategy-validation.ts';
import { createPublishingWorld, type PublishingWorld } from '../testing/publishing-world.ts';
import { toApiFeatureGroup, toApiFeatureGroupList } from './feature-group-mapper.ts';
import { type FeatureGroupActor, FeatureGroupService } from './feature-group-service.ts';

const PERSON = 'person-1';

function actor(envRoles: Record<string, EnvironmentRole[]>, appsWithEnvRoles: string[]): FeatureGroupActor {
  return {
    personId: PERSON,
    access: new Access({
      personId: PERSON,
      isSuperuser: false,
      adminPortfolios: [],
      memberPortfolios: [],
      appRoles: new Map(),
      envRoles: new Map(Object.entries(envRoles).map(([k, v]) => [k, new Set(v)])),
      appsWithEnvRoles,
    }),
  };
}

const premium = {
  name: 'premium users',
  attributes: [
    { conditional: 'EQUALS' as const, fieldName: 'plan', type: 'STRING' as const, values: ['premium'] },
  ],
};

describe('FeatureGroupService', () => {
  let world: PublishingWorld;
  let service: FeatureGroupService;
  let admin: FeatureGroupActor;
  let flag: Feature;
  let colour: Feature;
  let serverKey: string;

  beforeEach(async () => {
    world = await createPublishingWorld();
    service = new FeatureGroupService();
    admin = actor({ [world.environment.id]: ['READ', 'CHANGE_VALUE', 'LOCK', 'UNLOCK'] }, [
      world.applicationId,
    ]);
    flag = await world.addFeature('FLAG', 'BOOLEAN');
    colour = await world.addFeature('COLOUR', 'STRING');
    const account = await world.addServiceAccount('sdk', { [world.environment.id]: ['READ'] });
    serverKey = account.apiKeyServerSide;
    await world.stores.featureValues.create({
      environmentId: world.environment.id,
      featureId: colour.id,
      value: 'red',
      rolloutStrategies: [{ id: 'own1', name: 'own', value: 'blue', attributes: [] }],
    });
    await world.commit(async (_tx, changes) => {
      changes.environmentChanged(world.environment.id, 'create');
      changes.serviceAccountChanged(account.id, 'create');
    });
  });
  afterEach(async () => {
    await world.close();
  });

  const create = (
    who = admin,
    members = [
      { featureId: flag.id, value: true },
      { featureId: colour.id, value: 'gold' },
    ],
  ) =>
    world.commit((tx, changes) =>
      service.create(tx, changes, who, world.applicationId, {
        name: 'Premium',
        environmentId: world.environment.id,
        members,
        strategies: [premium],
      }),
    );
  const served = (feature: Feature) => {
    const found = world.dacha.features(world.environment.id, serverKey);
    assert.equal(found.status, 'found');
    return world.dacha.feature(world.environment.id, feature.id)?.value;
  };

  it("publishes the group strategy with each member value after the value's own strategies", async () => {
    const created = await create();
    assert.equal(created.group.order, 10);
    const c = served(colour);
    assert.deepEqual(
      c?.rolloutStrategies?.map((s) => [s.id, s.value, s.attributes?.[0]?.fieldName ?? null]),
      [
        ['own1', 'blue', null],
        [created.group.strategies[0] && (created.group.strategies[0] as { id: string }).id, 'gold', 'plan'],
      ],
    );
    // a member without a value gets one (unlocked) so the strategy travels with it
    const f = served(flag);
    assert.equal(f?.value, false);
    assert.equal(f?.locked, false);
    assert.deepEqual(
      f?.rolloutStrategies?.map((s) => s.value),
      [true],
    );
  });

  it("comes after the value's own strategies and the application strategies attached to it", async () => {
    const shared = await world.stores.strategies.create({
      applicationId: world.applicationId,
      name: 'staff',
      code: '@stf',
      strategy: {
        attributes: [{ conditional: 'EQUALS', fieldName: 'staff', type: 'BOOLEAN', values: [true] }],
      },
    });
    const value = (await world.stores.featureValues.find(world.environment.id, colour.id))!;
    await world.stores.featureValues.update(value.id, {
      version: value.version,
      strategyInstances: [{ strategyId: shared.id, value: 'green', enabled: true }],
    });
    const created = await create();
    const groupStrategyId = (created.group.strategies[0] as { id: string }).id;
    assert.equal(groupStrategyId.length, 4);
    assert.deepEqual(
      served(colour)?.rolloutStrategies?.map((s) => [s.id, s.value]),
      [
        ['own1', 'blue'],
        ['@stf', 'green'],
        [groupStrategyId, 'gold'],
      ],
    );
  });

  it('orders the strategies of several groups by group order, and only the first strategy counts', async () => {
    const first = await create();
    const second = await world.commit((tx, changes) =>
      service.create(tx, changes, admin, world.applicationId, {
        name: 'Staff',
        environmentId: world.environment.id,
        members: [{ featureId: colour.id, value: 'silver' }],
        strategies: [
          {
            name: 'staff',
            attributes: [{ conditional: 'EQUALS', fieldName: 'staff', type: 'BOOLEAN', values: [true] }],
          },
          { name: 'ignored', percentage: 500000 },
        ],
      }),
    );
    assert.equal(second.group.order, 20);
    assert.deepEqual(
      served(colour)?.rolloutStrategies?.map((s) => s.value),
      ['blue', 'gold', 'silver'],
    );
    // moving the second group before the first reorders what is served
    await world.commit((tx, changes) =>
      service.update(tx, changes, admin, world.applicationId, {
        id: second.group.id,
        version: second.group.version,
        order: 5,
      }),
    );
    assert.deepEqual(
      served(colour)?.rolloutStrategies?.map((s) => s.value),
      ['blue', 'silver', 'gold'],
    );
    assert.equal(first.group.order, 10);
  });

  it('changing the strategy or a member value republishes members with new versions; deleting removes the strategy', async () => {
    const created = await create();
    const before = served(colour)?.version ?? 0;
    const updated = await world.commit((tx, changes) =>
      service.update(tx, changes, admin, world.applicationId, {
        id: created.group.id,
        version: created.group.version,
        members: [
          { featureId: flag.id, value: true },
          { featureId: colour.id, value: 'platinum' },
        ],
      }),
    );
    const after = served(colour);
    assert.ok((after?.version ?? 0) > before);
    assert.deepEqual(
      after?.rolloutStrategies?.map((s) => s.value),
      ['blue', 'platinum'],
    );
    assert.equal(toApiFeatureGroup(updated).features.find((f) => f.key === 'COLOUR')?.value, 'platinum');

    await world.commit((tx, changes) =>
      service.update(tx, changes, admin, world.applicationId, {
        id: created.group.id,
        version: updated.group.version,
        strategies: [{ name: 'half', percentage: 500000 }],
      }),
    );
    assert.deepEqual(
      served(colour)?.rolloutStrategies?.map((s) => [s.percentage, s.value]),
      [
        [0, 'blue'],
        [500000, 'platinum'],
      ],
    );

    await world.commit((tx, changes) =>
      service.delete(tx, changes, admin, world.applicationId, created.group.id),
    );
    assert.deepEqual(
      served(colour)?.rolloutStrategies?.map((s) => s.value),
      ['blue'],
    );
    assert.deepEqual(served(flag)?.rolloutStrategies, []);
    await assert.rejects(
      service.get(world.stores, admin, world.applicationId, created.group.id),
      NotFoundError,
    );
  });

  it('the payloads Dacha and Edge-REST load carry the group strategies too, and the version tags move', async () => {
    const tagBefore = (await cacheVersions(world.stores)).environments[world.environment.id];
    await create();
    const env = await new MrCacheSource(world.stores).environment(world.environment.id);
    const c = env?.featureValues.find((f) => f.feature.key === 'COLOUR');
    assert.deepEqual(
      c?.value?.rolloutStrategies?.map((s) => s.value),
      ['blue', 'gold'],
    );
    assert.notEqual((await cacheVersions(world.stores)).environments[world.environment.id], tagBefore);
  });

  it('feature values show the group strategies read-only as featureGroupStrategies', async () => {
    const created = await create();
    const value = (await world.stores.featureValues.find(world.environment.id, colour.id))!;
    const lookups = await lookupsFor(world.stores, world.applicationId, [value]);
    assert.deepEqual(toApiFeatureValue(value, colour, lookups).featureGroupStrategies, [
      { name: 'Premium', value: 'gold', featureGroupId: created.group.id },
    ]);
  });

  it('lists groups with their member keys, filtered, paged and sorted', async () => {
    await create();
    await world.commit((tx, changes) =>
      service.create(tx, changes, admin, world.applicationId, {
        name: 'Other',
        environmentId: world.environment.id,
        members: [],
      }),
    );
    const all = toApiFeatureGroupList(await service.list(world.stores, admin, world.applicationId, {}));
    assert.equal(all.count, 2);
    assert.deepEqual(
      all.featureGroups.map((g) => [g.name, g.hasStrategy, g.features.map((f) => f.key)]),
      [
        ['Premium', true, ['COLOUR', 'FLAG']],
        ['Other', false, []],
      ],
    );
    const desc = toApiFeatureGroupList(
      await service.list(world.stores, admin, world.applicationId, { sortOrder: 'DESC', max: 1 }),
    );
    assert.deepEqual(
      desc.featureGroups.map((g) => g.name),
      ['Other'],
    );
    assert.equal(desc.count, 2);
    const filtered = await service.list(world.stores, admin, world.applicationId, { filter: 'prem' });
    assert.deepEqual(
      filtered.items.map((i) => i.group.name),
      ['Premium'],
    );
  });

  it('needs CHANGE_VALUE in the environment to create, change or delete, and some role to read', async () => {
    const reader = actor({ [world.environment.id]: ['READ'] }, [world.applicationId]);
    await assert.rejects(create(reader), ForbiddenError);
    const created = await create();
    await assert.rejects(
      world.commit((tx, changes) =>
        service.update(tx, changes, reader, world.applicationId, {
          id: created.group.id,
          version: 1,
          name: 'x',
        }),
      ),
      ForbiddenError,
    );
    await assert.rejects(
      world.commit((tx, changes) =>
        service.delete(tx, changes, reader, world.applicationId, created.group.id),
      ),
      ForbiddenError,
    );
    assert.equal(
      (await service.get(world.stores, reader, world.applicationId, created.group.id)).group.name,
      'Premium',
    );
    const stranger = actor({}, []);
    await assert.rejects(service.list(world.stores, stranger, world.applicationId, {}), ForbiddenError);
    assert.equal((await world.stores.featureGroups.list({ applicationId: world.applicationId })).length, 1);
  });

  it('refuses bad input with 4xx and a message, changing nothing', async () => {
    const bad = async (
      members: { featureId: string; value?: unknown }[],
      name = 'G',
      strategies: unknown[] = [],
    ) =>
      world.commit((tx, changes) =>
        service.create(tx, changes, admin, world.applicationId, {
          name,
          environmentId: world.environment.id,
          members,
          strategies: strategies as never,
        }),
      );
    await assert.rejects(bad([{ featureId: flag.id, value: 'maybe' }]), /not a valid BOOLEAN/);
    await assert.rejects(bad([{ featureId: flag.id }, { featureId: flag.id }]), /listed twice/);
    await assert.rejects(bad([{ featureId: world.environment.id }]), /not a live feature/);
    await assert.rejects(bad([], '   '), BadRequestError);
    await assert.rejects(
      bad([], 'G', [
        { name: 'x', attributes: [{ conditional: 'EQUALS', fieldName: '', type: 'STRING', values: [] }] },
      ]),
      InvalidRolloutStrategiesError,
    );
    await assert.rejects(
      world.commit((tx, changes) =>
        service.create(tx, changes, admin, world.applicationId, {
          name: 'G',
          environmentId: world.applicationId,
          members: [],
        }),
      ),
      NotFoundError,
    );
    assert.equal((await world.stores.featureGroups.list({})).length, 0);
    await create();
    await assert.rejects(create(), ConflictError);
  });

  it('an update from an old version is refused with 412', async () => {
    const created = await create();
    await world.commit((tx, changes) =>
      service.update(tx, changes, admin, world.applicationId, {
        id: created.group.id,
        version: 1,
        name: 'Gold',
      }),
    );
    await assert.rejects(
      world.commit((tx, changes) =>
        service.update(tx, changes, admin, world.applicationId, {
          id: created.group.id,
          version: 1,
          name: 'Silver',
        }),
      ),
      (err: unknown) => err instanceof AppError && err.status === 412,
    );
  });

  it('a locked member is not changed by its group', async () => {
    const created = await create();
    const value = (await world.stores.featureValues.find(world.environment.id, colour.id))!;
    await world.stores.featureValues.update(value.id, { version: value.version, locked: true });
    const current = (await service.get(world.stores, admin, world.applicationId, created.group.id)).group;
    assert.equal(
      toApiFeatureGroup(
        await service.get(world.stores, admin, world.applicationId, current.id),
      ).features.find((f) => f.key === 'COLOUR')?.locked,
      true,
    );
    const change = (members: { featureId: string; value?: unknown }[]) =>
      world.commit((tx, changes) =>
        service.update(tx, changes, admin, world.applicationId, {
          id: current.id,
          version: current.version,
          members,
        }),
      );
    // a new member value, or leaving the group
    await assert.rejects(
      change([
        { featureId: flag.id, value: true },
        { featureId: colour.id, value: 'bronze' },
      ]),
      /locked features cannot be changed through their feature group: COLOUR/,
    );
    await assert.rejects(change([{ featureId: flag.id, value: true }]), /COLOUR/);
    // other members still can be changed
    const ok = await change([
      { featureId: flag.id, value: false },
      { featureId: colour.id, value: 'gold' },
    ]);
    assert.equal(toApiFeatureGroup(ok).features.find((f) => f.key === 'FLAG')?.value, false);
    // and a locked feature cannot join another group
    await assert.rejects(
      world.commit((tx, changes) =>
        service.create(tx, changes, admin, world.applicationId, {
          name: 'Another',
          environmentId: world.environment.id,
          members: [{ featureId: colour.id, value: 'x' }],
        }),
      ),
      BadRequestError,
    );
  });

  it('lists every feature of the application as a candidate with its lock state', async () => {
    const candidates = await service.candidates(
      world.stores,
      admin,
      world.applicationId,
      world.environment.id,
    );
    assert.deepEqual(
      candidates.map((c) => [c.feature.key, c.locked]),
      [
        ['COLOUR', false],
        ['FLAG', false],
      ],
    );
  });
});
