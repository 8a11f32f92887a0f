import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import type { PublishFeatureValues, StreamedFeatureUpdate } from '@fh/contracts';
import { DachaCache, serveEdgeRequests } from '@fh/dacha';
import {
  cacheFeature,
  nextValue,
  publishEnvironment,
  publishFeature,
  publishServiceAccount,
} from '@fh/dacha/testing';
import {
  type Bus,
  createInProcessBus,
  eventTypes,
  featureHubSubjects,
  MR_UPDATES_QUEUE,
} from '@fh/messaging';
import { BusFeatureSource } from './bus-feature-source.ts';
import { BusTestApi } from './bus-test-api.ts';
import type { EnvironmentChange, TestFeatureUpdate } from './ports.ts';

const ENV = '11111111-2222-4333-8444-555555555555';
const KEY = 'client*key';
const subjects = featureHubSubjects('unit');
const flag = cacheFeature({ id: 'f-flag', key: 'FLAG', type: 'BOOLEAN', value: true });
const colour = cacheFeature({ id: 'f-colour', key: 'COLOUR', type: 'STRING', value: 'red' });

const open: { close(): Promise<void> | void }[] = [];
afterEach(async () => {
  for (const o of open.splice(0).reverse()) await o.close();
});

function setup(options: { dacha?: boolean; ttlMs?: number } = {}) {
  const bus = createInProcessBus();
  const dacha = new DachaCache();
  dacha.applyServiceAccount(
    publishServiceAccount({
      id: 'sa',
      clientKey: KEY,
      serverKey: 'srv',
      permissions: { [ENV]: ['CHANGE_VALUE'] },
    }),
  );
  dacha.applyEnvironment(publishEnvironment({ id: ENV, features: [flag, colour] }));
  const requests = { count: 0 };
  let responder: { stop(): void } | undefined;
  const startDacha = () => {
    const counter = bus.subscribe(subjects.edgeRequests, () => {
      requests.count++;
    });
    const served = serveEdgeRequests(dacha, bus, { subjects });
    responder = {
      stop: () => {
        counter.unsubscribe();
        served.stop();
      },
    };
  };
  if (options.dacha !== false) startDacha();
  const source = new BusFeatureSource({
    bus,
    subjects,
    refreshIntervalMs: 0,
    requestTimeoutMs: 200,
    cacheTtlMs: options.ttlMs,
  }).start();
  open.push({ close: () => bus.close() }, { close: () => source.close() });
  return { bus, dacha, source, requests, stopDacha: () => responder?.stop(), startDacha };
}

function publish(bus: Bus, message: PublishFeatureValues): void {
  bus.publish(subjects.featureChannel, message, { event: { type: eventTypes.publishFeature } });
}

async function valueIn(source: BusFeatureSource, id: string): Promise<unknown> {
  const lookup = await source.features(ENV, KEY);
  assert.equal(lookup.status, 'found');
  if (lookup.status !== 'found') return undefined;
  return lookup.environment.features.find((f) => f.feature.id === id)?.value?.value;
}

describe('BusFeatureSource', () => {
  it('asks a Dacha over the bus once and then answers polls from its mirror', async () => {
    const { source, requests } = setup();
    const first = await source.features(ENV, KEY);
    assert.equal(first.status, 'found');
    if (first.status === 'found') {
      assert.deepEqual(first.environment.roles, ['READ', 'CHANGE_VALUE']);
      assert.equal(first.environment.serviceAccountId, 'sa');
      assert.deepEqual(
        first.environment.features.map((f) => f.feature.key),
        ['FLAG', 'COLOUR'],
      );
    }
    await source.features(ENV, KEY);
    await source.features(ENV, KEY);
    assert.equal(requests.count, 1);
  });

  it('answers concurrent lookups of one key with one request', async () => {
    const { source, requests } = setup();
    const all = await Promise.all([1, 2, 3, 4].map(() => source.features(ENV, KEY)));
    assert.ok(all.every((l) => l.status === 'found'));
    assert.equal(requests.count, 1);
  });

  it('tells unknown keys and keys without roles apart', async () => {
    const { source, dacha } = setup();
    const other = '11111111-2222-4333-8444-666666666666';
    dacha.applyEnvironment(publishEnvironment({ id: other, features: [] }));
    assert.equal((await source.features(ENV, 'nope')).status, 'not_found');
    assert.equal((await source.features(other, KEY)).status, 'no_permission');
  });

  it('keeps the mirror current from the feature channel and tells streams, ignoring older versions', async () => {
    const { bus, source } = setup();
    const seen: EnvironmentChange[] = [];
    source.subscribe(ENV, (c) => seen.push(c));
    await source.features(ENV, KEY);
    const v2 = nextValue(colour, { value: 'green' });
    publish(bus, publishFeature(ENV, v2));
    publish(bus, publishFeature(ENV, colour));
    await bus.flush();
    assert.equal(await valueIn(source, 'f-colour'), 'green');
    assert.deepEqual(
      seen.map((c) => c.kind),
      ['feature-updated'],
    );
  });

  it('a first load is not announced to streams as changes', async () => {
    const { source } = setup();
    const seen: EnvironmentChange[] = [];
    source.subscribe(ENV, (c) => seen.push(c));
    await source.features(ENV, KEY);
    assert.deepEqual(seen, []);
  });

  it('replays updates it already has over the answer of a Dacha that is behind', async () => {
    const { bus, source } = setup();
    // The update reaches Edge before the (lagging) Dacha: the Dacha still answers red.
    publish(bus, publishFeature(ENV, nextValue(colour, { value: 'green' })));
    await bus.flush();
    assert.equal(await valueIn(source, 'f-colour'), 'green');
  });

  it('answers not_ready with no Dacha, and the last known state when the Dacha goes away', async () => {
    const { source, stopDacha, startDacha, requests } = setup({ dacha: false, ttlMs: 0 });
    assert.equal((await source.features(ENV, KEY)).status, 'not_ready');
    startDacha();
    assert.equal((await source.features(ENV, KEY)).status, 'found');
    stopDacha();
    assert.equal(await valueIn(source, 'f-flag'), true);
    assert.equal(requests.count, 1);
  });

  it('a refresh tells streams the differences, and that a key lost its access', async () => {
    const { source, dacha } = setup();
    const seen: EnvironmentChange[] = [];
    source.subscribe(ENV, (c) => seen.push(c));
    await source.features(ENV, KEY);
    // Changes the Edge never heard about (a NATS blip): the refresh finds them.
    dacha.applyFeatureValues(publishFeature(ENV, nextValue(flag, { value: false })));
    await source.refresh();
    dacha.applyServiceAccount(
      publishServiceAccount({
        id: 'sa',
        version: 2,
        clientKey: 'new*key',
        serverKey: 'srv',
        permissions: { [ENV]: ['READ'] },
      }),
    );
    await source.refresh();
    assert.deepEqual(
      seen.map((c) => c.kind),
      ['feature-updated', 'service-account-changed'],
    );
  });

  it('asks Dacha for the permission of a feature, retired or not', async () => {
    const { source, dacha } = setup();
    dacha.applyFeatureValues(publishFeature(ENV, nextValue(colour, { retired: true })));
    const p = await source.permission(ENV, KEY, 'COLOUR');
    assert.equal(p.status, 'found');
    if (p.status === 'found') {
      assert.equal(p.permission.feature.value?.retired, true);
      assert.equal(p.permission.serviceAccountId, 'sa');
    }
    assert.equal((await source.permission(ENV, KEY, 'NOPE')).status, 'not_found');
  });
});

describe('BusTestApi', () => {
  const update: TestFeatureUpdate = {
    environmentId: ENV,
    apiKey: KEY,
    serviceAccountId: 'sa',
    organizationId: 'o',
    portfolioId: 'p',
    applicationId: 'a',
    featureId: 'f-flag',
    featureKey: 'FLAG',
    lock: undefined,
    updateValue: true,
    value: false,
    request: { value: false },
  };

  it('sends the update to one MR as feature-update-v1 and returns its answer', async () => {
    const bus = createInProcessBus();
    open.push({ close: () => bus.close() });
    const received: StreamedFeatureUpdate[] = [];
    bus.subscribe(
      subjects.mrUpdates,
      (m) => {
        assert.equal(m.event?.type, eventTypes.featureUpdate);
        received.push(m.data as StreamedFeatureUpdate);
        m.respond({ status: 412, message: 'locked' });
      },
      { queue: MR_UPDATES_QUEUE },
    );
    const api = new BusTestApi({ bus, subjects });
    assert.deepEqual(await api.applyFeatureUpdate(update), { status: 412, message: 'locked' });
    assert.equal(received[0]?.valueBoolean, false);
    assert.equal(received[0]?.updatingValue, true);
    assert.equal(received[0]?.lock, undefined);
  });

  it('answers 503 when no MR is listening', async () => {
    const bus = createInProcessBus();
    open.push({ close: () => bus.close() });
    const api = new BusTestApi({ bus, subjects });
    assert.equal((await api.applyFeatureUpdate(update)).status, 503);
  });
});
