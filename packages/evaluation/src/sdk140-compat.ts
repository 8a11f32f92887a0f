import type { RolloutStrategyAttribute } from '@fh/contracts';
import { contextValues, type EvaluationContext } from './context.ts';
import { parseIsoDate, parseOffsetDateTime } from './date-time.ts';
import type { EvaluableFeature, EvaluableStrategy } from './evaluate.ts';
import { matchesCondition, NOW_ATTRIBUTE } from './matchers.ts';

// Where the JavaScript SDK 1.4.0's client-side evaluation can disagree with evaluateFeature
// (docs/edge-protocol.md §6.3 and the ⚠ rows of §6.4). Deliberately conservative: it may flag a case
// where both happen to agree, but must never pass one where they differ. A differential test
// (our server-eval vs the real SDK on the same data) should only assert when this returns [].

const CANONICAL_INTEGER_OR_DECIMAL = /^-?\d+(\.\d+)?$/;
const CANONICAL_SEMVER = /^\d+\.\d+\.\d+$/;
const CANONICAL_DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
const CANONICAL_IPV4_PART = /^(0|[1-9]\d{0,2})$/;

function hasPercentageRule(s: EvaluableStrategy): boolean {
  return typeof s.percentage === 'number' && s.percentage !== 0;
}

function attributesOf(s: EvaluableStrategy): readonly RolloutStrategyAttribute[] {
  return Array.isArray(s.attributes) ? s.attributes : [];
}

/** True when a search-anywhere match (JS `match`) and a whole-string match agree for every input. */
function isWholeStringPattern(pattern: unknown): boolean {
  if (typeof pattern !== 'string') return false;
  const anchored = pattern.startsWith('^') && pattern.endsWith('$') && !pattern.endsWith('\\$');
  const openEnded = /^(\(\.\*\)|\.\*)/.test(pattern) && /(\(\.\*\)|\.\*)$/.test(pattern);
  return anchored || openEnded;
}

function isCanonicalIpv4(text: unknown, allowPrefix: boolean): boolean {
  if (typeof text !== 'string') return false;
  const [address, prefix, ...rest] = text.split('/');
  if (rest.length > 0 || address === undefined) return false;
  if (prefix !== undefined && (!allowPrefix || !/^(\d|[12]\d|3[0-2])$/.test(prefix))) return false;
  const parts = address.split('.');
  return parts.length === 4 && parts.every((p) => CANONICAL_IPV4_PART.test(p) && Number(p) <= 255);
}

function attributeDivergences(
  attr: RolloutStrategyAttribute,
  context: EvaluationContext | undefined,
  where: string,
): string[] {
  const out: string[] = [];
  const values: readonly unknown[] = Array.isArray(attr.values) ? attr.values : [];
  const supplied = contextValues(context, attr.fieldName) ?? [];
  const { type, conditional } = attr;
  const label = `${where} ${attr.fieldName} ${type} ${conditional}`;
  const regexOk = conditional !== 'REGEX' || values.every(isWholeStringPattern);
  // DATE/DATETIME STARTS_WITH, ENDS_WITH and REGEX compare text. 1.4.0 first re-formats the supplied
  // value (YYYY-MM-DD, or YYYY-MM-DDTHH:mm:ssZ), which leaves a canonical one unchanged (others are
  // flagged below), so string rule values need not be dates.
  const textRule =
    (conditional === 'STARTS_WITH' || conditional === 'ENDS_WITH' || conditional === 'REGEX') &&
    values.every((v) => typeof v === 'string');
  // 1.4.0 finds the matching supplied value with Array.find, so a matching "" counts as no match.
  if (supplied.includes('')) out.push(`${label}: an empty supplied value`);
  // 1.4.0 fails a rule whose values are null/absent whenever the attribute is supplied; we run the
  // matcher on an empty list, which some conditionals (EXCLUDES, NOT_EQUALS, ...) pass. Where ours
  // fails too (EQUALS, INCLUDES, the orderings, ...) both agree.
  if (!Array.isArray(attr.values) && supplied.some((s) => matchesCondition(type, conditional, s, [])))
    out.push(`${label}: no values, attribute supplied (1.4.0 never matches)`);

  switch (type) {
    case 'STRING':
      // "any v differs" vs "no v equals" only agree for exactly one value (an empty list too differs)
      if (conditional === 'NOT_EQUALS' && values.length !== 1)
        out.push(`${label}: NOT_EQUALS without exactly one value (any vs none)`);
      if (!regexOk) out.push(`${label}: unanchored REGEX (search vs whole match)`);
      break;
    case 'NUMBER':
      if (['INCLUDES', 'EXCLUDES', 'REGEX'].includes(conditional))
        out.push(`${label}: text vs numeric semantics`);
      if (!values.every((v) => typeof v === 'number' && Number.isInteger(v)))
        out.push(`${label}: non-integer or string values`);
      if (!supplied.every((s) => CANONICAL_INTEGER_OR_DECIMAL.test(s)))
        out.push(`${label}: non-canonical number`);
      break;
    case 'SEMANTIC_VERSION':
      if ((conditional === 'NOT_EQUALS' || conditional === 'EXCLUDES') && values.length !== 1)
        out.push(`${label}: NOT_EQUALS/EXCLUDES without exactly one value (any vs none)`);
      if (!values.every((v) => typeof v === 'string' && CANONICAL_SEMVER.test(v)))
        out.push(`${label}: values are not x.y.z`);
      if (!supplied.every((s) => CANONICAL_SEMVER.test(s)))
        out.push(`${label}: supplied version is not x.y.z`);
      break;
    case 'DATE':
      if (!regexOk) out.push(`${label}: unanchored REGEX (search vs whole match)`);
      if (!textRule && !values.every((v) => typeof v === 'string' && parseIsoDate(v) !== undefined))
        out.push(`${label}: values are not YYYY-MM-DD`);
      if (!supplied.every((s) => parseIsoDate(s) !== undefined))
        out.push(`${label}: supplied date is not YYYY-MM-DD`);
      break;
    case 'DATETIME':
      if (!regexOk) out.push(`${label}: unanchored REGEX (search vs whole match)`);
      if (
        !textRule &&
        !values.every((v) => typeof v === 'string' && CANONICAL_DATETIME.test(v) && parseOffsetDateTime(v))
      )
        out.push(`${label}: values are not YYYY-MM-DDTHH:mm:ssZ`);
      if (!supplied.every((s) => CANONICAL_DATETIME.test(s) && parseOffsetDateTime(s)))
        out.push(`${label}: supplied date-time is not YYYY-MM-DDTHH:mm:ssZ`);
      break;
    case 'BOOLEAN':
      if (values.length === 0 || values[0] === null || values[0] === undefined)
        out.push(`${label}: no value to compare with`);
      break;
    case 'IP_ADDRESS':
      // SDK 1.4.0 (netmask) is IPv4-only and throws on leading zeros or garbage.
      if (!values.every((v) => isCanonicalIpv4(v, true)))
        out.push(`${label}: values are not canonical IPv4/CIDR`);
      if (!supplied.every((s) => isCanonicalIpv4(s, false)))
        out.push(`${label}: supplied address is not canonical IPv4`);
      break;
    default:
      break;
  }
  if (
    typeof attr.fieldName === 'string' &&
    attr.fieldName !== NOW_ATTRIBUTE &&
    attr.fieldName.toLowerCase() === 'now'
  ) {
    out.push(`${label}: 1.4.0 treats any case of "now" as the clock`);
  }
  if (
    attr.fieldName === NOW_ATTRIBUTE &&
    (type === 'DATE' || type === 'DATETIME') &&
    contextValues(context, NOW_ATTRIBUTE) === undefined
  ) {
    out.push(`${label}: depends on the current time`);
  }
  return out;
}

/**
 * Reasons why SDK 1.4.0's client-side evaluation of `feature` for `context` may differ from
 * {@link evaluateFeature} (which implements the documented / Java Edge semantics); an empty list
 * means they agree. Checks: cumulative percentages, an absent `percentage` field (§6.3) and a
 * `null` one (1.4.0 then never matches the strategy's attributes — write `0`), empty supplied values,
 * rules without `values` on a supplied attribute, the `sessionkey` default key, an empty default
 * key, multi-value percentage attributes, the ⚠ matcher rows of §6.4 (NOT_EQUALS with other than one
 * value, unanchored REGEX, NUMBER/SEMVER/DATE/DATETIME/IP data that is not in the canonical forms
 * docs/edge-protocol.md §6.4 lists), `now` rules, and non-string JSON values. A percentage strategy
 * with attributes and no percentage key is not a divergence: both skip it (docs/edge-protocol.md §6.2).
 */
export function sdk140Divergences(
  feature: EvaluableFeature,
  context: EvaluationContext | undefined,
): string[] {
  const strategies = Array.isArray(feature.strategies) ? feature.strategies : [];
  if (context === undefined || strategies.length === 0) return [];
  const out: string[] = [];
  let earlierPercentage = false;
  let earlierAbsentPercentage = false;

  strategies.forEach((strategy, i) => {
    if (strategy === null || typeof strategy !== 'object') return;
    const where = `strategy[${i}]${typeof strategy.id === 'string' ? ` (${strategy.id})` : ''}`;
    const attributes = attributesOf(strategy);
    const percentageAttributes: readonly string[] = Array.isArray(strategy.percentageAttributes)
      ? strategy.percentageAttributes
      : [];

    if (hasPercentageRule(strategy)) {
      if (attributes.length === 0 && earlierPercentage)
        out.push(`${where}: cumulative percentage after another percentage strategy (§6.3.1)`);
      if (earlierAbsentPercentage)
        out.push(`${where}: follows a strategy without a percentage field (§6.3.2)`);
      if (percentageAttributes.length === 0) {
        if (
          contextValues(context, 'sessionkey') !== undefined &&
          contextValues(context, 'session') === undefined
        )
          out.push(`${where}: default key from sessionkey, which the SDK ignores`);
        // 1.4.0 reads its key as session[0], else userkey[0], and tests it for truth: an empty key
        // counts as none (the strategy is skipped), where we (and Java) hash "".
        const sdkKey = (contextValues(context, 'session') ?? contextValues(context, 'userkey'))?.[0];
        if (sdkKey === '') out.push(`${where}: empty default percentage key (1.4.0 reads it as none)`);
      } else if (percentageAttributes.some((name) => (contextValues(context, name)?.length ?? 0) > 1)) {
        out.push(`${where}: multi-value percentage attribute (SDK hashes only the first value)`);
      }
      earlierPercentage = true;
    }
    if (strategy.percentage === undefined) earlierAbsentPercentage = true;
    // 1.4.0 only matches attributes when percentage is 0 or absent; null counts as a percentage.
    if (strategy.percentage === null) out.push(`${where}: percentage is null (write 0 instead)`);
    for (const attr of attributes) {
      if (attr !== null && typeof attr === 'object') out.push(...attributeDivergences(attr, context, where));
    }
    if (feature.type === 'JSON' && strategy.value !== undefined && strategy.value !== null) {
      if (typeof strategy.value !== 'string') out.push(`${where}: JSON strategy value is not a string`);
    }
    if (
      feature.type === 'NUMBER' &&
      typeof strategy.value === 'string' &&
      !CANONICAL_INTEGER_OR_DECIMAL.test(strategy.value)
    )
      out.push(`${where}: NUMBER strategy value is a non-canonical string`);
  });
  return out;
}

/** True when SDK 1.4.0 and {@link evaluateFeature} agree for this feature and context. */
export function agreesWithSdk140(feature: EvaluableFeature, context: EvaluationContext | undefined): boolean {
  return sdk140Divergences(feature, context).length === 0;
}
