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
import { createFeature, updateFeature } from '../feature/feature-service.ts';
import type { Access } from '../permission/access.ts';
import { CachePayloads } from '../publishing/cache-payloads.ts';
import { ChangeSet } from '../publishing/change-set.ts';
import { buildValueWorld, type ValueWorld } from '../testing/value-world.ts';
import {
  createFeatureFilter,
  deleteFeatureFilter,
  findFeatureFilters,
  getFeatureFilter,
  matchingFilters,
  updateFeatureFilter,
} from './feature-filter-service.ts';

describe('feature filter service', () => {
  let stores: TransactionalStores;
  let world: ValueWorld;
  let admin: Access;
  let creator: Access;
  let reader: Access;
  let stranger: Access;

  beforeEach(async () => {
    stores = createFakeStores();
    world = await buildValueWorld(stores);
    admin = await world.access(await world.superuser());
    creator = await world.access(await world.person({ app: ['FEATURE_CREATE'] }));
    reader = await world.access(await world.person({ envs: { [world.dev.id]: ['READ'] } }));
    stranger = await world.access(await world.person({}));
  });

  const filter = (access: Access, name: string) =>
    createFeatureFilter(stores, access, world.portfolioId, { name, description: `${name} clients` });

  it('feature creators and admins manage filters; readers only read them; others neither', async () => {
    const mobile = await filter(creator, 'mobile');
    assert.equal(mobile.createdBy, creator.personId);
    await filter(admin, 'web');
    await assert.rejects(filter(reader, 'nope'), ForbiddenError);
    assert.equal((await getFeatureFilter(stores, reader, world.portfolioId, mobile.id)).name, 'mobile');
    await assert.rejects(getFeatureFilter(stores, stranger, world.portfolioId, mobile.id), ForbiddenError);
    const found = await findFeatureFilters(stores, reader, world.portfolioId, { filter: 'MOB' });
    assert.deepEqual(
      found.filters.map((f) => f.filter.name),
      ['mobile'],
    );
    assert.equal(found.max, 1);
  });

  it('refuses blank, long and duplicate names, stale versions and filters of other portfolios', async () => {
    await assert.rejects(filter(admin, '  '), BadRequestError);
    await assert.rejects(filter(admin, 'x'.repeat(61)), BadRequestError);
    const mobile = await filter(admin, 'mobile');
    await assert.rejects(filter(admin, 'mobile'), ConflictError);
    await assert.rejects(
      updateFeatureFilter(stores, admin, world.portfolioId, { id: mobile.id, name: 'phones', version: 7 }),
      StaleVersionError,
    );
    const other = await stores.portfolios.create({ organisationId: world.organisationId, name: 'other' });
    await assert.rejects(getFeatureFilter(stores, admin, other.id, mobile.id), NotFoundError);
    const foreign = await stores.featureFilters.create({ portfolioId: other.id, name: 'foreign' });
    await assert.rejects(
      createFeature(stores, new ChangeSet(), admin, world.app.id, {
        key: 'F',
        name: 'F',
        valueType: 'STRING',
        filters: [foreign.id],
      }),
      (err: unknown) => err instanceof BadRequestError && /not a filter of this portfolio/.test(err.message),
    );
  });

  it("a feature's filters reach its cache entry, and changing them bumps its version and republishes it", async () => {
    const mobile = await filter(admin, 'mobile');
    const [feature] = await createFeature(stores, new ChangeSet(), admin, world.app.id, {
      key: 'F',
      name: 'F',
      valueType: 'STRING',
      filters: [mobile.id],
    });
    const payloads = new CachePayloads(stores);
    const env = await payloads.environment(world.dev.id);
    assert.deepEqual(env?.featureValues[0]?.feature.filters, [mobile.id]);

    const changes = new ChangeSet();
    const updated = await updateFeature(stores, changes, admin, world.app.id, 'F', { filters: [] });
    assert.equal(updated.version, feature!.version + 1);
    assert.equal(changes.features.size, 1);
    assert.equal((await payloads.environment(world.dev.id))?.featureValues[0]?.feature.filters, undefined);
    const none = new ChangeSet();
    await updateFeature(stores, none, admin, world.app.id, 'F', { filters: [] });
    assert.equal(none.features.size, 0, 'the same filters again change nothing');
  });

  it('deleting a filter takes it off features and service accounts and republishes both', async () => {
    const mobile = await filter(admin, 'mobile');
    const [feature] = await createFeature(stores, new ChangeSet(), admin, world.app.id, {
      key: 'F',
      name: 'F',
      valueType: 'STRING',
      filters: [mobile.id],
    });
    const account = await world.serviceAccount({ [world.dev.id]: ['READ'] });
    await stores.featureFilters.setServiceAccountFilters(account.id, [mobile.id]);
    const payloads = new CachePayloads(stores);
    assert.deepEqual((await payloads.serviceAccount(account)).filters, [mobile.id]);
    const matching = await matchingFilters(stores, admin, world.portfolioId, 'serviceaccounts', [mobile.id]);
    assert.deepEqual(
      matching.map((m) => [m.id, m.matchingFilters.map((f) => f.name)]),
      [[account.id, ['mobile']]],
    );

    const changes = new ChangeSet();
    await deleteFeatureFilter(stores, changes, admin, world.portfolioId, mobile.id, mobile.version);
    assert.deepEqual([...changes.features.keys()], [feature!.id]);
    assert.deepEqual([...changes.serviceAccounts.keys()], [account.id]);
    assert.equal((await stores.features.findById(feature!.id))?.version, feature!.version + 1);
    const after = (await stores.serviceAccounts.findById(account.id))!;
    assert.equal(after.version, account.version + 1);
    assert.equal((await payloads.serviceAccount(after)).filters, undefined);
  });
});
