import { AppError, BadRequestError, ForbiddenError, NotFoundError } from '@fh/service-kit';
import type { Stores } from '../db/stores.ts';
import { environmentOf } from '../environment/environment-read-model.ts';
import type { Environment } from '../environment/environment-store.ts';
import { applicationWithReadableFeatures, findFeatureByKeyOrId } from '../feature/feature-read-model.ts';
import type { Feature, FeatureValueType } from '../feature/feature-store.ts';
import type { EnvironmentRole } from '../group/group-store.ts';
import type { Access } from '../permission/access.ts';
import type { ChangeSet } from '../publishing/change-set.ts';
import type { ApplicationStrategy } from '../strategy/application-strategy-store.ts';
import {
  type CustomRolloutStrategy,
  requireValidRolloutStrategies,
} from '../strategy/rollout-strategy-validation.ts';
import {
  type Aspect,
  FeatureValueConflictError,
  FeatureValueLockedError,
  mergeFeatureValue,
  type RequestedState,
  type StoredStrategy,
  type ValueState,
} from './feature-value-merge.ts';
import {
  environmentFeatureValues,
  type FeatureEnvironmentView,
  type FeatureValueView,
  featureAcrossEnvironments,
  readerRoles,
  strategiesOf,
  type ValueTarget,
  valueTargetOf,
} from './feature-value-queries.ts';
import type { FeatureValue, StrategyInstance } from './feature-value-store.ts';
import { toStoredValue, toStrategyValue } from './stored-value.ts';

// Saving feature values (docs/admin-api-rules.md §Feature values): a change as the client asked for it is
// checked against the feature's type and the application's strategies, merged 3-way with what others saved
// meanwhile, saved (the store writes a history row) and recorded in the ChangeSet so caches are told after
// the commit. The caller owns the transaction.

/** Two application-strategy instances in one value name the same strategy (upstream 412). */
export class DuplicateStrategyInstanceError extends AppError {
  constructor(strategyId: string) {
    super(
      412,
      'duplicate_strategy_instance',
      `application strategy ${strategyId} is attached more than once`,
    );
  }
}

/**
 * The default value a change asks for. Clients may send it typed for each kind of feature and untyped; which
 * one counts depends on the feature's type (the one of its type first), so it is only decided against the
 * feature. A null clears; undefined in both leaves the value unchanged.
 */
export interface RequestedValue {
  byType: Partial<Record<FeatureValueType, unknown>>;
  untyped?: unknown;
}

/** An application strategy attached to a value, its value still typed as the client sent it. */
export interface RequestedStrategyInstance {
  /** required (400 without) */
  strategyId?: string | undefined;
  /** null or undefined: the strategy serves no value of its own */
  value?: unknown;
  enabled: boolean;
}

/** One value as a client asks to change it, before it is checked against its feature. */
export interface FeatureValueChange {
  /** the version the client edited; undefined is treated as 0 (upstream's default) */
  version?: number | undefined;
  locked: boolean;
  /** undefined: unchanged */
  retired?: boolean | undefined;
  value: RequestedValue;
  /** the value's own strategies, in evaluation order; undefined: unchanged */
  rolloutStrategies?: readonly CustomRolloutStrategy[] | undefined;
  /** the application strategies attached, in evaluation order; undefined: unchanged */
  strategyInstances?: readonly RequestedStrategyInstance[] | undefined;
}

/** Who saves a value and the roles they hold in its environment. */
export interface ValueActor {
  personId: string;
  roles: ReadonlySet<EnvironmentRole>;
}

export interface SaveOutcome extends FeatureValueView {
  /** false when the update changed nothing (nothing saved, nothing published) */
  saved: boolean;
}

/** What an update asks for, already typed, normalised and validated. */
export interface ValueUpdate {
  /**
   * the version the client edited; undefined is treated as 0 (upstream's default); 'current' merges
   * against whatever is current when the transaction reads it (the test API: no stale base possible)
   */
  version?: number | 'current';
  state: RequestedState;
  /** requested application strategies that are not (live) strategies of the application */
  unknownStrategyIds?: readonly string[];
}

/** The state a value has before its first save: flags start false and locked, others unset. */
function baselineState(type: FeatureValueType): ValueState {
  return {
    value: type === 'BOOLEAN' ? 'false' : null,
    locked: type === 'BOOLEAN',
    retired: false,
    rolloutStrategies: [],
    strategyInstances: [],
  };
}

function stateOf(v: {
  value: string | null;
  locked: boolean;
  retired: boolean;
  rolloutStrategies: unknown[];
  strategyInstances: StrategyInstance[];
}): ValueState {
  return {
    value: v.value,
    locked: v.locked,
    retired: v.retired,
    rolloutStrategies: v.rolloutStrategies as StoredStrategy[],
    strategyInstances: v.strategyInstances,
  };
}

/** A "not set" value for showing features that have no row in an environment yet. */
function unsetValue(target: ValueTarget): FeatureValue {
  const state = baselineState(target.feature.valueType);
  return {
    id: '',
    environmentId: target.environment.id,
    featureId: target.feature.id,
    value: state.value,
    locked: state.locked,
    retired: false,
    rolloutStrategies: [],
    strategyInstances: [],
    whoUpdated: null,
    version: 0,
    whenCreated: target.environment.whenCreated,
    whenUpdated: target.environment.whenCreated,
  };
}

/** The stored text of the default value the change asks for; undefined when it asks for none (unchanged). */
function requestedDefaultValue(type: FeatureValueType, requested: RequestedValue): string | null | undefined {
  const typed = requested.byType[type];
  if (typed !== undefined) return toStoredValue(type, typed);
  if (requested.untyped !== undefined) return toStoredValue(type, requested.untyped);
  return undefined;
}

/** Custom strategies with their values typed for the feature. */
function toStoredStrategies(
  type: FeatureValueType,
  strategies: readonly CustomRolloutStrategy[],
): StoredStrategy[] {
  return strategies.map((s) => {
    const out: StoredStrategy = {};
    for (const [k, v] of Object.entries(s)) if (v !== undefined) out[k] = v;
    out.value = toStrategyValue(type, s.value, `value of strategy "${s.name ?? s.id ?? ''}"`);
    return out;
  });
}

/** An application-strategy instance, its value in stored text form. */
function toStoredInstance(type: FeatureValueType, instance: RequestedStrategyInstance): StrategyInstance {
  return {
    strategyId: instance.strategyId ?? '',
    value:
      instance.value === null || instance.value === undefined
        ? null
        : toStoredValue(type, instance.value, 'application strategy value'),
    enabled: instance.enabled,
  };
}

/**
 * Checks a change against `feature` and turns it into a ValueUpdate: typed default value (400 when it does
 * not fit), custom strategies normalised and validated (422), application-strategy instances checked
 * (strategyId required and unique: 412 on a repeat; it must be a strategy of this application, 400).
 * Fields the change leaves out stay as they are.
 */
function valueUpdateFrom(
  change: FeatureValueChange,
  feature: Feature,
  appStrategies: ReadonlyMap<string, ApplicationStrategy>,
): ValueUpdate {
  const type = feature.valueType;
  const state: RequestedState = { locked: change.locked };
  const value = requestedDefaultValue(type, change.value);
  if (value !== undefined) state.value = value;
  if (change.retired !== undefined) state.retired = change.retired;

  const custom = change.rolloutStrategies;
  const instances = change.strategyInstances;
  const seen = new Set<string>();
  for (const i of instances ?? []) {
    if (!i.strategyId) throw new BadRequestError('every rolloutStrategyInstances entry needs a strategyId');
    if (seen.has(i.strategyId)) throw new DuplicateStrategyInstanceError(i.strategyId);
    seen.add(i.strategyId);
  }
  const validated = requireValidRolloutStrategies({
    customStrategies: custom ?? [],
    featureValueType: type,
  });
  if (custom !== undefined) state.rolloutStrategies = toStoredStrategies(type, validated.customStrategies);
  if (instances !== undefined) {
    state.strategyInstances = instances.map((i) => toStoredInstance(type, i));
    // An unknown strategy the client did not touch (e.g. archived meanwhile) is dropped by the merge;
    // one it adds or changes must exist in this application.
    const unknownStrategyIds = instances.map((i) => i.strategyId!).filter((id) => !appStrategies.has(id));
    if (unknownStrategyIds.length > 0) return { ...versionOf(change), state, unknownStrategyIds };
  }
  return { ...versionOf(change), state };
}

const versionOf = (change: FeatureValueChange) =>
  change.version !== undefined ? { version: change.version } : {};

function requireRoles(changed: ReadonlySet<Aspect>, roles: ReadonlySet<EnvironmentRole>): void {
  const needed = new Set<EnvironmentRole>();
  for (const aspect of changed) {
    needed.add(aspect === 'lock' ? 'LOCK' : aspect === 'unlock' ? 'UNLOCK' : 'CHANGE_VALUE');
  }
  const missing = [...needed].filter((r) => !roles.has(r));
  if (missing.length > 0) {
    throw new ForbiddenError(
      `You need the ${missing.join(' and ')} permission in this environment for this change`,
    );
  }
}

/**
 * Requested instances of strategies the application no longer has: one the client left as it was in
 * its version (e.g. archived since) is dropped; one it adds or changes is refused (400).
 */
function knownInstancesOnly(update: ValueUpdate, base: ValueState): RequestedState {
  const unknown = new Set(update.unknownStrategyIds ?? []);
  const requested = update.state.strategyInstances;
  if (unknown.size === 0 || requested === undefined) return update.state;
  const kept = requested.filter((i) => {
    if (!unknown.has(i.strategyId)) return true;
    const before = base.strategyInstances.find((b) => b.strategyId === i.strategyId);
    if (before && before.value === i.value && before.enabled === i.enabled) return false;
    throw new BadRequestError(`application strategy ${i.strategyId} is not a strategy of this application`);
  });
  return { ...update.state, strategyInstances: kept };
}

/**
 * Saves one value through the 3-way merge (docs/admin-api-rules.md §Feature values): against the
 * history row at the client's version (409 when it does not exist and is not the current version),
 * aspect by aspect, with roles checked for what actually changes (403), refusing changes to a locked
 * value unless the same update unlocks it (409). An update that changes nothing is not saved. A value
 * with no row yet is created from the baseline (flags false and locked, others unset).
 */
export async function saveFeatureValue(
  tx: Pick<Stores, 'featureValues'>,
  changes: ChangeSet,
  actor: ValueActor,
  target: ValueTarget,
  update: ValueUpdate,
): Promise<SaveOutcome> {
  const { environment, feature } = target;
  const current = await tx.featureValues.find(environment.id, feature.id);
  if (!current) {
    const baseline = baselineState(feature.valueType);
    const { next, changed } = mergeFeatureValue(baseline, baseline, knownInstancesOnly(update, baseline));
    requireRoles(changed, actor.roles);
    if (changed.size === 0) return { feature, value: unsetValue(target), saved: false };
    const created = await tx.featureValues.create({
      environmentId: environment.id,
      featureId: feature.id,
      ...next,
      rolloutStrategies: [...next.rolloutStrategies],
      strategyInstances: [...next.strategyInstances],
      whoUpdated: actor.personId,
    });
    changes.featureValueChanged(environment.id, feature.id);
    return { feature, value: created, saved: true };
  }
  const clientVersion = update.version === 'current' ? current.version : (update.version ?? 0);
  const base =
    clientVersion === current.version
      ? current
      : await tx.featureValues.findVersion(current.id, clientVersion);
  if (!base) {
    throw new FeatureValueConflictError(
      `version ${clientVersion} of this feature value is unknown (it is at version ${current.version}); reload and try again`,
    );
  }
  const baseState = stateOf(base);
  const { next, changed } = mergeFeatureValue(
    baseState,
    stateOf(current),
    knownInstancesOnly(update, baseState),
  );
  requireRoles(changed, actor.roles);
  if (changed.size === 0) return { feature, value: current, saved: false };
  const saved = await tx.featureValues.update(current.id, {
    value: next.value,
    locked: next.locked,
    retired: next.retired,
    ...(changed.has('strategies') ? { rolloutStrategies: [...next.rolloutStrategies] } : {}),
    ...(changed.has('instances') ? { strategyInstances: [...next.strategyInstances] } : {}),
    whoUpdated: actor.personId,
    version: current.version,
  });
  changes.featureValueChanged(environment.id, feature.id);
  return { feature, value: saved, saved: true };
}

const liveOnly = (strategies: ReadonlyMap<string, ApplicationStrategy>) =>
  new Map([...strategies].filter(([, s]) => s.whenArchived === null));

/** Saves one value (PUT and POST /features/{eid}/feature/{key}). */
export async function updateFeatureValue(
  tx: Pick<Stores, 'applications' | 'environments' | 'features' | 'featureValues' | 'strategies'>,
  changes: ChangeSet,
  access: Access,
  environmentId: string,
  key: string,
  change: FeatureValueChange,
): Promise<SaveOutcome> {
  const target = await valueTargetOf(tx, environmentId, key);
  const roles = readerRoles(access, target.environment, target.application);
  const update = valueUpdateFrom(
    change,
    target.feature,
    liveOnly(await strategiesOf(tx, target.application.id)),
  );
  return saveFeatureValue(tx, changes, { personId: access.personId, roles }, target, update);
}

/**
 * Saves several values of one environment in one transaction (PUT /features/{eid}). Keys must be
 * unique in the body (400) and name live features (404); all strategies are validated before anything
 * is saved (422). Returns all the environment's values.
 */
export async function updateEnvironmentFeatureValues(
  tx: Pick<Stores, 'applications' | 'environments' | 'features' | 'featureValues' | 'strategies'>,
  changes: ChangeSet,
  access: Access,
  environmentId: string,
  requested: readonly (FeatureValueChange & { key: string })[],
): Promise<{ environment: Environment; features: Feature[]; values: FeatureValueView[] }> {
  const { environment, application } = await environmentOf(tx, environmentId);
  const roles = readerRoles(access, environment, application);
  const keys = requested.map((b) => b.key);
  const repeated = keys.find((k, i) => keys.indexOf(k) !== i);
  if (repeated !== undefined)
    throw new BadRequestError(`feature "${repeated}" appears more than once in the body`);
  const strategies = liveOnly(await strategiesOf(tx, application.id));
  const prepared: { target: ValueTarget; update: ValueUpdate }[] = [];
  for (const change of requested) {
    const feature = await findFeatureByKeyOrId(tx, application.id, change.key);
    if (!feature)
      throw new NotFoundError(
        `no feature "${change.key}" in the application of environment ${environmentId}`,
      );
    prepared.push({
      target: { environment, application, feature },
      update: valueUpdateFrom(change, feature, strategies),
    });
  }
  for (const { target, update } of prepared) {
    await saveFeatureValue(tx, changes, { personId: access.personId, roles }, target, update);
  }
  return environmentFeatureValues(tx, access, environmentId);
}

/**
 * Saves one feature's values in several environments at once (each body names its environmentId,
 * each environment at most once). All strategies are validated first (422); any failure rolls the
 * whole update back. As upstream, an environment outside the application, a missing role there or a
 * change to a locked value is a 400; a caller who cannot read the application at all still gets 403.
 */
export async function updateFeatureAcrossEnvironments(
  tx: Pick<
    Stores,
    'applications' | 'environments' | 'features' | 'featureValues' | 'serviceAccounts' | 'strategies'
  >,
  changes: ChangeSet,
  access: Access,
  applicationId: string,
  key: string,
  requested: readonly (FeatureValueChange & { environmentId?: string | undefined })[],
): Promise<{ feature: Feature; environments: FeatureEnvironmentView[] }> {
  const application = await applicationWithReadableFeatures(tx, access, applicationId);
  const feature = await findFeatureByKeyOrId(tx, applicationId, key);
  if (!feature) throw new NotFoundError(`no feature "${key}" in application ${applicationId}`);
  const strategies = liveOnly(await strategiesOf(tx, applicationId));
  const seen = new Set<string>();
  const prepared: { target: ValueTarget; update: ValueUpdate; roles: Set<EnvironmentRole> }[] = [];
  for (const change of requested) {
    if (!change.environmentId) throw new BadRequestError('every feature value needs its environmentId');
    if (seen.has(change.environmentId)) {
      throw new BadRequestError(`environment ${change.environmentId} appears more than once in the body`);
    }
    seen.add(change.environmentId);
    const environment = await tx.environments.findById(change.environmentId);
    if (!environment || environment.applicationId !== applicationId) {
      throw new BadRequestError(
        `environment ${change.environmentId} is not an environment of application ${applicationId}`,
        'no_appropriate_role',
      );
    }
    const roles = await refusedAsBadRequest(environment, () => readerRoles(access, environment, application));
    prepared.push({
      target: { environment, application, feature },
      update: valueUpdateFrom(change, feature, strategies),
      roles,
    });
  }
  for (const { target, update, roles } of prepared) {
    await refusedAsBadRequest(target.environment, () =>
      saveFeatureValue(tx, changes, { personId: access.personId, roles }, target, update),
    );
  }
  return featureAcrossEnvironments(tx, access, applicationId, feature.id);
}

/**
 * Upstream answers updateAllFeatureValuesByApplicationForKey's refusals in one environment (no
 * appropriate role there, a locked value changed) with 400 instead of 403 / 409; the upstream admin UI
 * saves values through it and keys its error handling off that. The message names the environment.
 */
async function refusedAsBadRequest<T>(environment: Environment, run: () => T | Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    const code =
      err instanceof ForbiddenError
        ? 'no_appropriate_role'
        : err instanceof FeatureValueLockedError
          ? 'feature_value_locked'
          : undefined;
    if (code === undefined) throw err;
    throw new BadRequestError(`environment ${environment.name}: ${(err as Error).message}`, code, {
      cause: err,
    });
  }
}
