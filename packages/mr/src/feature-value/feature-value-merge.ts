import { ConflictError } from '@fh/service-kit';
import type { StrategyInstance } from './feature-value-store.ts';

// The 3-way merge of a feature-value update (docs/admin-api-rules.md §Feature values). A client edits
// from some saved version (the base); others may have saved since (the current state). Each aspect —
// lock, default value, custom strategies, application-strategy instances, retired — counts as changed
// by this client only if it differs from the base, and is applied only if the current state still
// equals the base; otherwise the update conflicts (409). Pure: no I/O, no permissions (the caller
// checks roles for the aspects reported as changed).

/** A custom strategy as stored: a JSON object with a (normalised) 4-character id. */
export type StoredStrategy = { id?: string | null } & Record<string, unknown>;

/** The mergeable state of a feature value (current row, history row, or a baseline for "no row yet"). */
export interface ValueState {
  value: string | null;
  locked: boolean;
  retired: boolean;
  rolloutStrategies: readonly StoredStrategy[];
  strategyInstances: readonly StrategyInstance[];
}

/** What the client asks for; `undefined` means "not sent", which leaves that aspect alone. */
export interface RequestedState {
  value?: string | null;
  locked?: boolean;
  retired?: boolean;
  rolloutStrategies?: readonly StoredStrategy[];
  strategyInstances?: readonly StrategyInstance[];
}

export type Aspect = 'value' | 'lock' | 'unlock' | 'retired' | 'strategies' | 'instances';

export interface MergeResult {
  next: ValueState;
  /** what this update changes; empty = nothing to save */
  changed: ReadonlySet<Aspect>;
}

/** Someone else changed what this update changes (or deleted it) since the client's version. */
export class FeatureValueConflictError extends ConflictError {
  constructor(message: string) {
    super(message, 'feature_value_conflict');
  }
}

/** The value is locked and the update changes it without unlocking. */
export class FeatureValueLockedError extends ConflictError {
  constructor() {
    super('the feature value is locked: unlock it in the same update to change it', 'feature_value_locked');
  }
}

/** JSON with object keys sorted and null/undefined properties dropped, so equal content compares equal. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(canonical(value));
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== null && v !== undefined) out[key] = canonical(v);
    }
    return out;
  }
  return value;
}

const sameJson = (a: unknown, b: unknown) => canonicalJson(a) === canonicalJson(b);

function mergeScalar<T>(aspect: string, base: T, current: T, requested: T | undefined): T | undefined {
  if (requested === undefined || requested === current || requested === base) return undefined;
  if (base === current) return requested;
  throw new FeatureValueConflictError(`the ${aspect} was changed by someone else since your version`);
}

/**
 * Merges a keyed, ordered list: additions, changes and deletions by the client are applied item by
 * item; a reorder by the client is applied unless someone else reordered too.
 * Returns undefined when the client changes nothing.
 */
export function mergeKeyedList<T>(
  aspect: string,
  base: readonly T[],
  current: readonly T[],
  requested: readonly T[] | undefined,
  keyOf: (item: T) => string,
  same: (a: T, b: T) => boolean,
): T[] | undefined {
  if (requested === undefined) return undefined;
  const baseByKey = new Map(base.map((i) => [keyOf(i), i]));
  const currentByKey = new Map(current.map((i) => [keyOf(i), i]));
  const requestedKeys = new Set(requested.map(keyOf));
  const conflict = (key: string, what: string) =>
    new FeatureValueConflictError(`${aspect} "${key}" was ${what} by someone else since your version`);

  const result = [...current];
  const indexOf = (key: string) => result.findIndex((i) => keyOf(i) === key);
  requested.forEach((item, position) => {
    const key = keyOf(item);
    const before = baseByKey.get(key);
    const now = currentByKey.get(key);
    if (before === undefined) {
      if (now !== undefined) {
        if (same(item, now)) return;
        throw conflict(key, 'added');
      }
      result.splice(Math.min(position, result.length), 0, item);
      return;
    }
    if (same(item, before)) return;
    if (now === undefined) throw conflict(key, 'deleted');
    if (same(item, now)) return;
    if (!same(before, now)) throw conflict(key, 'changed');
    result[indexOf(key)] = item;
  });
  for (const [key, before] of baseByKey) {
    if (requestedKeys.has(key)) continue;
    const now = currentByKey.get(key);
    if (now === undefined) continue;
    if (!same(before, now)) throw conflict(key, 'changed');
    result.splice(indexOf(key), 1);
  }

  // Order: only the relative order of items the client and the base both know says "reordered".
  const known = (keys: readonly string[], among: ReadonlySet<string>) => keys.filter((k) => among.has(k));
  const shared = new Set([...requestedKeys].filter((k) => baseByKey.has(k)));
  const requestedOrder = known(requested.map(keyOf), shared);
  const baseOrder = known(base.map(keyOf), shared);
  let merged = result;
  if (requestedOrder.join('\u0000') !== baseOrder.join('\u0000')) {
    const stillThere = new Set(result.map(keyOf));
    const currentOrder = known(current.map(keyOf), shared).filter((k) => stillThere.has(k));
    const baseStill = baseOrder.filter((k) => stillThere.has(k) && currentByKey.has(k));
    if (currentOrder.join('\u0000') !== baseStill.join('\u0000')) {
      const wanted = requestedOrder.filter((k) => stillThere.has(k) && currentByKey.has(k));
      if (currentOrder.join('\u0000') !== wanted.join('\u0000')) {
        throw new FeatureValueConflictError(
          `the ${aspect} order was changed by someone else since your version`,
        );
      }
    }
    const byKey = new Map(result.map((i) => [keyOf(i), i]));
    merged = requested.map(keyOf).flatMap((k) => {
      const i = byKey.get(k);
      return i === undefined ? [] : [i];
    });
    merged.push(...result.filter((i) => !requestedKeys.has(keyOf(i))));
  }
  const unchanged =
    merged.length === current.length &&
    merged.every((i, n) => same(i, current[n]!) && keyOf(i) === keyOf(current[n]!));
  return unchanged ? undefined : merged;
}

const strategyKey = (s: StoredStrategy) => String(s.id ?? '');
const instanceKey = (i: StrategyInstance) => i.strategyId;
const sameInstance = (a: StrategyInstance, b: StrategyInstance) =>
  a.value === b.value && a.enabled === b.enabled;

/**
 * Merges `requested` into `current`, taking `base` as the version the client edited.
 * @throws FeatureValueConflictError when an aspect the client changed was changed by someone else too
 * @throws FeatureValueLockedError when the value is locked and the update changes it without unlocking
 */
export function mergeFeatureValue(
  base: ValueState,
  current: ValueState,
  requested: RequestedState,
): MergeResult {
  const changed = new Set<Aspect>();
  const next: ValueState = { ...current };

  const locked = mergeScalar('lock', base.locked, current.locked, requested.locked);
  if (locked !== undefined) {
    next.locked = locked;
    changed.add(locked ? 'lock' : 'unlock');
  }
  const value = mergeScalar('value', base.value, current.value, requested.value);
  if (value !== undefined) {
    next.value = value;
    changed.add('value');
  }
  const retired = mergeScalar('retired flag', base.retired, current.retired, requested.retired);
  if (retired !== undefined) {
    next.retired = retired;
    changed.add('retired');
  }
  const strategies = mergeKeyedList(
    'strategy',
    base.rolloutStrategies,
    current.rolloutStrategies,
    requested.rolloutStrategies,
    strategyKey,
    sameJson,
  );
  if (strategies !== undefined) {
    next.rolloutStrategies = strategies;
    changed.add('strategies');
  }
  const instances = mergeKeyedList(
    'application strategy',
    base.strategyInstances,
    current.strategyInstances,
    requested.strategyInstances,
    instanceKey,
    sameInstance,
  );
  if (instances !== undefined) {
    next.strategyInstances = instances;
    changed.add('instances');
  }
  const changesLock = changed.has('lock') || changed.has('unlock');
  if (current.locked && !changesLock && changed.size > 0) throw new FeatureValueLockedError();
  return { next, changed };
}
