import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { silentLogger } from '@fh/service-kit';
import { UnitOfWork } from '../core/unit-of-work.ts';
import { uuidIds } from '../db/store-support.ts';
import { createFakeStores, type TransactionalStores } from '../db/stores.ts';
import { noChangePublisher } from '../publishing/change-set.ts';
import { SecretBox } from '../system-config/secret-box.ts';
import { SystemConfigService } from '../system-config/system-config-service.ts';
import { WebhookDelivery } from './webhook-delivery.ts';
import { WebhookEnqueuer } from './webhook-enqueuer.ts';

interface Call {
  url: string;
  headers: Record<string, string>;
  body: any;
}

/** A receiver answering with `status` (a function of the call number). */
function fakeFetch(calls: Call[], status: (n: number) => number = () => 200): typeof fetch {
  return (async (url: string, init: RequestInit) => {
    calls.push({
      url,
      headers: init.headers as Record<string, string>,
      body: JSON.parse(init.body as string),
    });
    return new Response('{}', { status: status(calls.length) });
  }) as unknown as typeof fetch;
}

describe('the webhook outbox on fakes: enqueued with the change, delivered off the request path', () => {
  let stores: TransactionalStores;
  let uow: UnitOfWork;
  let envId: string;
  let featureId: string;
  let valueId: string;
  const box = new SecretBox('k');

  beforeEach(async () => {
    stores = createFakeStores();
    uow = new UnitOfWork(stores, noChangePublisher, undefined, new WebhookEnqueuer(uuidIds));
    const org = await stores.organisations.create({ name: 'Org' });
    const portfolio = await stores.portfolios.create({ organisationId: org.id, name: 'P' });
    const app = await stores.applications.create({ portfolioId: portfolio.id, name: 'A' });
    const env = await stores.environments.create({ applicationId: app.id, name: 'prod' });
    envId = env.id;
    await stores.environments.update(env.id, {
      webhookEnvironmentInfo: {
        'webhook.features.enabled': 'true',
        'webhook.features.endpoint': 'http://hooks.test/in',
      },
    });
    featureId = (
      await stores.features.create({ applicationId: app.id, key: 'F', name: 'F', valueType: 'STRING' })
    ).id;
    valueId = (await stores.featureValues.create({ environmentId: envId, featureId, value: 'a' })).id;
  });

  const change = (value: string) =>
    uow.run(async (tx, changes) => {
      const current = (await tx.featureValues.findById(valueId))!;
      await tx.featureValues.update(valueId, { value, version: current.version });
      changes.featureValueChanged(envId, featureId);
    });

  const worker = (send: typeof fetch, settings = {}) =>
    new WebhookDelivery({
      stores,
      secrets: box,
      systemConfig: new SystemConfigService(box),
      logger: silentLogger(),
      fetch: send,
      settings: { baseBackoffMs: 0, maxBackoffMs: 0, maxFailures: 0, ...settings },
    });

  it('a change writes one event with it; a failing use case none; a disabled webhook none', async () => {
    await change('b');
    assert.equal(await stores.webhooks.countPending(), 1);
    await assert.rejects(
      uow.run(async (tx, changes) => {
        changes.featureValueChanged(envId, featureId);
        await tx.webhooks.countPending();
        throw new Error('boom');
      }),
    );
    assert.equal(await stores.webhooks.countPending(), 1);
    await stores.environments.update(envId, {
      webhookEnvironmentInfo: { 'webhook.features.enabled': 'false' },
    });
    await change('c');
    assert.equal(await stores.webhooks.countPending(), 1);
  });

  it('delivers with ce-* headers and keeps the body and ce-id of an event across retries', async () => {
    await change('b');
    const calls: Call[] = [];
    const w = worker(fakeFetch(calls, (n) => (n === 1 ? 503 : 200)));
    assert.equal(await w.runOnce(), 1);
    assert.equal(await stores.webhooks.countPending(), 1, 'a 503 is retried');
    assert.equal(await w.runOnce(), 1);
    assert.equal(await stores.webhooks.countPending(), 0);
    assert.equal(calls.length, 2);
    assert.equal(calls[0]!.headers['ce-id'], calls[1]!.headers['ce-id']);
    assert.deepEqual(calls[0]!.body, calls[1]!.body);
    assert.equal(calls[0]!.headers['ce-type'], 'enriched-feature-v1');
    assert.deepEqual(calls[0]!.body.featureKeys, ['F']);
    assert.equal(calls[0]!.body.previous.F.value, 'a');
    const history = await stores.webhooks.listResults(envId, { max: 10, startAt: 0 });
    assert.deepEqual(history.results.map((r) => r.status).sort(), [200, 503]);
  });

  it("an environment's events go out one at a time, in order, each showing its own change", async () => {
    await change('b');
    await change('c');
    const calls: Call[] = [];
    const w = worker(fakeFetch(calls));
    assert.equal(await w.runOnce(), 1, 'only the oldest event of the environment is claimed');
    assert.equal(await w.runOnce(), 1);
    assert.deepEqual(
      calls.map((c) => c.body.environment.fv[0].value.value),
      ['b', 'c'],
    );
  });

  it('two workers never claim the same event', async () => {
    await change('b');
    const calls: Call[] = [];
    const [one, two] = [worker(fakeFetch(calls)), worker(fakeFetch(calls))];
    const handled = await Promise.all([one.runOnce(), two.runOnce()]);
    assert.deepEqual(handled.sort(), [0, 1]);
    assert.equal(calls.length, 1);
  });

  it('after N failed attempts the webhook is disabled and its pending events dropped', async () => {
    await change('b');
    await change('c');
    const calls: Call[] = [];
    const w = worker(
      fakeFetch(calls, () => 500),
      { maxFailures: 2 },
    );
    await w.runOnce();
    await w.runOnce();
    const env = await stores.environments.findById(envId);
    assert.equal(env?.webhookEnvironmentInfo['webhook.features.enabled'], 'false');
    assert.match(env?.webhookEnvironmentInfo['webhook.features.disabled.reason'] ?? '', /after 2 failed/);
    assert.equal(await stores.webhooks.countPending(), 0);
    assert.equal(await w.runOnce(), 0);
  });
});
