// Webhooks, Slack and the system config (issue 11, ADR 0010) through the built `featurehub` command, with a
// local receiver and a local fake Slack: what is delivered (headers, EnrichedFeatures body, who changed what
// from what), the test ping and the history, secrets never in clear, and the outbox's promise: nothing lost
// while the receiver is down or MR is killed, each event once per ce-id, in order per environment.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import {
  type NatsServer,
  skipUnlessNatsServerBinary,
  skipUnlessService,
  startNatsServer,
  startRole,
  until,
} from '@fh/test-support';
import { type Received, WebhookReceiver } from './test-support/webhook-receiver.ts';
import {
  everythingStored,
  FLAG,
  ok,
  startWebhookWorld,
  TEXT,
  type WebhookWorld,
} from './test-support/webhook-world.ts';

const SECRET_HEADER = 'bearer s3cr3t-header-value';
const SLACK_TOKEN = 'xoxb-very-secret-slack-token';
const HMAC_SECRET = 'hmac-shared-secret';

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** The value of `key` in an EnrichedFeatures body. */
function valueIn(hook: Received, key: string): any {
  const fv = hook.json.environment.fv as { feature: { key: string }; value: any }[];
  return fv.find((f) => f.feature.key === key)?.value;
}

async function enableWebhook(world: WebhookWorld, url: string, extra: Record<string, string> = {}) {
  const env = ok(
    await world.admin.get(`/environment/${world.environmentId}?includeDetails=true`),
    'environment',
  );
  return world.admin.put(`/environment/${world.environmentId}`, {
    ...env,
    webhookEnvironmentInfo: {
      'webhook.features.enabled': 'true',
      'webhook.features.endpoint': url,
      'webhook.features.header.x-tenant': 'shop-1',
      'webhook.features.header.authorization': SECRET_HEADER,
      'webhook.features.encrypt': 'webhook.features.header.authorization,webhook.features.hmac.secret',
      'webhook.features.hmac.secret': HMAC_SECRET,
      ...extra,
    },
  });
}

/** Saves a value through the admin API, based on whatever is current. */
async function setValue(world: WebhookWorld, key: string, value: unknown, client = world.admin) {
  const path = `/features/${world.environmentId}/feature/${key}`;
  for (let attempt = 0; ; attempt++) {
    const current = await client.get(path);
    const base = { ...(current.status === 200 ? current.body : { key }), locked: false };
    const body =
      typeof value === 'boolean' ? { ...base, valueBoolean: value } : { ...base, valueString: value };
    const res = await client.put(path, body);
    if (res.status === 409 && attempt < 5) continue;
    return ok(res, `set ${key}=${String(value)}`);
  }
}

describe('webhooks and Slack through the built party-ish server (SQLite)', () => {
  let world: WebhookWorld;
  const receiver = new WebhookReceiver();
  const slack = new WebhookReceiver();
  const hooks = () => receiver.at('/hook');

  before(async () => {
    await receiver.up();
    await slack.up();
    world = await startWebhookWorld('sqlite', {
      env: { SLACK_API_URL: `${slack.url}/api`, WEBHOOK_MAX_FAILURES: '0' },
    });
  });
  after(async () => {
    await world?.close();
    await receiver.down();
    await slack.down();
  });

  it('the system config: superusers only, known keys, secrets masked, decrypted only on request, stale versions refused', async () => {
    const all = ok(await world.admin.get('/system-api'), 'list');
    assert.ok(
      all.configs.some((c: any) => c.key === 'slack.bearerToken' && c.encrypted === true && c.version === -1),
    );
    const slackCfg = ok(await world.admin.get('/system-api?filters=slack.'), 'slack config');
    assert.equal(slackCfg.configs.find((c: any) => c.key === 'slack.enabled').value, false);

    const saved = ok(
      await world.admin.post('/system-api', {
        configs: [
          { key: 'slack.enabled', version: -1, value: true },
          { key: 'slack.bearerToken', version: -1, value: SLACK_TOKEN },
          { key: 'slack.defaultChannel', version: -1, value: 'C0DEFAULT' },
        ],
      }),
      'save slack',
    );
    const token = saved.configs.find((c: any) => c.key === 'slack.bearerToken');
    assert.deepEqual(token, {
      key: 'slack.bearerToken',
      encrypted: true,
      version: 1,
      value: 'ENCRYPTED-TEXT',
    });
    assert.ok(
      !JSON.stringify(ok(await world.admin.get('/system-api?filters=slack.'), 'read')).includes(SLACK_TOKEN),
    );
    assert.ok(
      !(await everythingStored(await world.db())).includes(SLACK_TOKEN),
      'the token is not stored in clear',
    );
    const decrypted = ok(await world.admin.get('/system-api/slack.bearerToken/decrypt'), 'decrypt');
    assert.equal(decrypted.result, SLACK_TOKEN);

    const unknown = await world.admin.post('/system-api', {
      configs: [{ key: 'slack.nope', version: -1, value: 1 }],
    });
    assert.equal(unknown.status, 400);
    assert.match(unknown.body.message, /unknown system config key\(s\): slack\.nope/);
    const stale = await world.admin.post('/system-api', {
      configs: [{ key: 'slack.enabled', version: -1, value: false }],
    });
    assert.equal(stale.status, 422);
    assert.match(stale.body.message, /slack\.enabled is at version 1, not -1/);
    const badUrl = await world.admin.post('/system-api', {
      configs: [{ key: 'slack.delivery.url', version: -1, value: 'ftp://nope' }],
    });
    assert.equal(badUrl.status, 400);
    const wrongType = await world.admin.post('/system-api', {
      configs: [{ key: 'slack.enabled', version: 1, value: 'yes' }],
    });
    assert.equal(wrongType.status, 400);

    const types = ok(await world.admin.get('/webhooks'), 'webhook types');
    assert.deepEqual(
      types.types.map((t: any) => t.messageType),
      ['enriched-feature-v1', 'integration/slack-v1'],
    );
  });

  it('environment webhook settings: the endpoint must be http(s); encrypted keys are masked in answers and sealed in the database', async () => {
    const bad = await enableWebhook(world, 'not a url');
    assert.equal(bad.status, 400);
    assert.match(bad.body.message, /webhook\.features\.endpoint must be an http\(s\) URL/);

    const saved = ok(await enableWebhook(world, `${receiver.url}/hook`), 'enable webhook');
    assert.equal(saved.webhookEnvironmentInfo['webhook.features.header.authorization'], 'ENCRYPTED-TEXT');
    assert.equal(saved.webhookEnvironmentInfo['webhook.features.header.x-tenant'], 'shop-1');
    assert.ok(!JSON.stringify(saved).includes(SECRET_HEADER));
    assert.ok(!JSON.stringify(saved).includes(HMAC_SECRET));
    const read = ok(await world.admin.get(`/environment/${world.environmentId}?includeDetails=true`), 'read');
    assert.ok(!JSON.stringify(read).includes(SECRET_HEADER));
    assert.ok(!(await everythingStored(await world.db())).includes(SECRET_HEADER));

    // Saving the masked form back keeps the secret (the receiver still gets it below).
    const again = ok(
      await world.admin.put(`/environment/${world.environmentId}`, {
        ...read,
        webhookEnvironmentInfo: { ...read.webhookEnvironmentInfo },
      }),
      'save back',
    );
    assert.equal(again.webhookEnvironmentInfo['webhook.features.header.authorization'], 'ENCRYPTED-TEXT');
  });

  it('a value change posts an enriched-feature-v1 cloud event: ce-* and configured headers, the features with pId, the changed key and the value before', async () => {
    const before = hooks().length;
    await setValue(world, FLAG, true);
    const hook = await until('the flag change to arrive', () =>
      hooks()
        .slice(before)
        .find((h) => h.json?.featureKeys?.includes(FLAG)),
    );
    assert.equal(hook.headers['ce-type'], 'enriched-feature-v1');
    assert.equal(hook.headers['ce-specversion'], '1.0');
    assert.match(String(hook.headers['ce-id']), /^[0-9a-f-]{36}$/);
    assert.ok(hook.headers['ce-source']);
    assert.ok(hook.headers['ce-time']);
    assert.equal(hook.headers['content-type'], 'application/json');
    assert.equal(hook.headers['x-tenant'], 'shop-1');
    assert.equal(hook.headers.authorization, SECRET_HEADER, 'the encrypted header arrives in clear');
    const signature = `sha256=${createHmac('sha256', HMAC_SECRET).update(hook.body).digest('hex')}`;
    assert.equal(hook.headers['x-featurehub-signature'], signature);

    const env = hook.json.environment;
    assert.equal(env.environment.id, world.environmentId);
    assert.equal(env.aId, world.applicationId);
    assert.equal(env.pId, world.portfolioId);
    assert.ok(env.oId);
    assert.deepEqual(hook.json.featureKeys, [FLAG]);
    const value = valueIn(hook, FLAG);
    assert.equal(value.value, true);
    assert.equal(value.pId, world.superuserId, 'pId names who changed it');
    assert.equal(typeof value.version, 'number');
    // A new BOOLEAN feature starts with a locked false in every environment: that is the value before.
    assert.equal(hook.json.previous[FLAG]?.value, false, JSON.stringify(hook.json.previous));
    assert.equal(hook.json.previous[FLAG].locked, true);
    assert.ok(
      !hook.body.includes(SECRET_HEADER) && !hook.body.includes(HMAC_SECRET),
      'no secret in the body',
    );

    await setValue(world, FLAG, false);
    const second = await until('the second change', () =>
      hooks()
        .slice(before)
        .find((h) => h.json?.featureKeys?.includes(FLAG) && valueIn(h, FLAG)?.value === false),
    );
    assert.equal(second.json.previous[FLAG]?.value, true, 'the value before the change');
  });

  it('a new feature, a feature change and an environment change each post the environment', async () => {
    const before = hooks().length;
    ok(
      await world.admin.post(`/application/${world.applicationId}/features`, {
        key: 'BRAND_NEW',
        name: 'Brand new',
        valueType: 'STRING',
      }),
      'new feature',
    );
    const created = await until('the new feature event', () =>
      hooks()
        .slice(before)
        .find((h) => h.json?.featureKeys?.includes('BRAND_NEW')),
    );
    assert.ok(created.json.environment.fv.some((f: any) => f.feature.key === 'BRAND_NEW'));

    const feature = ok(
      await world.admin.get(`/application/${world.applicationId}/features/BRAND_NEW`),
      'feature',
    );
    ok(
      await world.admin.put(`/application/${world.applicationId}/features/BRAND_NEW`, {
        ...feature,
        name: 'Brand new (renamed)',
      }),
      'rename feature',
    );
    await until(
      'the feature change event',
      () =>
        hooks()
          .slice(before)
          .filter((h) => h.json?.featureKeys?.includes('BRAND_NEW')).length >= 2,
    );

    const env = ok(await world.admin.get(`/environment/${world.environmentId}?includeDetails=true`), 'env');
    ok(
      await world.admin.put(`/environment/${world.environmentId}`, { ...env, description: 'changed' }),
      'update env',
    );
    await until('the environment change event', () =>
      hooks()
        .slice(before)
        .find((h) => Array.isArray(h.json?.featureKeys) && h.json.featureKeys.length === 0),
    );
  });

  it("a test-API change names the service account's person as pId", async () => {
    const before = hooks().length;
    const put = await fetch(`${world.servers[0]!.baseUrl}/features/${world.serverKey}/${TEXT}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ value: 'from-the-sdk', updateValue: true }),
    });
    assert.equal(put.status, 200);
    const hook = await until('the test-API change', () =>
      hooks()
        .slice(before)
        .find((h) => valueIn(h, TEXT)?.value === 'from-the-sdk'),
    );
    const pId = valueIn(hook, TEXT).pId;
    assert.ok(pId && pId !== world.superuserId, 'someone other than the admin');
    const stored = await (await world.db()).db
      .selectFrom('fh_service_account')
      .select('sdk_person_id')
      .where('id', '=', world.serviceAccountId)
      .executeTakeFirstOrThrow();
    assert.equal(pId, stored.sdk_person_id, "the service account's shadow person");
  });

  it('the test ping reaches the receiver, and the history lists every call with its details', async () => {
    const before = hooks().length;
    const res = await world.admin.post('/webhooks', {
      messageType: 'enriched-feature-v1',
      envId: world.environmentId,
      config: {},
    });
    assert.equal(res.status, 204, JSON.stringify(res.body));
    const ping = await until('the ping', () =>
      hooks()
        .slice(before)
        .find((h) => h.json?.featureKeys?.length === 0),
    );
    assert.equal(ping.headers['ce-type'], 'enriched-feature-v1');

    const list = ok(await world.admin.get(`/webhooks/${world.environmentId}?max=100`), 'history');
    assert.ok(list.max >= 4);
    assert.ok(list.results.every((r: any) => r.status === 200 && r.method === 'POST'));
    const detail = ok(
      await world.admin.get(`/webhooks/${world.environmentId}/${list.results[0].id}`),
      'detail',
    );
    assert.equal(detail.cloudEventType, 'enriched-feature-v1');
    assert.equal(detail.url, `${receiver.url}/hook`);
    assert.equal(detail.incomingHeaders['x-receiver'], 'test');
    assert.equal(detail.result, '{"received":true}');
    assert.equal(detail.outboundHeaders.authorization, '********', 'secrets are not shown in the history');
    assert.ok(detail.content.includes(world.environmentId));

    const bad = await world.admin.post('/webhooks', {
      messageType: 'enriched-feature-v1',
      envId: world.environmentId,
      config: { 'webhook.features.endpoint': 'mailto:x@example.com' },
    });
    assert.equal(bad.status, 400);
    assert.equal(
      (await world.admin.get(`/webhooks/${world.environmentId}/00000000-0000-4000-8000-000000000000`)).status,
      404,
    );
  });

  it('receiver down for 30 s, then up: every event arrives, in order', async () => {
    const before = hooks().length;
    await receiver.down();
    const sent: string[] = [];
    for (let i = 0; i < 6; i++) {
      sent.push(`down-${i}`);
      await setValue(world, TEXT, `down-${i}`);
    }
    await sleep(30_000);
    const history = ok(await world.admin.get(`/webhooks/${world.environmentId}?max=100`), 'history');
    assert.ok(
      history.results.some((r: any) => r.status === 0),
      'failed attempts are in the history',
    );
    await receiver.up();
    await until(
      'every event after the receiver is back',
      () =>
        hooks()
          .slice(before)
          .filter((h) => String(valueIn(h, TEXT)?.value).startsWith('down-')).length >= 6,
      20_000,
    );
    const arrived = hooks()
      .slice(before)
      .filter((h) => String(valueIn(h, TEXT)?.value).startsWith('down-'));
    const ids = arrived.map((h) => h.headers['ce-id']);
    assert.equal(new Set(ids).size, 6, 'six events, each with its own ce-id');
    // In order: each event's "before" is the value of the one before it.
    const befores = arrived.map((h) => h.json.previous[TEXT]?.value);
    assert.deepEqual(befores.slice(1), sent.slice(0, -1));
  });

  it('MR killed (SIGKILL) with deliveries pending: delivered after the restart, none lost, no new ce-id', async () => {
    const before = hooks().length;
    await receiver.down();
    for (let i = 0; i < 4; i++) await setValue(world, TEXT, `killed-${i}`);
    await sleep(500);
    const server = world.servers.shift()!;
    assert.equal(await server.stop('SIGKILL'), null);
    const pending = (await (
      await world.db()
    ).db
      .selectFrom('fh_webhook_outbox')
      .select(['id', 'status'])
      .where('status', '=', 'pending')
      .execute()) as { id: string }[];
    assert.equal(pending.length, 4, 'four events wait in the outbox');
    await receiver.up();
    const restarted = await world.start({ SLACK_API_URL: `${slack.url}/api`, WEBHOOK_MAX_FAILURES: '0' });
    world.admin = world.adminOn(restarted);
    await until(
      'the pending events after the restart',
      () =>
        hooks()
          .slice(before)
          .filter((h) => String(valueIn(h, TEXT)?.value).startsWith('killed-')).length >= 4,
      20_000,
    );
    await sleep(1000);
    const ids = hooks()
      .slice(before)
      .map((h) => String(h.headers['ce-id']));
    assert.deepEqual(
      [...new Set(ids)].sort(),
      pending.map((p) => p.id).sort(),
      'exactly the stored events, by their ce-id',
    );
  });

  it('Slack without a delivery URL: chat.postMessage on the (fake) Slack Web API says what changed, where, by whom, from what to what', async () => {
    const env = ok(await world.admin.get(`/environment/${world.environmentId}?includeDetails=true`), 'env');
    ok(
      await world.admin.put(`/environment/${world.environmentId}`, {
        ...env,
        webhookEnvironmentInfo: {
          'integration.slack.enabled': 'true',
          'integration.slack.channel_name': 'C0CHANNEL',
        },
      }),
      'enable slack',
    );
    const before = slack.received.length;
    await setValue(world, FLAG, true);
    const post = await until('the Slack message', () =>
      slack.received.slice(before).find((r) => r.path === '/api/chat.postMessage'),
    );
    assert.equal(post.headers.authorization, `Bearer ${SLACK_TOKEN}`);
    assert.equal(post.json.channel, 'C0CHANNEL');
    const text: string = post.json.text;
    for (const part of [FLAG, 'production', 'Checkout', 'Sam Super', 'from false', 'to true']) {
      assert.ok(text.includes(part), `"${text}" mentions ${part}`);
    }
  });

  it('the Slack test ping posts a test message now, and lands in the history; an unknown type is a 400', async () => {
    const before = slack.received.length;
    const res = await world.admin.post('/webhooks', {
      messageType: 'integration/slack-v1',
      envId: world.environmentId,
      config: {},
    });
    assert.ok(res.status >= 200 && res.status < 300, `ping: ${res.status} ${JSON.stringify(res.body)}`);
    const post = await until('the Slack test message', () =>
      slack.received.slice(before).find((r) => r.path === '/api/chat.postMessage'),
    );
    assert.equal(post.json.channel, 'C0CHANNEL');
    assert.match(
      post.json.text,
      /FeatureHub test message for environment production of application Checkout/,
    );
    const history = ok(
      await world.admin.get(`/webhooks/${world.environmentId}?filter=integration/slack-v1&max=1`),
      'history',
    );
    assert.equal(history.results[0].status, 200);

    const unknown = await world.admin.post('/webhooks', {
      messageType: 'no-such-type',
      envId: world.environmentId,
      config: {},
    });
    assert.equal(unknown.status, 400);
    assert.match(
      JSON.stringify(unknown.body),
      /cannot be tested; known: enriched-feature-v1, integration\/slack-v1/,
    );
  });

  it('slack.messageFormat.featureChange is the Mustache template of the Slack text; a broken one falls back to the default text and the message still goes', async () => {
    const setFormat = async (value: string) => {
      const cfg = ok(await world.admin.get('/system-api?filters=slack.messageFormat'), 'cfg');
      const current = cfg.configs.find((c: any) => c.key === 'slack.messageFormat.featureChange');
      ok(
        await world.admin.post('/system-api', {
          configs: [{ key: 'slack.messageFormat.featureChange', version: current.version, value }],
        }),
        'message format',
      );
    };
    const nextPost = async (value: boolean) => {
      const before = slack.received.length;
      await setValue(world, FLAG, value);
      return until('the Slack message', () =>
        slack.received.slice(before).find((r) => r.path === '/api/chat.postMessage'),
      );
    };

    await setFormat(
      ':rocket: *{{featureName}}* (`{{featureKey}}`) in {{environmentName}} of {{appName}} ({{portfolioName}}): ' +
        '{{featureValueUpdated.previous}} -> {{featureValueUpdated.updated}} by {{whoUpdated}}{{#lockUpdated}} lock{{/lockUpdated}}',
    );
    const templated = await nextPost(false);
    assert.equal(templated.json.channel, 'C0CHANNEL');
    const rendered: string = templated.json.text;
    assert.ok(rendered.startsWith(':rocket: *'), rendered);
    assert.ok(rendered.includes(`(\`${FLAG}\`) in production of Checkout (`), rendered);
    assert.ok(rendered.endsWith(': true -> false by Sam Super'), rendered);

    await setFormat('{{#featureKey}} never closed');
    const fallback = await nextPost(true);
    const text: string = fallback.json.text;
    for (const part of [FLAG, 'production', 'Checkout', 'Sam Super', 'from false', 'to true']) {
      assert.ok(text.includes(part), `"${text}" (the default text) mentions ${part}`);
    }
    assert.ok(
      world.servers.some((server) =>
        server.output.some((l) => l.includes('slack.messageFormat.featureChange could not be rendered')),
      ),
      'the MR says why the template was not used',
    );
  });

  it('Slack with a delivery URL: an integration/slack-v1 cloud event goes there instead', async () => {
    const cfg = ok(await world.admin.get('/system-api?filters=slack.delivery.url'), 'cfg');
    const current = cfg.configs.find((c: any) => c.key === 'slack.delivery.url');
    ok(
      await world.admin.post('/system-api', {
        configs: [
          { key: 'slack.delivery.url', version: current.version, value: `${receiver.url}/slack-events` },
        ],
      }),
      'delivery url',
    );
    await setValue(world, FLAG, false);
    const event = await until('the slack cloud event', () => receiver.at('/slack-events')[0]);
    assert.equal(event.headers['ce-type'], 'integration/slack-v1');
    assert.equal(event.json.additionalInfo['slack.channel'], 'C0CHANNEL');
    assert.deepEqual(event.json.featureKeys, [FLAG]);
    assert.ok(event.json.message.includes(FLAG));
  });
});

describe('a failing webhook is disabled after N failures (built party-ish server, SQLite)', () => {
  let world: WebhookWorld;
  const receiver = new WebhookReceiver();
  before(async () => {
    await receiver.up();
    receiver.status = 500;
    world = await startWebhookWorld('sqlite', {
      env: { WEBHOOK_MAX_FAILURES: '3', WEBHOOK_RETRY_MAX_MS: '200' },
    });
  });
  after(async () => {
    await world?.close();
    await receiver.down();
  });

  it('three failed attempts turn webhook.features.enabled off, with the reason, and stop the retries', async () => {
    ok(await enableWebhook(world, `${receiver.url}/hook`), 'enable');
    await setValue(world, FLAG, true);
    const env = await until('the webhook to be disabled', async () => undefined, 1).catch(() => undefined);
    void env;
    let info: Record<string, string> = {};
    for (let i = 0; i < 100; i++) {
      const read = ok(
        await world.admin.get(`/environment/${world.environmentId}?includeDetails=true`),
        'env',
      );
      info = read.webhookEnvironmentInfo;
      if (info['webhook.features.enabled'] === 'false') break;
      await sleep(100);
    }
    assert.equal(info['webhook.features.enabled'], 'false');
    assert.match(info['webhook.features.disabled.reason'] ?? '', /disabled after 3 failed deliveries/);
    const calls = receiver.at('/hook').length;
    await sleep(1000);
    assert.equal(receiver.at('/hook').length, calls, 'no more attempts');
  });
});

describe('WEBHOOK_REFUSE_PRIVATE_NETWORKS=true (built party-ish server, SQLite)', () => {
  let world: WebhookWorld;
  const receiver = new WebhookReceiver();
  before(async () => {
    await receiver.up();
    world = await startWebhookWorld('sqlite', { env: { WEBHOOK_REFUSE_PRIVATE_NETWORKS: 'true' } });
  });
  after(async () => {
    await world?.close();
    await receiver.down();
  });

  it('a loopback receiver is never called; the history says why', async () => {
    ok(await enableWebhook(world, `${receiver.url}/hook`), 'enable');
    await setValue(world, FLAG, true);
    let detail: any;
    for (let i = 0; i < 100 && !detail; i++) {
      const list = ok(await world.admin.get(`/webhooks/${world.environmentId}`), 'history');
      if (list.results.length > 0) {
        detail = ok(
          await world.admin.get(`/webhooks/${world.environmentId}/${list.results[0].id}`),
          'detail',
        );
      } else await sleep(100);
    }
    assert.equal(detail?.status, 0);
    assert.match(detail?.result ?? '', /loopback or private-network address/);
    assert.equal(receiver.received.length, 0);
  });
});

for (const dialect of ['postgres', 'mysql'] as const) {
  const skip = await skipUnlessService(dialect);
  describe(`the outbox on ${dialect}: two MR processes on one database deliver each event once, in order`, {
    skip,
  }, () => {
    let world: WebhookWorld;
    const receiver = new WebhookReceiver();
    before(async () => {
      await receiver.up();
      world = await startWebhookWorld(dialect, { env: { WEBHOOK_ENCRYPTION_KEY: 'test-key-for-ci' } });
      await world.start();
    });
    after(async () => {
      await world?.close();
      await receiver.down();
    });

    it('40 changes through both processes arrive once each, each environment in order', async () => {
      ok(await enableWebhook(world, `${receiver.url}/hook`), 'enable');
      const clients = world.servers.map((s) => world.adminOn(s));
      const sent: string[] = [];
      for (let i = 0; i < 40; i++) {
        sent.push(`v${i}`);
        await setValue(world, TEXT, `v${i}`, clients[i % 2]);
      }
      // The value changes (the settings change before them is an event of its own, with no feature keys).
      const mine = () => receiver.at('/hook').filter((h) => h.json?.featureKeys?.includes(TEXT));
      await until('all 40 events', () => mine().length >= 40, 30_000);
      await sleep(1500);
      const all = receiver.at('/hook');
      assert.equal(new Set(all.map((h) => h.headers['ce-id'])).size, all.length, 'no event twice');
      const arrived = mine();
      assert.equal(arrived.length, 40);
      assert.deepEqual(
        arrived.map((h) => valueIn(h, TEXT).value),
        sent,
        'in the order they were made',
      );
      assert.ok(!(await everythingStored(await world.db())).includes(SECRET_HEADER));
    });

    it('a test-API change through Edge-REST goes into the outbox and an MR process delivers it', async () => {
      const edgeRest = await startRole('edge-rest', { env: world.env, timeoutMs: 30_000 });
      world.servers.push(edgeRest);
      await edgeRest.waitUntilReady(20_000);
      const put = await fetch(`${edgeRest.baseUrl}/features/${world.serverKey}/${TEXT}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ value: 'via-edge-rest', updateValue: true }),
      });
      assert.equal(put.status, 200);
      const hook = await until('the Edge-REST change', () =>
        receiver.at('/hook').find((h) => valueIn(h, TEXT)?.value === 'via-edge-rest'),
      );
      assert.deepEqual(hook.json.featureKeys, [TEXT]);
      assert.notEqual(valueIn(hook, TEXT).pId, world.superuserId, "the service account's person");
    });
  });
}

// MR on its own (the `mr` role, publishing over NATS to Dacha and Edge) runs the same delivery worker: an admin-API
// change and a test-API change made at a separate Edge (which travels to MR over NATS) are both delivered.
const natsSkip = (await skipUnlessService('postgres')) || (await skipUnlessNatsServerBinary());
describe('webhooks from the mr role scaled out over NATS (PostgreSQL)', { skip: natsSkip }, () => {
  let nats: NatsServer;
  let world: WebhookWorld;
  const receiver = new WebhookReceiver();
  before(async () => {
    await receiver.up();
    nats = await startNatsServer();
    world = await startWebhookWorld('postgres', {
      role: 'mr',
      env: {
        WEBHOOK_ENCRYPTION_KEY: 'test-key-for-ci',
        NATS_URL: nats.url,
        CACHE_TIMEOUT_MS: '400',
        CACHE_CATCH_UP_SECONDS: '1',
      },
    });
  });
  after(async () => {
    await world?.close();
    await nats?.stop();
    await receiver.down();
  });

  it('an admin-API change and a test-API change at a separate Edge both reach the receiver', async () => {
    ok(await enableWebhook(world, `${receiver.url}/hook`), 'enable');
    await setValue(world, TEXT, 'from-the-admin-api');
    const fromAdmin = await until('the admin-API change', () =>
      receiver.at('/hook').find((h) => valueIn(h, TEXT)?.value === 'from-the-admin-api'),
    );
    assert.equal(valueIn(fromAdmin, TEXT).pId, world.superuserId);

    for (const role of ['dacha', 'edge']) {
      const r = await startRole(role, { env: world.env, timeoutMs: 30_000 });
      world.servers.push(r);
      await r.waitUntilReady(20_000);
    }
    const edge = world.servers.at(-1)!;
    // The Edge answers once Dacha has the environment (a cache that is still filling answers otherwise).
    let status = 0;
    for (let i = 0; i < 100 && status !== 200 && status !== 202; i++) {
      if (i > 0) await sleep(200);
      const res = await fetch(`${edge.baseUrl}/features/${world.serverKey}/${TEXT}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ value: 'from-the-edge', updateValue: true }),
      });
      status = res.status;
    }
    assert.ok(status === 200 || status === 202, `the Edge accepted the test-API change (${status})`);
    const fromEdge = await until('the test-API change', () =>
      receiver.at('/hook').find((h) => valueIn(h, TEXT)?.value === 'from-the-edge'),
    );
    assert.deepEqual(fromEdge.json.featureKeys, [TEXT]);
    assert.notEqual(valueIn(fromEdge, TEXT).pId, world.superuserId, "the service account's person");
  });
});
