import type {
  CacheEnvironmentFeature,
  CacheRolloutStrategy,
  FeatureRolloutStrategy,
  FeatureState,
} from '@fh/contracts';
import { type EvaluationContext, type EvaluationOptions, evaluateFeature, toWireValue } from '@fh/evaluation';

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
      values: a.values ?? [],
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
 * The FeatureState an SDK gets for one feature (edge-protocol.md §3): `id` is the feature id, `l`
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
    // Hash with the feature id, the id client-evaluating SDKs get, so both modes bucket a user alike.
    const result = evaluateFeature(
      {
        id: feature.feature.id,
        type: feature.feature.valueType,
        value: stored?.value,
        strategies: stored?.rolloutStrategies ?? [],
      },
      context,
      options,
    );
    if (result.value !== undefined) state.value = result.value;
    if (result.strategyId !== undefined) state.v = result.strategyId;
  }
  if (variant.extendedData && feature.fp != null && Object.keys(feature.fp).length > 0)
    state.fp = { ...feature.fp };
  return state;
}

/** True when a server-side evaluation of these features may change with the clock (`now` rules). */
export function dependsOnClock(
  features: readonly CacheEnvironmentFeature[],
  context: EvaluationContext,
): boolean {
  if (Object.hasOwn(context, 'now')) return false;
  return features.some((f) =>
    (f.value?.rolloutStrategies ?? []).some((s) => (s.attributes ?? []).some((a) => a.fieldName === 'now')),
  );
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
  const states = env.features
    .filter((f) => isFeatureVisible(f, variant.filters))
    .map((f) => toFeatureState(f, variant, context, options));
  const json = JSON.stringify(states);
  if (memoKey !== undefined && (variant.clientEvaluated || !dependsOnClock(env.features, context))) {
    env.payloads.set(memoKey, json);
  }
  return json;
}

function isEmptyContext(context: EvaluationContext): boolean {
  return Object.keys(context).length === 0;
}
