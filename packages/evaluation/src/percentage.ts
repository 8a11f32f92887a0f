import { contextValues, type EvaluationContext } from './context.ts';
import { murmur3OfKeyAndBytes, murmur3OfPair, murmur3X86x32 } from './murmur3.ts';

/** Number of percentage buckets: strategy percentages are integers on this scale (100 % = 1,000,000). */
export const PERCENTAGE_BUCKETS = 1_000_000;

/** Stands in for a missing percentage attribute when building the percentage key. */
export const MISSING_PERCENTAGE_ATTRIBUTE = '<none>';

/**
 * The bucket (0…999,999) a percentage key falls in for one feature:
 * `floor(murmur3_x86_32(utf8(percentageKey + id), seed 0) / 2^32 × 1,000,000)`.
 * A strategy matches when `bucket <= base + percentage` (note `<=`: 100 % always matches).
 * Pass the same `id` that goes into `FeatureState.id` (the feature id) so server-side and
 * client-side evaluation put a user in the same bucket.
 */
export function percentageBucket(percentageKey: string, id: string): number {
  const hash =
    typeof percentageKey === 'string' && typeof id === 'string'
      ? murmur3OfPair(percentageKey, id)
      : murmur3X86x32(percentageKey + id);
  return Math.floor((hash / 2 ** 32) * PERCENTAGE_BUCKETS);
}

/**
 * `percentageBucket(percentageKey, id)` with the id's UTF-8 bytes encoded once by the caller
 * (compiled features hash the same id for every request).
 */
export function percentageBucketOfIdBytes(percentageKey: string, id: string, idBytes: Uint8Array): number {
  const last = percentageKey.charCodeAt(percentageKey.length - 1);
  // A high surrogate at the end would pair with a low one starting the id: hash the joined text.
  if (last >= 0xd800 && last <= 0xdbff) return percentageBucket(percentageKey, id);
  return Math.floor((murmur3OfKeyAndBytes(percentageKey, idBytes) / 2 ** 32) * PERCENTAGE_BUCKETS);
}

/**
 * The string hashed for percentage rules, or `undefined` when there is none (then percentage rules
 * are skipped).
 * - With `percentageAttributes`: each attribute's values joined with `$` (all values of a
 *   multi-value attribute, as the Java Edge does; SDK 1.4.0 uses only the first), a missing
 *   attribute contributing `<none>`, the attributes joined with `$`.
 * - Otherwise the default key: `session` (what SDKs send), else `sessionkey` (what the Java Edge
 *   reads), else `userkey`. A multi-value key is re-joined with `,`, which restores the string the
 *   SDK encoded.
 */
export function determinePercentageKey(
  context: EvaluationContext | undefined,
  percentageAttributes?: readonly string[] | null,
): string | undefined {
  const names = Array.isArray(percentageAttributes)
    ? percentageAttributes.filter((n): n is string => typeof n === 'string')
    : [];
  if (names.length > 0) {
    return names
      .map((name) => contextValues(context, name)?.join('$') ?? MISSING_PERCENTAGE_ATTRIBUTE)
      .join('$');
  }
  for (const name of ['session', 'sessionkey', 'userkey']) {
    const values = contextValues(context, name);
    if (values !== undefined) return values.join(',');
  }
  return undefined;
}
