import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { MrClient } from '@fh/mr/testing';
import { type RunningRole, startRole } from '@fh/test-support';
import { EdgeFeatureHubConfig, FHLog, Readyness } from 'featurehub-javascript-node-sdk';

FHLog.fhLog.quiet();

async function until<T>(what: string, probe: () => T | undefined | false, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

function ok<T = any>(res: { status: number; body: T }, what: string): T {
  assert.ok(res.status >= 200 && res.status < 300, `${what}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

describe('the party server end to end: admin API → cache → Edge → the real SDK', () => {
  let party: RunningRole;
  let admin: MrClient;
  let envId: string;
  let clientKey: string;
  let serverKey: string;
  const configs: EdgeFeatureHubConfig[] = [];

  before(async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'fh-e2e-')), 'featurehub.db');
    party = await startRole('party', { env: { DB_URL: `sqlite:${file}` } });
    await party.waitUntilReady();
    const anonymous = new MrClient(party.baseUrl);
    const init = ok<any>(
      await anonymous.post('/initialize', {
        organizationName: 'Acme',
        portfolio: 'Shop',
        name: 'Ada Admin',
        emailAddress: 'ada@example.com',
        password: 'password123',
      }),
      'initialize',
    );
    admin = anonymous.withToken(init.accessToken);
    const portfolio = ok<any[]>(await admin.get('/portfolio'), 'portfolios')[0];
    const app = ok<any>(
      await admin.post(`/portfolio/${portfolio.id}/application`, { name: 'web', description: 'the shop' }),
      'create application',
    );
    const envs = ok<any[]>(await admin.get(`/application/${app.id}/environment`), 'environments');
    envId = envs[0].id;
    for (const [key, valueType] of [
      ['FLAG', 'BOOLEAN'],
      ['BANNER', 'STRING'],
      ['LIMIT', 'NUMBER'],
      ['CONFIG', 'JSON'],
    ]) {
      ok(await admin.post(`/application/${app.id}/features`, { key, name: key, valueType }), `create ${key}`);
    }
    const sa = ok<any>(
      await admin.post(`/portfolio/${portfolio.id}/service-account`, {
        name: 'web-sdk',
        description: 'the web front end',
        permissions: [{ environmentId: envId, permissions: ['READ', 'CHANGE_VALUE', 'LOCK', 'UNLOCK'] }],
      }),
      'create service account',
    );
    clientKey = `${envId}/${sa.apiKeyClientSide}`;
    serverKey = `${envId}/${sa.apiKeyServerSide}`;
    assert.match(sa.apiKeyClientSide, /\*/);
  });

  after(async () => {
    for (const c of configs) c.close();
    await party?.stop();
  });

  async function setValue(key: string, change: Record<string, unknown>): Promise<any> {
    const current = await admin.get(`/features/${envId}/feature/${key}`);
    if (current.status === 200) {
      return ok(
        await admin.put(`/features/${envId}/feature/${key}`, { ...current.body, ...change }),
        `update ${key}`,
      );
    }
    return ok(
      await admin.post(`/features/${envId}/feature/${key}`, { key, locked: false, version: 0, ...change }),
      `create value ${key}`,
    );
  }

  /** Server-evaluated keys connect per context (`newContext().build()`); init() would open an extra stream. */
  function connect(apiKey: string, options: { init?: boolean } = {}): EdgeFeatureHubConfig {
    const config = new EdgeFeatureHubConfig(party.baseUrl, apiKey);
    configs.push(config);
    if (options.init !== false) config.init();
    return config;
  }

  it('delivers values of every type set in MR to an SSE client, and every later change', async () => {
    await setValue('FLAG', { locked: false, valueBoolean: true });
    await setValue('BANNER', { valueString: 'hello' });
    await setValue('LIMIT', { valueNumber: 42.5 });
    await setValue('CONFIG', { valueJson: '{"colour":"blue"}' });

    const config = connect(clientKey);
    const repo = config.repository();
    await until('ready', () => repo.readyness === Readyness.Ready);
    await until('values', () => repo.feature('CONFIG').getRawJson() !== undefined);
    assert.equal(repo.feature('FLAG').getBoolean(), true);
    assert.equal(repo.feature('BANNER').getString(), 'hello');
    assert.equal(repo.feature('LIMIT').getNumber(), 42.5);
    assert.deepEqual(JSON.parse(repo.feature('CONFIG').getRawJson()!), { colour: 'blue' });

    await setValue('BANNER', { valueString: 'goodbye' });
    await until('the change', () => repo.feature('BANNER').getString() === 'goodbye');
  });

  it('evaluates a country strategy on the server for a server-evaluated key with a context', async () => {
    await setValue('BANNER', {
      valueString: 'hello',
      rolloutStrategies: [
        {
          name: 'kiwis',
          value: 'kia ora',
          attributes: [
            { conditional: 'EQUALS', fieldName: 'country', type: 'STRING', values: ['new_zealand'] },
          ],
        },
      ],
    });
    // One config per context: each server-evaluated context holds its own stream, closed with its config.
    const nz = await connect(serverKey, { init: false })
      .newContext()
      .country('new_zealand' as never)
      .build();
    await until('kia ora', () => nz.feature('BANNER').getString() === 'kia ora');
    const other = await connect(serverKey, { init: false })
      .newContext()
      .country('australia' as never)
      .build();
    await until('hello', () => other.feature('BANNER').getString() === 'hello');
  });

  it('stores a test-API update in MR as a new version with history', async () => {
    const before = ok<any>(await admin.get(`/features/${envId}/feature/LIMIT`), 'read LIMIT');
    const res = await fetch(`${party.baseUrl}/features/${clientKey}/LIMIT`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ value: 7 }),
    });
    assert.equal(res.status, 200);
    const afterUpdate = ok<any>(await admin.get(`/features/${envId}/feature/LIMIT`), 'read LIMIT again');
    assert.equal(afterUpdate.valueNumber, 7);
    assert.ok(afterUpdate.version > before.version);
    const app = ok<any[]>(await admin.get('/portfolio?includeApplications=true'), 'portfolios')[0]
      .applications[0];
    const history = ok<any>(
      await admin.get(`/application/${app.id}/feature-history?featureKeys=LIMIT&environmentIds=${envId}`),
      'history',
    );
    const versions = history.items.flatMap((i: any) => i.history.map((h: any) => h.value));
    assert.ok(versions.includes(7) || versions.includes('7'), JSON.stringify(history));

    const same = await fetch(`${party.baseUrl}/features/${clientKey}/LIMIT`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ value: 7 }),
    });
    assert.equal(same.status, 202, 'no change → 202');
  });

  it('removes a retired feature from the SDK', async () => {
    const config = connect(clientKey);
    const repo = config.repository();
    await until('FLAG', () => repo.feature('FLAG').getBoolean() !== undefined);
    await setValue('FLAG', { retired: true });
    await until('FLAG gone', () => repo.feature('FLAG').getBoolean() === undefined);
  });

  it('fails an SDK with an unknown key cleanly', async () => {
    const config = connect(`${envId}/nonexistentkey12345`);
    const repo = config.repository();
    await until('failed', () => repo.readyness === Readyness.Failed, 8000);
  });
});
