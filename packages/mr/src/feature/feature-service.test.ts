import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import {
  BadRequestError,
  ConflictError,
  ForbiddenError,
  NotFoundError,
  StaleVersionError,
} from '@fh/service-kit';
import { createFakeStores, type TransactionalStores } from '../db/stores.ts';
import type { Access } from '../permission/access.ts';
import { ChangeSet } from '../publishing/change-set.ts';
import { buildValueWorld, type ValueWorld } from '../testing/value-world.ts';
import { createFeature, deleteFeature, getFeature, listFeatures, updateFeature } from './feature-service.ts';

describe('feature service', () => {
  let stores: TransactionalStores;
  let world: ValueWorld;
  let creator: Access;
  let editor: Access;
  let reader: Access;

  beforeEach(async () => {
    stores = createFakeStores();
    world = await buildValueWorld(stores);
    creator = await world.access(await world.person({ app: ['FEATURE_CREATE'] }));
    editor = await world.access(await world.person({ app: ['FEATURE_EDIT_AND_DELETE'] }));
    reader = await world.access(await world.person({ envs: { [world.dev.id]: ['READ'] } }));
  });

  const create = (
    access: Access,
    key: string,
    valueType: 'BOOLEAN' | 'STRING' = 'STRING',
    changes = new ChangeSet(),
  ) => createFeature(stores, changes, access, world.app.id, { key, name: `name of ${key}`, valueType });

  it('creating a BOOLEAN feature sets it false and locked in every environment', async () => {
    const changes = new ChangeSet();
    const all = await create(creator, 'FLAG', 'BOOLEAN', changes);
    const flag = all.find((f) => f.key === 'FLAG')!;
    const values = await stores.featureValues.list({ featureId: flag.id });
    assert.deepEqual(
      values.map((v) => [v.environmentId, v.value, v.locked, v.version]).sort(),
      [
        [world.dev.id, 'false', true, 1],
        [world.prod.id, 'false', true, 1],
      ].sort(),
    );
    assert.deepEqual(
      [...changes.features.values()],
      [{ applicationId: world.app.id, featureId: flag.id, action: 'upsert' }],
    );
  });

  it('other types start with no value', async () => {
    const [text] = await create(creator, 'TEXT');
    assert.equal((await stores.featureValues.list({ featureId: text!.id })).length, 0);
  });

  it('keys are unique in the application, non-empty and without whitespace', async () => {
    await create(creator, 'ONE');
    await assert.rejects(create(creator, 'ONE'), ConflictError);
    await assert.rejects(create(creator, ''), BadRequestError);
    await assert.rejects(create(creator, 'has space'), BadRequestError);
    await assert.rejects(create(creator, 'tab\there'), BadRequestError);
    await assert.rejects(
      createFeature(stores, new ChangeSet(), creator, world.app.id, {
        key: 'K',
        name: '  ',
        valueType: 'STRING',
      }),
      BadRequestError,
    );
  });

  it('only feature creators create, only editors edit and delete, any role reads', async () => {
    await assert.rejects(create(reader, 'NOPE'), ForbiddenError);
    await create(creator, 'F');
    await assert.rejects(
      updateFeature(stores, new ChangeSet(), creator, world.app.id, 'F', { name: 'x' }),
      ForbiddenError,
    );
    await assert.rejects(deleteFeature(stores, new ChangeSet(), reader, world.app.id, 'F'), ForbiddenError);
    assert.equal((await listFeatures(stores, reader, world.app.id)).length, 1);
    const stranger = await world.access(await world.person({}));
    await assert.rejects(listFeatures(stores, stranger, world.app.id), ForbiddenError);
  });

  it('renames a key, refusing a taken key and a stale version', async () => {
    await create(creator, 'A');
    await create(creator, 'B');
    const a = await getFeature(stores, reader, world.app.id, 'A');
    const changes = new ChangeSet();
    const renamed = await updateFeature(stores, changes, editor, world.app.id, 'A', {
      key: 'A2',
      name: 'renamed',
      description: 'about',
      version: a.version,
    });
    assert.deepEqual([renamed.key, renamed.name, renamed.description], ['A2', 'renamed', 'about']);
    assert.equal(changes.features.get(a.id)?.action, 'upsert');
    await assert.rejects(
      updateFeature(stores, new ChangeSet(), editor, world.app.id, 'A2', { key: 'B' }),
      ConflictError,
    );
    await assert.rejects(
      updateFeature(stores, new ChangeSet(), editor, world.app.id, 'A2', { name: 'x', version: a.version }),
      StaleVersionError,
    );
    // the id finds the feature too
    assert.equal((await getFeature(stores, reader, world.app.id, a.id)).key, 'A2');
  });

  it('an update that changes nothing saves nothing', async () => {
    await create(creator, 'A');
    const a = await getFeature(stores, reader, world.app.id, 'A');
    const changes = new ChangeSet();
    const same = await updateFeature(stores, changes, editor, world.app.id, 'A', { name: a.name, key: 'A' });
    assert.equal(same.version, a.version);
    assert.equal(changes.isEmpty(), true);
  });

  it('deleting archives the feature, frees its key and returns the rest', async () => {
    await create(creator, 'A');
    await create(creator, 'B');
    const a = await getFeature(stores, reader, world.app.id, 'A');
    const changes = new ChangeSet();
    const rest = await deleteFeature(stores, changes, editor, world.app.id, 'A');
    assert.deepEqual(
      rest.map((f) => f.key),
      ['B'],
    );
    assert.equal(changes.features.get(a.id)?.action, 'delete');
    await assert.rejects(getFeature(stores, reader, world.app.id, 'A'), NotFoundError);
    await create(creator, 'A');
  });

  it('unknown applications and features are 404', async () => {
    await assert.rejects(listFeatures(stores, editor, '00000000-0000-4000-8000-000000000000'), NotFoundError);
    await assert.rejects(getFeature(stores, editor, world.app.id, 'MISSING'), NotFoundError);
  });
});
