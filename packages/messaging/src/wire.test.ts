import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BusCodecError, InvalidSubjectError } from './errors.ts';
import {
  assertPublishSubject,
  assertSubscribeSubject,
  decodeWire,
  encodeWire,
  subjectMatches,
  wireSettings,
} from './wire.ts';

test('subject matching follows NATS wildcard rules', () => {
  assert.equal(subjectMatches('a.b', 'a.b'), true);
  assert.equal(subjectMatches('a.b', 'a.c'), false);
  assert.equal(subjectMatches('a.*', 'a.b'), true);
  assert.equal(subjectMatches('a.*', 'a.b.c'), false);
  assert.equal(subjectMatches('a.*', 'a'), false);
  assert.equal(subjectMatches('*.b', 'a.b'), true);
  assert.equal(subjectMatches('a.>', 'a.b.c'), true);
  assert.equal(subjectMatches('a.>', 'a'), false);
  assert.equal(subjectMatches('>', 'anything.at.all'), true);
  assert.equal(
    subjectMatches('featurehub/default/mr-edge-channel', 'featurehub/default/mr-edge-channel'),
    true,
  );
});

test('publish subjects must be literal, subscribe subjects may use wildcards', () => {
  assert.doesNotThrow(() => assertPublishSubject('featurehub/default/edge_v2'));
  assert.throws(() => assertPublishSubject('a.>'), InvalidSubjectError);
  assert.throws(() => assertPublishSubject('.a'), InvalidSubjectError);
  assert.doesNotThrow(() => assertSubscribeSubject('a.*.>', 'queue'));
  assert.throws(() => assertSubscribeSubject('a.b', ''), InvalidSubjectError);
  assert.throws(() => assertSubscribeSubject('a.b', 'has space'), InvalidSubjectError);
});

test('a message without an event carries its content type as a plain header', () => {
  const wire = encodeWire({ a: 1 }, { headers: { 'X-A': 'b' } }, wireSettings());
  assert.deepEqual(wire.headers, { 'x-a': 'b', 'content-type': 'application/json' });
  assert.deepEqual(decodeWire(wire), { data: { a: 1 }, headers: { 'x-a': 'b' }, event: undefined });
});

test('an event message carries its content type as ce-datacontenttype only', () => {
  const wire = encodeWire(1, { event: { type: 't' }, compress: true }, wireSettings({ newId: () => 'x' }));
  assert.equal(wire.headers['content-type'], undefined);
  assert.equal(wire.headers['ce-datacontenttype'], 'application/json+gzip');
  assert.equal(decodeWire(wire).data, 1);
});

test('incomplete ce-* headers stay visible as ordinary headers', () => {
  const decoded = decodeWire({ headers: { 'ce-type': 't' }, body: new Uint8Array([1]) });
  assert.equal(decoded.event, undefined);
  assert.deepEqual(decoded.headers, { 'ce-type': 't' });
});

test('a body that contradicts its content type fails to decode with BusCodecError', () => {
  assert.throws(
    () => decodeWire({ headers: { 'content-type': 'application/json' }, body: new Uint8Array([0x7b]) }),
    BusCodecError,
  );
});
