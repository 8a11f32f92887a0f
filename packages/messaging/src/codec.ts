import { gunzipSync, gzipSync } from 'node:zlib';
import { BusCodecError } from './errors.ts';

/** Content type of a JSON body. */
export const JSON_CONTENT_TYPE = 'application/json';
/** Content type of a gzipped JSON body, as upstream FeatureHub sends most feature traffic. */
export const GZIP_JSON_CONTENT_TYPE = 'application/json+gzip';
/** Content type of an opaque byte body (a `Uint8Array` payload). */
export const BYTES_CONTENT_TYPE = 'application/octet-stream';

/** JSON bodies larger than this many bytes are gzipped unless the publisher says otherwise. */
export const DEFAULT_COMPRESS_ABOVE_BYTES = 4096;

const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder('utf-8', { fatal: true });

/** Serialises a value to UTF-8 JSON bytes; throws {@link BusCodecError} for values JSON cannot carry. */
export function encodeJson(value: unknown): Uint8Array {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (err) {
    throw new BusCodecError(`payload is not JSON-serialisable: ${(err as Error).message}`, { cause: err });
  }
  // JSON.stringify returns undefined (not a string) for undefined, functions and symbols.
  if (typeof text !== 'string') throw new BusCodecError(`payload is not JSON-serialisable: ${typeof value}`);
  return textEncoder.encode(text);
}

/** Parses UTF-8 JSON bytes; throws {@link BusCodecError} on invalid UTF-8 or JSON. */
export function decodeJson(bytes: Uint8Array): unknown {
  try {
    return JSON.parse(textDecoder.decode(bytes));
  } catch (err) {
    throw new BusCodecError(`body is not valid JSON: ${(err as Error).message}`, { cause: err });
  }
}

/** Gzips bytes. */
export function gzip(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(gzipSync(bytes));
}

/** Gunzips bytes; throws {@link BusCodecError} when they are not gzip data. */
export function gunzip(bytes: Uint8Array): Uint8Array {
  try {
    return new Uint8Array(gunzipSync(bytes));
  } catch (err) {
    throw new BusCodecError(`body is not valid gzip data: ${(err as Error).message}`, { cause: err });
  }
}

/** A message body on the wire together with the content type that says how to read it. */
export interface EncodedBody {
  readonly body: Uint8Array;
  readonly contentType: string;
}

/** How {@link encodeBody} decides on compression. */
export interface EncodeBodyOptions {
  /** Gzip JSON bodies larger than this (bytes). */
  readonly compressAboveBytes: number;
  /** `true` always gzips JSON, `false` never does; unset applies the threshold. */
  readonly compress?: boolean | undefined;
}

/**
 * Encodes a payload: a `Uint8Array` travels as-is (`application/octet-stream`); anything else is JSON,
 * gzipped (`application/json+gzip`) when forced or larger than the threshold.
 */
export function encodeBody(payload: unknown, options: EncodeBodyOptions): EncodedBody {
  if (payload instanceof Uint8Array) return { body: payload, contentType: BYTES_CONTENT_TYPE };
  const json = encodeJson(payload);
  const compress = options.compress ?? json.byteLength > options.compressAboveBytes;
  return compress
    ? { body: gzip(json), contentType: GZIP_JSON_CONTENT_TYPE }
    : { body: json, contentType: JSON_CONTENT_TYPE };
}

/**
 * Decodes a body by its content type: JSON (plain or gzipped) becomes a value; any other or missing
 * content type yields the raw bytes, because we cannot know how a foreign publisher meant them.
 * Throws {@link BusCodecError} when a body does not match its declared JSON content type.
 */
export function decodeBody(body: Uint8Array, contentType: string | undefined): unknown {
  const type = contentType?.split(';')[0]?.trim().toLowerCase();
  if (type === JSON_CONTENT_TYPE) return decodeJson(body);
  if (type === GZIP_JSON_CONTENT_TYPE) return decodeJson(gunzip(body));
  return body;
}
