import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import {
  type CacheFillComplete,
  CacheManagementCloudEvents,
  type CacheVersions,
  FILL_ID_HEADER,
} from '@fh/contracts';
import { localVersions } from '@fh/dacha';
import type { BusMessage } from '@fh/messaging';
import { ChangeSet } from '../publishing/change-set.ts';
import { createPublishingWorld, type PublishingWorld } from '../testing/publishing-world.ts';
import { type CacheRequestResponder, serveCacheRequests } from './cache-request-responder.ts';

describe('MR answering cache requests', () => {
  let world: PublishingWorld;
  let responder: CacheRequestResponder;
  beforeEach(async () => {
    world = await createPublishingWorld();
    responder = serveCacheRequests({ bus: world.bus, subjects: world.subjects, stores: world.stores });
  });
  afterEach(async () => {
    responder.stop();
    await world.close();
  });

  async function fillWorld() {
    const env = world.environment;
    const other = await world.addEnvironment('staging');
    const flag = await world.addFeature('FLAG', 'BOOLEAN');
    await world.addFeature('UNSET', 'STRING');
    await world.stores.featureValues.create({ environmentId: env.id, featureId: flag.id, value: 'true' });
    const account = await world.addServiceAccount('sdk', {
      [env.id]: ['READ', 'CHANGE_VALUE'],
      [other.id]: [],
    });
    const changes = new ChangeSet();
    changes.environmentChanged(env.id, 'create');
    changes.environmentChanged(other.id, 'create');
    changes.serviceAccountChanged(account.id, 'create');
    await world.publisher.publish(changes);
    await world.bus.flush();
    return { env, other, flag, account };
  }

  async function versions(): Promise<CacheVersions> {
    const reply = await world.bus.request(world.subjects.fullCacheRequests, { type: 'versions' });
    return reply.data as CacheVersions;
  }

  it('reports the same versions as a Dacha holding what MR published', async () => {
    await fillWorld();
    const mr = await versions();
    assert.equal(Object.keys(mr.environments).length, 2);
    assert.equal(Object.keys(mr.serviceAccounts).length, 1);
    assert.deepEqual(mr, localVersions(world.dacha));
  });

  it('reports a different version once a value changes', async () => {
    const { env, flag } = await fillWorld();
    const before = await versions();
    const value = await world.stores.featureValues.find(env.id, flag.id);
    await world.stores.featureValues.update(value!.id, { value: 'false', version: value!.version });
    const after = await versions();
    assert.notEqual(after.environments[env.id], before.environments[env.id]);
    assert.equal(Object.keys(after.environments).length, 2);
  });

  async function fill(request: object): Promise<{ items: BusMessage[]; complete: CacheFillComplete }> {
    const fillSubject = `${world.subjects.cacheManagement}.fill.test`;
    const items: BusMessage[] = [];
    let done: (c: CacheFillComplete) => void = () => undefined;
    const completed = new Promise<CacheFillComplete>((resolve) => {
      done = resolve;
    });
    const sub = world.bus.subscribe(fillSubject, (m) => {
      if (m.event?.type === CacheManagementCloudEvents.fillComplete) done(m.data as CacheFillComplete);
      else items.push(m);
    });
    const reply = await world.bus.request(world.subjects.fullCacheRequests, {
      type: 'fill',
      requesterId: 'dacha-1',
      fillSubject,
      fillId: 'fill-1',
      ...request,
    });
    assert.deepEqual(reply.data, { fillId: 'fill-1' });
    const complete = await completed;
    sub.unsubscribe();
    return { items, complete };
  }

  it('streams every service account and then every environment for a full fill', async () => {
    await fillWorld();
    const { items, complete } = await fill({});
    assert.deepEqual(
      items.map((m) => m.event?.type),
      ['publish-serviceaccount-v1', 'publish-environment-v1', 'publish-environment-v1'],
    );
    assert.ok(items.every((m) => m.headers[FILL_ID_HEADER] === 'fill-1'));
    assert.deepEqual(complete, { fillId: 'fill-1', sourceId: 'mr', environments: 2, serviceAccounts: 1 });
  });

  it('streams only the records named and reports the ones that no longer exist', async () => {
    const { env } = await fillWorld();
    const { items, complete } = await fill({
      environmentIds: [env.id, 'gone-env'],
      serviceAccountIds: ['gone-sa'],
    });
    assert.equal(items.length, 1);
    assert.deepEqual(complete.missingEnvironments, ['gone-env']);
    assert.deepEqual(complete.missingServiceAccounts, ['gone-sa']);
  });

  it('answers a malformed request with 400', async () => {
    const reply = await world.bus.request(world.subjects.fullCacheRequests, { type: 'everything' });
    assert.deepEqual(reply.data, { status: 400 });
  });
});
