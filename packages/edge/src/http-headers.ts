import { createHash } from 'node:crypto';
import { type EvaluationContext, encodeContextHeader, parseContextHeader } from '@fh/evaluation';

/** Headers a browser SDK needs on every cross-origin answer (edge-protocol.md §2.4). */
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
  const fromQuery = query?.['xfeaturehub'];
  if (typeof fromQuery === 'string') return parseContextHeader(fromQuery);
  if (Array.isArray(fromQuery)) return parseContextHeader(fromQuery.filter((v) => typeof v === 'string'));
  return parseContextHeader(header);
}

/** A short stable tag of a context; `undefined` for an empty one (no `//` part in the etag). */
export function contextTag(context: EvaluationContext): string | undefined {
  const canonical = encodeContextHeader(context);
  if (canonical === '') return undefined;
  return createHash('sha256').update(canonical).digest('base64url').slice(0, 16);
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
