import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { skipUnlessService } from '@fh/test-support';
import { expectError, expectOk } from '../testing/assertions.ts';
import {
  grantRoles,
  loginAs,
  type SeededOrganisation,
  seedPerson,
  superuserClient,
} from '../testing/organisation-world.ts';
import { RecordingPublisher } from '../testing/recording-publisher.ts';
import type { MrClient, TestMr } from '../testing/test-mr.ts';
import { startTestMr } from '../testing/test-mr.ts';

interface ApiEnv {
  id: string;
  name: string;
  version: number;
  priorEnvironmentId?: string | null;
  [key: string]: unknown;
}

/** A portfolio with one application (and its production environment). */
async function newApplication(mr: TestMr, su: MrClient, name: string) {
  const p = expectOk(mr, 'createPortfolio', await su.post('/portfolio', { name, description: null }));
  const app = expectOk(
    mr,
    'createApplication',
    await su.post(`/portfolio/${p.id}/application?includeEnvironments=true`, {
      name: 'App',
      description: '',
    }),
  );
  return { portfolioId: p.id as string, appId: app.id as string, production: app.environments[0] as ApiEnv };
}

for (const dialect of ['sqlite', 'postgres', 'mysql'] as const) {
  describe(`environment API (${dialect})`, {
    skip: dialect === 'sqlite' ? false : await skipUnlessService(dialect),
  }, () => {
    let mr: TestMr;
    let su: MrClient;
    let seeded: SeededOrganisation;
    const publisher = new RecordingPublisher();

    before(async () => {
      mr = await startTestMr({ dialect, publisher });
      const s = await superuserClient(mr);
      su = s.client;
      seeded = s;
    });
    after(async () => {
      await mr?.close();
    });

    const names = async (appId: string, order = 'PRIORITY') =>
      (
        expectOk(
          mr,
          'findEnvironments',
          await su.get(`/application/${appId}/environment?order=${order}`),
        ) as ApiEnv[]
      ).map((e) => e.name);

    it('creates environments in promotion order, with default values for boolean features', async () => {
      const { appId, production } = await newApplication(mr, su, 'Create');
      const flag = await mr.stores.features.create({
        applicationId: appId,
        key: 'flag',
        name: 'flag',
        valueType: 'BOOLEAN',
      });
      const text = await mr.stores.features.create({
        applicationId: appId,
        key: 'text',
        name: 'text',
        valueType: 'STRING',
      });
      publisher.clear();
      const dev = expectOk(
        mr,
        'createEnvironmentOnApplication',
        await su.post(`/application/${appId}/environment`, {
          name: 'dev',
          description: 'development',
          environmentInfo: { cacheControl: 'max-age=10', 'mgmt.cacheControl': 'no-store' },
        }),
      );
      assert.deepEqual(dev.environmentInfo, { cacheControl: 'max-age=10' });
      assert.equal(dev.production, false);
      assert.equal(dev.priorEnvironmentId, production.id, 'appended after the last');
      assert.equal(publisher.environments().get(dev.id), 'create');
      const value = await mr.stores.featureValues.find(dev.id, flag.id);
      assert.equal(value?.value, 'false');
      assert.equal(value?.locked, true);
      assert.equal(await mr.stores.featureValues.find(dev.id, text.id), undefined);

      // the deprecated alias, inserting between production and dev
      const staging = expectOk(
        mr,
        'createEnvironment',
        await su.post(`/application/${appId}/permissions`, {
          name: 'staging',
          description: '',
          priorEnvironmentId: production.id,
        }),
      );
      assert.deepEqual(await names(appId), ['production', 'staging', 'dev']);
      assert.deepEqual(await names(appId, 'ASC'), ['dev', 'production', 'staging']);
      assert.deepEqual(await names(appId, 'DESC'), ['staging', 'production', 'dev']);
      assert.equal(publisher.environments().get(staging.id), 'create');
      expectError(await su.post(`/application/${appId}/environment`, { name: 'dev', description: '' }), 409);
    });

    it('updates partially, merging webhook settings, and refuses stale versions', async () => {
      const { appId, production } = await newApplication(mr, su, 'Update');
      const updated = expectOk(
        mr,
        'updateEnvironmentOnApplication',
        await su.put(`/application/${appId}/environment`, {
          id: production.id,
          version: production.version,
          description: 'live',
          webhookEnvironmentInfo: {
            'webhook.features.endpoint': 'https://hook',
            'webhook.features.headers.X': 'a',
          },
        }),
      );
      assert.equal(updated.name, 'production');
      assert.equal(updated.description, 'live');
      assert.equal(updated.production, true);
      const merged = expectOk(
        mr,
        'updateEnvironmentV2',
        await su.put(`/environment/${production.id}/v2`, {
          version: updated.version,
          webhookEnvironmentInfo: {
            'webhook.features.enabled': 'true',
            'webhook.features.headers.X.deleted': 'y',
          },
          environmentInfo: { a: 'b' },
        }),
      );
      assert.deepEqual(merged.webhookEnvironmentInfo, {
        'webhook.features.endpoint': 'https://hook',
        'webhook.features.enabled': 'true',
      });
      assert.deepEqual(merged.environmentInfo, { a: 'b' });
      const renamed = expectOk(
        mr,
        'updateEnvironment',
        await su.put(`/environment/${production.id}`, {
          id: production.id,
          name: 'live',
          version: merged.version,
        }),
      );
      assert.equal(renamed.name, 'live');
      assert.equal(renamed.description, 'live');
      expectError(
        await su.put(`/environment/${production.id}/v2`, { version: production.version, name: 'stale' }),
        422,
      );
      const got = expectOk(
        mr,
        'getEnvironment',
        await su.get(`/environment/${production.id}?includeDetails=true`),
      );
      assert.equal(got.name, 'live');
      assert.equal(got.webhookEnvironmentInfo['webhook.features.enabled'], 'true');
    });

    it('reorders environments, rejecting cycles and stale versions without changing anything', async () => {
      const { appId, production } = await newApplication(mr, su, 'Order');
      const create = async (name: string) =>
        expectOk(
          mr,
          'createEnvironmentOnApplication',
          await su.post(`/application/${appId}/environment`, { name, description: '' }),
        ) as ApiEnv;
      const test = await create('test');
      const dev = await create('dev');
      const envs = expectOk(
        mr,
        'findEnvironments',
        await su.get(`/application/${appId}/environment`),
      ) as ApiEnv[];
      const current = (id: string) => envs.find((e) => e.id === id)!;

      const cycle = await su.post(`/application/${appId}/environment-ordering`, [
        { ...current(production.id), priorEnvironmentId: dev.id },
      ]);
      expectError(cycle, 400, /cycle/);
      const stale = await su.post(`/application/${appId}/environment-ordering`, [
        { ...current(dev.id), priorEnvironmentId: null, version: 0 },
      ]);
      expectError(stale, 400, /version/);
      assert.equal(stale.body.code, 'stale_version');
      expectError(
        await su.post(`/application/${appId}/environment-ordering`, [
          { id: randomUUID(), name: 'ghost', version: 1, priorEnvironmentId: null },
        ]),
        400,
        /not an environment/,
      );
      assert.deepEqual(await names(appId), ['production', 'test', 'dev']);

      publisher.clear();
      const reordered = expectOk(
        mr,
        'environmentOrdering',
        await su.post(`/application/${appId}/environment-ordering`, [
          { ...current(dev.id), priorEnvironmentId: null },
          { ...current(test.id), priorEnvironmentId: dev.id },
          { ...current(production.id), priorEnvironmentId: test.id },
        ]),
      ) as ApiEnv[];
      assert.deepEqual(
        reordered.map((e) => e.name),
        ['dev', 'test', 'production'],
      );
      assert.deepEqual([...publisher.environments().keys()].sort(), [dev.id, test.id, production.id].sort());
    });

    it('deletes an environment, relinking its follower and telling the caches', async () => {
      const { appId, production } = await newApplication(mr, su, 'Delete');
      const middle = expectOk(
        mr,
        'createEnvironmentOnApplication',
        await su.post(`/application/${appId}/environment`, { name: 'middle', description: '' }),
      );
      const last = expectOk(
        mr,
        'createEnvironmentOnApplication',
        await su.post(`/application/${appId}/environment`, { name: 'last', description: '' }),
      );
      publisher.clear();
      assert.equal(expectOk(mr, 'deleteEnvironment', await su.delete(`/environment/${middle.id}`)), true);
      assert.equal(publisher.environments().get(middle.id), 'delete');
      assert.equal(publisher.environments().get(last.id), 'upsert');
      const lastNow = expectOk(mr, 'getEnvironment', await su.get(`/environment/${last.id}`));
      assert.equal(lastNow.priorEnvironmentId, production.id);
      expectError(await su.get(`/environment/${middle.id}`), 404);
      expectError(await su.delete(`/environment/${middle.id}`), 404);
      assert.deepEqual(await names(appId), ['production', 'last']);
    });

    it('shows members only their environments, with service accounts and SDK URLs they may see', async () => {
      const { portfolioId, appId, production } = await newApplication(mr, su, 'Members');
      const hidden = expectOk(
        mr,
        'createEnvironmentOnApplication',
        await su.post(`/application/${appId}/environment`, { name: 'hidden', description: '' }),
      );
      const sa = await mr.stores.serviceAccounts.create({
        portfolioId,
        name: 'sdk',
        apiKeyServerSide: `server-${randomUUID()}`,
        apiKeyClientSide: `client*${randomUUID()}`,
      });
      await mr.stores.serviceAccounts.setPermissions(sa.id, [
        { environmentId: production.id, roles: ['READ'] },
      ]);
      const person = await seedPerson(mr.stores, 'member');
      const group = await grantRoles(mr.stores, {
        org: seeded.org,
        portfolioId,
        personId: person.id,
        environmentRoles: [{ environmentId: production.id, roles: ['READ'] }],
      });
      const member = await loginAs(mr, person);
      const listed = expectOk(
        mr,
        'findEnvironments',
        await member.get(`/application/${appId}/environment?includeAcls=true&includeFeatures=true`),
      ) as ApiEnv[];
      assert.deepEqual(
        listed.map((e) => e.name),
        ['production'],
      );
      assert.deepEqual(listed[0]?.groupRoles, [
        { environmentId: production.id, groupId: group.id, roles: ['READ'] },
      ]);
      expectError(await member.get(`/environment/${hidden.id}`), 403);
      const got = expectOk(
        mr,
        'getEnvironment',
        await member.get(`/environment/${production.id}?includeServiceAccounts=true&includeSdkUrl=true`),
      );
      assert.equal(
        got.serviceAccountPermission[0].sdkUrlServerEval,
        `${production.id}/${sa.apiKeyServerSide}`,
      );
      expectError(
        await member.post(`/application/${appId}/environment`, { name: 'x', description: '' }),
        403,
      );
      expectError(
        await member.put(`/environment/${production.id}/v2`, { version: production.version, name: 'x' }),
        403,
      );
      expectError(await member.delete(`/environment/${production.id}`), 403);
      expectError(await member.post(`/application/${appId}/environment-ordering`, []), 403);
    });
  });
}

describe('environment API: refusals (sqlite)', () => {
  let mr: TestMr;
  let su: MrClient;

  before(async () => {
    mr = await startTestMr();
    su = (await superuserClient(mr)).client;
  });
  after(async () => {
    await mr?.close();
  });

  it('answers 401 to every operation without a valid token', async () => {
    const id = randomUUID();
    const anonymous = mr.client;
    const create = { name: 'x', description: '' };
    expectError(await anonymous.get(`/application/${id}/environment`), 401);
    expectError(await anonymous.post(`/application/${id}/environment`, create), 401);
    expectError(await anonymous.post(`/application/${id}/permissions`, create), 401);
    expectError(await anonymous.put(`/application/${id}/environment`, { id, version: 1 }), 401);
    expectError(await anonymous.post(`/application/${id}/environment-ordering`, []), 401);
    expectError(await anonymous.get(`/environment/${id}`), 401);
    expectError(await anonymous.put(`/environment/${id}`, { id, name: 'x', version: 1 }), 401);
    expectError(await anonymous.put(`/environment/${id}/v2`, { version: 1 }), 401);
    expectError(await anonymous.delete(`/environment/${id}`), 401);
  });

  it('answers 404 for unknown ids and 400 for invalid bodies, changing nothing', async () => {
    const id = randomUUID();
    const { appId, production } = await newApplication(mr, su, 'Refusals');
    const other = await newApplication(mr, su, 'Other');
    expectError(await su.get(`/application/${id}/environment`), 404);
    expectError(await su.post(`/application/${id}/environment`, { name: 'x', description: '' }), 404);
    expectError(await su.get(`/environment/${id}`), 404);
    expectError(await su.put(`/environment/${id}/v2`, { version: 1 }), 404);
    expectError(await su.put(`/environment/${id}`, { id, name: 'x', version: 1 }), 404);
    expectError(await su.delete(`/environment/${id}`), 404);
    expectError(await su.post(`/application/${id}/environment-ordering`, []), 404);
    expectError(
      await su.put(`/application/${other.appId}/environment`, {
        id: production.id,
        version: production.version,
      }),
      404,
    );
    expectError(
      await su.post(`/application/${appId}/environment`, {
        name: 'x',
        description: '',
        priorEnvironmentId: other.production.id,
      }),
      400,
      /not an environment of application/,
    );
    expectError(await su.post(`/application/${appId}/environment`, { name: 'x' }), 400, /description/);
    expectError(await su.post(`/application/${appId}/environment`, { name: '', description: '' }), 400);
    expectError(
      await su.post(`/application/${appId}/environment`, { name: '  ', description: '' }),
      400,
      /blank/,
    );
    expectError(
      await su.post(`/application/${appId}/environment`, {
        name: 'x',
        description: '',
        environmentInfo: { a: 1 },
      }),
      400,
    );
    expectError(
      await su.put(`/environment/${production.id}/v2`, {
        version: production.version,
        environmentInfo: { 'k\u0000': 'v' },
      }),
      400,
      /NUL/,
    );
    expectError(await su.put(`/environment/${production.id}/v2`, { name: 'x' }), 400, /version/);
    expectError(
      await su.put(`/environment/${production.id}`, { id: production.id, name: 'x' }),
      400,
      /version/,
    );
    expectError(
      await su.post(`/application/${appId}/environment-ordering`, [
        { id: production.id, name: 'production', priorEnvironmentId: null },
      ]),
      400,
      /version/,
    );
    expectError(await su.post(`/application/${appId}/environment-ordering`, { not: 'a list' }), 400);
    expectError(
      await su.put(`/environment/${production.id}/v2`, {
        version: production.version,
        priorEnvironmentId: other.production.id,
      }),
      400,
    );
    expectError(await su.get('/environment/not-a-uuid'), 400);
    expectError(await su.get(`/application/${appId}/environment?order=RANDOM`), 400);
    const now = await mr.stores.environments.findById(production.id);
    assert.equal(now?.name, 'production');
    assert.equal(now?.version, production.version);
  });
});
