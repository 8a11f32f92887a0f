import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { skipUnlessService } from '@fh/test-support';
import { type OpenApiDocument, validateResponse } from '../api/index.ts';
import type { ChangePublisher, ChangeSet } from '../publishing/change-set.ts';
import { type MrClient, startTestMr, type TestMr } from '../testing/test-mr.ts';
import { buildHttpValueWorld, type HttpValueWorld } from '../testing/value-world.ts';

for (const dialect of ['sqlite', 'postgres', 'mysql'] as const) {
  describe(`feature values over HTTP (${dialect})`, {
    skip: dialect === 'sqlite' ? false : await skipUnlessService(dialect),
  }, () => {
    let mr: TestMr;
    let world: HttpValueWorld;
    let admin: MrClient;
    let doc: OpenApiDocument;
    const published: ChangeSet[] = [];

    const createFeature = (key: string, valueType: string) =>
      admin.post(`/application/${world.app.id}/features`, { key, name: key, valueType });
    const valuePath = (key: string, envId = world.dev.id) => `/features/${envId}/feature/${key}`;

    before(async () => {
      const publisher: ChangePublisher = { publish: async (c) => void published.push(c) };
      mr = await startTestMr({ dialect, publisher });
      world = await buildHttpValueWorld(mr);
      admin = world.admin;
      doc = (await mr.client.get('//mr-api/openapi.json')).body as OpenApiDocument;
      for (const [key, type] of [
        ['FLAG', 'BOOLEAN'],
        ['TEXT', 'STRING'],
        ['NUM', 'NUMBER'],
        ['CONF', 'JSON'],
      ] as const) {
        assert.equal((await createFeature(key, type)).status, 200);
      }
    });
    after(async () => mr?.close());

    it('sets typed values (value and valueX filled on reads), versioned and published', async () => {
      published.length = 0;
      const text = await admin.put(valuePath('TEXT'), { key: 'TEXT', locked: false, valueString: 'hello' });
      assert.equal(text.status, 200);
      assert.deepEqual([text.body.value, text.body.valueString, text.body.version], ['hello', 'hello', 1]);
      assert.equal(text.body.whoUpdated.id.id, world.adminId);
      assert.deepEqual(validateResponse(doc, 'updateFeatureForEnvironment', 200, text.body), []);
      const num = await admin.post(valuePath('NUM'), { key: 'NUM', locked: false, value: 12.5 });
      assert.deepEqual([num.status, num.body.valueNumber], [200, 12.5]);
      const conf = await admin.put(valuePath('CONF'), {
        key: 'CONF',
        locked: false,
        valueJson: '{"a":[1,2]}',
      });
      assert.deepEqual([conf.status, conf.body.valueJson], [200, '{"a":[1,2]}']);
      const flag = await admin.put(valuePath('FLAG'), {
        key: 'FLAG',
        locked: false,
        valueBoolean: true,
        version: 1,
      });
      assert.deepEqual(
        [flag.status, flag.body.value, flag.body.locked, flag.body.version],
        [200, true, false, 2],
      );
      assert.equal((await admin.get(valuePath('FLAG'))).body.valueBoolean, true);
      assert.equal(published.flatMap((c) => [...c.featureValues.values()]).length, 4);
    });

    it('refuses values that do not fit the type with 400, and a locked value change with 409', async () => {
      assert.equal(
        (await admin.put(valuePath('CONF'), { key: 'CONF', locked: false, valueJson: '{x' })).status,
        400,
      );
      const num = await admin.put(valuePath('NUM'), { key: 'NUM', locked: false, value: 'ten', version: 1 });
      assert.equal(num.status, 400);
      assert.match(num.body.message, /NUMBER/);
      const prodFlag = (await admin.get(valuePath('FLAG', world.prod.id))).body;
      const locked = await admin.put(valuePath('FLAG', world.prod.id), { ...prodFlag, valueBoolean: true });
      assert.equal(locked.status, 409);
      assert.equal(locked.body.code, 'feature_value_locked');
    });

    it('merges compatible concurrent edits and refuses conflicting ones with 409', async () => {
      const v1 = (await admin.get(valuePath('TEXT'))).body;
      const a = await admin.put(valuePath('TEXT'), { ...v1, valueString: 'from a' });
      assert.equal(a.status, 200);
      const b = await admin.put(valuePath('TEXT'), { ...v1, retired: true });
      assert.equal(b.status, 200);
      assert.deepEqual([b.body.value, b.body.retired], ['from a', true]);
      const c = await admin.put(valuePath('TEXT'), { ...v1, valueString: 'from c' });
      assert.equal(c.status, 409);
      assert.equal(c.body.code, 'feature_value_conflict');
    });

    it('answers invalid strategies with 422 and the validation response, duplicate instances with 412', async () => {
      const v = (await admin.get(valuePath('NUM'))).body;
      const bad = await admin.put(valuePath('NUM'), {
        ...v,
        rolloutStrategies: [
          { name: 'a', percentage: 600000, value: 1 },
          { name: '', percentage: 600000, value: 2 },
        ],
      });
      assert.equal(bad.status, 422, JSON.stringify(bad.body));
      assert.deepEqual(bad.body.violations, ['percentage_adds_over_100_percent']);
      assert.deepEqual(bad.body.customStategyViolations[0].violations, [{ violation: 'no_name' }]);
      const strategy = await mr.stores.strategies.create({
        applicationId: world.app.id,
        name: 'beta users',
        code: '@bet',
        strategy: { percentage: 100000 },
      });
      const dup = await admin.put(valuePath('NUM'), {
        ...v,
        rolloutStrategyInstances: [
          { strategyId: strategy.id, value: 1 },
          { strategyId: strategy.id, value: 2 },
        ],
      });
      assert.equal(dup.status, 412);
      const ok = await admin.put(valuePath('NUM'), {
        ...v,
        rolloutStrategies: [{ name: 'ten percent', percentage: 100000, value: '10' }],
        rolloutStrategyInstances: [{ strategyId: strategy.id, value: 3 }],
      });
      assert.equal(ok.status, 200);
      assert.match(ok.body.rolloutStrategies[0].id, /^[a-zA-Z0-9]{4}$/);
      assert.equal(ok.body.rolloutStrategies[0].value, 10);
      assert.deepEqual(ok.body.rolloutStrategyInstances, [
        { strategyId: strategy.id, value: 3, disabled: false, name: 'beta users' },
      ]);
      assert.equal(ok.body.sharedRolloutStrategies[0].id, '@bet');
    });

    it('never deletes a value (400) and answers 404 for unknown keys and environments, 401 without a token', async () => {
      const del = await admin.delete(valuePath('TEXT'));
      assert.equal(del.status, 400);
      assert.match(del.body.message, /null/);
      assert.equal((await admin.get(valuePath('NOPE'))).status, 404);
      assert.equal((await admin.get(valuePath('TEXT', '00000000-0000-4000-8000-000000000000'))).status, 404);
      assert.equal((await admin.put(valuePath('NOPE'), { key: 'NOPE', locked: false })).status, 404);
      assert.equal((await mr.client.get(valuePath('TEXT'))).status, 401);
      assert.equal((await admin.put(valuePath('TEXT'), { key: 'TEXT' })).status, 400);
    });

    it('checks roles per aspect over HTTP', async () => {
      const { client: reader } = await world.client({ envs: { [world.dev.id]: ['READ'] } });
      const { client: changer } = await world.client({ envs: { [world.dev.id]: ['CHANGE_VALUE'] } });
      const { client: prodOnly } = await world.client({ envs: { [world.prod.id]: ['READ'] } });
      const v = (await reader.get(valuePath('TEXT'))).body;
      assert.equal((await reader.put(valuePath('TEXT'), { ...v, valueString: 'nope' })).status, 403);
      assert.equal((await changer.put(valuePath('TEXT'), { ...v, locked: true })).status, 403);
      const changed = await changer.put(valuePath('TEXT'), { ...v, valueString: 'changer' });
      assert.equal(changed.status, 200);
      assert.equal((await prodOnly.get(valuePath('TEXT'))).status, 403);
      assert.equal((await prodOnly.get(`/features/${world.dev.id}`)).status, 403);
    });

    it('lists and bulk-updates the values of an environment', async () => {
      const list = await admin.get(`/features/${world.dev.id}?includeFeatures=true`);
      assert.equal(list.status, 200);
      assert.deepEqual(validateResponse(doc, 'getFeaturesForEnvironment', 200, list.body), []);
      assert.deepEqual(
        list.body.featureValues.map((v: { key: string }) => v.key),
        ['CONF', 'FLAG', 'NUM', 'TEXT'],
      );
      assert.equal(list.body.environments[0].id, world.dev.id);
      assert.equal(list.body.features.length, 4);
      const filtered = await admin.get(`/features/${world.dev.id}?filter=fla`);
      assert.deepEqual(
        filtered.body.featureValues.map((v: { key: string }) => v.key),
        ['FLAG'],
      );
      await createFeature('BULK_A', 'STRING');
      await createFeature('BULK_B', 'STRING');
      const dup = await admin.put(`/features/${world.prod.id}`, [
        { key: 'BULK_A', locked: false, valueString: 'x' },
        { key: 'BULK_A', locked: false, valueString: 'y' },
      ]);
      assert.equal(dup.status, 400);
      const bad = await admin.put(`/features/${world.prod.id}`, [
        { key: 'BULK_A', locked: false, valueString: 'x' },
        { key: 'MISSING', locked: false, valueString: 'y' },
      ]);
      assert.equal(bad.status, 404);
      assert.equal((await admin.get(valuePath('BULK_A', world.prod.id))).status, 404);
      const ok = await admin.put(`/features/${world.prod.id}`, [
        { key: 'BULK_A', locked: false, valueString: 'x' },
        { key: 'BULK_B', locked: true, valueString: 'y' },
      ]);
      assert.equal(ok.status, 200);
      assert.deepEqual(
        ok.body
          .filter((v: { key: string }) => v.key.startsWith('BULK'))
          .map((v: { key: string; value: string; locked: boolean }) => [v.key, v.value, v.locked]),
        [
          ['BULK_A', 'x', false],
          ['BULK_B', 'y', true],
        ],
      );
    });

    it('shows and updates one feature across environments', async () => {
      await createFeature('ACROSS', 'STRING');
      const account = await world.serviceAccount({ [world.dev.id]: ['READ'] });
      const path = `/application/${world.app.id}/feature-environments/ACROSS`;
      const before = await admin.get(path);
      assert.equal(before.status, 200);
      assert.deepEqual(validateResponse(doc, 'getAllFeatureValuesByApplicationForKey', 200, before.body), []);
      assert.deepEqual(
        before.body.map((e: { environment: { name: string }; featureValue: unknown }) => [
          e.environment.name,
          e.featureValue,
        ]),
        [
          ['dev', null],
          ['prod', null],
        ],
      );
      assert.deepEqual(
        before.body[0].serviceAccounts.map((s: { id: string }) => s.id),
        [account.id],
      );
      const updated = await admin.put(path, [
        { key: 'ACROSS', locked: false, valueString: 'd', environmentId: world.dev.id },
        { key: 'ACROSS', locked: true, valueString: 'p', environmentId: world.prod.id },
      ]);
      assert.equal(updated.status, 200);
      assert.deepEqual(
        updated.body.map((e: { featureValue: { value: string; locked: boolean } }) => [
          e.featureValue.value,
          e.featureValue.locked,
        ]),
        [
          ['d', false],
          ['p', true],
        ],
      );
      const missingEnv = await admin.put(path, [{ key: 'ACROSS', locked: false, valueString: 'x' }]);
      assert.equal(missingEnv.status, 400);
      const { client: devReader } = await world.client({ envs: { [world.dev.id]: ['READ'] } });
      const seen = await devReader.get(path);
      assert.deepEqual(
        seen.body.map((e: { environment: { name: string }; roles: string[] }) => [
          e.environment.name,
          e.roles,
        ]),
        [['dev', ['READ']]],
      );
      assert.equal((await admin.get(`/application/${world.app.id}/feature-environments/NOPE`)).status, 404);
    });

    it('saving one feature across environments answers 400 for a missing role, a locked value or a foreign environment, and saves nothing', async () => {
      await createFeature('ACROSS_REFUSED', 'BOOLEAN'); // false and locked everywhere, version 1
      const path = `/application/${world.app.id}/feature-environments/ACROSS_REFUSED`;
      const { client: devChanger } = await world.client({
        envs: { [world.dev.id]: ['CHANGE_VALUE', 'UNLOCK'], [world.prod.id]: ['READ'] },
      });
      const both = [
        { key: 'ACROSS_REFUSED', locked: false, valueBoolean: true, version: 1, environmentId: world.dev.id },
        {
          key: 'ACROSS_REFUSED',
          locked: false,
          valueBoolean: true,
          version: 1,
          environmentId: world.prod.id,
        },
      ];
      const noRole = await devChanger.put(path, both);
      assert.equal(noRole.status, 400, JSON.stringify(noRole.body));
      assert.equal(noRole.body.code, 'no_appropriate_role');
      assert.match(noRole.body.message, /environment prod/);
      const unchanged = await admin.get(path);
      assert.deepEqual(
        unchanged.body.map((e: { featureValue: { value: boolean; version: number } }) => [
          e.featureValue.value,
          e.featureValue.version,
        ]),
        [
          [false, 1],
          [false, 1],
        ],
        'the dev change was rolled back with the refused prod one',
      );

      const { client: changer } = await world.client({ envs: { [world.dev.id]: ['CHANGE_VALUE'] } });
      const locked = await changer.put(path, [{ ...both[0], locked: true }]);
      assert.equal(locked.status, 400, JSON.stringify(locked.body));
      assert.equal(locked.body.code, 'feature_value_locked');

      const foreign = await admin.put(path, [
        { ...both[0], environmentId: '00000000-0000-4000-8000-000000000000' },
      ]);
      assert.equal(foreign.status, 400);
      assert.match(foreign.body.message, /not an environment of application/);

      const stale = await admin.put(path, [{ ...both[0], version: 7 }]);
      assert.equal(stale.status, 409);
      const { client: stranger } = await world.client({});
      assert.equal((await stranger.put(path, [both[0]])).status, 403);
      assert.equal((await devChanger.put(path, [both[0]])).status, 200);
    });

    it('serves the dashboard: readable environments in promotion order, filtered and paged features', async () => {
      const path = `/application/${world.app.id}/all-feature-environment`;
      const all = await admin.get(path);
      assert.equal(all.status, 200);
      assert.deepEqual(
        validateResponse(doc, 'findAllFeatureAndFeatureValuesForEnvironmentsByApplication', 200, all.body),
        [],
      );
      assert.deepEqual(
        all.body.environments.map((e: { environmentName: string }) => e.environmentName),
        ['dev', 'prod'],
      );
      assert.equal(all.body.maxFeatures, all.body.features.length);
      const page = await admin.get(`${path}?featureTypes=STRING&max=2&page=1&sortOrder=ASC`);
      const strings = all.body.features
        .filter((f: { valueType: string }) => f.valueType === 'STRING')
        .map((f: { key: string }) => f.key);
      assert.equal(page.body.maxFeatures, strings.length);
      assert.deepEqual(
        page.body.features.map((f: { key: string }) => f.key),
        strings.slice(2, 4),
      );
      const { client: devReader } = await world.client({
        envs: { [world.dev.id]: ['READ', 'CHANGE_VALUE'] },
      });
      const limited = await devReader.get(`${path}?filter=TEXT`);
      assert.deepEqual(
        limited.body.environments.map((e: { environmentName: string; roles: string[] }) => [
          e.environmentName,
          e.roles.sort(),
        ]),
        [['dev', ['CHANGE_VALUE', 'READ']]],
      );
      assert.deepEqual(
        limited.body.environments[0].features.map((v: { key: string }) => v.key),
        ['TEXT'],
      );
      const onlyProd = await admin.get(`${path}?environmentIds=${world.prod.id}`);
      assert.deepEqual(
        onlyProd.body.environments.map((e: { environmentName: string }) => e.environmentName),
        ['prod'],
      );
    });

    it('lists feature history with filters and paging', async () => {
      const path = `/application/${world.app.id}/feature-history`;
      const text = (await admin.get(`/application/${world.app.id}/features/TEXT`)).body;
      const all = await admin.get(`${path}?featureKeys=TEXT`);
      assert.equal(all.status, 200);
      assert.deepEqual(validateResponse(doc, 'listFeatureHistory', 200, all.body), []);
      const item = all.body.items[0];
      assert.deepEqual([item.envId, item.featureId], [world.dev.id, text.id]);
      const versions = item.history.map((h: { version: number }) => h.version);
      assert.deepEqual(
        versions,
        [...versions].sort((a, b) => a - b),
      );
      assert.equal(item.history[0].who.id, world.adminId);
      const v2 = await admin.get(`${path}?featureIds=${text.id}&versions=2`);
      assert.deepEqual(
        v2.body.items[0].history.map((h: { version: number }) => h.version),
        [2],
      );
      const paged = await admin.get(`${path}?max=1&startAt=1&order=desc`);
      assert.equal(paged.body.items.length, 1);
      assert.ok(paged.body.max > 1);
      const { client: prodReader } = await world.client({ envs: { [world.prod.id]: ['READ'] } });
      const clamped = await prodReader.get(`${path}?environmentIds=${world.dev.id}`);
      assert.deepEqual([clamped.status, clamped.body.max], [200, 0]);
      assert.equal((await admin.get(`${path}?max=abc`)).status, 400);
    });
  });
}
