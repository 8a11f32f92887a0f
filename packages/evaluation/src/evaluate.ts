import type { FeatureValueType, RolloutStrategyAttribute } from '@fh/contracts';
import type { EvaluationContext } from './context.ts';
import { type EvaluationOptions, matchAttribute } from './matchers.ts';
import { determinePercentageKey, percentageBucket } from './percentage.ts';

/**
 * A strategy as evaluation needs it. Structurally satisfied by `FeatureRolloutStrategy` (Edge),
 * `CacheRolloutStrategy` (Dacha) and the admin `RolloutStrategy`, so callers pass those directly.
 */
export interface EvaluableStrategy {
  readonly id?: string | null;
  /** On the 1,000,000 scale; null, absent or 0 means "no percentage rule". */
  readonly percentage?: number | null;
  readonly percentageAttributes?: readonly string[] | null;
  readonly attributes?: readonly RolloutStrategyAttribute[] | null;
  /** Served when the strategy matches; converted to the feature's type. */
  readonly value?: unknown;
}

/** A feature in one environment, as evaluation needs it. */
export interface EvaluableFeature {
  /**
   * The id hashed with the percentage key. Use the id you put in `FeatureState.id` (the feature
   * id) so that server-evaluated and client-evaluated keys put a user in the same bucket.
   */
  readonly id: string;
  readonly type: FeatureValueType;
  /** The environment default, served when no strategy matches; absent/null = not set. */
  readonly value?: unknown;
  /** In evaluation order. */
  readonly strategies?: readonly EvaluableStrategy[] | null;
}

/** A feature value in its wire form: JSON boolean / number, or a string (STRING and JSON). */
export type EvaluatedValue = boolean | number | string;

/** The outcome of {@link evaluateFeature}. */
export interface EvaluationResult {
  /** The value to serve, typed for the wire; `undefined` when the feature reads as unset. */
  readonly value: EvaluatedValue | undefined;
  /** True when a strategy matched (its value was served, even if that value is unset). */
  readonly matched: boolean;
  /** Id of the matching strategy (`FeatureState.v` for server-eval keys), when it has one. */
  readonly strategyId?: string;
}

/** The strategy that matched, from {@link findMatchingStrategy}. */
export interface StrategyMatch {
  /** Position in the strategy list. */
  readonly index: number;
  readonly strategy: EvaluableStrategy;
}

const DECIMAL_TEXT = /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/;

/**
 * Converts a stored default or strategy value to the wire form of `type` (docs/edge-protocol.md §3,
 * §6.2): BOOLEAN → `true` for `true`/`"true"`, else `false`; NUMBER → a number (numeric strings
 * parsed, anything else unset); STRING → text; JSON → a string (non-string values are serialised).
 * `null`/`undefined` → `undefined` (unset). Never throws.
 */
export function toWireValue(type: FeatureValueType, raw: unknown): EvaluatedValue | undefined {
  if (raw === null || raw === undefined) return undefined;
  try {
    switch (type) {
      case 'BOOLEAN':
        return raw === true || raw === 'true';
      case 'NUMBER': {
        if (typeof raw === 'number') return Number.isFinite(raw) ? raw : undefined;
        if (typeof raw === 'string' && DECIMAL_TEXT.test(raw)) return Number(raw);
        return undefined;
      }
      case 'STRING':
        if (typeof raw === 'string') return raw;
        return typeof raw === 'object' ? JSON.stringify(raw) : String(raw);
      case 'JSON':
        return typeof raw === 'string' ? raw : (JSON.stringify(raw) ?? undefined);
      default:
        return undefined;
    }
  } catch {
    return undefined;
  }
}

function hasPercentage(strategy: EvaluableStrategy): strategy is EvaluableStrategy & { percentage: number } {
  return (
    typeof strategy.percentage === 'number' &&
    Number.isFinite(strategy.percentage) &&
    strategy.percentage !== 0
  );
}

function attributesOf(strategy: EvaluableStrategy): readonly RolloutStrategyAttribute[] {
  return Array.isArray(strategy.attributes) ? strategy.attributes : [];
}

function allAttributesMatch(
  attributes: readonly RolloutStrategyAttribute[],
  context: EvaluationContext,
  options: EvaluationOptions | undefined,
): boolean {
  return attributes.every((a) => matchAttribute(a, context, options));
}

/**
 * The first strategy (in order) that matches the context, per docs/edge-protocol.md §6.2 (Java Edge):
 * - A strategy with a percentage needs a percentage key (its `percentageAttributes`, or
 *   session/sessionkey/userkey): the key's bucket must be `<=` its percentage — plus, for a strategy
 *   without attributes, the percentages of the earlier attribute-less percentage strategies of the
 *   same key (so `[20 % blue, 30 % green]` gives green to buckets 200,001–500,000). With attributes,
 *   they must all match too. Without a key it never matches, attributes or not: "10 % of New
 *   Zealand" is not served to every anonymous user in New Zealand (Java `ApplyFeature` and SDK 1.4.0
 *   only match attributes alone when `percentage` is null/0).
 * - A strategy without a percentage (null, absent, 0) matches when all its attributes match; one
 *   with neither a percentage nor attributes never matches.
 * Returns `undefined` without a context or strategies. Bad strategy data is skipped; never throws.
 */
export function findMatchingStrategy(
  strategies: readonly EvaluableStrategy[] | null | undefined,
  id: string,
  context: EvaluationContext | undefined,
  options?: EvaluationOptions,
): StrategyMatch | undefined {
  if (context === undefined || context === null || !Array.isArray(strategies) || strategies.length === 0) {
    return undefined;
  }
  const defaultKey = determinePercentageKey(context);
  const basePercentage = new Map<string, number>();
  const buckets = new Map<string, number>();

  for (let index = 0; index < strategies.length; index++) {
    const strategy = strategies[index];
    try {
      if (strategy === null || typeof strategy !== 'object') continue;
      const attributes = attributesOf(strategy);
      const percentageAttributes: readonly string[] = Array.isArray(strategy.percentageAttributes)
        ? strategy.percentageAttributes
        : [];

      if (hasPercentage(strategy)) {
        // No percentage key: the percentage rule cannot hold, so the strategy does not match.
        if (defaultKey === undefined && percentageAttributes.length === 0) continue;
        const key = determinePercentageKey(context, percentageAttributes) ?? defaultKey ?? '';
        let bucket = buckets.get(key);
        if (bucket === undefined) {
          bucket = (options?.percentageBucket ?? percentageBucket)(key, id);
          buckets.set(key, bucket);
        }
        const base = basePercentage.get(key) ?? 0;
        if (attributes.length === 0) {
          if (bucket <= base + strategy.percentage) return { index, strategy };
          basePercentage.set(key, base + strategy.percentage);
        } else if (bucket <= strategy.percentage && allAttributesMatch(attributes, context, options)) {
          return { index, strategy };
        }
      } else if (attributes.length > 0 && allAttributesMatch(attributes, context, options)) {
        return { index, strategy };
      }
    } catch {
      // A malformed strategy never matches; carry on with the next one.
    }
  }
  return undefined;
}

/**
 * Evaluates a feature for a context, as the Edge does for server-evaluated API keys: the first
 * matching strategy's value (see {@link findMatchingStrategy}), else the feature's default value,
 * converted to the feature's wire type with {@link toWireValue}. Without a context, strategies are
 * not consulted. Never throws: malformed strategies are skipped and the default is served.
 *
 * @example
 * const { value, strategyId } = evaluateFeature(
 *   { id: feature.id, type: 'STRING', value: 'red', strategies },
 *   parseContextHeader(req.headers['x-featurehub']),
 * );
 */
export function evaluateFeature(
  feature: EvaluableFeature,
  context: EvaluationContext | undefined,
  options?: EvaluationOptions,
): EvaluationResult {
  try {
    const match = findMatchingStrategy(feature.strategies, String(feature.id), context, options);
    if (match !== undefined) {
      const strategyId = match.strategy.id;
      const value = toWireValue(feature.type, match.strategy.value);
      return typeof strategyId === 'string' ? { value, matched: true, strategyId } : { value, matched: true };
    }
    return { value: toWireValue(feature.type, feature.value), matched: false };
  } catch {
    try {
      return { value: toWireValue(feature.type, feature.value), matched: false };
    } catch {
      return { value: undefined, matched: false };
    }
  }
}
