import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InvalidSubjectError } from './errors.ts';
import { eventSubjects, eventTypes, featureHubSubjects, MR_UPDATES_SUBJECT } from './subjects.ts';
import { assertPublishSubject } from './wire.ts';

test('the default cache subjects follow upstream names under featurehub/default', () => {
  assert.deepEqual(featureHubSubjects(), {
    cacheName: 'default',
    cacheChannel: 'featurehub/default/mr-dacha-channel',
    featureChannel: 'featurehub/default/mr-edge-channel',
    edgeRequests: 'featurehub/default/edge_v2',
    cacheManagement: 'featurehub/default/cache-management-v2',
    fullCacheRequests: 'featurehub/default/mr-cache-requests',
    mrUpdates: 'featurehub/mr-updates-queue',
  });
});

test('cache-scoped subjects embed the cache name; MR updates are shared by every cache', () => {
  const blue = featureHubSubjects('blue');
  const green = featureHubSubjects('green');
  assert.notEqual(blue.cacheChannel, green.cacheChannel);
  assert.notEqual(blue.edgeRequests, green.edgeRequests);
  assert.equal(blue.mrUpdates, MR_UPDATES_SUBJECT);
  assert.equal(green.mrUpdates, MR_UPDATES_SUBJECT);
});

test('every subject is a valid literal NATS subject', () => {
  for (const subject of Object.values(featureHubSubjects('my-cache_1'))) assertPublishSubject(subject);
});

test('a cache name that cannot be a subject token is refused', () => {
  for (const bad of ['', 'a.b', 'a b', '*', '>', 'a/b']) {
    assert.throws(() => featureHubSubjects(bad), InvalidSubjectError, bad);
  }
});

test('subjects are frozen', () => {
  assert.ok(Object.isFrozen(featureHubSubjects()));
});

test('the CloudEvents subject attribute is known for each upstream cache event type', () => {
  assert.equal(eventSubjects[eventTypes.publishFeature], 'io.featurehub.events.feature-values');
  assert.equal(eventSubjects[eventTypes.publishEnvironment], 'io.featurehub.events.environment');
  assert.equal(eventSubjects[eventTypes.publishServiceAccount], 'io.featurehub.events.service-account');
});
