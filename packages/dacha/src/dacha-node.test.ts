import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import {
  CacheManagementCloudEvents,
  FILL_ID_HEADER,
  type MrCacheRequest,
  MrCacheRequestSchema,
} from '@fh/contracts';
import {
  type Bus,
  type BusSubscription,
  BusTimeoutError,
  createInProcessBus,
  eventTypes,
  featureHubSubjects,
  MR_CACHE_QUEUE,
} from '@fh/messaging';
import { Value } from 'typebox/value';
import { localVersions } from './cache-versions.ts';
import { DachaCache } from './dacha-cache.ts';
import { DachaNode, toPublishEnvironment } from './dacha-node.ts';
import {
  cacheFeature,
  nextValue,
  publishEnvironment,
  publishFeature,
  publishServiceAccount,
} from './testing.ts';

const ENV = '11111111-2222-4333-8444-555555555555';
const ENV2 = '11111111-2222-4333-8444-666666666666';
const flag = cacheFeature({ id: 'f-flag', key: 'FLAG', type: 'BOOLEAN', value: true });
let cacheCounter = 0;

/** MR as Dachas see it: a truth to answer versions and fills from, counting full fills. */
class FakeMr {
  readonly truth = new DachaCache();
  fullFills = 0;
  partialFills: MrCacheRequest[] = [];
  #sub: BusSubscription | undefined;

  constructor(
    readonly bus: Bus,
    readonly subjects: ReturnType<typeof featureHubSubjects>,
  ) {
    this.truth.applyServiceAccount(
      publishServiceAccount({ id: 'sa', clientKey: 'c*k', serverKey: 's', permissions: { [ENV]: ['READ'] } }),
    );
    this.truth.applyEnvironment(publishEnvironment({ id: ENV, features: [flag] }));
  }

  start(): this {
    this.#sub = this.bus.subscribe(
      this.subjects.fullCacheRequests,
      (m) => {
        if (!Value.Check(MrCacheRequestSchema, m.data)) return;
        const request = m.data;
        if (request.type === 'versions') return m.respond(localVersions(this.truth));
        m.respond({ fillId: request.fillId });
        const everything = request.environmentIds === undefined && request.serviceAccountIds === undefined;
        if (everything) this.fullFills++;
        else this.partialFills.push(request);
        const headers = { [FILL_ID_HEADER]: request.fillId };
        const saIds =
          request.serviceAccountIds ?? (everything ? [...this.truth.serviceAccounts()].map((a) => a.id) : []);
        const envIds =
          request.environmentIds ??
          (everything ? [...this.truth.environments()].map((e) => e.environment.id) : []);
        const missingEnvironments: string[] = [];
        const missingServiceAccounts: string[] = [];
        let environments = 0;
        let serviceAccounts = 0;
        for (const id of saIds) {
          const serviceAccount = this.truth.serviceAccount(id);
          if (!serviceAccount) missingServiceAccounts.push(id);
          else {
            serviceAccounts++;
            this.bus.publish(
              request.fillSubject,
              { serviceAccount, action: 'UPDATE', count: saIds.length },
              { headers, event: { type: eventTypes.publishServiceAccount } },
            );
          }
        }
        for (const id of envIds) {
          const env = this.truth.environment(id);
          if (!env) missingEnvironments.push(id);
          else {
            environments++;
            this.bus.publish(request.fillSubject, toPublishEnvironment(env, envIds.length), {
              headers,
              event: { type: eventTypes.publishEnvironment },
            });
          }
        }
        this.bus.publish(
          request.fillSubject,
          {
            fillId: request.fillId,
            sourceId: 'mr',
            environments,
            serviceAccounts,
            missingEnvironments,
            missingServiceAccounts,
          },
          { headers, event: { type: CacheManagementCloudEvents.fillComplete } },
        );
      },
      { queue: MR_CACHE_QUEUE },
    );
    return this;
  }

  stop(): void {
    this.#sub?.unsubscribe();
  }
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function world(options: { mr?: boolean } = {}) {
  const bus = createInProcessBus();
  const subjects = featureHubSubjects(`node${++cacheCounter}`);
  const mr = new FakeMr(bus, subjects);
  if (options.mr !== false) mr.start();
  cleanups.push(() => bus.close());
  const dacha = (id: string, catchUpIntervalMs = 0) => {
    const node = new DachaNode({ bus, subjects, id, timeoutMs: 120, catchUpIntervalMs }).start();
    cleanups.push(() => node.close());
    return node;
  };
  const askEdge = () =>
    bus.request(
      subjects.edgeRequests,
      { featuresRequest: { eId: ENV, serviceAccountKey: 'c*k' } },
      { timeoutMs: 500 },
    );
  return { bus, subjects, mr, dacha, askEdge };
}

describe('DachaNode start-up', () => {
  it('a lone Dacha elects itself, fills from MR and only then answers Edge', async () => {
    const { mr, dacha, askEdge } = world();
    const node = dacha('d1');
    assert.equal(node.isReady(), false);
    await assert.rejects(askEdge(), { code: 'BUS_NO_RESPONDERS' });
    await node.whenReady();
    assert.equal(node.filledFrom, 'mr');
    assert.equal(mr.fullFills, 1);
    const reply = await askEdge();
    assert.equal((reply.data as { status: number }).status, 200);
  });

  it('Dachas started together elect one master: MR is asked once and the others fill from a peer', async () => {
    const { mr, dacha } = world();
    const nodes = ['d3', 'd1', 'd2'].map((id) => dacha(id));
    await Promise.all(nodes.map((n) => n.whenReady()));
    assert.equal(mr.fullFills, 1);
    assert.deepEqual(
      nodes.map((n) => n.filledFrom),
      ['d1', 'mr', 'd1'],
    );
    for (const n of nodes) assert.equal(n.cache.environmentCount, 1);
  });

  it('a Dacha started beside a complete one fills from it without asking MR', async () => {
    const { mr, dacha } = world();
    await dacha('d1').whenReady();
    const late = dacha('d0');
    await late.whenReady();
    assert.equal(late.filledFrom, 'd1');
    assert.equal(mr.fullFills, 1);
    assert.equal(late.cache.features(ENV, 'c*k').status, 'found');
  });

  it('a peer hands over what it holds now, features added by feature messages included (upstream #671)', async () => {
    const { bus, subjects, dacha } = world();
    await dacha('d1').whenReady();
    const added = cacheFeature({ id: 'f-new', key: 'NEW', type: 'STRING', value: 'x' });
    bus.publish(subjects.cacheChannel, publishFeature(ENV, added, 'CREATE'), {
      event: { type: eventTypes.publishFeature },
    });
    await bus.flush();
    const late = dacha('d2');
    await late.whenReady();
    assert.equal(late.filledFrom, 'd1');
    assert.equal(late.cache.feature(ENV, 'f-new')?.value?.value, 'x');
  });

  it('a Dacha starting while the master is still electing or filling follows it (no second master)', async () => {
    const { mr, dacha } = world({ mr: false });
    const first = dacha('d9');
    await new Promise((r) => setTimeout(r, 200)); // d9 is master by now, waiting for MR
    const second = dacha('d0'); // a lower id, starting late
    await new Promise((r) => setTimeout(r, 400));
    assert.equal(first.state, 'master');
    assert.equal(second.state, 'following');
    mr.start();
    await Promise.all([first.whenReady(), second.whenReady()]);
    assert.equal(mr.fullFills, 1);
    assert.equal(second.filledFrom, 'd9');
  });

  it('stays not ready while no MR and no complete peer exist', async () => {
    const { dacha } = world({ mr: false });
    const node = dacha('d1');
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(node.isReady(), false);
    assert.equal(node.cache.features(ENV, 'c*k').status, 'not_ready');
  });
});

describe('DachaNode catch-up', () => {
  it('heals a missed value change, a missed new environment and a missed deletion', async () => {
    const { mr, dacha } = world();
    const node = dacha('d1');
    await node.whenReady();
    // Changes MR made while this Dacha was not listening:
    mr.truth.applyFeatureValues(publishFeature(ENV, nextValue(flag, { value: false })));
    mr.truth.applyEnvironment(publishEnvironment({ id: ENV2, features: [] }));
    mr.truth.applyServiceAccount(
      publishServiceAccount({
        id: 'sa',
        version: 2,
        clientKey: 'c*k',
        serverKey: 's',
        permissions: { [ENV]: ['READ'], [ENV2]: ['READ'] },
      }),
    );
    const result = await node.catchUp();
    assert.deepEqual(result, { reachedMr: true, environments: 1 + 1, serviceAccounts: 1 });
    assert.equal(node.cache.feature(ENV, 'f-flag')?.value?.value, false);
    assert.equal(node.cache.features(ENV2, 'c*k').status, 'found');

    mr.truth.applyEnvironment(
      publishEnvironment({ id: ENV2, version: Number.MAX_SAFE_INTEGER, features: [], action: 'DELETE' }),
    );
    await node.catchUp();
    assert.equal(node.cache.environment(ENV2), undefined);
    assert.deepEqual(await node.catchUp(), { reachedMr: true, environments: 0, serviceAccounts: 0 });
  });

  it('catches up by itself every period', async () => {
    const { mr, dacha } = world();
    const node = dacha('d1', 100);
    await node.whenReady();
    mr.truth.applyFeatureValues(publishFeature(ENV, nextValue(flag, { value: false })));
    const deadline = Date.now() + 2000;
    while (node.cache.feature(ENV, 'f-flag')?.value?.value !== false && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.equal(node.cache.feature(ENV, 'f-flag')?.value?.value, false);
  });

  it('after a reconnection it catches up at once, not behind a request lost with the old connection', async () => {
    const { bus, subjects, mr } = world();
    // A bus whose connection can drop: requests made meanwhile only time out, as on NATS.
    let connected = true;
    const flaky: Bus = {
      publish: (...a) => bus.publish(...a),
      subscribe: (...a) => bus.subscribe(...a),
      flush: () => bus.flush(),
      close: () => bus.close(),
      isReady: () => connected,
      request: (subject, payload, options) =>
        connected
          ? bus.request(subject, payload, options)
          : new Promise((_, reject) =>
              setTimeout(() => reject(new BusTimeoutError(subject, 3000)), options?.timeoutMs ?? 3000),
            ),
    };
    const node = new DachaNode({
      bus: flaky,
      subjects,
      id: 'd1',
      timeoutMs: 120,
      catchUpIntervalMs: 0,
      mrRequestTimeoutMs: 3000,
      reconnectCatchUpDelaysMs: [20],
    }).start();
    cleanups.push(() => node.close());
    await node.whenReady();
    connected = false;
    const lost = node.catchUp();
    mr.truth.applyFeatureValues(publishFeature(ENV, nextValue(flag, { value: false })));
    await new Promise((r) => setTimeout(r, 300)); // long enough for the connection watch to notice
    connected = true;
    const started = Date.now();
    while (node.cache.feature(ENV, 'f-flag')?.value?.value !== false && Date.now() - started < 2500) {
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.equal(node.cache.feature(ENV, 'f-flag')?.value?.value, false);
    assert.ok(Date.now() - started < 1000, 'healed within a second of the reconnection');
    assert.equal((await lost).reachedMr, false);
  });

  it('keeps serving what it holds when MR goes away', async () => {
    const { mr, dacha, askEdge } = world();
    const node = dacha('d1');
    await node.whenReady();
    mr.stop();
    assert.deepEqual(await node.catchUp(), { reachedMr: false, environments: 0, serviceAccounts: 0 });
    assert.equal(((await askEdge()).data as { status: number }).status, 200);
  });
});
