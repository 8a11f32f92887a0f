import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  cloudEventHeaders,
  decodeCeHeaderValue,
  encodeCeHeaderValue,
  readCloudEvent,
} from './cloud-event.ts';
import { BusCodecError } from './errors.ts';

const defaults = {
  source: '/featurehub/test',
  now: () => new Date('2024-01-02T03:04:05.000Z'),
  newId: () => 'id-0',
};

test('header values keep printable ASCII and percent-encode the rest as UTF-8', () => {
  assert.equal(encodeCeHeaderValue('io.featurehub.events/x-1'), 'io.featurehub.events/x-1');
  assert.equal(encodeCeHeaderValue('a b"c%d'), 'a%20b%22c%25d');
  assert.equal(encodeCeHeaderValue('ü€🚩'), '%C3%BC%E2%82%AC%F0%9F%9A%A9');
  for (const s of ['plain', 'with space', '100% "quoted"', 'ünïcødé 🚩', '\t\n']) {
    assert.equal(decodeCeHeaderValue(encodeCeHeaderValue(s)), s);
  }
});

test('a malformed percent escape is kept literally instead of failing', () => {
  assert.equal(decodeCeHeaderValue('50%off'), '50%off');
});

test('binary-mode headers carry every attribute with defaults filled in', () => {
  const headers = cloudEventHeaders(
    { type: 'publish-feature-v1', subject: 'io.featurehub.events.feature-values' },
    'application/json',
    defaults,
  );
  assert.deepEqual(headers, {
    'ce-specversion': '1.0',
    'ce-type': 'publish-feature-v1',
    'ce-id': 'id-0',
    'ce-source': '/featurehub/test',
    'ce-time': '2024-01-02T03:04:05.000Z',
    'ce-subject': 'io.featurehub.events.feature-values',
    'ce-datacontenttype': 'application/json',
  });
});

test('given attributes win over defaults and extensions become ce-<name> headers', () => {
  const headers = cloudEventHeaders(
    { type: 't', id: 'mine', source: 'src', time: '2020-01-01T00:00:00Z', extensions: { traceparent: 'tp' } },
    'application/json+gzip',
    defaults,
  );
  assert.equal(headers['ce-id'], 'mine');
  assert.equal(headers['ce-source'], 'src');
  assert.equal(headers['ce-time'], '2020-01-01T00:00:00Z');
  assert.equal(headers['ce-traceparent'], 'tp');
});

test('an event without a type or with a bad extension name is refused', () => {
  assert.throws(() => cloudEventHeaders({ type: '' }, 'application/json', defaults), BusCodecError);
  assert.throws(
    () => cloudEventHeaders({ type: 't', extensions: { 'trace-parent': 'x' } }, 'a', defaults),
    BusCodecError,
  );
  assert.throws(
    () => cloudEventHeaders({ type: 't', extensions: { type: 'x' } }, 'a', defaults),
    BusCodecError,
  );
});

test('reading headers back yields the attributes, extensions separated out', () => {
  const headers = cloudEventHeaders(
    { type: 'publish-environment-v1', subject: 'ünï', extensions: { traceparent: 'tp' } },
    'application/json',
    defaults,
  );
  assert.deepEqual(readCloudEvent({ ...headers, 'x-other': '1' }), {
    specversion: '1.0',
    type: 'publish-environment-v1',
    id: 'id-0',
    source: '/featurehub/test',
    time: '2024-01-02T03:04:05.000Z',
    subject: 'ünï',
    dataschema: undefined,
    datacontenttype: 'application/json',
    extensions: { traceparent: 'tp' },
  });
});

test('headers without the required attributes are not a CloudEvent', () => {
  assert.equal(readCloudEvent({}), undefined);
  assert.equal(readCloudEvent({ 'ce-type': 't', 'ce-id': '1', 'ce-source': 's' }), undefined);
  assert.equal(readCloudEvent({ 'ce-specversion': '1.0', 'ce-id': '1', 'ce-source': 's' }), undefined);
});
