// Delivered and abandoned outbox events and the call history are pruned by the delivery worker after
// WEBHOOK_RETENTION_HOURS (default 7 days): on the fake and on SQLite, PostgreSQL and MySQL (the last two when
// their service answers).
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { silentLogger } from '@fh/service-kit';
import { createTestDatabase, skipUnlessService, type TestDialect } from '@fh/test-support';
import { schemaFingerprint } from '../db/migrations.ts';
import { openDatabase } from '../db/open-database.ts';
import { createFakeStores, sqlStores, type TransactionalStores } from '../db/stores.ts';
import { SecretBox } from '../system-config/secret-box.ts';
import { SystemConfigService } from '../system-config/system-config-service.ts';
import type { WebhookDeliverySettings } from './webhook-delivery.ts';
import { defaultWebhookDeliverySettings, WebhookDelivery } from './webhook-delivery.ts';

const DAY = 24 * 3_600_000;

class RollBack extends Error {}

interface Target {
  stores: TransactionalStores;
  close(): Promise<void>;
}

async function openTarget(kind: 'fake' | TestDialect): Promise<Target> {
  if (kind === 'fake') return { stores: createFakeStores(), close: async () => {} };
  const fresh = await createTestDatabase(kind, {
    templateKey: `mr_${schemaFingerprint()}`,
    prepare: async (url) => {
      const db = await openDatabase({ url });
      await db.migrate();
      await db.close();
    },
  });
  const database = await openDatabase({ url: fresh.url });
  return {
    stores: sqlStores(database),
    close: async () => {
      await database.close();
      await fresh.drop();
    },
  };
}

const ok200 = (async () => new Response('{}', { status: 200 })) as unknown as typeof fetch;

for (const kind of ['fake', 'sqlite', 'postgres', 'mysql'] as const) {
  const skip = kind === 'fake' || kind === 'sqlite' ? false : await skipUnlessService(kind);
  describe(`pruning delivered webhook events (${kind})`, { skip }, () => {
    let t: Target;
    let envId: string;
    const box = new SecretBox('k');

    before(async () => {
      t = await openTarget(kind);
      const org = await t.stores.organisations.create({ name: 'Org' });
      const portfolio = await t.stores.portfolios.create({ organisationId: org.id, name: 'P' });
      const app = await t.stores.applications.create({ portfolioId: portfolio.id, name: 'A' });
      const env = await t.stores.environments.create({ applicationId: app.id, name: 'prod' });
      envId = env.id;
      await t.stores.environments.update(env.id, {
        webhookEnvironmentInfo: {
          'webhook.features.enabled': 'true',
          'webhook.features.endpoint': 'http://hooks.test/in',
        },
      });
    });
    after(async () => t?.close());

    const worker = (settings: Partial<WebhookDeliverySettings> = {}) =>
      new WebhookDelivery({
        stores: t.stores,
        secrets: box,
        systemConfig: new SystemConfigService(box),
        logger: silentLogger(),
        fetch: ok200,
        settings: { baseBackoffMs: 0, maxBackoffMs: 0, pollMs: 10, ...settings },
      });

    const enqueue = (n: number) =>
      t.stores.webhooks.enqueue(
        Array.from({ length: n }, (_, i) => ({
          id: randomUUID(),
          environmentId: envId,
          eventType: 'enriched-feature-v1',
          featureKeys: [`F${i}`],
          previous: {},
          current: {},
          whoChanged: null,
        })),
      );

    /** Delivers everything pending (one event of the environment per round). */
    async function deliverAll(w: WebhookDelivery) {
      while ((await t.stores.webhooks.countPending()) > 0) assert.ok((await w.runOnce()) > 0);
    }

    it('the default retention is 7 days', () => {
      assert.equal(defaultWebhookDeliverySettings.retentionMs, 7 * DAY);
    });

    it('keeps delivered events and calls younger than the retention and deletes older ones, in batches; pending ones stay', async () => {
      const w = worker({ pruneBatch: 2 });
      const later = new Date(Date.now() + 7 * DAY + 60_000);
      await w.pruneOnce(later); // what earlier tests left
      await enqueue(5);
      await deliverAll(w);
      await enqueue(1);
      const history = () => t.stores.webhooks.listResults(envId, { max: 100, startAt: 0 });
      assert.equal((await history()).total, 5);
      assert.equal(await w.pruneOnce(new Date()), 0, 'nothing is 7 days old yet');
      assert.equal(
        await w.pruneOnce(later),
        10,
        'the five delivered events and their five calls, two at a time',
      );
      assert.equal(await w.pruneOnce(later), 0);
      assert.equal((await history()).total, 0, 'the old call history is gone');
      assert.equal(await t.stores.webhooks.countPending(), 1, 'the pending event is kept');
      await deliverAll(w);
      assert.equal((await history()).total, 1, 'the new call is kept');
      assert.equal(await w.pruneOnce(new Date()), 0);
    });

    it('abandoned events go after the retention too, counted from when they were made', async () => {
      const w = worker();
      const later = new Date(Date.now() + 7 * DAY + 60_000);
      await w.pruneOnce(later);
      await enqueue(3);
      assert.equal(await t.stores.webhooks.abandonPending(envId, 'enriched-feature-v1'), 3);
      assert.equal(await t.stores.webhooks.countPending(), 0);
      assert.equal(await w.pruneOnce(new Date()), 0, 'younger than the retention');
      assert.equal(await w.pruneOnce(later), 3);
      assert.equal(await t.stores.webhooks.pruneAbandoned(later, 100), 0, 'nothing left to prune');
    });

    it('two workers pruning at once delete each row once', async () => {
      const [a, b] = [worker({ pruneBatch: 1 }), worker({ pruneBatch: 1 })];
      await enqueue(4);
      await deliverAll(a);
      const before = await delivered();
      assert.ok(before >= 4);
      const calls = (await t.stores.webhooks.listResults(envId, { max: 1, startAt: 0 })).total;
      assert.ok(calls >= 4);
      const later = new Date(Date.now() + 7 * DAY + 60_000);
      const [x, y] = await Promise.all([a.pruneOnce(later), b.pruneOnce(later)]);
      assert.equal(x + y, before + calls);
      assert.equal(await delivered(), 0);
      assert.equal((await t.stores.webhooks.listResults(envId, { max: 1, startAt: 0 })).total, 0);
    });

    it('the running worker prunes by itself', async () => {
      const w = worker({ retentionMs: 1, pruneEveryMs: 20 });
      await enqueue(3);
      await deliverAll(w);
      assert.equal(await delivered(), 3);
      w.start();
      try {
        for (let i = 0; i < 300 && (await delivered()) > 0; i++) await new Promise((r) => setTimeout(r, 10));
        assert.equal(await delivered(), 0, 'the worker pruned the delivered events');
      } finally {
        await w.stop();
      }
    });

    /** How many delivered events the outbox holds (it has no read for them: a prune that is rolled back). */
    async function delivered(): Promise<number> {
      let n = 0;
      await t.stores
        .transaction(async (tx) => {
          n = await tx.webhooks.pruneDelivered(new Date(Date.now() + DAY), 1_000_000);
          throw new RollBack();
        })
        .catch((err: unknown) => {
          if (!(err instanceof RollBack)) throw err;
        });
      return n;
    }
  });
}
