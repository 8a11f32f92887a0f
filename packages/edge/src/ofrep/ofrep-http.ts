import type { IncomingHttpHeaders } from 'node:http';
import { type ApiKey, parseApiKey } from '../api-key.ts';

/** On every OFREP answer: browsers may call from any origin and must read the ETag and Retry-After. */
export const OFREP_CORS_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'access-control-allow-origin': '*',
  'access-control-expose-headers': 'etag, retry-after',
});

/** The answer to an OFREP CORS preflight. */
export const OFREP_PREFLIGHT_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  ...OFREP_CORS_HEADERS,
  'access-control-allow-methods': 'GET, POST, OPTIONS',
  'access-control-allow-headers':
    'content-type, authorization, x-api-key, if-none-match, last-event-id, cache-control, baggage, traceparent, tracestate',
  'access-control-max-age': '86400',
});

/** Where the credentials of a request were, and what they said. */
export type OfrepCredentials =
  | { readonly status: 'missing' }
  | { readonly status: 'malformed' }
  | { readonly status: 'given'; readonly key: ApiKey };

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/**
 * The FeatureHub SDK key (`environmentId/serviceKey`, or with the cache name in front) from
 * `Authorization: Bearer <key>` or `X-API-Key: <key>` (the two schemes of the OFREP spec).
 */
export function ofrepCredentials(headers: IncomingHttpHeaders): OfrepCredentials {
  const authorization = single(headers.authorization)?.trim();
  const bearer = authorization?.match(/^bearer\s+(\S+)$/i)?.[1];
  const apiKey = single(headers['x-api-key'])?.trim();
  const text = bearer ?? (apiKey === '' ? undefined : apiKey);
  if (text === undefined) {
    return authorization === undefined || authorization === ''
      ? { status: 'missing' }
      : { status: 'malformed' };
  }
  let decoded = text;
  try {
    decoded = decodeURIComponent(text);
  } catch {
    return { status: 'malformed' };
  }
  const key = parseApiKey(decoded);
  return key === undefined ? { status: 'malformed' } : { status: 'given', key };
}
