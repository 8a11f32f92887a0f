// One flag resolved locally for OpenFeature, by the same rules as FeatureHub's OFREP endpoints
// (@fh/evaluation's mapOpenFeatureContext and toOpenFeatureResolution), so both give the same answer.
import {
  evaluatePrepared,
  mapOpenFeatureContext,
  prepareContext,
  toOpenFeatureResolution,
} from '@fh/evaluation';
import type { HeldFeature } from './feed.ts';

/** The OpenFeature flag types. */
export type FlagType = 'boolean' | 'string' | 'number' | 'object';

/** What a provider returns (structurally OpenFeature's ResolutionDetails). */
export interface Resolution<T> {
  readonly value: T;
  readonly variant?: string;
  readonly reason?: string;
  readonly errorCode?: string;
  readonly errorMessage?: string;
  readonly flagMetadata?: Readonly<Record<string, string | number | boolean>>;
}

function hasDefaultKey(scope: ReturnType<typeof prepareContext>): boolean {
  try {
    return scope.defaultKey() !== undefined;
  } catch {
    return false;
  }
}

function typeOf(value: unknown): FlagType | 'other' {
  const t = typeof value;
  if (t === 'boolean' || t === 'string' || t === 'number') return t;
  return t === 'object' && value !== null ? 'object' : 'other';
}

/** Resolves `flagKey` from the held features for an OpenFeature context; never throws. */
export function resolveFlag<T>(
  features: ReadonlyMap<string, HeldFeature>,
  flagKey: string,
  type: FlagType,
  defaultValue: T,
  context: unknown,
  now?: () => Date,
): Resolution<T> {
  const held = features.get(flagKey);
  if (held === undefined) {
    return {
      value: defaultValue,
      reason: 'ERROR',
      errorCode: 'FLAG_NOT_FOUND',
      errorMessage: `no flag ${flagKey}`,
    };
  }
  const flagMetadata = {
    featureId: held.state.id,
    version: held.state.version ?? 0,
    valueType: held.state.type ?? 'STRING',
  };
  const mapped = mapOpenFeatureContext(context);
  if (!mapped.ok) {
    return {
      value: defaultValue,
      reason: 'ERROR',
      errorCode: 'INVALID_CONTEXT',
      errorMessage: mapped.message,
      flagMetadata,
    };
  }
  const scope = prepareContext(mapped.context, now === undefined ? undefined : { now });
  const result = evaluatePrepared(held.compiled, scope);
  const resolution = toOpenFeatureResolution(held.compiled.feature, result, hasDefaultKey(scope));
  if ('errorCode' in resolution) {
    return {
      value: defaultValue,
      reason: 'ERROR',
      errorCode: resolution.errorCode,
      errorMessage: resolution.errorDetails,
      flagMetadata,
    };
  }
  const variant = resolution.variant;
  if (!('value' in resolution) || resolution.value === undefined) {
    // Unset in this environment: the application's default applies.
    return {
      value: defaultValue,
      reason: resolution.reason,
      flagMetadata,
      ...(variant === undefined ? {} : { variant }),
    };
  }
  if (typeOf(resolution.value) !== type) {
    return {
      value: defaultValue,
      reason: 'ERROR',
      errorCode: 'TYPE_MISMATCH',
      errorMessage: `flag ${flagKey} is ${held.state.type}, not ${type}`,
      flagMetadata,
    };
  }
  return {
    value: resolution.value as T,
    reason: resolution.reason,
    flagMetadata,
    ...(variant === undefined ? {} : { variant }),
  };
}
