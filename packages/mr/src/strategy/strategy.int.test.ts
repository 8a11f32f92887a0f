import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { skipUnlessService } from '@fh/test-support';
import { expectError, expectOk } from '../testing/assertions.ts';
import { type MrWithDacha, startMrWithDacha } from '../testing/mr-with-dacha.ts';
import {
  grantRoles,
  loginAs,
  type SeededOrganisation,
  seedPerson,
  superuserClient,
} from '../testing/organisation-world.ts';
import type { MrClient } from '../testing/test-mr.ts';

const beta = {
  name: 'Beta testers',
  attributes: [{ conditional: 'EQUALS', fieldName: 'beta', type: 'BOOLEAN', values: [true] }],
};

for (const dialect of ['sqlite', 'postgres', 'mysql'] as const) {
  describe(`application strategy API (${dialect})`, {
    skip: dialect === 'sqlite' ? false : await skipUnlessService(dialect),
  }, () => {
    let world: MrWithDacha;
    let su: MrClient;
    let seeded: SeededOrganisation;
    let portfolioId: string;
    let appId: string;
    let envId: string;
    let counter = 0;

    before(async () => {
      world = await startMrWithDacha(dialect);
      const s = await superuserClient(world.mr);
      su = s.client;
      seeded = s;
      const p = expectOk(
        world.mr,
        'createPortfolio',
        await su.post('/portfolio', { name: 'Strategy portfolio', description: '' }),
      );
      portfolioId = p.id;
      const app = expectOk(
        world.mr,
        'createApplication',
        await su.post(`/portfolio/${portfolioId}/application?includeEnvironments=true`, {
          name: 'App',
          description: '',
        }),
      );
      appId = app.id;
      envId = app.environments[0].id;
    });
    after(async () => {
      await world?.close();
    });

    const create = async (body: object = { ...beta, name: `Strategy ${++counter}` }) =>
      expectOk(
        world.mr,
        'createApplicationStrategy',
        await su.post(`/application/${appId}/strategy`, body),
        201,
      );

    it('creates (201), reads and lists a strategy with its code, usage and who changed it', async () => {
      const created = await create();
      assert.equal(created.disabled, false);
      assert.equal(created.attributes[0].id.length, 4);
      const got = expectOk(
        world.mr,
        'getApplicationStrategy',
        await su.get(`/application/${appId}/rollout-strategy/${created.id}`),
      );
      assert.deepEqual(got, created);
      const list = expectOk(
        world.mr,
        'listApplicationStrategies',
        await su.get(
          `/application/${appId}/strategy?includeWhoChanged=true&includeUsage=true&filter=${encodeURIComponent(created.name)}&max=10&page=0&sortOrder=ASC`,
        ),
      );
      assert.equal(list.items.length, 1);
      assert.match(list.items[0].uniqueCode, /^@[A-Za-z0-9]{3}$/);
      assert.deepEqual(list.items[0].usage, []);
      assert.equal(list.items[0].updatedBy.name, 'superuser');
    });

    it('answers 409 for a name already used in any case, and 422 with the violations for an invalid strategy', async () => {
      const created = await create();
      expectError(
        await su.post(`/application/${appId}/strategy`, { ...beta, name: created.name.toUpperCase() }),
        409,
      );
      const bad = await su.post(`/application/${appId}/strategy`, {
        name: 'Too many',
        percentage: 1_000_001,
      });
      expectError(bad, 422);
      assert.equal(
        bad.body.customStategyViolations[0].violations[0].violation,
        'percentage_over_100_percent',
      );
      // A strategy with no rules yet is a placeholder, as upstream allows.
      const placeholder = await su.post(`/application/${appId}/strategy`, { name: 'Nothing to match yet' });
      assert.equal(placeholder.status, 201);
      const other = await create();
      expectError(
        await su.put(`/application/${appId}/rollout-strategy/${other.id}`, { name: created.name }),
        409,
      );
    });

    it('editing a strategy republishes every value using it, so Dacha serves the new rule', async () => {
      const features = expectOk(
        world.mr,
        'createFeaturesForApplication',
        await su.post(`/application/${appId}/features`, {
          key: 'COLOUR',
          name: 'Colour',
          valueType: 'STRING',
        }),
      );
      const feature = features.find((f: { key: string }) => f.key === 'COLOUR');
      const strategy = await create();
      // Attached through the store: the feature-value API belongs to another slice.
      const value = await world.mr.stores.featureValues.create({
        environmentId: envId,
        featureId: feature.id,
        value: 'red',
        strategyInstances: [{ strategyId: strategy.id, value: 'purple', enabled: true }],
      });
      await world.publisher.publishAll();
      await world.settle();

      const updated = expectOk(
        world.mr,
        'updateApplicationStrategy',
        await su.put(`/application/${appId}/rollout-strategy/${strategy.id}`, { percentage: 300000 }),
      );
      assert.equal(updated.percentage, 300000);
      assert.deepEqual(updated.attributes, strategy.attributes, 'missing fields stay as they were');
      await world.settle();
      const held = world.dacha.feature(envId, feature.id);
      assert.equal(held?.value?.version, value.version + 1);
      assert.deepEqual(
        held?.value?.rolloutStrategies?.map((s) => [s.percentage, s.value]),
        [[300000, 'purple']],
      );
      const history = await world.mr.stores.featureValues.history(value.id);
      assert.equal(history.length, 2);

      const usage = expectOk(
        world.mr,
        'listApplicationStrategies',
        await su.get(
          `/application/${appId}/strategy?includeUsage=true&filter=${encodeURIComponent(strategy.name)}`,
        ),
      );
      assert.deepEqual(usage.items[0].usage, [{ id: envId, name: 'production', featuresCount: 1 }]);

      const deleted = await su.delete(`/application/${appId}/rollout-strategy/${strategy.id}`);
      assert.equal(deleted.status, 204);
      await world.settle();
      assert.deepEqual(world.dacha.feature(envId, feature.id)?.value?.rolloutStrategies, []);
      assert.deepEqual((await world.mr.stores.featureValues.findById(value.id))?.strategyInstances, []);
      expectError(await su.get(`/application/${appId}/rollout-strategy/${strategy.id}`), 404);
    });

    it('validation answers 200 with the violations listed', async () => {
      const res = expectOk(
        world.mr,
        'validate',
        await su.post(`/application/${appId}/rollout-strategy-validation`, {
          customStrategies: [
            { name: 'a', percentage: 600000 },
            { name: 'b', percentage: 600000 },
            {
              name: 'c',
              attributes: [
                { conditional: 'EQUALS', fieldName: 'version', type: 'SEMANTIC_VERSION', values: ['1.x'] },
              ],
            },
          ],
          sharedStrategies: [],
        }),
      );
      assert.deepEqual(res.violations, ['percentage_adds_over_100_percent']);
      assert.equal(res.customStategyViolations[0].violations[0].violation, 'attr_val_not_semantic_version');
    });

    it('enforces the application-strategy roles: create, edit, edit-and-delete', async () => {
      const strategy = await create();
      const roles = async (
        name: string,
        applicationRoles: string[],
        environmentRoles: { environmentId: string; roles: never }[] = [],
      ) => {
        const person = await seedPerson(world.mr.stores, name);
        await grantRoles(world.mr.stores, {
          org: seeded.org,
          portfolioId,
          personId: person.id,
          applicationRoles: [{ applicationId: appId, roles: applicationRoles as never }],
          environmentRoles,
        });
        return loginAs(world.mr, person);
      };
      const reader = await roles('reader', [], [{ environmentId: envId, roles: ['READ'] as never }]);
      const creator = await roles('creator', ['APP_STRATEGY_CREATE']);
      const editor = await roles('editor', ['APP_STRATEGY_EDIT']);
      const deleter = await roles('deleter', ['APP_STRATEGY_EDIT_AND_DELETE']);

      expectOk(world.mr, 'listApplicationStrategies', await reader.get(`/application/${appId}/strategy`));
      expectError(await reader.post(`/application/${appId}/strategy`, { ...beta, name: 'r' }), 403);
      expectOk(
        world.mr,
        'createApplicationStrategy',
        await creator.post(`/application/${appId}/strategy`, { ...beta, name: 'by creator' }),
        201,
      );
      const path = `/application/${appId}/rollout-strategy/${strategy.id}`;
      expectError(await creator.put(path, { percentage: 5 }), 403);
      expectOk(world.mr, 'updateApplicationStrategy', await editor.put(path, { percentage: 5 }));
      expectError(await editor.delete(path), 403);
      assert.equal((await deleter.delete(path)).status, 204);

      const stranger = await loginAs(world.mr, await seedPerson(world.mr.stores, 'stranger'));
      expectError(await stranger.get(`/application/${appId}/strategy`), 403);
      expectError(await world.mr.client.get(`/application/${appId}/strategy`), 401);
      expectError(await su.get('/application/00000000-0000-4000-8000-000000000000/strategy'), 404);
      expectError(await su.get(`/application/${appId}/rollout-strategy/not-a-uuid`), 400);
    });

    it('lets FEATURE_CREATE / FEATURE_EDIT holders create, edit and delete strategies, as upstream', async () => {
      const person = await seedPerson(world.mr.stores, 'featureEditor');
      await grantRoles(world.mr.stores, {
        org: seeded.org,
        portfolioId,
        personId: person.id,
        applicationRoles: [{ applicationId: appId, roles: ['FEATURE_EDIT'] }],
      });
      const featureEditor = await loginAs(world.mr, person);
      const made = expectOk(
        world.mr,
        'createApplicationStrategy',
        await featureEditor.post(`/application/${appId}/strategy`, { ...beta, name: 'by a feature editor' }),
        201,
      );
      const path = `/application/${appId}/rollout-strategy/${made.id}`;
      expectOk(world.mr, 'updateApplicationStrategy', await featureEditor.put(path, { percentage: 7 }));
      assert.equal((await featureEditor.delete(path)).status, 204);
    });

    it('lists who changed each strategy without being asked (upstream always fills updatedBy)', async () => {
      const created = await create();
      const list = expectOk(
        world.mr,
        'listApplicationStrategies',
        await su.get(`/application/${appId}/strategy?filter=${encodeURIComponent(created.name)}`),
      );
      assert.equal(list.items.length, 1);
      assert.equal(list.items[0].updatedBy.name, 'superuser');
      assert.equal(typeof list.items[0].updatedBy.email, 'string');
      assert.equal(list.items[0].usage, undefined);
    });
  });
}
