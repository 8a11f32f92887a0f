// OFREP answers for one environment as one API key sees it: the same features and compiled evaluator
// as polling and SSE (feature-state.ts), mapped to OpenFeature by @fh/evaluation's shared rules.
import type { CacheEnvironmentFeature } from '@fh/contracts';
import {
  type CompiledFeature,
  type EvaluationContext,
  type EvaluationOptions,
  evaluatePrepared,
  type OpenFeatureResolution,
  type PreparedContext,
  prepareContext,
  toOpenFeatureResolution,
} from '@fh/evaluation';
import { compiledVisibleFeatures } from '../feature-state.ts';
import type { EnvironmentFeatures } from '../ports.ts';

/** One flag in an OFREP answer (`evaluationSuccess` or `evaluationFailure`). */
export type OfrepFlag =
  | {
      readonly key: string;
      readonly value?: unknown;
      readonly reason: string;
      readonly variant?: string;
      readonly metadata: OfrepFlagMetadata;
    }
  | {
      readonly key: string;
      readonly errorCode: string;
      readonly errorDetails: string;
      readonly metadata?: OfrepFlagMetadata;
    };

/** What we tell about a flag: enough to find it in FeatureHub and see which version was served. */
export interface OfrepFlagMetadata {
  readonly featureId: string;
  readonly version: number;
  readonly valueType: string;
}

function metadataOf(feature: CacheEnvironmentFeature): OfrepFlagMetadata {
  return {
    featureId: feature.feature.id,
    version: feature.value?.version ?? 0,
    valueType: feature.feature.valueType,
  };
}

function flagOf(
  entry: { readonly feature: CacheEnvironmentFeature; readonly compiled: CompiledFeature },
  scope: PreparedContext,
  context: EvaluationContext,
): OfrepFlag {
  const { feature, compiled } = entry;
  const resolution: OpenFeatureResolution = toOpenFeatureResolution(
    compiled.feature,
    evaluatePrepared(compiled, scope),
    context,
  );
  const key = feature.feature.key;
  if ('errorCode' in resolution) return { key, ...resolution, metadata: metadataOf(feature) };
  return { key, ...resolution, metadata: metadataOf(feature) };
}

/** Every flag the key may see, evaluated for the context, in publishing order. */
export function evaluateAll(
  env: EnvironmentFeatures,
  context: EvaluationContext,
  options: EvaluationOptions,
): OfrepFlag[] {
  const scope = prepareContext(context, options);
  return compiledVisibleFeatures(env.features, env.filters).map((entry) => flagOf(entry, scope, context));
}

/** One flag by key, or `undefined` when the key may not see a flag of that name. */
export function evaluateOne(
  env: EnvironmentFeatures,
  flagKey: string,
  context: EvaluationContext,
  options: EvaluationOptions,
): OfrepFlag | undefined {
  const entry = compiledVisibleFeatures(env.features, env.filters).find(
    (e) => e.feature.feature.key === flagKey,
  );
  if (entry === undefined) return undefined;
  return flagOf(entry, prepareContext(context, options), context);
}
