import type {
  CacheEnvironmentFeature,
  CacheRolloutStrategy,
  FeatureRolloutStrategy,
  FeatureState,
} from '@fh/contracts';
import {
  type CompiledFeature,
  compileFeature,
  type EvaluationContext,
  type EvaluationOptions,
  type EvaluationResult,
  evaluatePrepared,
  type PreparedContext,
  prepareContext,
  toWireValue,
} from '@fh/evaluation';
import { type JsonPiece, jsonArrayBody, sharedScope } from './evaluated-body.ts';

/** How the features of one environment are shown to one connection. */
export interface StateVariant {
  /** Client-evaluated key: default value plus every strategy. Otherwise evaluated here, no strategies. */
  readonly clientEvaluated: boolean;
  /** The key's account has EXTENDED_DATA: feature properties (`fp`) are sent. */
  readonly extendedData: boolean;
  /** The account's feature filters (empty = all). */
  readonly filters: readonly string[];
}

/** A service account with filters only sees features carrying one of them. */
export function isFeatureVisible(feature: CacheEnvironmentFeature, filters: readonly string[]): boolean {
  if (filters.length === 0) return true;
  return (feature.feature.filters ?? []).some((f) => filters.includes(f));
}

/** A key naming the serialised form of a variant (for the payload memo); context not included. */
export function variantKey(variant: StateVariant): string {
  const filters = variant.filters.length === 0 ? '' : [...variant.filters].sort().join(',');
  return `${variant.clientEvaluated ? 'client' : 'server'}|${variant.extendedData ? 'ed' : ''}|${filters}`;
}

function wireStrategy(
  strategy: CacheRolloutStrategy,
  feature: CacheEnvironmentFeature,
): FeatureRolloutStrategy {
  const out: FeatureRolloutStrategy = {
    id: strategy.id,
    // SDK 1.4.0 turns an absent percentage into NaN and then never matches later percentage
    // strategies for that key; an explicit 0 means "no percentage rule" to every evaluator.
    percentage: typeof strategy.percentage === 'number' ? Math.trunc(strategy.percentage) : 0,
    attributes: (strategy.attributes ?? []).map((a) => ({
      ...(a.id == null ? {} : { id: a.id }),
      conditional: a.conditional,
      fieldName: a.fieldName,
      type: a.type,
      // Left out when null, as Java writes it: 1.4.0 then passes EQUALS on a missing attribute
      // like server-side evaluation does (§6.2), where `[]` would fail it.
      ...(a.values == null ? {} : { values: a.values }),
    })),
  };
  if (strategy.percentageAttributes != null && strategy.percentageAttributes.length > 0) {
    out.percentageAttributes = [...strategy.percentageAttributes];
  }
  const value = toWireValue(feature.feature.valueType, strategy.value);
  if (value !== undefined) out.value = value;
  return out;
}

/**
 * The FeatureState an SDK gets for one feature (docs/edge-protocol.md §3): `id` is the feature id, `l`
 * and `version` are always written (`false`/`0` without a value), `type` always, `value` typed for
 * the wire or left out when unset. Client-evaluated: every strategy, `percentage` as an integer.
 * Server-evaluated: the value for `context`, `v` = the matching strategy, never any strategy.
 */
export function toFeatureState(
  feature: CacheEnvironmentFeature,
  variant: StateVariant,
  context: EvaluationContext,
  options?: EvaluationOptions,
): FeatureState {
  const stored = feature.value ?? undefined;
  const state: FeatureState = {
    id: feature.feature.id,
    key: feature.feature.key,
    l: stored?.locked === true,
    version: stored?.version ?? 0,
    type: feature.feature.valueType,
  };
  if (variant.clientEvaluated) {
    const value = toWireValue(feature.feature.valueType, stored?.value);
    if (value !== undefined) state.value = value;
    state.strategies = (stored?.rolloutStrategies ?? []).map((s) => wireStrategy(s, feature));
  } else {
    const result = evaluatePrepared(prepared(feature).compiled, prepareContext(context, options));
    if (result.value !== undefined) state.value = result.value;
    if (result.strategyId !== undefined) state.v = result.strategyId;
  }
  if (variant.extendedData && feature.fp != null && Object.keys(feature.fp).length > 0)
    state.fp = { ...feature.fp };
  return state;
}

// ---------------------------------------------------------------- server-evaluated answers
//
// A server-evaluated answer is the same for every request except each feature's `value` and `v`.
// So each feature is compiled once (`@fh/evaluation` compileFeature: rule values parsed once) and
// the JSON of its FeatureState is built once per possible result; a request then only evaluates
// and concatenates strings. Everything is cached in WeakMaps keyed by the immutable objects the
// source hands out (a feature; a state's feature list): a change brings new objects, so nothing
// is ever invalidated by hand, and features a change did not touch keep their compiled form.

/** One feature ready for server-evaluated answers. */
interface PreparedFeature {
  readonly feature: CacheEnvironmentFeature;
  readonly compiled: CompiledFeature;
  /** `{"id":…,"key":…,"l":…,"version":…,"type":…` — the FeatureState up to its evaluated part. */
  readonly head: string;
  /** `,"fp":{…}` for EXTENDED_DATA keys, or '' when the feature has no properties. */
  readonly fp: string;
  /** The whole FeatureState per result (by identity: compiled outcomes), without / with `fp`. */
  readonly pieces: readonly [Map<EvaluationResult, JsonPiece>, Map<EvaluationResult, JsonPiece>];
}

/** One FeatureState as JSON, and as its UTF-8 bytes once a poll has needed them. */
const preparedFeatures = new WeakMap<CacheEnvironmentFeature, PreparedFeature>();

function prepared(feature: CacheEnvironmentFeature): PreparedFeature {
  let p = preparedFeatures.get(feature);
  if (p === undefined) {
    const stored = feature.value ?? undefined;
    // Hash with the feature id, the id client-evaluating SDKs get, so both modes bucket a user alike.
    const compiled = compileFeature({
      id: feature.feature.id,
      type: feature.feature.valueType,
      value: stored?.value,
      strategies: stored?.rolloutStrategies ?? [],
    });
    // The same fields, in the same order, as toFeatureState writes them (JSON.stringify leaves out
    // what is undefined there too); `l` is always written, so the head never ends in `{`.
    const head = JSON.stringify({
      id: feature.feature.id,
      key: feature.feature.key,
      l: stored?.locked === true,
      version: stored?.version ?? 0,
      type: feature.feature.valueType,
    }).slice(0, -1);
    const fp =
      feature.fp != null && Object.keys(feature.fp).length > 0
        ? `,"fp":${JSON.stringify({ ...feature.fp })}`
        : '';
    p = { feature, compiled, head, fp, pieces: [new Map(), new Map()] };
    preparedFeatures.set(feature, p);
  }
  return p;
}

/** The FeatureState of a prepared feature for one evaluation result. */
function statePiece(p: PreparedFeature, result: EvaluationResult, extendedData: boolean): JsonPiece {
  const byResult = p.pieces[extendedData ? 1 : 0];
  let piece = byResult.get(result);
  if (piece === undefined) {
    let json = p.head;
    if (result.value !== undefined) json += `,"value":${JSON.stringify(result.value)}`;
    if (result.strategyId !== undefined) json += `,"v":${JSON.stringify(result.strategyId)}`;
    if (extendedData) json += p.fp;
    piece = { json: `${json}}`, bytes: undefined };
    // Only the compiled outcomes are kept: a feature too malformed to compile gives fresh objects.
    if (p.compiled.outcomes.includes(result)) byResult.set(result, piece);
  }
  return piece;
}

function stateJson(p: PreparedFeature, result: EvaluationResult, extendedData: boolean): string {
  return statePiece(p, result, extendedData).json;
}

/** What every server-evaluated answer for one state of an environment shares. */
interface PreparedState {
  readonly readsClock: boolean;
  /** The visible prepared features per filter set. */
  readonly byFilters: Map<string, readonly PreparedFeature[]>;
}

const MAX_FILTER_SETS = 64;
const preparedStates = new WeakMap<readonly CacheEnvironmentFeature[], PreparedState>();

function preparedState(features: readonly CacheEnvironmentFeature[]): PreparedState {
  let state = preparedStates.get(features);
  if (state === undefined) {
    state = {
      readsClock: features.some((f) =>
        (f.value?.rolloutStrategies ?? []).some((s) =>
          (s.attributes ?? []).some((a) => a.fieldName === 'now'),
        ),
      ),
      byFilters: new Map(),
    };
    preparedStates.set(features, state);
  }
  return state;
}

function visiblePrepared(
  features: readonly CacheEnvironmentFeature[],
  filters: readonly string[],
): readonly PreparedFeature[] {
  const state = preparedState(features);
  const key = filters.join('\u0000');
  let list = state.byFilters.get(key);
  if (list === undefined) {
    list = features.filter((f) => isFeatureVisible(f, filters)).map(prepared);
    if (state.byFilters.size >= MAX_FILTER_SETS) state.byFilters.clear();
    state.byFilters.set(key, list);
  }
  return list;
}

/**
 * The features a key may see, each with the compiled form polling and SSE evaluate (OFREP evaluates
 * the same), in publishing order.
 */
export function compiledVisibleFeatures(
  features: readonly CacheEnvironmentFeature[],
  filters: readonly string[],
): readonly { readonly feature: CacheEnvironmentFeature; readonly compiled: CompiledFeature }[] {
  return visiblePrepared(features, filters);
}

/** The JSON array of server-evaluated FeatureStates, built by concatenation (see above). */
function serialiseEvaluated(
  features: readonly CacheEnvironmentFeature[],
  variant: StateVariant,
  scope: PreparedContext,
): string {
  const list = visiblePrepared(features, variant.filters);
  let json = '[';
  for (let i = 0; i < list.length; i++) {
    const p = list[i]!;
    if (i > 0) json += ',';
    json += stateJson(p, evaluatePrepared(p.compiled, scope), variant.extendedData);
  }
  return `${json}]`;
}

/**
 * `Buffer.from(prefix + serialiseFeatures(env, variant, context, options) + suffix)` for a
 * server-evaluated key, copied together from the UTF-8 bytes kept per feature and result: no
 * string is built, flattened or encoded per request (that was a tenth of a poll with a context).
 */
export function evaluatedFeaturesBody(
  prefix: string,
  env: { readonly features: readonly CacheEnvironmentFeature[] },
  variant: StateVariant,
  context: EvaluationContext,
  options: EvaluationOptions | undefined,
  suffix: string,
): Buffer {
  const list = visiblePrepared(env.features, variant.filters);
  const scope = sharedScope(context, options);
  return jsonArrayBody(
    prefix,
    list.length,
    (i) => {
      const p = list[i]!;
      return statePiece(p, evaluatePrepared(p.compiled, scope), variant.extendedData);
    },
    suffix,
  );
}

/**
 * The JSON of one FeatureState, the same as `JSON.stringify(toFeatureState(...))`; for a
 * server-evaluated key without any per-request JSON work beyond the evaluation (SSE changes).
 */
export function featureStateJson(
  feature: CacheEnvironmentFeature,
  variant: StateVariant,
  context: EvaluationContext,
  options?: EvaluationOptions,
): string {
  if (variant.clientEvaluated) return JSON.stringify(toFeatureState(feature, variant, context, options));
  const p = prepared(feature);
  return stateJson(p, evaluatePrepared(p.compiled, prepareContext(context, options)), variant.extendedData);
}

/** True when a server-side evaluation of these features may change with the clock (`now` rules). */
export function dependsOnClock(
  features: readonly CacheEnvironmentFeature[],
  context: EvaluationContext,
): boolean {
  if (Object.hasOwn(context, 'now')) return false;
  return preparedState(features).readsClock;
}

/**
 * The JSON array of FeatureStates for one connection, kept in the environment's payload memo whenever
 * it cannot depend on the request: always for client-evaluated keys (no evaluation), and for
 * server-evaluated keys without a context unless a `now` rule makes it depend on the clock. A repeat
 * then costs no JSON work.
 */
export function serialiseFeatures(
  env: {
    readonly features: readonly CacheEnvironmentFeature[];
    readonly payloads: { get(key: string): string | undefined; set(key: string, payload: string): void };
  },
  variant: StateVariant,
  context: EvaluationContext,
  options?: EvaluationOptions,
): string {
  const memoKey = variant.clientEvaluated || isEmptyContext(context) ? variantKey(variant) : undefined;
  if (memoKey !== undefined) {
    // A stored server-evaluated answer was only stored when the features ignore the clock.
    const cached = env.payloads.get(memoKey);
    if (cached !== undefined) return cached;
  }
  const json = variant.clientEvaluated
    ? JSON.stringify(
        env.features
          .filter((f) => isFeatureVisible(f, variant.filters))
          .map((f) => toFeatureState(f, variant, context, options)),
      )
    : serialiseEvaluated(env.features, variant, prepareContext(context, options));
  if (memoKey !== undefined && (variant.clientEvaluated || !dependsOnClock(env.features, context))) {
    env.payloads.set(memoKey, json);
  }
  return json;
}

function isEmptyContext(context: EvaluationContext): boolean {
  return Object.keys(context).length === 0;
}
