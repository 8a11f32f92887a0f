import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  BYTES_CONTENT_TYPE,
  decodeBody,
  decodeJson,
  encodeBody,
  encodeJson,
  GZIP_JSON_CONTENT_TYPE,
  gunzip,
  gzip,
  JSON_CONTENT_TYPE,
} from './codec.ts';
import { BusCodecError } from './errors.ts';

test('JSON round-trips through UTF-8 bytes', () => {
  const value = { key: 'fëature', n: 1.5, list: [true, null], nested: { s: '🚩' } };
  const bytes = encodeJson(value);
  assert.ok(bytes instanceof Uint8Array);
  assert.deepEqual(decodeJson(bytes), value);
});

test('values JSON cannot carry are refused with BusCodecError', () => {
  assert.throws(() => encodeJson(undefined), BusCodecError);
  assert.throws(() => encodeJson(() => 1), BusCodecError);
  assert.throws(() => encodeJson(Symbol('x')), BusCodecError);
  assert.throws(() => encodeJson(1n), BusCodecError);
});

test('invalid JSON or invalid UTF-8 bytes fail with BusCodecError', () => {
  assert.throws(() => decodeJson(new TextEncoder().encode('{nope')), BusCodecError);
  assert.throws(() => decodeJson(new Uint8Array([0xff, 0xfe])), BusCodecError);
});

test('gzip and gunzip are inverses and gunzip refuses non-gzip data', () => {
  const bytes = encodeJson({ a: 'x'.repeat(1000) });
  const packed = gzip(bytes);
  assert.ok(packed.byteLength < bytes.byteLength);
  assert.deepEqual(gunzip(packed), bytes);
  assert.throws(() => gunzip(bytes), BusCodecError);
});

test('encodeBody gzips JSON only above the threshold unless told otherwise', () => {
  const small = encodeBody({ a: 1 }, { compressAboveBytes: 100 });
  assert.equal(small.contentType, JSON_CONTENT_TYPE);
  const large = encodeBody({ a: 'y'.repeat(200) }, { compressAboveBytes: 100 });
  assert.equal(large.contentType, GZIP_JSON_CONTENT_TYPE);
  assert.equal(
    encodeBody({ a: 1 }, { compressAboveBytes: 100, compress: true }).contentType,
    GZIP_JSON_CONTENT_TYPE,
  );
  assert.equal(
    encodeBody({ a: 'y'.repeat(200) }, { compressAboveBytes: 100, compress: false }).contentType,
    JSON_CONTENT_TYPE,
  );
});

test('encodeBody sends bytes untouched, never gzipped', () => {
  const bytes = new Uint8Array(5000);
  const encoded = encodeBody(bytes, { compressAboveBytes: 10, compress: true });
  assert.equal(encoded.contentType, BYTES_CONTENT_TYPE);
  assert.equal(encoded.body, bytes);
});

test('decodeBody reads JSON, gzipped JSON, and hands anything else over as bytes', () => {
  const json = encodeJson([1, 2]);
  assert.deepEqual(decodeBody(json, 'application/json'), [1, 2]);
  assert.deepEqual(decodeBody(json, 'Application/JSON; charset=utf-8'), [1, 2]);
  assert.deepEqual(decodeBody(gzip(json), GZIP_JSON_CONTENT_TYPE), [1, 2]);
  assert.equal(decodeBody(json, undefined), json);
  assert.equal(decodeBody(json, 'text/plain'), json);
  assert.equal(decodeBody(json, BYTES_CONTENT_TYPE), json);
  assert.throws(() => decodeBody(json, GZIP_JSON_CONTENT_TYPE), BusCodecError);
});
