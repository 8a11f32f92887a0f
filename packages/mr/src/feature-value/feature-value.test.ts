import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { BadRequestError, ForbiddenError, NotFoundError } from '@fh/service-kit';
import type { FeatureValue as ApiFeatureValue } from '../api/index.ts';
import { manualClock } from '../db/store-support.ts';
import { createFakeStores, type Stores, type TransactionalStores } from '../db/stores.ts';
import { createFeature } from '../feature/feature-service.ts';
import type { FeatureValueType } from '../feature/feature-store.ts';
import type { EnvironmentRole } from '../group/group-store.ts';
import type { Access } from '../permission/access.ts';
import { ChangeSet } from '../publishing/change-set.ts';
import { InvalidRolloutStrategiesError } from '../strategy/rollout-strategy-validation.ts';
import { buildValueWorld, type ValueWorld } from '../testing/value-world.ts';
import { type FeatureHistoryQuery, listFeatureHistory as historyPage } from './feature-history-service.ts';
import { toApiFeatureHistoryList, toFeatureValueChange } from './feature-value-mapper.ts';
import { FeatureValueConflictError, FeatureValueLockedError } from './feature-value-merge.ts';
import { dashboard, getFeatureValue } from './feature-value-queries.ts';
import {
  DuplicateStrategyInstanceError,
  updateFeatureAcrossEnvironments as saveAcrossEnvironments,
  updateEnvironmentFeatureValues as saveEnvironmentValues,
  updateFeatureValue as saveValue,
} from './update-feature-value.ts';

// The use cases take domain changes and the history query answers a domain page: these take FeatureValue
// bodies and answer the API list, mapped as the controller maps them.
const updateFeatureValue = (
  tx: Stores,
  changes: ChangeSet,
  access: Access,
  environmentId: string,
  key: string,
  body: ApiFeatureValue,
) => saveValue(tx, changes, access, environmentId, key, toFeatureValueChange(body));
const updateEnvironmentFeatureValues = (
  tx: Stores,
  changes: ChangeSet,
  access: Access,
  environmentId: string,
  bodies: ApiFeatureValue[],
) => saveEnvironmentValues(tx, changes, access, environmentId, bodies.map(toFeatureValueChange));
const updateFeatureAcrossEnvironments = (
  tx: Stores,
  changes: ChangeSet,
  access: Access,
  applicationId: string,
  key: string,
  bodies: ApiFeatureValue[],
) => saveAcrossEnvironments(tx, changes, access, applicationId, key, bodies.map(toFeatureValueChange));
const listFeatureHistory = async (
  tx: Stores,
  access: Access,
  applicationId: string,
  query: FeatureHistoryQuery,
) => toApiFeatureHistoryList(await historyPage(tx, access, applicationId, query));

describe('feature value service', () => {
  let stores: TransactionalStores;
  let world: ValueWorld;
  let admin: Access;
  let clock: ReturnType<typeof manualClock>;

  beforeEach(async () => {
    clock = manualClock();
    stores = createFakeStores({ clock });
    world = await buildValueWorld(stores);
    admin = await world.access(await world.superuser());
  });

  const feature = async (key: string, valueType: FeatureValueType) =>
    (await createFeature(stores, new ChangeSet(), admin, world.app.id, { key, name: key, valueType })).find(
      (f) => f.key === key,
    )!;
  const devUser = async (roles: EnvironmentRole[]) =>
    world.access(await world.person({ envs: { [world.dev.id]: roles } }));
  const put = (access: Access, key: string, body: Partial<ApiFeatureValue>, changes = new ChangeSet()) =>
    updateFeatureValue(stores, changes, access, world.dev.id, key, { key, locked: false, ...body });
  const current = (key: string) => getFeatureValue(stores, admin, world.dev.id, key).then((v) => v.value);

  it('creates the first value of a STRING feature at version 1, with history and a cache change', async () => {
    await feature('TEXT', 'STRING');
    const changes = new ChangeSet();
    const out = await put(admin, 'TEXT', { valueString: 'hello' }, changes);
    assert.equal(out.saved, true);
    assert.deepEqual([out.value.value, out.value.version, out.value.locked], ['hello', 1, false]);
    assert.equal((await stores.featureValues.history(out.value.id)).length, 1);
    assert.deepEqual(
      [...changes.featureValues.values()],
      [{ environmentId: world.dev.id, featureId: out.feature.id }],
    );
  });

  it('an update that changes nothing is not saved and not published', async () => {
    await feature('TEXT', 'STRING');
    const first = await put(admin, 'TEXT', { valueString: 'a' });
    const changes = new ChangeSet();
    const again = await put(admin, 'TEXT', { valueString: 'a', version: 1 }, changes);
    assert.equal(again.saved, false);
    assert.equal(changes.isEmpty(), true);
    assert.equal((await current('TEXT')).version, 1);
    assert.equal((await stores.featureValues.history(first.value.id)).length, 1);
  });

  it('concurrent compatible edits from the same version both apply', async () => {
    await feature('TEXT', 'STRING');
    await put(admin, 'TEXT', { valueString: 'a' });
    await put(admin, 'TEXT', { valueString: 'b', version: 1 });
    const merged = await put(admin, 'TEXT', { valueString: 'a', retired: true, version: 1 });
    assert.equal(merged.saved, true);
    assert.deepEqual([merged.value.value, merged.value.retired, merged.value.version], ['b', true, 3]);
  });

  it('conflicting edits from the same version: the second gets a 409', async () => {
    await feature('TEXT', 'STRING');
    await put(admin, 'TEXT', { valueString: 'a' });
    await put(admin, 'TEXT', { valueString: 'b', version: 1 });
    await assert.rejects(put(admin, 'TEXT', { valueString: 'c', version: 1 }), (e: unknown) => {
      assert.ok(e instanceof FeatureValueConflictError);
      assert.equal(e.status, 409);
      return true;
    });
    assert.equal((await current('TEXT')).value, 'b');
  });

  it('a version with no history is a conflict; no version at all counts as 0', async () => {
    await feature('TEXT', 'STRING');
    await put(admin, 'TEXT', { valueString: 'a' });
    await assert.rejects(put(admin, 'TEXT', { valueString: 'c', version: 7 }), FeatureValueConflictError);
    await assert.rejects(put(admin, 'TEXT', { valueString: 'c' }), FeatureValueConflictError);
  });

  describe('locks and roles', () => {
    it('a locked flag cannot change without unlocking, and unlocking needs UNLOCK', async () => {
      await feature('FLAG', 'BOOLEAN'); // created false and locked at version 1
      const changer = await devUser(['CHANGE_VALUE']);
      await assert.rejects(
        put(changer, 'FLAG', { valueBoolean: true, locked: true, version: 1 }),
        FeatureValueLockedError,
      );
      await assert.rejects(
        put(changer, 'FLAG', { valueBoolean: true, locked: false, version: 1 }),
        ForbiddenError,
      );
      const unlocker = await devUser(['CHANGE_VALUE', 'UNLOCK']);
      const out = await put(unlocker, 'FLAG', { valueBoolean: true, locked: false, version: 1 });
      assert.deepEqual([out.value.value, out.value.locked], ['true', false]);
    });

    it('each changed aspect needs its own role', async () => {
      await feature('FLAG', 'BOOLEAN');
      await put(admin, 'FLAG', { locked: false, version: 1 }); // v2, unlocked
      const reader = await devUser(['READ']);
      const locker = await devUser(['LOCK']);
      await assert.rejects(put(reader, 'FLAG', { valueBoolean: true, version: 2 }), ForbiddenError);
      await assert.rejects(
        put(locker, 'FLAG', { valueBoolean: true, locked: true, version: 2 }),
        ForbiddenError,
      );
      const locked = await put(locker, 'FLAG', { valueBoolean: false, locked: true, version: 2 });
      assert.equal(locked.value.locked, true);
      // a no-op needs no role beyond reading
      assert.equal(
        (await put(reader, 'FLAG', { valueBoolean: false, locked: true, version: 3 })).saved,
        false,
      );
      await assert.rejects(put(reader, 'FLAG', { retired: true, locked: false, version: 3 }), ForbiddenError);
    });

    it('someone without any role in the environment gets 403, unknown keys and environments 404', async () => {
      await feature('TEXT', 'STRING');
      const outsider = await world.access(await world.person({ envs: { [world.prod.id]: ['READ'] } }));
      await assert.rejects(put(outsider, 'TEXT', { valueString: 'x' }), ForbiddenError);
      await assert.rejects(getFeatureValue(stores, outsider, world.dev.id, 'TEXT'), ForbiddenError);
      await assert.rejects(put(admin, 'NOPE', { valueString: 'x' }), NotFoundError);
      await assert.rejects(
        updateFeatureValue(stores, new ChangeSet(), admin, '00000000-0000-4000-8000-000000000000', 'TEXT', {
          key: 'TEXT',
          locked: false,
        }),
        NotFoundError,
      );
    });
  });

  describe("one feature across environments (the operation upstream's admin UI saves with)", () => {
    const across = (access: Access, key: string, bodies: Partial<ApiFeatureValue>[]) =>
      updateFeatureAcrossEnvironments(
        stores,
        new ChangeSet(),
        access,
        world.app.id,
        key,
        bodies.map((b) => ({ key, locked: false, ...b })),
      );
    const badRequest = (code: string, message: RegExp) => (e: unknown) => {
      assert.ok(e instanceof BadRequestError, String(e));
      assert.deepEqual([e.status, e.code], [400, code]);
      assert.match(e.message, message);
      return true;
    };

    it('a missing role in an environment is a 400 naming the environment', async () => {
      await feature('TEXT', 'STRING');
      const devChanger = await world.access(
        await world.person({ envs: { [world.dev.id]: ['CHANGE_VALUE'], [world.prod.id]: ['READ'] } }),
      );
      await assert.rejects(
        across(devChanger, 'TEXT', [
          { environmentId: world.dev.id, valueString: 'd' },
          { environmentId: world.prod.id, valueString: 'p' },
        ]),
        badRequest('no_appropriate_role', /environment prod: .*CHANGE_VALUE/),
      );
      const onlyDev = await devUser(['CHANGE_VALUE']);
      await assert.rejects(
        across(onlyDev, 'TEXT', [{ environmentId: world.prod.id, valueString: 'p' }]),
        badRequest('no_appropriate_role', /environment prod/),
      );
      await feature('OTHER', 'STRING');
      const view = await across(devChanger, 'OTHER', [{ environmentId: world.dev.id, valueString: 'd' }]);
      assert.deepEqual(
        view.environments.map((e) => [e.environment.name, e.value?.value ?? null]),
        [
          ['dev', 'd'],
          ['prod', null],
        ],
      );
    });

    it('changing a locked value is a 400, unlocking in the same update still works with UNLOCK', async () => {
      await feature('FLAG', 'BOOLEAN'); // false and locked at version 1
      const changer = await devUser(['CHANGE_VALUE']);
      await assert.rejects(
        across(changer, 'FLAG', [
          { environmentId: world.dev.id, valueBoolean: true, locked: true, version: 1 },
        ]),
        badRequest('feature_value_locked', /environment dev: .*locked/),
      );
      const unlocker = await devUser(['CHANGE_VALUE', 'UNLOCK']);
      const view = await across(unlocker, 'FLAG', [
        { environmentId: world.dev.id, valueBoolean: true, locked: false, version: 1 },
      ]);
      assert.equal(view.environments.find((e) => e.environment.id === world.dev.id)?.value?.value, 'true');
    });

    it('an environment of another application is a 400; a stale version stays 409, bad strategies 422', async () => {
      await feature('TEXT', 'STRING');
      const elsewhere = await stores.applications.create({
        portfolioId: world.portfolioId,
        name: 'Elsewhere',
      });
      const foreign = await stores.environments.create({ applicationId: elsewhere.id, name: 'foreign' });
      for (const environmentId of [foreign.id, '00000000-0000-4000-8000-000000000000']) {
        await assert.rejects(
          across(admin, 'TEXT', [{ environmentId, valueString: 'x' }]),
          badRequest('no_appropriate_role', /is not an environment of application/),
        );
      }
      await across(admin, 'TEXT', [{ environmentId: world.dev.id, valueString: 'a' }]);
      await across(admin, 'TEXT', [{ environmentId: world.dev.id, valueString: 'b', version: 1 }]);
      await assert.rejects(
        across(admin, 'TEXT', [{ environmentId: world.dev.id, valueString: 'c', version: 1 }]),
        (e: unknown) => e instanceof FeatureValueConflictError && e.status === 409,
      );
      await assert.rejects(
        across(admin, 'TEXT', [
          { environmentId: world.dev.id, version: 2, rolloutStrategies: [{ name: 'x', percentage: -1 }] },
        ]),
        (e: unknown) => e instanceof InvalidRolloutStrategiesError && e.status === 422,
      );
    });

    it('a caller who cannot read the application at all still gets 403, an unknown feature 404', async () => {
      await feature('TEXT', 'STRING');
      const outsider = await world.access(await world.person({}));
      await assert.rejects(
        across(outsider, 'TEXT', [{ environmentId: world.dev.id, valueString: 'x' }]),
        ForbiddenError,
      );
      await assert.rejects(
        across(admin, 'NOPE', [{ environmentId: world.dev.id, valueString: 'x' }]),
        NotFoundError,
      );
    });
  });

  describe('typed values and strategies', () => {
    it('refuses values that do not fit the type', async () => {
      await feature('NUM', 'NUMBER');
      await feature('JSN', 'JSON');
      await assert.rejects(put(admin, 'NUM', { value: 'twelve' }), BadRequestError);
      await assert.rejects(put(admin, 'JSN', { valueJson: '{not json' }), BadRequestError);
      assert.equal((await put(admin, 'NUM', { valueNumber: 12.5 })).value.value, '12.5');
      assert.equal((await put(admin, 'JSN', { valueJson: '{"a":1}' })).value.value, '{"a":1}');
    });

    it('invalid custom strategies are a 422 with the validation response', async () => {
      await feature('TEXT', 'STRING');
      await assert.rejects(
        put(admin, 'TEXT', { rolloutStrategies: [{ name: 'half', percentage: 2_000_000, value: 'x' }] }),
        InvalidRolloutStrategiesError,
      );
    });

    it('new custom strategies get ids and typed values', async () => {
      await feature('NUM', 'NUMBER');
      const out = await put(admin, 'NUM', {
        valueNumber: 1,
        rolloutStrategies: [{ name: 'ten', percentage: 100000, value: '10' }],
      });
      const [s] = out.value.rolloutStrategies as { id: string; value: unknown }[];
      assert.match(s!.id, /^[a-zA-Z0-9]{4}$/);
      assert.equal(s!.value, 10);
    });

    it('application strategies must belong to the application and appear once', async () => {
      await feature('TEXT', 'STRING');
      const s = await stores.strategies.create({
        applicationId: world.app.id,
        name: 's',
        code: '@abc',
        strategy: {},
      });
      await assert.rejects(
        put(admin, 'TEXT', {
          rolloutStrategyInstances: [
            { strategyId: s.id, value: 'a' },
            { strategyId: s.id, value: 'b' },
          ],
        }),
        (e: unknown) => e instanceof DuplicateStrategyInstanceError && e.status === 412,
      );
      await assert.rejects(
        put(admin, 'TEXT', {
          rolloutStrategyInstances: [{ strategyId: '00000000-0000-4000-8000-000000000000', value: 'a' }],
        }),
        BadRequestError,
      );
      const out = await put(admin, 'TEXT', { rolloutStrategyInstances: [{ strategyId: s.id, value: 'a' }] });
      assert.deepEqual(out.value.strategyInstances, [{ strategyId: s.id, value: 'a', enabled: true }]);
    });
  });

  it('a bulk update saves all values or none', async () => {
    await feature('A', 'STRING');
    await feature('B', 'NUMBER');
    await assert.rejects(
      updateEnvironmentFeatureValues(stores, new ChangeSet(), admin, world.dev.id, [
        { key: 'A', locked: false, valueString: 'x' },
        { key: 'A', locked: false, valueString: 'y' },
      ]),
      BadRequestError,
    );
    await assert.rejects(
      stores.transaction((tx) =>
        updateEnvironmentFeatureValues(tx, new ChangeSet(), admin, world.dev.id, [
          { key: 'A', locked: false, valueString: 'x' },
          { key: 'B', locked: false, value: 'not a number' },
        ]),
      ),
      BadRequestError,
    );
    assert.equal((await stores.featureValues.list({ environmentId: world.dev.id })).length, 0);
    const result = await updateEnvironmentFeatureValues(stores, new ChangeSet(), admin, world.dev.id, [
      { key: 'A', locked: false, valueString: 'x' },
      { key: 'B', locked: false, valueNumber: 3 },
    ]);
    assert.deepEqual(
      result.values.map((v) => [v.feature.key, v.value.value]),
      [
        ['A', 'x'],
        ['B', '3'],
      ],
    );
  });

  it('the dashboard shows only readable environments, in promotion order, a page of filtered features', async () => {
    for (const key of ['alpha', 'beta', 'gamma']) await feature(key, 'STRING');
    await feature('flag', 'BOOLEAN');
    await put(admin, 'beta', { valueString: 'b' });
    const devReader = await devUser(['READ']);
    const view = await dashboard(stores, devReader, world.app.id, {
      featureTypes: ['STRING'],
      max: 2,
      page: 0,
    });
    assert.equal(view.maxFeatures, 3);
    assert.deepEqual(
      view.features.map((f) => f.key),
      ['alpha', 'beta'],
    );
    assert.deepEqual(
      view.environments.map((e) => [e.environment.name, e.roles, e.values.map((v) => v.feature.key)]),
      [['dev', ['READ'], ['beta']]],
    );
    const all = await dashboard(stores, admin, world.app.id, { filter: 'AL', sortOrder: 'DESC' });
    assert.deepEqual(
      all.features.map((f) => f.key),
      ['alpha'],
    );
    assert.deepEqual(
      all.environments.map((e) => e.environment.name),
      ['dev', 'prod'],
    );
  });

  it('history lists saved versions of environments the caller can read', async () => {
    await feature('TEXT', 'STRING');
    await put(admin, 'TEXT', { valueString: 'a' });
    await put(admin, 'TEXT', { valueString: 'b', version: 1 });
    clock.advance(1000);
    await updateFeatureValue(stores, new ChangeSet(), admin, world.prod.id, 'TEXT', {
      key: 'TEXT',
      locked: false,
      valueString: 'p',
    });
    const devReader = await devUser(['READ']);
    const list = await listFeatureHistory(stores, devReader, world.app.id, { featureKeys: ['TEXT'] });
    assert.equal(list.max, 2);
    assert.deepEqual(
      list.items?.map((i) => [i.envId, i.history?.map((h) => [h.version, h.value])]),
      [
        [
          world.dev.id,
          [
            [1, 'a'],
            [2, 'b'],
          ],
        ],
      ],
    );
    const prodOnly = await listFeatureHistory(stores, devReader, world.app.id, {
      environmentIds: [world.prod.id],
    });
    assert.equal(prodOnly.max, 0);
    const latest = await listFeatureHistory(stores, admin, world.app.id, { order: 'desc', max: 1 });
    assert.deepEqual([latest.max, latest.items?.[0]?.history?.[0]?.value], [3, 'p']);
  });
});
