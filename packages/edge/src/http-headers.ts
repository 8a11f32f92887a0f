import { createHash } from 'node:crypto';
import { type EvaluationContext, encodeContextHeader, parseContextHeader } from '@fh/evaluation';

/** Headers a browser SDK needs on every cross-origin answer (docs/edge-protocol.md §2.4). */
export const CORS_RESPONSE_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'access-control-allow-origin': '*',
  'access-control-expose-headers': 'etag,cache-control',
});

/** The answer to a CORS preflight. */
export const CORS_PREFLIGHT_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  ...CORS_RESPONSE_HEADERS,
  'access-control-allow-methods': 'GET, POST, PUT, DELETE, OPTIONS, HEAD',
  'access-control-allow-headers':
    'x-featurehub, if-none-match, content-type, cache-control, baggage, etag, authorization, x-requested-with, last-event-id',
  'access-control-max-age': '86400',
  'access-control-allow-credentials': 'true',
});

/** The SDK context: the `xfeaturehub` query parameter (browsers) wins over the `x-featurehub` header. */
export function requestContext(
  query: Record<string, unknown> | undefined,
  header: string | string[] | undefined,
): EvaluationContext {
  return taggedRequestContext(query, header).context;
}

/** A request's context with its etag tag (`undefined` for an empty context). */
export interface TaggedContext {
  readonly context: EvaluationContext;
  readonly tag: string | undefined;
}

// An SDK sends the same header on every poll, so the last few parsed headers are kept with their tag:
// the answer is a pure function of the string. Small, so a flood of distinct headers only churns it.
const RECENT_CONTEXTS = 256;
const recent = new Map<string, TaggedContext>();

/** {@link requestContext} and {@link contextTag} at once, reusing the work for a recently seen header. */
export function taggedRequestContext(
  query: Record<string, unknown> | undefined,
  header: string | string[] | undefined,
): TaggedContext {
  const fromQuery = query?.['xfeaturehub'];
  const raw: unknown = typeof fromQuery === 'string' || Array.isArray(fromQuery) ? fromQuery : header;
  if (typeof raw !== 'string') {
    const context = Array.isArray(raw)
      ? parseContextHeader(raw.filter((v): v is string => typeof v === 'string'))
      : parseContextHeader(undefined);
    return { context, tag: contextTag(context) };
  }
  let found = recent.get(raw);
  if (found !== undefined) {
    // Most recently used last, so the oldest entry is the first one.
    recent.delete(raw);
    recent.set(raw, found);
    return found;
  }
  const context = freezeContext(parseContextHeader(raw));
  found = { context, tag: contextTag(context) };
  if (recent.size >= RECENT_CONTEXTS) {
    const oldest = recent.keys().next();
    if (oldest.done !== true) recent.delete(oldest.value);
  }
  recent.set(raw, found);
  return found;
}

// A kept context is shared by every request sending that header: nothing may change it.
function freezeContext(context: EvaluationContext): EvaluationContext {
  for (const name of Object.keys(context)) Object.freeze(context[name]);
  return Object.freeze(context);
}

/**
 * A short stable tag of a context; `undefined` for an empty one (no `//` part in the etag). A 64-bit
 * non-cryptographic hash of the canonical header is enough: the tag only has to change when the
 * context does, and a client forging a collision only confuses its own cache.
 */
export function contextTag(context: EvaluationContext): string | undefined {
  const canonical = encodeContextHeader(context);
  if (canonical === '') return undefined;
  return hash64(canonical);
}

/** Two independent 32-bit hashes (FNV-1a and a murmur3-style mix) over UTF-16 units, as 16 hex digits. */
export function hash64(text: string): string {
  let a = 0x811c9dc5;
  let b = 0x9747b28c ^ text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  return hex8(fmix32(a ^ Math.imul(b, 0x85ebca6b))) + hex8(fmix32(b ^ a));
}

function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function hex8(n: number): string {
  return n.toString(16).padStart(8, '0');
}

/** A short tag of a filter set, so two filter sets never share an etag. */
export function filtersTag(filters: readonly string[]): string {
  if (filters.length === 0) return '';
  return `-${createHash('sha256')
    .update([...filters].sort().join(','))
    .digest('base64url')
    .slice(0, 8)}`;
}

/** Cache-Control for a poll: env `mgmt.cacheControl` > configured header > env `cacheControl`. */
export function cacheControlFor(
  environmentInfo: Readonly<Record<string, string>> | undefined,
  configured: string,
): string {
  const managed = environmentInfo?.['mgmt.cacheControl'];
  if (isHeaderValue(managed)) return managed;
  if (isHeaderValue(configured)) return configured;
  const fallback = environmentInfo?.['cacheControl'];
  return isHeaderValue(fallback) ? fallback : '';
}

// Environment info is operator data: a value Node would refuse as a header must not become a 500.
function isHeaderValue(value: string | undefined): value is string {
  return value !== undefined && value !== '' && /^[\t\x20-\x7e]*$/.test(value);
}
