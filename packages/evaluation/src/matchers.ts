import type {
  RolloutStrategyAttribute,
  RolloutStrategyAttributeConditional,
  RolloutStrategyFieldType,
} from '@fh/contracts';
import { contextValues, type EvaluationContext } from './context.ts';
import { compareInstants, type Instant, parseIsoDate, parseOffsetDateTime } from './date-time.ts';
import { compareDecimals, type Decimal, parseDecimal } from './decimal.ts';
import { blockContains, type IpBlock, parseIpBlock } from './ip-address.ts';
import { compareVersions, parseVersion } from './version.ts';

type Conditional = RolloutStrategyAttributeConditional;

/** Options shared by the evaluation functions. */
export interface EvaluationOptions {
  /**
   * Clock for the special `now` attribute: when the context has no `now`, DATE rules on `now` use
   * today's UTC date and DATETIME rules the current instant. Defaults to `() => new Date()`.
   */
  readonly now?: () => Date;
  /**
   * Replaces the murmur3 bucket calculation (`percentageBucket`), e.g. to pin a bucket in a test.
   * Must return 0…999,999.
   */
  readonly percentageBucket?: (percentageKey: string, id: string) => number;
}

/** The field name whose absence from the context means "the current date / time". */
export const NOW_ATTRIBUTE = 'now';

// Strategy values come from admin data: accept the scalars, skip nulls and objects.
// (Exported within the package for compiled.ts, which must read values exactly as these matchers do.)
export function textValues(values: readonly unknown[]): string[] {
  const out: string[] = [];
  for (const v of values) {
    if (typeof v === 'string') out.push(v);
    else if ((typeof v === 'number' && Number.isFinite(v)) || typeof v === 'boolean') out.push(String(v));
  }
  return out;
}

export function definedOnly<T>(items: readonly (T | undefined)[]): T[] {
  return items.filter((i): i is T => i !== undefined);
}

const REGEX_CACHE_LIMIT = 500;
const regexCache = new Map<string, RegExp | null>();

/**
 * Whole-string regular-expression match (Java `String.matches`): `gold` does not match
 * `actapus (gold)`, `(.*)gold(.*)` does. An invalid pattern matches nothing.
 */
export function matchesWholeRegex(pattern: string, text: string): boolean {
  let re = regexCache.get(pattern);
  if (re === undefined) {
    try {
      re = new RegExp(`^(?:${pattern})$`);
    } catch {
      re = null;
    }
    if (regexCache.size >= REGEX_CACHE_LIMIT) regexCache.clear();
    regexCache.set(pattern, re);
  }
  return re?.test(text) === true;
}

/** `compare(s, v)` against any v, for the four ordering conditionals; undefined for the others. */
function ordered<T>(conditional: Conditional, s: T, vs: readonly T[], compare: (a: T, b: T) => number) {
  switch (conditional) {
    case 'GREATER':
      return vs.some((v) => compare(s, v) > 0);
    case 'GREATER_EQUALS':
      return vs.some((v) => compare(s, v) >= 0);
    case 'LESS':
      return vs.some((v) => compare(s, v) < 0);
    case 'LESS_EQUALS':
      return vs.some((v) => compare(s, v) <= 0);
    default:
      return undefined;
  }
}

export function compareStrings(a: string, b: string): number {
  return a === b ? 0 : a < b ? -1 : 1; // UTF-16 code-unit order, like Java's compareTo
}

function matchString(conditional: Conditional, s: string, values: readonly unknown[]): boolean {
  const vs = textValues(values);
  switch (conditional) {
    case 'EQUALS':
      return vs.some((v) => v === s);
    case 'NOT_EQUALS':
      // Java semantics: true if any value differs (SDK 1.4.0: no value equals).
      return vs.some((v) => v !== s);
    case 'STARTS_WITH':
      return vs.some((v) => s.startsWith(v));
    case 'ENDS_WITH':
      return vs.some((v) => s.endsWith(v));
    case 'INCLUDES':
      return vs.some((v) => s.includes(v));
    case 'EXCLUDES':
      return !vs.some((v) => s.includes(v));
    case 'REGEX':
      return vs.some((v) => matchesWholeRegex(v, s));
    default:
      return ordered(conditional, s, vs, compareStrings) ?? false;
  }
}

function matchNumber(conditional: Conditional, s: string, values: readonly unknown[]): boolean {
  const supplied = parseDecimal(s);
  if (supplied === undefined) return false;
  // As in the Java Edge, only JSON numbers take part in numeric comparisons; strings are ignored.
  const nums = definedOnly(values.filter((v) => typeof v === 'number').map(parseDecimal));
  const equal = (v: Decimal) => compareDecimals(supplied, v) === 0;
  switch (conditional) {
    case 'EQUALS':
    case 'INCLUDES':
      return nums.some(equal);
    case 'NOT_EQUALS':
    case 'EXCLUDES':
      return !nums.some(equal);
    case 'STARTS_WITH':
      return textValues(values).some((v) => s.startsWith(v));
    case 'ENDS_WITH':
      return textValues(values).some((v) => s.endsWith(v));
    case 'REGEX':
      return textValues(values).some((v) => matchesWholeRegex(v, s));
    default:
      return ordered(conditional, supplied, nums, compareDecimals) ?? false;
  }
}

function matchVersion(conditional: Conditional, s: string, values: readonly unknown[]): boolean {
  const supplied = parseVersion(s);
  if (supplied === undefined) return false;
  const vs = definedOnly(textValues(values).map(parseVersion));
  const equal = (v: NonNullable<ReturnType<typeof parseVersion>>) => compareVersions(supplied, v) === 0;
  switch (conditional) {
    case 'EQUALS':
    case 'INCLUDES':
      return vs.some(equal);
    case 'NOT_EQUALS':
    case 'EXCLUDES':
      return !vs.some(equal);
    default:
      return ordered(conditional, supplied, vs, compareVersions) ?? false;
  }
}

/** Shared by DATE and DATETIME: text conditionals on the raw string, the rest on parsed values. */
function matchTemporal<T>(
  conditional: Conditional,
  s: string,
  values: readonly unknown[],
  parse: (text: string) => T | undefined,
  compare: (a: T, b: T) => number,
): boolean {
  switch (conditional) {
    case 'STARTS_WITH':
    case 'ENDS_WITH':
    case 'REGEX':
      return matchString(conditional, s, values);
    default:
      break;
  }
  const supplied = parse(s);
  if (supplied === undefined) return false;
  const vs = definedOnly(textValues(values).map(parse));
  const equal = (v: T) => compare(supplied, v) === 0;
  switch (conditional) {
    case 'EQUALS':
    case 'INCLUDES':
      return vs.some(equal);
    case 'NOT_EQUALS':
    case 'EXCLUDES':
      return !vs.some(equal);
    default:
      return ordered(conditional, supplied, vs, compare) ?? false;
  }
}

function matchBoolean(conditional: Conditional, s: string, values: readonly unknown[]): boolean {
  if (values.length === 0 || values[0] === null || values[0] === undefined) return false;
  const same = (s === 'true') === (String(values[0]) === 'true');
  if (conditional === 'EQUALS') return same;
  if (conditional === 'NOT_EQUALS') return !same;
  return false;
}

function matchIp(conditional: Conditional, s: string, values: readonly unknown[]): boolean {
  const supplied = parseIpBlock(s);
  if (supplied === undefined || supplied.prefix !== supplied.bytes.length * 8) return false;
  const blocks = definedOnly(textValues(values).map(parseIpBlock));
  const inAny = blocks.some((b: IpBlock) => blockContains(b, supplied));
  switch (conditional) {
    case 'EQUALS':
    case 'INCLUDES':
      return inAny;
    case 'NOT_EQUALS':
    case 'EXCLUDES':
      return !inAny;
    default:
      return false;
  }
}

/**
 * Does one supplied context value satisfy a rule? `values` are the rule's values (ORed).
 * Semantics are the Java Edge's / documented ones (docs/edge-protocol.md §6.4):
 * - STRING: case-sensitive; NOT_EQUALS = any value differs; INCLUDES/EXCLUDES = substring;
 *   GREATER… = UTF-16 string order; REGEX = whole-string match.
 * - NUMBER: exact decimals (`5` = `5.0`, `5` ≠ `5.5`); string values are ignored; non-numeric s →
 *   false; STARTS_WITH/ENDS_WITH on the text; REGEX = s whole-matches the value's pattern.
 * - SEMANTIC_VERSION: Maven-style ordering (`2.0` = `2.0.0`, `1.0.0-beta` < `1.0.0`); NOT_EQUALS /
 *   EXCLUDES = none equal; STARTS_WITH/ENDS_WITH/REGEX → false.
 * - DATE (`YYYY-MM-DD`) / DATETIME (ISO with offset, compared by instant): EQUALS/INCLUDES = any
 *   equal, NOT_EQUALS/EXCLUDES = none equal, ordering vs any; STARTS_WITH/ENDS_WITH/REGEX on raw s.
 * - BOOLEAN: only EQUALS / NOT_EQUALS, `(s === 'true') === (String(values[0]) === 'true')`.
 * - IP_ADDRESS: v4 or v6 address in any value (address or CIDR) for EQUALS/INCLUDES, in none for
 *   NOT_EQUALS/EXCLUDES; others → false.
 * Unknown types or conditionals, and anything unparsable, give false. Never throws.
 */
export function matchesCondition(
  type: RolloutStrategyFieldType,
  conditional: RolloutStrategyAttributeConditional,
  supplied: string,
  values: readonly unknown[],
): boolean {
  try {
    if (typeof supplied !== 'string' || !Array.isArray(values)) return false;
    switch (type) {
      case 'STRING':
        return matchString(conditional, supplied, values);
      case 'NUMBER':
        return matchNumber(conditional, supplied, values);
      case 'SEMANTIC_VERSION':
        return matchVersion(conditional, supplied, values);
      case 'DATE':
        return matchTemporal(conditional, supplied, values, parseIsoDate, compareStrings);
      case 'DATETIME':
        return matchTemporal<Instant>(conditional, supplied, values, parseOffsetDateTime, compareInstants);
      case 'BOOLEAN':
        return matchBoolean(conditional, supplied, values);
      case 'IP_ADDRESS':
        return matchIp(conditional, supplied, values);
      default:
        return false;
    }
  } catch {
    return false;
  }
}

export function nowValue(
  type: RolloutStrategyFieldType,
  options: EvaluationOptions | undefined,
): string | undefined {
  const now = options?.now?.() ?? new Date();
  if (type === 'DATE') return now.toISOString().slice(0, 10);
  if (type === 'DATETIME') return now.toISOString();
  return undefined;
}

/**
 * Does the context satisfy one strategy attribute? Any of the context's values for `fieldName` may
 * satisfy it. When the context lacks the attribute the rule passes only if it is EQUALS with
 * `values` null/absent — except `now` on DATE/DATETIME rules, which defaults to the clock.
 * Malformed attributes give false. Never throws.
 */
export function matchAttribute(
  attribute: RolloutStrategyAttribute,
  context: EvaluationContext | undefined,
  options?: EvaluationOptions,
): boolean {
  try {
    if (attribute === null || typeof attribute !== 'object' || typeof attribute.fieldName !== 'string')
      return false;
    const { fieldName, type, conditional } = attribute;
    const values = attribute.values;
    let supplied = contextValues(context, fieldName);
    if (supplied === undefined && fieldName === NOW_ATTRIBUTE) {
      const now = nowValue(type, options);
      if (now !== undefined) supplied = [now];
    }
    if (supplied === undefined) return (values === null || values === undefined) && conditional === 'EQUALS';
    const ruleValues = Array.isArray(values) ? values : [];
    return supplied.some((s) => matchesCondition(type, conditional, s, ruleValues));
  } catch {
    return false;
  }
}
