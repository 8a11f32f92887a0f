import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import {
  type PublishEnvironment,
  PublishEnvironmentSchema,
  type PublishFeatureValues,
  PublishFeatureValuesSchema,
  type PublishServiceAccount,
  PublishServiceAccountSchema,
} from '@fh/contracts';
import { connectDachaToBus, DachaCache } from '@fh/dacha';
import { eventTypes } from '@fh/messaging';
import { Value } from 'typebox/value';
import { createPublishingWorld, type PublishingWorld } from '../testing/publishing-world.ts';
import { ChangeSet } from './change-set.ts';
import { MrCacheSource } from './mr-cache-source.ts';

const ENV = eventTypes.publishEnvironment;
const FEATURES = eventTypes.publishFeature;
const SA = eventTypes.publishServiceAccount;

function featureKeys(world: PublishingWorld, envId: string, apiKey: string): Record<string, unknown> {
  const found = world.dacha.features(envId, apiKey);
  assert.equal(found.status, 'found', `Dacha should serve ${envId} to ${apiKey}`);
  if (found.status !== 'found') return {};
  return Object.fromEntries(found.environment.features.map((f) => [f.feature.key, f.value?.value]));
}

function assertAllMessagesValid(world: PublishingWorld): void {
  for (const m of world.messages) {
    const schema =
      m.type === ENV
        ? PublishEnvironmentSchema
        : m.type === FEATURES
          ? PublishFeatureValuesSchema
          : PublishServiceAccountSchema;
    assert.ok(Value.Check(schema, m.data), `${m.type} breaks its schema: ${JSON.stringify(m.data)}`);
  }
}

describe('BusChangePublisher', () => {
  let world: PublishingWorld;
  beforeEach(async () => {
    world = await createPublishingWorld();
  });
  afterEach(async () => {
    await world.close();
  });

  it('publishes a created environment and service account so that Dacha serves its features to the key', async () => {
    const env = world.environment;
    const flag = await world.addFeature('FLAG', 'BOOLEAN');
    const colour = await world.addFeature('COLOUR', 'STRING');
    const unset = await world.addFeature('LIMIT', 'NUMBER');
    await world.stores.featureValues.create({ environmentId: env.id, featureId: flag.id, value: 'true' });
    await world.stores.featureValues.create({ environmentId: env.id, featureId: colour.id, value: 'red' });
    const account = await world.addServiceAccount('sdk', { [env.id]: ['READ'] });

    await world.commit(async (_tx, changes) => {
      changes.environmentChanged(env.id, 'create');
      changes.serviceAccountChanged(account.id, 'create');
    });

    assertAllMessagesValid(world);
    const [published] = world.onCacheChannel(ENV) as PublishEnvironment[];
    assert.equal(published?.action, 'CREATE');
    assert.deepEqual(published?.environment.eInf, {
      cacheControl: 'max-age=5',
      'mgmt.cacheControl': 'no-store',
    });
    assert.equal(published?.applicationId, world.applicationId);
    assert.equal(published?.portfolioId, world.portfolioId);
    assert.equal(published?.organizationId, world.organisationId);
    assert.deepEqual(published?.serviceAccounts, [account.id]);
    assert.equal(
      published?.featureValues.find((f) => f.feature.id === unset.id)?.value,
      null,
      'a feature without a value is listed with a null value',
    );
    const [sa] = world.onCacheChannel(SA) as PublishServiceAccount[];
    assert.equal(sa?.action, 'CREATE');
    assert.deepEqual(sa?.serviceAccount?.permissions, [{ environmentId: env.id, permissions: ['READ'] }]);

    assert.deepEqual(featureKeys(world, env.id, account.apiKeyServerSide), {
      COLOUR: 'red',
      FLAG: true,
      LIMIT: undefined,
    });
    assert.equal(world.dacha.features(env.id, account.apiKeyClientSide).status, 'found');
  });

  it('publishes custom strategies first, then enabled application strategies with rules under their code', async () => {
    const env = world.environment;
    const feature = await world.addFeature('COLOUR', 'STRING');
    const shared = await world.stores.strategies.create({
      applicationId: world.applicationId,
      name: 'Beta testers',
      code: '@abc',
      strategy: {
        attributes: [{ conditional: 'EQUALS', fieldName: 'beta', type: 'BOOLEAN', values: [true] }],
      },
    });
    const disabled = await world.stores.strategies.create({
      applicationId: world.applicationId,
      name: 'Off',
      code: '@off',
      strategy: { percentage: 100000, disabled: true },
    });
    // No rules yet: a placeholder that must match nobody, while SDKs would match everyone with an empty strategy.
    const placeholder = await world.stores.strategies.create({
      applicationId: world.applicationId,
      name: 'Later',
      code: '@lat',
      strategy: { attributes: [], percentageAttributes: [] },
    });
    await world.stores.featureValues.create({
      environmentId: env.id,
      featureId: feature.id,
      value: 'red',
      rolloutStrategies: [
        { id: 'p20', name: 'twenty', percentage: 200000, value: 'blue' },
        {
          id: 'nz',
          name: 'kiwis',
          attributes: [
            {
              id: 'a1',
              conditional: 'EQUALS',
              fieldName: 'country',
              type: 'STRING',
              values: ['new_zealand'],
            },
          ],
          value: 'green',
        },
        { id: 'dis', name: 'disabled', percentage: 5, disabled: true, value: 'grey' },
      ],
      strategyInstances: [
        { strategyId: disabled.id, value: 'never', enabled: true },
        { strategyId: placeholder.id, value: 'nobody', enabled: true },
        { strategyId: shared.id, value: 'purple', enabled: true },
        { strategyId: shared.id, value: 'unused', enabled: false },
      ],
    });

    await world.commit(async (_tx, changes) => changes.featureValueChanged(env.id, feature.id));

    assertAllMessagesValid(world);
    const [message] = world.onCacheChannel(FEATURES) as PublishFeatureValues[];
    const strategies = message?.features[0]?.feature.value?.rolloutStrategies;
    assert.deepEqual(
      strategies?.map((s) => [s.id, s.percentage, s.value]),
      [
        ['p20', 200000, 'blue'],
        ['nz', 0, 'green'],
        ['@abc', 0, 'purple'],
      ],
    );
    assert.deepEqual(strategies?.[2]?.attributes, [
      { conditional: 'EQUALS', fieldName: 'beta', type: 'BOOLEAN', values: [true] },
    ]);
  });

  it('converts stored values to the wire type of the feature', async () => {
    const env = world.environment;
    const number = await world.addFeature('LIMIT', 'NUMBER');
    const json = await world.addFeature('CONFIG', 'JSON');
    const flag = await world.addFeature('FLAG', 'BOOLEAN');
    await world.stores.featureValues.create({
      environmentId: env.id,
      featureId: number.id,
      value: '12.5',
      rolloutStrategies: [{ id: 's1', name: 'n', percentage: 10, value: '3' }],
    });
    await world.stores.featureValues.create({
      environmentId: env.id,
      featureId: json.id,
      value: '{"a":1}',
      rolloutStrategies: [{ id: 's1', name: 'j', percentage: 10, value: { b: 2 } }],
    });
    await world.stores.featureValues.create({
      environmentId: env.id,
      featureId: flag.id,
      value: null,
      rolloutStrategies: [{ id: 's1', name: 'b', percentage: 10, value: 'true' }],
    });
    const account = await world.addServiceAccount('sdk', { [env.id]: ['READ'] });
    await world.commit(async (_tx, changes) => {
      changes.environmentChanged(env.id);
      changes.serviceAccountChanged(account.id);
    });
    assertAllMessagesValid(world);
    const [published] = world.onCacheChannel(ENV) as PublishEnvironment[];
    const byKey = new Map(published?.featureValues.map((f) => [f.feature.key, f.value]));
    assert.equal(byKey.get('LIMIT')?.value, 12.5);
    assert.equal(byKey.get('LIMIT')?.rolloutStrategies?.[0]?.value, 3);
    assert.equal(byKey.get('CONFIG')?.value, '{"a":1}');
    assert.equal(byKey.get('CONFIG')?.rolloutStrategies?.[0]?.value, '{"b":2}');
    assert.equal(byKey.get('FLAG')?.value, false, 'an unset flag reads as false');
    assert.equal(byKey.get('FLAG')?.rolloutStrategies?.[0]?.value, true);
  });

  it('publishes a saved value on the cache and feature channels, and Dacha serves the new value', async () => {
    const env = world.environment;
    const flag = await world.addFeature('FLAG', 'BOOLEAN');
    const value = await world.stores.featureValues.create({
      environmentId: env.id,
      featureId: flag.id,
      value: 'false',
    });
    const account = await world.addServiceAccount('sdk', { [env.id]: ['READ'] });
    await world.commit(async (_tx, changes) => {
      changes.environmentChanged(env.id);
      changes.serviceAccountChanged(account.id);
    });

    await world.commit(async (tx, changes) => {
      await tx.featureValues.update(value.id, { value: 'true', version: value.version });
      changes.featureValueChanged(env.id, flag.id);
    });

    const onFeatureChannel = world.messages.filter((m) => m.subject === world.subjects.featureChannel);
    assert.equal(onFeatureChannel.length, 1);
    assert.equal(onFeatureChannel[0]?.type, FEATURES);
    const [update] = world.onCacheChannel(FEATURES) as PublishFeatureValues[];
    assert.deepEqual(
      update?.features.map((f) => [f.action, f.environmentId, f.feature.value?.version]),
      [['UPDATE', env.id, 2]],
    );
    assert.deepEqual(featureKeys(world, env.id, account.apiKeyServerSide), { FLAG: true });
  });

  it('sends a feature definition change to every environment of the application', async () => {
    const second = await world.addEnvironment('staging');
    const feature = await world.addFeature('OLD_KEY', 'STRING');
    const account = await world.addServiceAccount('sdk', {
      [world.environment.id]: ['READ'],
      [second.id]: ['READ'],
    });
    await world.commit(async (_tx, changes) => {
      changes.environmentChanged(world.environment.id);
      changes.environmentChanged(second.id);
      changes.serviceAccountChanged(account.id);
    });

    await world.commit(async (tx, changes) => {
      await tx.features.update(feature.id, { key: 'NEW_KEY', version: feature.version });
      changes.featureChanged(world.applicationId, feature.id);
    });

    const [update] = world.onCacheChannel(FEATURES) as PublishFeatureValues[];
    assert.deepEqual(
      update?.features
        .map((f) => [f.action, f.environmentId, f.feature.feature.key, f.feature.feature.version])
        .sort(),
      [
        ['UPDATE', second.id, 'NEW_KEY', 2],
        ['UPDATE', world.environment.id, 'NEW_KEY', 2],
      ].sort(),
    );
    assert.deepEqual(Object.keys(featureKeys(world, second.id, account.apiKeyServerSide)), ['NEW_KEY']);
  });

  it('marks a new feature CREATE in every environment', async () => {
    const feature = await world.addFeature('NEW', 'BOOLEAN');
    await world.stores.featureValues.create({
      environmentId: world.environment.id,
      featureId: feature.id,
      value: 'false',
      locked: true,
    });
    await world.commit(async (_tx, changes) => changes.featureChanged(world.applicationId, feature.id));
    const [message] = world.onCacheChannel(FEATURES) as PublishFeatureValues[];
    assert.deepEqual(
      message?.features.map((f) => [f.action, f.feature.value?.locked]),
      [['CREATE', true]],
    );
  });

  it('deleting a feature publishes DELETE with its original key and Dacha drops it', async () => {
    const env = world.environment;
    const feature = await world.addFeature('GONE', 'BOOLEAN');
    await world.stores.featureValues.create({ environmentId: env.id, featureId: feature.id, value: 'true' });
    const account = await world.addServiceAccount('sdk', { [env.id]: ['READ'] });
    await world.commit(async (_tx, changes) => {
      changes.environmentChanged(env.id);
      changes.serviceAccountChanged(account.id);
    });
    assert.deepEqual(featureKeys(world, env.id, account.apiKeyServerSide), { GONE: true });

    await world.commit(async (tx, changes) => {
      await tx.features.archive(feature.id);
      changes.featureChanged(world.applicationId, feature.id, 'delete');
    });

    const [message] = world.onCacheChannel(FEATURES) as PublishFeatureValues[];
    assert.deepEqual(
      message?.features.map((f) => [f.action, f.feature.feature.key]),
      [['DELETE', 'GONE']],
    );
    assert.deepEqual(featureKeys(world, env.id, account.apiKeyServerSide), {});
  });

  it('an archived service account is published as DELETE and its keys stop answering', async () => {
    const env = world.environment;
    const account = await world.addServiceAccount('sdk', { [env.id]: ['READ'] });
    await world.commit(async (_tx, changes) => {
      changes.environmentChanged(env.id);
      changes.serviceAccountChanged(account.id, 'create');
    });
    assert.equal(world.dacha.features(env.id, account.apiKeyServerSide).status, 'found');

    await world.commit(async (tx, changes) => {
      await tx.serviceAccounts.archive(account.id);
      changes.serviceAccountChanged(account.id, 'delete');
    });

    const actions = (world.onCacheChannel(SA) as PublishServiceAccount[]).map((m) => m.action);
    assert.deepEqual(actions, ['CREATE', 'DELETE']);
    assert.equal(world.dacha.features(env.id, account.apiKeyServerSide).status, 'not_found');
    assertAllMessagesValid(world);
  });

  it('a reset key replaces the old one in Dacha at once', async () => {
    const env = world.environment;
    const account = await world.addServiceAccount('sdk', { [env.id]: ['READ'] });
    await world.commit(async (_tx, changes) => {
      changes.environmentChanged(env.id);
      changes.serviceAccountChanged(account.id);
    });
    const newKey = 'N'.repeat(40);
    await world.commit(async (tx, changes) => {
      await tx.serviceAccounts.update(account.id, { apiKeyServerSide: newKey, version: account.version });
      changes.serviceAccountChanged(account.id);
    });
    assert.equal(world.dacha.features(env.id, account.apiKeyServerSide).status, 'not_found');
    assert.equal(world.dacha.features(env.id, newKey).status, 'found');
  });

  it('an environment deleted (or archived before publishing) is published as DELETE', async () => {
    const env = world.environment;
    const account = await world.addServiceAccount('sdk', { [env.id]: ['READ'] });
    await world.commit(async (_tx, changes) => {
      changes.environmentChanged(env.id);
      changes.serviceAccountChanged(account.id);
    });
    await world.commit(async (tx, changes) => {
      await tx.environments.archive(env.id);
      // recorded as an update: the publisher reads the committed state and finds it archived
      changes.environmentChanged(env.id);
    });
    const actions = (world.onCacheChannel(ENV) as PublishEnvironment[]).map((m) => [
      m.action,
      m.environment.id,
    ]);
    assert.deepEqual(actions, [
      ['UPDATE', env.id],
      ['DELETE', env.id],
    ]);
    assert.equal(world.dacha.environment(env.id), undefined);
    assertAllMessagesValid(world);
  });

  it('publishAll fills an empty Dacha with every live service account and environment', async () => {
    const second = await world.addEnvironment('staging');
    const feature = await world.addFeature('FLAG', 'BOOLEAN');
    await world.stores.featureValues.create({
      environmentId: second.id,
      featureId: feature.id,
      value: 'true',
    });
    const account = await world.addServiceAccount('sdk', { [second.id]: ['READ'] });
    const archived = await world.addServiceAccount('old', { [second.id]: ['READ'] });
    await world.stores.serviceAccounts.archive(archived.id);

    const result = await world.publisher.publishAll();
    await world.bus.flush();

    assert.deepEqual(result, { environments: 2, serviceAccounts: 1 });
    assertAllMessagesValid(world);
    const envs = world.onCacheChannel(ENV) as PublishEnvironment[];
    assert.deepEqual(
      envs.map((m) => [m.action, m.count]),
      [
        ['CREATE', 2],
        ['CREATE', 2],
      ],
    );
    assert.deepEqual(featureKeys(world, second.id, account.apiKeyServerSide), { FLAG: true });
    assert.equal(world.dacha.features(second.id, archived.apiKeyServerSide).status, 'not_found');
  });

  it('publishAll sends EMPTY markers when there is nothing to publish', async () => {
    await world.stores.environments.archive(world.environment.id);
    const result = await world.publisher.publishAll();
    await world.bus.flush();
    assert.deepEqual(result, { environments: 0, serviceAccounts: 0 });
    assertAllMessagesValid(world);
    assert.deepEqual(
      world.messages.map((m) => [m.type, (m.data as { action: string; count: number }).action]),
      [
        [SA, 'EMPTY'],
        [ENV, 'EMPTY'],
      ],
    );
  });

  it('does not send a message that breaks its contract, and logs why', async () => {
    const env = await world.stores.environments.create({
      applicationId: world.applicationId,
      name: 'odd',
      environmentInfo: { ok: 'yes', broken: 5 as unknown as string },
    });
    await world.commit(async (_tx, changes) => changes.environmentChanged(env.id));
    assert.equal(world.messages.length, 0);
    assert.equal(world.logged.filter((l) => l.level === 'error').length, 1);
  });

  it('leaves out a stored strategy whose attribute cannot be evaluated, rather than widening it', async () => {
    const feature = await world.addFeature('COLOUR', 'STRING');
    await world.stores.featureValues.create({
      environmentId: world.environment.id,
      featureId: feature.id,
      value: 'red',
      rolloutStrategies: [
        {
          id: 'bad',
          name: 'bad',
          attributes: [{ fieldName: 'x', type: 'STRING', values: ['a'] }],
          value: 'x',
        },
        { id: 'ok', name: 'ok', percentage: 1, value: 'y' },
      ],
    });
    await world.commit(async (_tx, changes) => changes.featureValueChanged(world.environment.id, feature.id));
    assertAllMessagesValid(world);
    const [message] = world.onCacheChannel(FEATURES) as PublishFeatureValues[];
    assert.deepEqual(
      message?.features[0]?.feature.value?.rolloutStrategies?.map((s) => s.id),
      ['ok'],
    );
  });
});

describe('BusChangePublisher ordering and versions', () => {
  let world: PublishingWorld;
  beforeEach(async () => {
    world = await createPublishingWorld();
  });
  afterEach(async () => {
    await world.close();
  });

  it('every publication of a value carries a higher version than the one before', async () => {
    const env = world.environment;
    const feature = await world.addFeature('COUNTER', 'NUMBER');
    let value = await world.stores.featureValues.create({
      environmentId: env.id,
      featureId: feature.id,
      value: '0',
    });
    for (let i = 1; i <= 5; i++) {
      const from = value.version;
      value = await world.commit(async (tx, changes) => {
        const saved = await tx.featureValues.update(value.id, { value: String(i), version: from });
        changes.featureValueChanged(env.id, feature.id);
        return saved;
      });
    }
    const versions = (world.onCacheChannel(FEATURES) as PublishFeatureValues[]).map(
      (m) => m.features[0]?.feature.value?.version ?? -1,
    );
    assert.deepEqual(versions, [2, 3, 4, 5, 6]);
  });

  it('publications run in call order, each reading the state committed before it ran', async () => {
    const env = world.environment;
    const feature = await world.addFeature('COUNTER', 'NUMBER');
    const value = await world.stores.featureValues.create({
      environmentId: env.id,
      featureId: feature.id,
      value: '0',
    });
    const changes = new ChangeSet();
    changes.featureValueChanged(env.id, feature.id);
    // Three publications queued at once while the value moves on underneath them.
    const first = world.publisher.publish(changes);
    const updated = await world.stores.featureValues.update(value.id, { value: '1', version: value.version });
    const second = world.publisher.publish(changes);
    await world.stores.featureValues.update(updated.id, { value: '2', version: updated.version });
    const third = world.publisher.publish(changes);
    await Promise.all([first, second, third]);
    await world.bus.flush();
    const versions = (world.onCacheChannel(FEATURES) as PublishFeatureValues[]).map(
      (m) => m.features[0]?.feature.value?.version ?? -1,
    );
    assert.equal(versions.length, 3);
    for (let i = 1; i < versions.length; i++) {
      assert.ok(versions[i]! >= versions[i - 1]!, `versions must never go back: ${versions.join(',')}`);
    }
    assert.equal(versions.at(-1), 3);
  });

  it('a Dacha that sees an older message after a newer one keeps the newer value', async () => {
    const env = world.environment;
    const feature = await world.addFeature('COLOUR', 'STRING');
    const account = await world.addServiceAccount('sdk', { [env.id]: ['READ'] });
    const value = await world.stores.featureValues.create({
      environmentId: env.id,
      featureId: feature.id,
      value: 'v1',
    });
    await world.commit(async (_tx, changes) => {
      changes.environmentChanged(env.id);
      changes.serviceAccountChanged(account.id);
    });
    const older = world.onCacheChannel(ENV)[0] as PublishEnvironment;
    await world.commit(async (tx, changes) => {
      await tx.featureValues.update(value.id, { value: 'v2', version: value.version });
      changes.featureValueChanged(env.id, feature.id);
    });
    // a redelivered, older full environment
    world.dacha.applyEnvironment(older);
    assert.deepEqual(featureKeys(world, env.id, account.apiKeyServerSide), { COLOUR: 'v2' });
  });

  it('an environment update publishes the bumped environment version', async () => {
    const env = world.environment;
    await world.commit(async (_tx, changes) => changes.environmentChanged(env.id));
    await world.commit(async (tx, changes) => {
      await tx.environments.update(env.id, {
        environmentInfo: { cacheControl: 'no-cache' },
        version: env.version,
      });
      changes.environmentChanged(env.id);
    });
    const versions = (world.onCacheChannel(ENV) as PublishEnvironment[]).map((m) => m.environment.version);
    assert.ok(versions[1]! > versions[0]!, `environment version must grow: ${versions.join(',')}`);
  });

  it('a service account permission change publishes a higher service account version', async () => {
    const env = world.environment;
    const account = await world.addServiceAccount('sdk', { [env.id]: ['READ'] });
    await world.commit(async (_tx, changes) => changes.serviceAccountChanged(account.id));
    await world.commit(async (tx, changes) => {
      await tx.serviceAccounts.setPermissions(account.id, [
        { environmentId: env.id, roles: ['READ', 'CHANGE_VALUE'] },
      ]);
      changes.serviceAccountChanged(account.id);
    });
    const versions = (world.onCacheChannel(SA) as PublishServiceAccount[]).map(
      (m) => m.serviceAccount?.version ?? -1,
    );
    assert.ok(versions[1]! > versions[0]!, `service account version must grow: ${versions.join(',')}`);
  });
});

describe('MrCacheSource', () => {
  it('builds the same environment a full publication sends, and finds accounts by either key', async () => {
    const world = await createPublishingWorld();
    try {
      const feature = await world.addFeature('FLAG', 'BOOLEAN');
      await world.stores.featureValues.create({
        environmentId: world.environment.id,
        featureId: feature.id,
        value: 'true',
      });
      const account = await world.addServiceAccount('sdk', { [world.environment.id]: ['READ'] });
      const source = new MrCacheSource(world.stores);

      const built = await source.environment(world.environment.id);
      assert.ok(built && Value.Check(PublishEnvironmentSchema, built));
      const fresh = new DachaCache();
      fresh.applyEnvironment(built);
      const byClientKey = await source.serviceAccountByApiKey(account.apiKeyClientSide);
      assert.equal(byClientKey?.id, account.id);
      fresh.applyServiceAccount({ serviceAccount: byClientKey!, action: 'UPDATE', count: 1 });
      const lookup = fresh.features(world.environment.id, account.apiKeyClientSide);
      assert.equal(lookup.status, 'found');

      assert.equal((await source.serviceAccountByApiKey(account.apiKeyServerSide))?.id, account.id);
      assert.equal(await source.serviceAccountByApiKey('nope'), undefined);
      assert.equal(await source.environment('00000000-0000-4000-8000-000000000000'), undefined);
      assert.equal((await source.serviceAccount(account.id))?.apiKeyServerSide, account.apiKeyServerSide);
    } finally {
      await world.close();
    }
  });

  it('a second Dacha filled from the bus by publishAll matches the first one', async () => {
    const world = await createPublishingWorld();
    try {
      const feature = await world.addFeature('FLAG', 'BOOLEAN');
      await world.stores.featureValues.create({
        environmentId: world.environment.id,
        featureId: feature.id,
        value: 'true',
      });
      const account = await world.addServiceAccount('sdk', { [world.environment.id]: ['READ'] });
      const late = new DachaCache();
      const sub = connectDachaToBus(late, world.bus, { subjects: world.subjects });
      await world.publisher.publishAll();
      await world.bus.flush();
      sub.stop();
      const a = world.dacha.features(world.environment.id, account.apiKeyServerSide);
      const b = late.features(world.environment.id, account.apiKeyServerSide);
      assert.equal(a.status, 'found');
      assert.equal(b.status, 'found');
      if (a.status === 'found' && b.status === 'found') assert.equal(a.environment.etag, b.environment.etag);
    } finally {
      await world.close();
    }
  });
});
