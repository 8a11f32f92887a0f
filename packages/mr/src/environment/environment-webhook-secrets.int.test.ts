// `decryptWebhookDetails` on GET /environment/{eid}: upstream's admin UI asks for an environment's webhook
// settings in clear to edit them. Superusers and admins of the environment's portfolio get them; anyone else
// who may read the environment is refused, and without the flag the secrets stay masked.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { expectError, expectOk } from '../testing/assertions.ts';
import { grantRoles, loginAs, seedPerson, superuserClient } from '../testing/organisation-world.ts';
import type { MrClient, TestMr } from '../testing/test-mr.ts';
import { startTestMr } from '../testing/test-mr.ts';

const AUTH = 'Bearer s3cret-token';
const HMAC = 'hmac-key-42';

describe('decrypted webhook settings on GET /environment/{eid}', () => {
  let mr: TestMr;
  let su: MrClient;
  let admin: MrClient;
  let reader: MrClient;
  let envId: string;

  before(async () => {
    mr = await startTestMr();
    const s = await superuserClient(mr);
    su = s.client;
    const p = expectOk(
      mr,
      'createPortfolio',
      await su.post('/portfolio', { name: 'Hooks', description: null }),
    );
    const app = expectOk(
      mr,
      'createApplication',
      await su.post(`/portfolio/${p.id}/application?includeEnvironments=true`, {
        name: 'App',
        description: '',
      }),
    );
    const production = app.environments[0] as { id: string; version: number };
    envId = production.id;
    expectOk(
      mr,
      'updateEnvironmentV2',
      await su.put(`/environment/${envId}/v2`, {
        version: production.version,
        webhookEnvironmentInfo: {
          'webhook.features.enabled': 'true',
          'webhook.features.endpoint': 'https://hooks.example.com/in',
          'webhook.features.header.authorization': AUTH,
          'webhook.features.hmac.secret': HMAC,
          'webhook.features.encrypt': 'webhook.features.header.authorization,webhook.features.hmac.secret',
        },
      }),
    );
    const adminPerson = await seedPerson(mr.stores, 'portfolio-admin');
    await grantRoles(mr.stores, { org: s.org, portfolioId: p.id, personId: adminPerson.id, admin: true });
    admin = await loginAs(mr, adminPerson);
    const readerPerson = await seedPerson(mr.stores, 'reader');
    await grantRoles(mr.stores, {
      org: s.org,
      portfolioId: p.id,
      personId: readerPerson.id,
      environmentRoles: [{ environmentId: envId, roles: ['READ', 'CHANGE_VALUE'] }],
    });
    reader = await loginAs(mr, readerPerson);
  });
  after(async () => {
    await mr?.close();
  });

  it('without the flag the secrets are masked', async () => {
    const got = expectOk(mr, 'getEnvironment', await su.get(`/environment/${envId}?includeDetails=true`));
    assert.equal(got.webhookEnvironmentInfo['webhook.features.header.authorization'], 'ENCRYPTED-TEXT');
    assert.equal(got.webhookEnvironmentInfo['webhook.features.hmac.secret'], 'ENCRYPTED-TEXT');
  });

  it('a superuser and a portfolio admin get them in clear, without salts or sealed copies', async () => {
    for (const client of [su, admin]) {
      const got = expectOk(
        mr,
        'getEnvironment',
        await client.get(`/environment/${envId}?includeDetails=true&decryptWebhookDetails=true`),
      );
      assert.deepEqual(got.webhookEnvironmentInfo, {
        'webhook.features.enabled': 'true',
        'webhook.features.endpoint': 'https://hooks.example.com/in',
        'webhook.features.header.authorization': AUTH,
        'webhook.features.hmac.secret': HMAC,
        'webhook.features.encrypt': 'webhook.features.header.authorization,webhook.features.hmac.secret',
      });
    }
  });

  it('someone who may only read the environment is refused with a clear 403', async () => {
    const plain = expectOk(
      mr,
      'getEnvironment',
      await reader.get(`/environment/${envId}?includeDetails=true`),
    );
    assert.equal(plain.webhookEnvironmentInfo, undefined, 'readers never see webhook settings');
    expectError(
      await reader.get(`/environment/${envId}?includeDetails=true&decryptWebhookDetails=true`),
      403,
      /decrypted/,
    );
  });

  it('as upstream, the flag shows nothing without includeDetails', async () => {
    const got = expectOk(
      mr,
      'getEnvironment',
      await admin.get(`/environment/${envId}?decryptWebhookDetails=true`),
    );
    assert.equal(got.webhookEnvironmentInfo, undefined);
    const readerGot = expectOk(
      mr,
      'getEnvironment',
      await reader.get(`/environment/${envId}?decryptWebhookDetails=true`),
    );
    assert.equal(readerGot.webhookEnvironmentInfo, undefined);
  });

  it('the stored settings stay sealed', async () => {
    const stored = await mr.stores.environments.findById(envId);
    assert.ok(stored);
    const info = stored.webhookEnvironmentInfo;
    assert.notEqual(info['webhook.features.header.authorization'], AUTH);
    assert.ok(!JSON.stringify(info).includes(HMAC));
  });
});
