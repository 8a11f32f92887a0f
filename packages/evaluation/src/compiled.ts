// A compiled form of a feature's strategies for servers that evaluate the same immutable features
// for many requests (Edge, per environment state): every rule value is parsed once (versions,
// decimals, dates, regular expressions, IP blocks) and every possible result is built once, so a
// request only parses what it supplies. Results are exactly those of evaluateFeature; the
// equivalence is pinned by compiled.test.ts (random strategies × contexts, and every vector of the
// interpreter's own tests replayed through this path).
import type { FeatureValueType } from '@fh/contracts';
import { contextValues, type EvaluationContext } from './context.ts';
import { compareInstants, type Instant, parseIsoDate, parseOffsetDateTime } from './date-time.ts';
import { compareDecimals, type Decimal, parseDecimal } from './decimal.ts';
import {
  type EvaluableFeature,
  type EvaluableStrategy,
  type EvaluationResult,
  evaluateFeature,
  toWireValue,
} from './evaluate.ts';
import { blockContains, type IpBlock, parseIpBlock } from './ip-address.ts';
import {
  compareStrings,
  definedOnly,
  type EvaluationOptions,
  NOW_ATTRIBUTE,
  nowValue,
  textValues,
} from './matchers.ts';
import {
  determinePercentageKey,
  MISSING_PERCENTAGE_ATTRIBUTE,
  percentageBucketOfIdBytes,
} from './percentage.ts';
import { compareVersions, parseVersion } from './version.ts';

/**
 * A feature prepared by {@link compileFeature} for repeated evaluation with
 * {@link evaluateCompiled} / {@link evaluatePrepared}. Immutable; compile again when the feature
 * changes (keying a cache by the immutable feature object makes that automatic).
 */
export interface CompiledFeature {
  /** The feature it was compiled from (not copied: treat it as immutable). */
  readonly feature: EvaluableFeature;
  /**
   * Every result an evaluation can give, built once and frozen: `[0]` is the default (no strategy
   * matched), then one per strategy that can match. {@link evaluateCompiled} returns one of these
   * very objects, so callers may key per-result work (e.g. serialised JSON) on their identity. The
   * only exception is a feature too malformed to compile: it is then interpreted on every call
   * and results are fresh objects.
   */
  readonly outcomes: readonly EvaluationResult[];
  /** True when a rule reads the `now` attribute, so results may change with the clock. */
  readonly readsClock: boolean;
}

type Test = (supplied: string, scope: PreparedContext) => boolean;

interface CompiledAttribute {
  readonly fieldName: string;
  readonly type: unknown;
  /** What the rule gives when the context lacks the attribute (EQUALS with null values only). */
  readonly missingPasses: boolean;
  readonly isNow: boolean;
  readonly test: Test;
}

interface CompiledStrategy {
  /** `percentage` when it is a percentage rule (finite, non-zero), else undefined. */
  readonly percentage: number | undefined;
  /** How many entries `percentageAttributes` had (any type): non-zero enables the percentage rule. */
  readonly percentageAttributeCount: number;
  /** The string ones, which make the percentage key. */
  readonly percentageNames: readonly string[];
  /** `attributes.length`, holes included, as the interpreter counts them. */
  readonly attributeCount: number;
  /** The attributes that are there (array holes are skipped, like `Array.prototype.every`). */
  readonly attributes: readonly (CompiledAttribute | null)[];
  readonly outcome: EvaluationResult;
}

interface Plan extends CompiledFeature {
  readonly id: string;
  /** `id` as UTF-8, for hashing with each request's percentage key. */
  readonly idBytes: Uint8Array;
  /** undefined = the feature could not be compiled: interpret it on every call. */
  readonly strategies: readonly (CompiledStrategy | null)[] | undefined;
  readonly compiledOk: boolean;
}

const NEVER: Test = () => false;
const ALWAYS: Test = () => true;

const THREW = Symbol('threw');
const UTF8 = new TextEncoder();

/**
 * One context prepared for evaluating many compiled features (one request against a whole
 * environment): attribute lookups, the default percentage key and the parsing of supplied values
 * are done once per request instead of once per rule. Make one with {@link prepareContext}.
 */
export class PreparedContext {
  readonly context: EvaluationContext | undefined;
  readonly options: EvaluationOptions | undefined;
  readonly #values = new Map<string, readonly string[] | undefined | typeof THREW>();
  #defaultKey: string | undefined | typeof THREW | null = null;
  #decimals: Map<string, Decimal | undefined> | undefined;
  #versions: Map<string, ReturnType<typeof parseVersion>> | undefined;
  #dates: Map<string, string | undefined> | undefined;
  #instants: Map<string, Instant | undefined> | undefined;
  #ips: Map<string, IpBlock | undefined> | undefined;

  constructor(context: EvaluationContext | undefined, options?: EvaluationOptions) {
    this.context = context;
    this.options = options;
  }

  /** `contextValues(context, name)`, once per name; rethrows what it threw (hostile contexts). */
  values(name: string): readonly string[] | undefined {
    let v = this.#values.get(name);
    if (v === undefined && !this.#values.has(name)) {
      try {
        v = contextValues(this.context, name);
      } catch {
        v = THREW;
      }
      this.#values.set(name, v);
    }
    if (v === THREW) throw new Error(`context attribute ${name} could not be read`);
    return v;
  }

  /** `determinePercentageKey(context)`, once. */
  defaultKey(): string | undefined {
    if (this.#defaultKey === null) {
      try {
        this.#defaultKey = determinePercentageKey(this.context);
      } catch {
        this.#defaultKey = THREW;
      }
    }
    if (this.#defaultKey === THREW) throw new Error('the percentage key could not be read');
    return this.#defaultKey;
  }

  /** `determinePercentageKey(context, names)` for a non-empty list of names. */
  percentageKey(names: readonly string[]): string {
    let key = '';
    for (let i = 0; i < names.length; i++) {
      if (i > 0) key += '$';
      const values = this.values(names[i]!);
      key += values === undefined ? MISSING_PERCENTAGE_ATTRIBUTE : values.join('$');
    }
    return key;
  }

  decimal(s: string): Decimal | undefined {
    this.#decimals ??= new Map();
    return memo(this.#decimals, s, parseDecimal);
  }

  version(s: string): ReturnType<typeof parseVersion> {
    this.#versions ??= new Map();
    return memo(this.#versions, s, parseVersion);
  }

  date(s: string): string | undefined {
    this.#dates ??= new Map();
    return memo(this.#dates, s, parseIsoDate);
  }

  instant(s: string): Instant | undefined {
    this.#instants ??= new Map();
    return memo(this.#instants, s, parseOffsetDateTime);
  }

  ip(s: string): IpBlock | undefined {
    this.#ips ??= new Map();
    return memo(this.#ips, s, parseIpBlock);
  }
}

function memo<T>(map: Map<string, T>, key: string, parse: (s: string) => T): T {
  let v = map.get(key);
  if (v === undefined && !map.has(key)) {
    v = parse(key);
    map.set(key, v);
  }
  return v as T;
}

/**
 * Prepares `context` for evaluating several compiled features with {@link evaluatePrepared}
 * (e.g. every feature of one environment for one request). Never throws.
 */
export function prepareContext(
  context: EvaluationContext | undefined,
  options?: EvaluationOptions,
): PreparedContext {
  return new PreparedContext(context, options);
}

// ------------------------------------------------------------------------------- matchers

function wholeRegexes(patterns: readonly string[]): RegExp[] {
  const out: RegExp[] = [];
  for (const p of patterns) {
    try {
      out.push(new RegExp(`^(?:${p})$`)); // as matchesWholeRegex builds it; invalid ones match nothing
    } catch {
      // skipped
    }
  }
  return out;
}

function anyRegex(regexes: readonly RegExp[]): Test {
  if (regexes.length === 0) return NEVER;
  return (s) => {
    for (const r of regexes) if (r.test(s)) return true;
    return false;
  };
}

/** As matchString in matchers.ts, with the values read once. */
function stringTest(conditional: unknown, values: readonly unknown[]): Test {
  const vs = textValues(values);
  const only = vs.length === 1 ? vs[0]! : undefined;
  switch (conditional) {
    case 'EQUALS': {
      if (vs.length === 0) return NEVER;
      if (only !== undefined) return (s) => s === only;
      const set = new Set(vs);
      return (s) => set.has(s);
    }
    case 'NOT_EQUALS': {
      // True when any value differs: never for no values, always for two different ones.
      const first = vs[0];
      if (first === undefined) return NEVER;
      if (vs.some((v) => v !== first)) return ALWAYS;
      return (s) => s !== first;
    }
    case 'STARTS_WITH':
      return (s) => {
        for (const v of vs) if (s.startsWith(v)) return true;
        return false;
      };
    case 'ENDS_WITH':
      return (s) => {
        for (const v of vs) if (s.endsWith(v)) return true;
        return false;
      };
    case 'INCLUDES':
      return (s) => {
        for (const v of vs) if (s.includes(v)) return true;
        return false;
      };
    case 'EXCLUDES':
      return (s) => {
        for (const v of vs) if (s.includes(v)) return false;
        return true;
      };
    case 'REGEX':
      return anyRegex(wholeRegexes(vs));
    case 'GREATER':
    case 'GREATER_EQUALS':
    case 'LESS':
    case 'LESS_EQUALS':
      return orderedTest(conditional, vs, (s) => s, compareStrings);
    default:
      return NEVER;
  }
}

/** The four orderings: `compare(supplied, v)` against any value (as `ordered` in matchers.ts). */
function orderedTest<T>(
  conditional: 'GREATER' | 'GREATER_EQUALS' | 'LESS' | 'LESS_EQUALS',
  vs: readonly T[],
  parse: (s: string, scope: PreparedContext) => T | undefined,
  compare: (a: T, b: T) => number,
): Test {
  if (vs.length === 0) return NEVER;
  const holds =
    conditional === 'GREATER'
      ? (c: number) => c > 0
      : conditional === 'GREATER_EQUALS'
        ? (c: number) => c >= 0
        : conditional === 'LESS'
          ? (c: number) => c < 0
          : (c: number) => c <= 0;
  return (s, scope) => {
    const supplied = parse(s, scope);
    if (supplied === undefined) return false;
    for (let i = 0; i < vs.length; i++) if (holds(compare(supplied, vs[i]!))) return true;
    return false;
  };
}

/** EQUALS/INCLUDES, NOT_EQUALS/EXCLUDES and the orderings over parsed values. */
function parsedTest<T>(
  conditional: unknown,
  vs: readonly T[],
  parse: (s: string, scope: PreparedContext) => T | undefined,
  compare: (a: T, b: T) => number,
): Test {
  const anyEqual = (supplied: T) => {
    for (let i = 0; i < vs.length; i++) if (compare(supplied, vs[i]!) === 0) return true;
    return false;
  };
  switch (conditional) {
    case 'EQUALS':
    case 'INCLUDES':
      return (s, scope) => {
        const supplied = parse(s, scope);
        return supplied !== undefined && anyEqual(supplied);
      };
    case 'NOT_EQUALS':
    case 'EXCLUDES':
      return (s, scope) => {
        const supplied = parse(s, scope);
        return supplied !== undefined && !anyEqual(supplied);
      };
    case 'GREATER':
    case 'GREATER_EQUALS':
    case 'LESS':
    case 'LESS_EQUALS':
      return orderedTest(conditional, vs, parse, compare);
    default:
      return NEVER;
  }
}

function numberTest(conditional: unknown, values: readonly unknown[]): Test {
  // As in the Java Edge, only JSON numbers take part in numeric comparisons; strings are ignored.
  const nums = definedOnly(values.filter((v) => typeof v === 'number').map(parseDecimal));
  const onText =
    (text: Test): Test =>
    (s, scope) =>
      scope.decimal(s) !== undefined && text(s, scope);
  switch (conditional) {
    case 'STARTS_WITH':
    case 'ENDS_WITH':
      return onText(stringTest(conditional, values));
    case 'REGEX':
      return onText(anyRegex(wholeRegexes(textValues(values))));
    default:
      return parsedTest(conditional, nums, (s, scope) => scope.decimal(s), compareDecimals);
  }
}

function versionTest(conditional: unknown, values: readonly unknown[]): Test {
  const vs = definedOnly(textValues(values).map(parseVersion));
  return parsedTest(conditional, vs, (s, scope) => scope.version(s), compareVersions);
}

function temporalTest<T>(
  conditional: unknown,
  values: readonly unknown[],
  parseValue: (text: string) => T | undefined,
  parseSupplied: (s: string, scope: PreparedContext) => T | undefined,
  compare: (a: T, b: T) => number,
): Test {
  switch (conditional) {
    case 'STARTS_WITH':
    case 'ENDS_WITH':
    case 'REGEX':
      return stringTest(conditional, values);
    default:
      return parsedTest(conditional, definedOnly(textValues(values).map(parseValue)), parseSupplied, compare);
  }
}

function booleanTest(conditional: unknown, values: readonly unknown[]): Test {
  if (values.length === 0 || values[0] === null || values[0] === undefined) return NEVER;
  const wanted = String(values[0]) === 'true';
  if (conditional === 'EQUALS') return (s) => (s === 'true') === wanted;
  if (conditional === 'NOT_EQUALS') return (s) => (s === 'true') !== wanted;
  return NEVER;
}

function ipTest(conditional: unknown, values: readonly unknown[]): Test {
  const blocks = definedOnly(textValues(values).map(parseIpBlock));
  const inAny = (s: string, scope: PreparedContext): boolean | undefined => {
    const supplied = scope.ip(s);
    if (supplied === undefined || supplied.prefix !== supplied.bytes.length * 8) return undefined;
    return blocks.some((b) => blockContains(b, supplied));
  };
  switch (conditional) {
    case 'EQUALS':
    case 'INCLUDES':
      return (s, scope) => inAny(s, scope) === true;
    case 'NOT_EQUALS':
    case 'EXCLUDES':
      return (s, scope) => inAny(s, scope) === false;
    default:
      return NEVER;
  }
}

/** The rule `type`/`conditional`/`values` as a test of one supplied value (matchesCondition). */
function conditionTest(type: unknown, conditional: unknown, values: readonly unknown[]): Test {
  let test: Test;
  try {
    switch (type) {
      case 'STRING':
        test = stringTest(conditional, values);
        break;
      case 'NUMBER':
        test = numberTest(conditional, values);
        break;
      case 'SEMANTIC_VERSION':
        test = versionTest(conditional, values);
        break;
      case 'DATE':
        test = temporalTest(conditional, values, parseIsoDate, (s, scope) => scope.date(s), compareStrings);
        break;
      case 'DATETIME':
        test = temporalTest<Instant>(
          conditional,
          values,
          parseOffsetDateTime,
          (s, scope) => scope.instant(s),
          compareInstants,
        );
        break;
      case 'BOOLEAN':
        test = booleanTest(conditional, values);
        break;
      case 'IP_ADDRESS':
        test = ipTest(conditional, values);
        break;
      default:
        return NEVER;
    }
  } catch {
    return NEVER; // what matchesCondition gives for data it cannot read
  }
  return test;
}

function compileAttribute(attribute: unknown): CompiledAttribute | null {
  if (attribute === null || typeof attribute !== 'object') return null;
  const a = attribute as Record<string, unknown>;
  const fieldName = a['fieldName'];
  if (typeof fieldName !== 'string') return null;
  const type = a['type'];
  const conditional = a['conditional'];
  const values = a['values'];
  return {
    fieldName,
    type,
    missingPasses: (values === null || values === undefined) && conditional === 'EQUALS',
    isNow: fieldName === NOW_ATTRIBUTE,
    test: conditionTest(type, conditional, Array.isArray(values) ? values : []),
  };
}

/** matchAttribute on a compiled attribute; `null` (malformed) never matches. Never throws. */
function attributeMatches(a: CompiledAttribute | null, scope: PreparedContext): boolean {
  if (a === null) return false;
  try {
    let supplied = scope.values(a.fieldName);
    if (supplied === undefined && a.isNow) {
      const now = nowValue(a.type as Parameters<typeof nowValue>[0], scope.options);
      if (now !== undefined) supplied = [now];
    }
    if (supplied === undefined) return a.missingPasses;
    for (const s of supplied) {
      // Per supplied value, as matchesCondition guards each: one that fails reads as no match.
      try {
        if (a.test(s, scope)) return true;
      } catch {
        // next value
      }
    }
    return false;
  } catch {
    return false;
  }
}

function allMatch(attributes: readonly (CompiledAttribute | null)[], scope: PreparedContext): boolean {
  for (const a of attributes) if (!attributeMatches(a, scope)) return false;
  return true;
}

// ------------------------------------------------------------------------------- compiling

function result(value: EvaluationResult['value'], strategyId: unknown): EvaluationResult {
  return Object.freeze(
    typeof strategyId === 'string' ? { value, matched: true, strategyId } : { value, matched: true },
  );
}

function compileStrategy(
  strategy: EvaluableStrategy | null | undefined,
  type: FeatureValueType,
  fallback: EvaluationResult,
): CompiledStrategy | null {
  if (strategy === null || typeof strategy !== 'object') return null;
  // Read in the interpreter's order; a strategy whose fields cannot be read never matches.
  let attributes: readonly unknown[];
  let percentageAttributes: readonly unknown[];
  let percentage: unknown;
  try {
    attributes = Array.isArray(strategy.attributes) ? strategy.attributes : [];
    percentageAttributes = Array.isArray(strategy.percentageAttributes) ? strategy.percentageAttributes : [];
    percentage = strategy.percentage;
  } catch {
    return null;
  }
  const compiled: (CompiledAttribute | null)[] = [];
  // forEach skips holes, as the interpreter's `every` does.
  attributes.forEach((a) => {
    compiled.push(compileAttribute(a));
  });
  let outcome: EvaluationResult;
  try {
    // The interpreter reads these only once the strategy has matched, outside its per-strategy
    // guard: a failure there serves the default.
    const id = strategy.id;
    outcome = result(toWireValue(type, strategy.value), id);
  } catch {
    outcome = fallback;
  }
  return {
    percentage:
      typeof percentage === 'number' && Number.isFinite(percentage) && percentage !== 0
        ? percentage
        : undefined,
    percentageAttributeCount: percentageAttributes.length,
    percentageNames: percentageAttributes.filter((n): n is string => typeof n === 'string'),
    attributeCount: attributes.length,
    attributes: compiled,
    outcome,
  };
}

function readsNow(strategies: readonly (CompiledStrategy | null)[]): boolean {
  return strategies.some((s) => s?.attributes.some((a) => a?.isNow === true) === true);
}

/**
 * Compiles a feature for repeated evaluation: rule values are parsed once (semantic versions,
 * decimals, dates and date-times, whole-string regular expressions, IP addresses and CIDR blocks),
 * strategy values converted to their wire form once, and every possible {@link EvaluationResult}
 * built once. Never throws; a feature too malformed to compile is interpreted by
 * {@link evaluateFeature} on every call instead, with the same results.
 */
export function compileFeature(feature: EvaluableFeature): CompiledFeature {
  try {
    const id = String(feature.id);
    const type = feature.type;
    const fallback: EvaluationResult = Object.freeze({
      value: toWireValue(type, feature.value),
      matched: false,
    });
    const list = feature.strategies;
    const strategies: (CompiledStrategy | null)[] = [];
    if (Array.isArray(list)) {
      for (let i = 0; i < list.length; i++) strategies.push(compileStrategy(list[i], type, fallback));
    }
    const outcomes = [fallback];
    for (const s of strategies) if (s !== null && s.outcome !== fallback) outcomes.push(s.outcome);
    const plan: Plan = {
      feature,
      id,
      idBytes: UTF8.encode(id),
      outcomes: Object.freeze(outcomes),
      readsClock: readsNow(strategies),
      strategies,
      compiledOk: true,
    };
    return plan;
  } catch {
    const plan: Plan = {
      feature,
      id: '',
      idBytes: new Uint8Array(0),
      outcomes: Object.freeze([]),
      readsClock: true, // unknown, so assume the worst
      strategies: undefined,
      compiledOk: false,
    };
    return plan;
  }
}

function isPlan(compiled: CompiledFeature): compiled is Plan {
  return typeof compiled === 'object' && compiled !== null && (compiled as Plan).compiledOk === true;
}

/**
 * {@link evaluateCompiled} with a context prepared once for many features. Same results as
 * `evaluateFeature(compiled.feature, scope.context, scope.options)`. Never throws.
 */
export function evaluatePrepared(compiled: CompiledFeature, scope: PreparedContext): EvaluationResult {
  if (!isPlan(compiled)) return evaluateFeature(compiled?.feature, scope.context, scope.options);
  const fallback = compiled.outcomes[0]!;
  const strategies = compiled.strategies!;
  const context = scope.context;
  if (context === undefined || context === null || strategies.length === 0) return fallback;
  let defaultKey: string | undefined;
  try {
    defaultKey = scope.defaultKey();
  } catch {
    return fallback;
  }
  // Per evaluation, as in findMatchingStrategy: one bucket per key, cumulative base per key. A
  // feature nearly always has one key, kept in locals; any others go to a map.
  let firstKey: string | undefined;
  let firstBucket = 0;
  let firstBase = 0;
  let others: Map<string, { bucket: number; base: number }> | undefined;
  for (const strategy of strategies) {
    if (strategy === null) continue;
    try {
      const percentage = strategy.percentage;
      if (percentage !== undefined) {
        // No percentage key: the strategy cannot match (as findMatchingStrategy).
        if (defaultKey === undefined && strategy.percentageAttributeCount === 0) continue;
        const key =
          strategy.percentageNames.length > 0
            ? scope.percentageKey(strategy.percentageNames)
            : (defaultKey ?? '');
        let bucket: number;
        let base: number;
        let other = key === firstKey ? undefined : others?.get(key);
        if (key === firstKey) {
          bucket = firstBucket;
          base = firstBase;
        } else if (other !== undefined) {
          bucket = other.bucket;
          base = other.base;
        } else {
          const custom = scope.options?.percentageBucket;
          bucket =
            custom === undefined || custom === null
              ? percentageBucketOfIdBytes(key, compiled.id, compiled.idBytes)
              : custom(key, compiled.id);
          base = 0;
          if (firstKey === undefined) {
            firstKey = key;
            firstBucket = bucket;
          } else {
            other = { bucket, base };
            others ??= new Map();
            others.set(key, other);
          }
        }
        if (strategy.attributeCount === 0) {
          if (bucket <= base + percentage) return strategy.outcome;
          if (key === firstKey) firstBase = base + percentage;
          else other!.base = base + percentage;
        } else if (bucket <= percentage && allMatch(strategy.attributes, scope)) {
          return strategy.outcome;
        }
      } else if (strategy.attributeCount > 0 && allMatch(strategy.attributes, scope)) {
        return strategy.outcome;
      }
    } catch {
      // A strategy that fails to evaluate never matches; carry on with the next one.
    }
  }
  return fallback;
}

/**
 * Evaluates a compiled feature for a context: exactly what {@link evaluateFeature} gives for the
 * feature it was compiled from, without re-parsing rule values. The result is one of
 * `compiled.outcomes` (shared and frozen). For many features and one context, prepare the context
 * once with {@link prepareContext} and use {@link evaluatePrepared}. Never throws.
 *
 * @example
 * const compiled = compileFeature({ id: f.id, type: 'STRING', value: 'red', strategies });
 * const { value, strategyId } = evaluateCompiled(compiled, parseContextHeader(header));
 */
export function evaluateCompiled(
  compiled: CompiledFeature,
  context: EvaluationContext | undefined,
  options?: EvaluationOptions,
): EvaluationResult {
  return evaluatePrepared(compiled, new PreparedContext(context, options));
}
