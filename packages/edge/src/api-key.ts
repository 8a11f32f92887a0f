/** An SDK API key: `{environmentId}/{serviceKey}` or the older `{namedCache}/{environmentId}/{serviceKey}`. */
export interface ApiKey {
  readonly cacheName: string;
  readonly environmentId: string;
  readonly serviceKey: string;
  /** The service key contains `*`: strategies go to the SDK, which evaluates them itself. */
  readonly clientEvaluated: boolean;
}

export const DEFAULT_CACHE_NAME = 'default';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// Keys MR issues are alphanumerics with one `*`; anything printable up to the cache's limit is let
// through to the lookup, which then simply does not find it.
const SERVICE_KEY = /^[\x21-\x7e]{1,400}$/;

/** Builds a key from path parts; `undefined` when the parts cannot be a key. */
export function apiKeyFromParts(
  cacheName: string | undefined,
  environmentId: string,
  serviceKey: string,
): ApiKey | undefined {
  if (!UUID.test(environmentId) || !SERVICE_KEY.test(serviceKey)) return undefined;
  if (cacheName !== undefined && (cacheName.length === 0 || cacheName.length > 100)) return undefined;
  return {
    cacheName: cacheName ?? DEFAULT_CACHE_NAME,
    environmentId: environmentId.toLowerCase(),
    serviceKey,
    clientEvaluated: serviceKey.includes('*'),
  };
}

/** Parses a key as SDKs send it in `apiKey=` (2 or 3 `/`-separated parts). */
export function parseApiKey(text: string): ApiKey | undefined {
  const parts = text.split('/');
  if (parts.length === 2) return apiKeyFromParts(undefined, parts[0] ?? '', parts[1] ?? '');
  if (parts.length === 3) return apiKeyFromParts(parts[0], parts[1] ?? '', parts[2] ?? '');
  return undefined;
}
