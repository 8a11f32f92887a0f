// @fh/evaluation: pure rollout-strategy evaluation (percentage hashing, attribute matchers, the
// x-featurehub context header). No I/O and no Node-only APIs; depends only on @fh/contracts types.

export type { CompiledFeature } from './compiled.ts';
export {
  compileFeature,
  evaluateCompiled,
  evaluatePrepared,
  PreparedContext,
  prepareContext,
} from './compiled.ts';
export type { EvaluationContext } from './context.ts';
export {
  contextSha,
  contextValues,
  encodeContextHeader,
  MAX_CONTEXT_ATTRIBUTES,
  parseContextHeader,
} from './context.ts';
export type {
  EvaluableFeature,
  EvaluableStrategy,
  EvaluatedValue,
  EvaluationResult,
  StrategyMatch,
} from './evaluate.ts';
export { evaluateFeature, findMatchingStrategy, toWireValue } from './evaluate.ts';
export type { EvaluationOptions } from './matchers.ts';
export { matchAttribute, matchesCondition, matchesWholeRegex, NOW_ATTRIBUTE } from './matchers.ts';
export { murmur3X86x32 } from './murmur3.ts';
export type {
  MappedContext,
  OpenFeatureFlagError,
  OpenFeatureJson,
  OpenFeatureReason,
  OpenFeatureResolution,
} from './openfeature.ts';
export {
  MAX_OPENFEATURE_ATTRIBUTES,
  MAX_OPENFEATURE_TEXT,
  MAX_OPENFEATURE_VALUES,
  mapOpenFeatureContext,
  toOpenFeatureResolution,
} from './openfeature.ts';
export {
  determinePercentageKey,
  MISSING_PERCENTAGE_ATTRIBUTE,
  PERCENTAGE_BUCKETS,
  percentageBucket,
} from './percentage.ts';
export { agreesWithSdk140, sdk140Divergences } from './sdk140-compat.ts';
