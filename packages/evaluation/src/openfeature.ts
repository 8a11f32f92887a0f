// FeatureHub evaluation in OpenFeature's terms, shared by the OFREP endpoints (`@fh/edge`) and our
// OpenFeature provider, so that a flag resolves alike whether a server or the provider evaluates it:
// the OpenFeature context mapped to FeatureHub attributes, and a FeatureHub result mapped to an
// OpenFeature resolution (typed value, reason, variant, error). Pure; no OpenFeature types imported.
import type { EvaluationContext } from './context.ts';
import type { EvaluableFeature, EvaluationResult } from './evaluate.ts';

/** A JSON value as OpenFeature's object flags carry it. */
export type OpenFeatureJson =
  | null
  | boolean
  | number
  | string
  | OpenFeatureJson[]
  | { [key: string]: OpenFeatureJson };

/** The OFREP reasons we give (`openapi.yaml` evaluationSuccess.reason). */
export type OpenFeatureReason = 'STATIC' | 'TARGETING_MATCH' | 'SPLIT' | 'DISABLED';

/** The per-flag error codes we give (OpenFeature error codes; OFREP evaluationFailure). */
export type OpenFeatureFlagError = 'PARSE_ERROR' | 'TARGETING_KEY_MISSING';

/**
 * One flag resolved for OpenFeature. A success has a `reason` and, unless the feature reads as unset
 * in this environment (the application's code default applies), a `value`; a failure has an
 * `errorCode` and `errorDetails` and no value.
 */
export type OpenFeatureResolution =
  | {
      readonly value?: boolean | number | string | OpenFeatureJson;
      readonly reason: OpenFeatureReason;
      /** `default` (the environment's value) or the id of the strategy that matched. */
      readonly variant?: string;
    }
  | { readonly errorCode: OpenFeatureFlagError; readonly errorDetails: string };

/** Most attributes one OpenFeature context may carry. */
export const MAX_OPENFEATURE_ATTRIBUTES = 100;
/** Most values one attribute may carry (an array). */
export const MAX_OPENFEATURE_VALUES = 100;
/** Longest attribute name or value, in UTF-16 units. */
export const MAX_OPENFEATURE_TEXT = 4096;

/** The context as FeatureHub attributes, or why it cannot be one (OpenFeature `INVALID_CONTEXT`). */
export type MappedContext =
  | { readonly ok: true; readonly context: EvaluationContext }
  | { readonly ok: false; readonly message: string };

/**
 * Maps an OpenFeature evaluation context to FeatureHub attributes: `targetingKey` → `userkey`; any
 * other attribute keeps its name (`session`, `country`, `device`, `platform`, `version` are
 * FeatureHub's well-known ones); strings, finite numbers and booleans become one value, arrays of
 * them several (a multi-valued attribute), dates their ISO text; `null`, `undefined` and empty arrays
 * are left out. Anything else (a nested object, an array holding one, a context that is not an
 * object, a non-string `targetingKey`, more than {@link MAX_OPENFEATURE_ATTRIBUTES} attributes) is not
 * a context FeatureHub can evaluate, and says why. Never throws.
 */
export function mapOpenFeatureContext(input: unknown): MappedContext {
  if (input === undefined || input === null) return { ok: true, context: {} };
  if (typeof input !== 'object' || Array.isArray(input)) {
    return { ok: false, message: 'the context must be a JSON object of attributes' };
  }
  const context: Record<string, readonly string[]> = Object.create(null);
  const names = Object.keys(input);
  if (names.length > MAX_OPENFEATURE_ATTRIBUTES) {
    return {
      ok: false,
      message: `the context has ${names.length} attributes; at most ${MAX_OPENFEATURE_ATTRIBUTES} are evaluated`,
    };
  }
  let targetingKey: string | undefined;
  for (const name of names) {
    const raw: unknown = (input as Record<string, unknown>)[name];
    if (name.length > MAX_OPENFEATURE_TEXT) return { ok: false, message: 'an attribute name is too long' };
    if (name === 'targetingKey') {
      if (raw === undefined || raw === null) continue;
      if (typeof raw !== 'string') return { ok: false, message: 'targetingKey must be a string' };
      if (raw.length > MAX_OPENFEATURE_TEXT) return { ok: false, message: 'targetingKey is too long' };
      targetingKey = raw;
      continue;
    }
    const values = attributeValues(raw);
    if (typeof values === 'string')
      return { ok: false, message: `attribute ${JSON.stringify(name)}: ${values}` };
    if (values.length > 0) context[name] = values;
  }
  // The targeting key is the user key, whatever a `userkey` attribute said.
  if (targetingKey !== undefined && targetingKey !== '') context['userkey'] = [targetingKey];
  return { ok: true, context };
}

const TYPES = 'a string, number, boolean, date or an array of those';

/** The values of one attribute, or why it has none FeatureHub can use. */
function attributeValues(raw: unknown): string[] | string {
  const one = scalar(raw);
  if (one !== undefined) return one === null ? [] : [one];
  if (!Array.isArray(raw)) return `must be ${TYPES}`;
  if (raw.length > MAX_OPENFEATURE_VALUES) return `has more than ${MAX_OPENFEATURE_VALUES} values`;
  const values: string[] = [];
  for (const item of raw) {
    const v = scalar(item);
    if (v === undefined) return `must be ${TYPES}`;
    if (v !== null) values.push(v);
  }
  return values;
}

/** A scalar's text; `null` to leave it out; `undefined` when it is no scalar. */
function scalar(raw: unknown): string | null | undefined {
  switch (typeof raw) {
    case 'string':
      return raw.length > MAX_OPENFEATURE_TEXT ? undefined : raw;
    case 'boolean':
      return String(raw);
    case 'number':
      return Number.isFinite(raw) ? String(raw) : undefined;
    case 'undefined':
      return null;
    default:
      if (raw === null) return null;
      if (raw instanceof Date) return Number.isNaN(raw.getTime()) ? undefined : raw.toISOString();
      return undefined;
  }
}

function hasPercentage(percentage: unknown): boolean {
  return typeof percentage === 'number' && Number.isFinite(percentage) && percentage !== 0;
}

/**
 * Resolves a FeatureHub evaluation result for OpenFeature:
 * - value: BOOLEAN a boolean, NUMBER a number, STRING a string, JSON the parsed JSON (text that does
 *   not parse is a `PARSE_ERROR`); left out when the feature reads as unset (the code default applies).
 * - reason: `TARGETING_MATCH` when a strategy with attributes matched, `SPLIT` when a percentage-only
 *   strategy did; otherwise `STATIC` (the environment's value), or `DISABLED` when that value is unset.
 * - variant: the matching strategy's id, else `default`.
 * - `TARGETING_KEY_MISSING` when no strategy matched and a percentage strategy that hashes the default
 *   key (session / sessionkey / userkey, i.e. OpenFeature's `targetingKey`) was skipped for want of one.
 *
 * `hasPercentageKey`: the context has that default key (`determinePercentageKey(context) !== undefined`,
 * or a PreparedContext's `defaultKey()`), passed in so a caller evaluating many flags finds it once.
 */
export function toOpenFeatureResolution(
  feature: EvaluableFeature,
  result: EvaluationResult,
  hasPercentageKey: boolean,
): OpenFeatureResolution {
  const strategies = Array.isArray(feature.strategies) ? feature.strategies : [];
  if (!result.matched) {
    const needsKey = strategies.some(
      (s) =>
        s !== null &&
        typeof s === 'object' &&
        hasPercentage(s.percentage) &&
        !(Array.isArray(s.percentageAttributes) && s.percentageAttributes.length > 0),
    );
    if (needsKey && !hasPercentageKey) {
      return {
        errorCode: 'TARGETING_KEY_MISSING',
        errorDetails: 'this flag rolls out by percentage: give the context a targetingKey',
      };
    }
  }
  let reason: OpenFeatureReason;
  if (result.matched) {
    const strategy = strategies.find((s) => s?.id != null && s.id === result.strategyId);
    const percentageOnly =
      strategy !== undefined &&
      hasPercentage(strategy.percentage) &&
      !(Array.isArray(strategy.attributes) && strategy.attributes.length > 0);
    reason = percentageOnly ? 'SPLIT' : 'TARGETING_MATCH';
  } else {
    reason = result.value === undefined ? 'DISABLED' : 'STATIC';
  }
  const variant = result.matched ? result.strategyId : 'default';
  const base = variant === undefined ? { reason } : { reason, variant };
  if (result.value === undefined) return base;
  if (feature.type !== 'JSON') return { ...base, value: result.value };
  try {
    return { ...base, value: JSON.parse(String(result.value)) as OpenFeatureJson };
  } catch {
    return { errorCode: 'PARSE_ERROR', errorDetails: 'the JSON value of this flag does not parse' };
  }
}
