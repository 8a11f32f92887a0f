// OFREP answers for one environment as one API key sees it: the same features and compiled evaluator
// as polling and SSE (feature-state.ts), mapped to OpenFeature by @fh/evaluation's shared rules.
//
// As for server-evaluated polls, an answer differs between requests only in which outcome each
// flag's evaluation picked, so the JSON of each flag is built once per (feature, outcome, whether the
// context has a targeting key) and a request only evaluates and concatenates. The caches hang off
// the immutable compiled features: a change brings new ones, nothing is invalidated by hand.
import type { CacheEnvironmentFeature } from '@fh/contracts';
import {
  type CompiledFeature,
  type EvaluationContext,
  type EvaluationOptions,
  type EvaluationResult,
  evaluatePrepared,
  type PreparedContext,
  toOpenFeatureResolution,
} from '@fh/evaluation';
import { type JsonPiece, jsonArrayBody, sharedScope } from '../evaluated-body.ts';
import { compiledVisibleFeatures } from '../feature-state.ts';
import type { EnvironmentFeatures } from '../ports.ts';

/** One flag's answer as JSON (and its UTF-8 bytes once a bulk answer needed them), and whether it failed. */
interface FlagPiece extends JsonPiece {
  readonly failed: boolean;
}

interface FlagEntry {
  readonly feature: CacheEnvironmentFeature;
  readonly compiled: CompiledFeature;
}

/** Per compiled feature: pieces by outcome, for contexts with and without a targeting key. */
const pieces = new WeakMap<
  CompiledFeature,
  readonly [Map<EvaluationResult, FlagPiece>, Map<EvaluationResult, FlagPiece>]
>();

function flagPiece(entry: FlagEntry, result: EvaluationResult, hasKey: boolean): FlagPiece {
  let byKey = pieces.get(entry.compiled);
  if (byKey === undefined) {
    byKey = [new Map(), new Map()];
    pieces.set(entry.compiled, byKey);
  }
  const byResult = byKey[hasKey ? 1 : 0];
  let piece = byResult.get(result);
  if (piece === undefined) {
    const { feature, compiled } = entry;
    const resolution = toOpenFeatureResolution(compiled.feature, result, hasKey);
    const metadata = {
      featureId: feature.feature.id,
      version: feature.value?.version ?? 0,
      valueType: feature.feature.valueType,
    };
    const failed = 'errorCode' in resolution;
    piece = {
      json: JSON.stringify({ key: feature.feature.key, ...resolution, metadata }),
      failed,
      bytes: undefined,
    };
    // Only the compiled outcomes are kept: a feature too malformed to compile gives fresh objects.
    if (compiled.outcomes.includes(result)) byResult.set(result, piece);
  }
  return piece;
}

function hasDefaultKey(scope: PreparedContext): boolean {
  try {
    return scope.defaultKey() !== undefined;
  } catch {
    return false;
  }
}

/**
 * `Buffer.from(prefix + <JSON array of every flag the key may see, evaluated for the context> + suffix)`,
 * copied together from the bytes kept per flag answer, as server-evaluated polls are: no string is
 * built, flattened or encoded per request.
 */
export function evaluateAllBody(
  prefix: string,
  env: EnvironmentFeatures,
  context: EvaluationContext,
  options: EvaluationOptions,
  suffix: string,
): Buffer {
  const scope = sharedScope(context, options);
  const hasKey = hasDefaultKey(scope);
  const list = compiledVisibleFeatures(env.features, env.filters);
  return jsonArrayBody(
    prefix,
    list.length,
    (i) => {
      const entry = list[i]!;
      return flagPiece(entry, evaluatePrepared(entry.compiled, scope), hasKey);
    },
    suffix,
  );
}

/** One flag by key as JSON, or `undefined` when the key may not see a flag of that name. */
export function evaluateOneJson(
  env: EnvironmentFeatures,
  flagKey: string,
  context: EvaluationContext,
  options: EvaluationOptions,
): FlagPiece | undefined {
  const entry = compiledVisibleFeatures(env.features, env.filters).find(
    (e) => e.feature.feature.key === flagKey,
  );
  if (entry === undefined) return undefined;
  const scope = sharedScope(context, options);
  return flagPiece(entry, evaluatePrepared(entry.compiled, scope), hasDefaultKey(scope));
}
