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
  prepareContext,
  toOpenFeatureResolution,
} from '@fh/evaluation';
import { compiledVisibleFeatures } from '../feature-state.ts';
import type { EnvironmentFeatures } from '../ports.ts';

/** One flag's answer as JSON (and its UTF-8 bytes once a bulk answer needed them), and whether it failed. */
interface FlagPiece {
  readonly json: string;
  readonly failed: boolean;
  bytes: Buffer | undefined;
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

// A context the request layer keeps (frozen, shared by requests sending the same body) keeps its
// prepared scope too, as polling does for a repeated x-featurehub header.
const scopes = new WeakMap<EvaluationContext, PreparedContext>();

function scopeFor(context: EvaluationContext, options: EvaluationOptions): PreparedContext {
  if (!Object.isFrozen(context)) return prepareContext(context, options);
  let scope = scopes.get(context);
  if (scope === undefined || scope.options !== options) {
    scope = prepareContext(context, options);
    scopes.set(context, scope);
  }
  return scope;
}

function hasDefaultKey(scope: PreparedContext): boolean {
  try {
    return scope.defaultKey() !== undefined;
  } catch {
    return false;
  }
}

const COMMA = 0x2c;

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
  const scope = scopeFor(context, options);
  const hasKey = hasDefaultKey(scope);
  const list = compiledVisibleFeatures(env.features, env.filters);
  const parts: Buffer[] = new Array(list.length);
  let size = 0;
  for (let i = 0; i < list.length; i++) {
    const entry = list[i]!;
    const piece = flagPiece(entry, evaluatePrepared(entry.compiled, scope), hasKey);
    piece.bytes ??= Buffer.from(piece.json);
    parts[i] = piece.bytes;
    size += piece.bytes.length;
  }
  const head = Buffer.from(`${prefix}[`);
  const tail = Buffer.from(`]${suffix}`);
  const body = Buffer.allocUnsafe(head.length + size + Math.max(0, list.length - 1) + tail.length);
  body.set(head, 0);
  let at = head.length;
  for (let i = 0; i < parts.length; i++) {
    if (i > 0) body[at++] = COMMA;
    const bytes = parts[i]!;
    body.set(bytes, at);
    at += bytes.length;
  }
  body.set(tail, at);
  return body;
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
  const scope = scopeFor(context, options);
  return flagPiece(entry, evaluatePrepared(entry.compiled, scope), hasDefaultKey(scope));
}
