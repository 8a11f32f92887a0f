import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import type { TestApiPort } from '@fh/contracts';
import { UnitOfWork } from '../core/unit-of-work.ts';
import { createFakeStores, type TransactionalStores } from '../db/stores.ts';
import { createFeature } from '../feature/feature-service.ts';
import type { FeatureValueType } from '../feature/feature-store.ts';
import type { EnvironmentRole } from '../group/group-store.ts';
import { type ChangePublisher, ChangeSet } from '../publishing/change-set.ts';
import type { ServiceAccount } from '../service-account/service-account-store.ts';
import { buildValueWorld, type ValueWorld } from '../testing/value-world.ts';
import { MrTestApiUpdater, type TestApiFeatureUpdate } from './test-api-updater.ts';

describe('test-API updater', () => {
  let stores: TransactionalStores;
  let world: ValueWorld;
  let published: ChangeSet[];
  let updater: MrTestApiUpdater;

  beforeEach(async () => {
    stores = createFakeStores();
    world = await buildValueWorld(stores);
    published = [];
    const publisher: ChangePublisher = { publish: async (c) => void published.push(c) };
    updater = new MrTestApiUpdater(new UnitOfWork(stores, publisher), stores);
  });

  it('implements the TestApiPort Edge calls', () => {
    const port: TestApiPort = updater;
    assert.equal(typeof port.applyFeatureUpdate, 'function');
  });

  async function setup(valueType: FeatureValueType, roles: EnvironmentRole[]) {
    const admin = await world.access(await world.superuser());
    const [feature] = await createFeature(stores, new ChangeSet(), admin, world.app.id, {
      key: 'F',
      name: 'F',
      valueType,
    });
    const account = await world.serviceAccount({ [world.dev.id]: roles });
    return { feature: feature!, account };
  }

  const update = (
    account: ServiceAccount,
    featureId: string,
    change: Partial<TestApiFeatureUpdate>,
  ): TestApiFeatureUpdate => ({
    environmentId: world.dev.id,
    apiKey: account.apiKeyServerSide,
    serviceAccountId: account.id,
    featureId,
    featureKey: 'F',
    lock: undefined,
    updateValue: false,
    value: null,
    ...change,
  });

  it('unlocks and sets a flag as the account shadow person, versioned, in the history and published', async () => {
    const { feature, account } = await setup('BOOLEAN', ['CHANGE_VALUE', 'UNLOCK', 'LOCK']);
    const result = await updater.applyFeatureUpdate(
      update(account, feature.id, { lock: false, updateValue: true, value: true }),
    );
    assert.deepEqual(result, { status: 200 });
    const fv = (await stores.featureValues.find(world.dev.id, feature.id))!;
    assert.deepEqual([fv.value, fv.locked, fv.version], ['true', false, 2]);
    const shadow = await stores.persons.findById(fv.whoUpdated!);
    assert.equal(shadow?.personType, 'sdkServiceAccount');
    assert.match(shadow!.email, /^[0-9a-f-]{36}@sdk\.sa\.featurehub\.io$/);
    assert.equal((await stores.serviceAccounts.findById(account.id))?.sdkPersonId, shadow!.id);
    assert.equal((await stores.featureValues.history(fv.id)).length, 2);
    assert.deepEqual(
      published.flatMap((c) => [...c.featureValues.values()]),
      [{ environmentId: world.dev.id, featureId: feature.id }],
    );
    // the same person is used next time
    await updater.applyFeatureUpdate(update(account, feature.id, { updateValue: true, value: false }));
    assert.equal((await stores.featureValues.find(world.dev.id, feature.id))?.whoUpdated, shadow!.id);
  });

  it('nothing to change is 202 and saves nothing', async () => {
    const { feature, account } = await setup('BOOLEAN', ['CHANGE_VALUE', 'UNLOCK', 'LOCK']);
    assert.equal((await updater.applyFeatureUpdate(update(account, feature.id, { lock: true }))).status, 202);
    assert.equal((await stores.featureValues.find(world.dev.id, feature.id))?.version, 1);
    assert.equal(published.length, 0);
  });

  it('a locked value cannot change without unlocking (412); a flag cannot be null (412)', async () => {
    const { feature, account } = await setup('BOOLEAN', ['CHANGE_VALUE', 'UNLOCK', 'LOCK']);
    const locked = await updater.applyFeatureUpdate(
      update(account, feature.id, { updateValue: true, value: true }),
    );
    assert.equal(locked.status, 412);
    const nullFlag = await updater.applyFeatureUpdate(
      update(account, feature.id, { lock: false, updateValue: true, value: null }),
    );
    assert.equal(nullFlag.status, 412);
  });

  it('missing roles are 403, in the order Edge checks them', async () => {
    const readOnly = await setup('STRING', ['READ']);
    assert.equal(
      (
        await updater.applyFeatureUpdate(
          update(readOnly.account, readOnly.feature.id, { updateValue: true, value: 'x' }),
        )
      ).status,
      403,
    );
    const other = await world.serviceAccount({ [world.dev.id]: ['CHANGE_VALUE'] });
    for (const change of [{ lock: true }, { lock: false }]) {
      assert.equal(
        (await updater.applyFeatureUpdate(update(other, readOnly.feature.id, change))).status,
        403,
      );
    }
    const lockOnly = await world.serviceAccount({ [world.dev.id]: ['LOCK'] });
    assert.equal(
      (
        await updater.applyFeatureUpdate(
          update(lockOnly, readOnly.feature.id, { updateValue: true, value: 'x' }),
        )
      ).status,
      403,
    );
  });

  it('unknown keys, environments and features are 404', async () => {
    const { feature, account } = await setup('STRING', ['CHANGE_VALUE']);
    const change = { updateValue: true, value: 'x' };
    assert.equal(
      (await updater.applyFeatureUpdate(update(account, feature.id, { ...change, apiKey: 'nope' }))).status,
      404,
    );
    assert.equal(
      (
        await updater.applyFeatureUpdate(
          update(account, feature.id, { ...change, environmentId: '00000000-0000-4000-8000-000000000000' }),
        )
      ).status,
      404,
    );
    assert.equal(
      (await updater.applyFeatureUpdate(update(account, feature.id, { ...change, featureKey: 'NOPE' })))
        .status,
      404,
    );
    assert.equal(
      (
        await updater.applyFeatureUpdate(
          update(account, feature.id, { ...change, environmentId: world.prod.id }),
        )
      ).status,
      404,
    );
  });

  it('values that do not fit the type are 400; nothing to do is 400', async () => {
    const { feature, account } = await setup('NUMBER', ['CHANGE_VALUE', 'LOCK', 'UNLOCK']);
    const bad = await updater.applyFeatureUpdate(
      update(account, feature.id, { updateValue: true, value: 'ten' }),
    );
    assert.equal(bad.status, 400);
    assert.equal((await updater.applyFeatureUpdate(update(account, feature.id, {}))).status, 400);
    const ok = await updater.applyFeatureUpdate(
      update(account, feature.id, { updateValue: true, value: 10 }),
    );
    assert.equal(ok.status, 200);
    assert.equal((await stores.featureValues.find(world.dev.id, feature.id))?.value, '10');
  });
});
