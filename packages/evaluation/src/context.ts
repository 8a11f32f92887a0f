/**
 * The attributes an SDK supplied for evaluation: attribute name → its values (a context attribute
 * may carry several, e.g. `warehouseId=ios,Android`). Names are case-sensitive (`userkey`,
 * `session`, `country`, ... or any custom name). Build one with {@link parseContextHeader} or as a
 * plain object literal; lookups only see own properties, so `constructor` & co are never values.
 */
export type EvaluationContext = Readonly<Record<string, readonly string[]>>;

/** The Java Edge stops decoding after this many attributes; so do we. */
export const MAX_CONTEXT_ATTRIBUTES = 30;

/**
 * The values supplied for `name`, or `undefined` when the attribute is absent or has no values.
 * Tolerates hand-built contexts holding a single string or non-string items.
 */
export function contextValues(
  context: EvaluationContext | undefined,
  name: string,
): readonly string[] | undefined {
  if (context === undefined || context === null || typeof context !== 'object') return undefined;
  if (!Object.hasOwn(context, name)) return undefined;
  const raw: unknown = context[name];
  if (typeof raw === 'string') return [raw];
  if (!Array.isArray(raw)) return undefined;
  const values = raw.filter((v): v is string | number | boolean =>
    ['string', 'number', 'boolean'].includes(typeof v),
  );
  return values.length === 0 ? undefined : values.map(String);
}

function formDecode(text: string): string | undefined {
  // Most items have nothing to decode; decodeURIComponent would only copy them.
  if (!text.includes('%') && !text.includes('+')) return text;
  try {
    return decodeURIComponent(text.replaceAll('+', ' '));
  } catch {
    return undefined;
  }
}

/**
 * Decodes the `x-featurehub` header (or the browser's `xfeaturehub` query parameter, which decodes
 * to the same string) into a context, following the Java Edge: split on `,` before decoding, split
 * each item at the first `=`, form-decode both sides (`+` is a space), split a decoded value on `,`
 * into a list, stop after {@link MAX_CONTEXT_ATTRIBUTES}. Several header values (or Node's `", "`
 * join of repeated headers) are handled; items are trimmed. Never throws: items without `=`, with an
 * empty name or with broken `%` escapes are skipped; garbage gives an empty context. A later item
 * with the same name replaces an earlier one.
 */
export function parseContextHeader(header: string | readonly string[] | null | undefined): EvaluationContext {
  const context: Record<string, readonly string[]> = Object.create(null);
  const headers = typeof header === 'string' ? [header] : Array.isArray(header) ? header : [];
  let accepted = 0;
  for (const one of headers) {
    if (typeof one !== 'string') continue;
    for (const rawItem of one.split(',')) {
      if (accepted >= MAX_CONTEXT_ATTRIBUTES) return context;
      const item = rawItem.trim();
      const eq = item.indexOf('=');
      if (eq < 0) continue;
      const name = formDecode(item.slice(0, eq));
      const value = formDecode(item.slice(eq + 1));
      if (name === undefined || name === '' || value === undefined) continue;
      context[name] = value.split(',');
      accepted++;
    }
  }
  return context;
}

/**
 * Encodes a context the way SDK 1.4.0 builds its `x-featurehub` header: `name=` +
 * `encodeURIComponent(values.join(','))` per attribute (the name is not encoded), items sorted as
 * plain strings, joined with `,`. An empty context gives `""`. Useful for tests and clients.
 */
export function encodeContextHeader(context: EvaluationContext): string {
  const items: string[] = [];
  for (const name of Object.keys(context)) {
    const values = contextValues(context, name);
    if (values !== undefined) items.push(`${name}=${encodeURIComponent(values.join(','))}`);
  }
  return items.sort().join(',');
}

function base64Url(bytes: Uint8Array): string {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
}

/**
 * The `contextSha` query parameter SDK 1.4.0 sends when polling: base64url without padding of
 * SHA-256 of the header string, or `"0"` for an empty header. Servers ignore it (it only breaks CDN
 * caches); exposed for test clients. Uses Web Crypto, so it is async.
 */
export async function contextSha(header: string): Promise<string> {
  if (header === '') return '0';
  const digest = await globalThis.crypto.subtle.digest('SHA-256', new TextEncoder().encode(header));
  return base64Url(new Uint8Array(digest));
}
