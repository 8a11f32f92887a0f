import { AppError, BadRequestError, ForbiddenError, NotFoundError } from '@fh/service-kit';
import type { FeatureValue as ApiFeatureValue } from '../api/index.ts';
import type { Application } from '../application/application-store.ts';
import type { Stores } from '../db/stores.ts';
import type { Environment } from '../environment/environment-store.ts';
import { applicationOf, findFeatureByKeyOrId, requireFeatureReader } from '../feature/feature-service.ts';
import type { Feature, FeatureValueType } from '../feature/feature-store.ts';
import type { EnvironmentRole } from '../group/group-store.ts';
import type { Access } from '../permission/access.ts';
import type { Person } from '../person/person-store.ts';
import type { ChangeSet } from '../publishing/change-set.ts';
import type { ServiceAccount } from '../service-account/service-account-store.ts';
import type { ApplicationStrategy } from '../strategy/application-strategy-store.ts';
import { requireValidRolloutStrategies } from '../strategy/rollout-strategy-validation.ts';
import {
  type FeatureValueLookups,
  requestedDefaultValue,
  toStoredInstance,
  toStoredStrategies,
} from './feature-value-mapper.ts';
import {
  type Aspect,
  FeatureValueConflictError,
  FeatureValueLockedError,
  mergeFeatureValue,
  type RequestedState,
  type StoredStrategy,
  type ValueState,
} from './feature-value-merge.ts';
import type { FeatureValue, StrategyInstance } from './feature-value-store.ts';

// Feature values (inventory §1.6, §2.5): reading them per environment, per feature or for the
// dashboard, and saving them through the 3-way merge. Every save writes a history row (the store
// does) and records the value in the ChangeSet so caches are told after the commit.

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

/** A value, its feature and its environment: what every read and write works on. */
export interface ValueTarget {
  environment: Environment;
  application: Application;
  feature: Feature;
}

/** Who saves a value and the roles they hold in its environment. */
export interface ValueActor {
  personId: string;
  roles: ReadonlySet<EnvironmentRole>;
}

/** A feature value with its feature; `value.version` 0 (and id '') means "not set" (no row yet). */
export interface FeatureValueView {
  feature: Feature;
  value: FeatureValue;
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

export const environmentRef = (environment: Environment, application: Application) => ({
  id: environment.id,
  applicationId: application.id,
  portfolioId: application.portfolioId,
});

/** The live environment and its application, or 404. */
export async function environmentOf(
  tx: Stores,
  environmentId: string,
): Promise<{ environment: Environment; application: Application }> {
  const environment = await tx.environments.findById(environmentId);
  if (!environment) throw new NotFoundError(`environment ${environmentId} not found`);
  const application = await tx.applications.findById(environment.applicationId);
  if (!application) throw new NotFoundError(`environment ${environmentId} not found`);
  return { environment, application };
}

/** The environment, its application and the live feature with `key` there (404 for any unknown). */
export async function valueTargetOf(tx: Stores, environmentId: string, key: string): Promise<ValueTarget> {
  const { environment, application } = await environmentOf(tx, environmentId);
  const feature = await findFeatureByKeyOrId(tx, application.id, key);
  if (!feature)
    throw new NotFoundError(`no feature "${key}" in the application of environment ${environmentId}`);
  return { environment, application, feature };
}

/** The caller's roles in the environment; 403 when they hold none (cannot even read it). */
export function readerRoles(
  access: Access,
  environment: Environment,
  application: Application,
): Set<EnvironmentRole> {
  const roles = new Set(access.environmentRoles(environmentRef(environment, application)));
  if (roles.size === 0) throw new ForbiddenError(`You have no access to environment ${environment.id}`);
  return roles;
}

/** The state a value has before its first save: flags start false and locked, others unset. */
export function baselineState(type: FeatureValueType): ValueState {
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
export function unsetValue(target: ValueTarget): FeatureValue {
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

/**
 * Turns a FeatureValue body into a ValueUpdate for `feature`: typed default value (400 when it does
 * not fit), custom strategies normalised and validated (422), application-strategy instances checked
 * (strategyId required and unique: 412 on a repeat; it must be a strategy of this application, 400).
 * Fields the body leaves out stay as they are.
 */
export function valueUpdateFrom(
  body: ApiFeatureValue,
  feature: Feature,
  appStrategies: ReadonlyMap<string, ApplicationStrategy>,
): ValueUpdate {
  const type = feature.valueType;
  const state: RequestedState = { locked: body.locked };
  const value = requestedDefaultValue(type, body);
  if (value !== undefined) state.value = value;
  if (body.retired !== undefined) state.retired = body.retired;

  const custom = body.rolloutStrategies ?? undefined;
  const instances = body.rolloutStrategyInstances ?? undefined;
  const seen = new Set<string>();
  for (const i of instances ?? []) {
    if (!i.strategyId) throw new BadRequestError('every rolloutStrategyInstances entry needs a strategyId');
    if (seen.has(i.strategyId)) throw new DuplicateStrategyInstanceError(i.strategyId);
    seen.add(i.strategyId);
  }
  const validated = requireValidRolloutStrategies({
    customStrategies: custom ?? [],
    sharedStrategies: instances ?? [],
    featureValueType: type,
  });
  if (custom !== undefined) state.rolloutStrategies = toStoredStrategies(type, validated.customStrategies);
  if (instances !== undefined) {
    state.strategyInstances = instances.map((i) => toStoredInstance(type, i));
    // An unknown strategy the client did not touch (e.g. archived meanwhile) is dropped by the merge;
    // one it adds or changes must exist in this application.
    const unknownStrategyIds = instances.map((i) => i.strategyId!).filter((id) => !appStrategies.has(id));
    if (unknownStrategyIds.length > 0) return { ...versionOf(body), state, unknownStrategyIds };
  }
  return { ...versionOf(body), state };
}

const versionOf = (body: ApiFeatureValue) => (body.version !== undefined ? { version: body.version } : {});

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
 * Saves one value through the 3-way merge (inventory §2.5): against the history row at the client's
 * version (409 when it does not exist and is not the current version), aspect by aspect, with roles
 * checked for what actually changes (403), refusing changes to a locked value unless the same update
 * unlocks it (409). An update that changes nothing is not saved. A value with no row yet is created
 * from the baseline (flags false and locked, others unset).
 */
export async function saveFeatureValue(
  tx: Stores,
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

// ---- lookups for showing values ----

/** The application's strategies (archived too: old values and history may name them) by id. */
export async function strategiesOf(
  tx: Stores,
  applicationId: string,
): Promise<Map<string, ApplicationStrategy>> {
  const list = await tx.strategies.list({ applicationId, includeArchived: true });
  return new Map(list.map((s) => [s.id, s]));
}

/** Persons by id, in one query. */
export async function personsById(tx: Stores, ids: Iterable<string | null>): Promise<Map<string, Person>> {
  const wanted = [...new Set([...ids].filter((id): id is string => id !== null))];
  if (wanted.length === 0) return new Map();
  const { persons } = await tx.persons.list({ ids: wanted, includeArchived: true, limit: wanted.length });
  return new Map(persons.map((p) => [p.id, p]));
}

export async function lookupsFor(
  tx: Stores,
  applicationId: string,
  values: readonly FeatureValue[],
): Promise<FeatureValueLookups> {
  const [persons, strategies] = await Promise.all([
    personsById(
      tx,
      values.map((v) => v.whoUpdated),
    ),
    values.some((v) => v.strategyInstances.length > 0)
      ? strategiesOf(tx, applicationId)
      : Promise.resolve(new Map<string, ApplicationStrategy>()),
  ]);
  return { persons, strategies };
}

// ---- use cases ----

/** One value (404 when the feature has no value in the environment yet). */
export async function getFeatureValue(
  tx: Stores,
  access: Access,
  environmentId: string,
  key: string,
): Promise<FeatureValueView> {
  const target = await valueTargetOf(tx, environmentId, key);
  readerRoles(access, target.environment, target.application);
  const value = await tx.featureValues.find(environmentId, target.feature.id);
  if (!value) throw new NotFoundError(`feature "${key}" has no value in environment ${environmentId}`);
  return { feature: target.feature, value };
}

/** Saves one value from a FeatureValue body (PUT and POST /features/{eid}/feature/{key}). */
export async function updateFeatureValue(
  tx: Stores,
  changes: ChangeSet,
  access: Access,
  environmentId: string,
  key: string,
  body: ApiFeatureValue,
): Promise<SaveOutcome> {
  const target = await valueTargetOf(tx, environmentId, key);
  const roles = readerRoles(access, target.environment, target.application);
  const update = valueUpdateFrom(
    body,
    target.feature,
    liveOnly(await strategiesOf(tx, target.application.id)),
  );
  return saveFeatureValue(tx, changes, { personId: access.personId, roles }, target, update);
}

const liveOnly = (strategies: ReadonlyMap<string, ApplicationStrategy>) =>
  new Map([...strategies].filter(([, s]) => s.whenArchived === null));

/** The values of the environment for its live features (optionally only features matching `filter`). */
export async function environmentFeatureValues(
  tx: Stores,
  access: Access,
  environmentId: string,
  options: { filter?: string | undefined } = {},
): Promise<{ environment: Environment; features: Feature[]; values: FeatureValueView[] }> {
  const { environment, application } = await environmentOf(tx, environmentId);
  readerRoles(access, environment, application);
  const features = filterFeatures(await tx.features.list({ applicationId: application.id }), options.filter);
  const byId = new Map(features.map((f) => [f.id, f]));
  const values = (await tx.featureValues.list({ environmentId }))
    .filter((v) => byId.has(v.featureId))
    .map((value) => ({ feature: byId.get(value.featureId)!, value }));
  values.sort((a, b) => (a.feature.key < b.feature.key ? -1 : a.feature.key > b.feature.key ? 1 : 0));
  return { environment, features, values };
}

/**
 * Saves several values of one environment in one transaction (PUT /features/{eid}). Keys must be
 * unique in the body (400) and name live features (404); all strategies are validated before anything
 * is saved (422). Returns all the environment's values.
 */
export async function updateEnvironmentFeatureValues(
  tx: Stores,
  changes: ChangeSet,
  access: Access,
  environmentId: string,
  bodies: readonly ApiFeatureValue[],
): Promise<{ environment: Environment; features: Feature[]; values: FeatureValueView[] }> {
  const { environment, application } = await environmentOf(tx, environmentId);
  const roles = readerRoles(access, environment, application);
  const keys = bodies.map((b) => b.key);
  const repeated = keys.find((k, i) => keys.indexOf(k) !== i);
  if (repeated !== undefined)
    throw new BadRequestError(`feature "${repeated}" appears more than once in the body`);
  const strategies = liveOnly(await strategiesOf(tx, application.id));
  const prepared: { target: ValueTarget; update: ValueUpdate }[] = [];
  for (const body of bodies) {
    const feature = await findFeatureByKeyOrId(tx, application.id, body.key);
    if (!feature)
      throw new NotFoundError(`no feature "${body.key}" in the application of environment ${environmentId}`);
    prepared.push({
      target: { environment, application, feature },
      update: valueUpdateFrom(body, feature, strategies),
    });
  }
  for (const { target, update } of prepared) {
    await saveFeatureValue(tx, changes, { personId: access.personId, roles }, target, update);
  }
  return environmentFeatureValues(tx, access, environmentId);
}

/** One environment's entry in the per-feature view: the caller's roles, the value, the service accounts. */
export interface FeatureEnvironmentView {
  environment: Environment;
  roles: EnvironmentRole[];
  value: FeatureValue | undefined;
  serviceAccounts: { account: ServiceAccount; roles: EnvironmentRole[] }[];
}

/** One feature across every environment of the application the caller can read, in promotion order. */
export async function featureAcrossEnvironments(
  tx: Stores,
  access: Access,
  applicationId: string,
  key: string,
): Promise<{ feature: Feature; environments: FeatureEnvironmentView[] }> {
  const application = await applicationOf(tx, applicationId);
  requireFeatureReader(access, application);
  const feature = await findFeatureByKeyOrId(tx, applicationId, key);
  if (!feature) throw new NotFoundError(`no feature "${key}" in application ${applicationId}`);
  const envs = (await tx.environments.list({ applicationId })).filter(
    (e) => access.environmentRoles(environmentRef(e, application)).size > 0,
  );
  const envIds = envs.map((e) => e.id);
  const [values, permissions] = await Promise.all([
    tx.featureValues.list({ environmentIds: envIds, featureId: feature.id }),
    tx.serviceAccounts.listPermissions({ environmentIds: envIds }),
  ]);
  const accountIds = [
    ...new Set(permissions.filter((p) => p.roles.length > 0).map((p) => p.serviceAccountId)),
  ];
  const accounts =
    accountIds.length === 0
      ? []
      : await tx.serviceAccounts.list({ ids: accountIds, portfolioId: application.portfolioId });
  const accountById = new Map(accounts.map((a) => [a.id, a]));
  return {
    feature,
    environments: envs.map((environment) => ({
      environment,
      roles: [...access.environmentRoles(environmentRef(environment, application))],
      value: values.find((v) => v.environmentId === environment.id),
      serviceAccounts: permissions
        .filter(
          (p) =>
            p.environmentId === environment.id && p.roles.length > 0 && accountById.has(p.serviceAccountId),
        )
        .map((p) => ({ account: accountById.get(p.serviceAccountId)!, roles: p.roles })),
    })),
  };
}

/**
 * Saves one feature's values in several environments at once (each body names its environmentId,
 * each environment at most once). All strategies are validated first (422); any failure rolls the
 * whole update back. As upstream, an environment outside the application, a missing role there or a
 * change to a locked value is a 400; a caller who cannot read the application at all still gets 403.
 */
export async function updateFeatureAcrossEnvironments(
  tx: Stores,
  changes: ChangeSet,
  access: Access,
  applicationId: string,
  key: string,
  bodies: readonly ApiFeatureValue[],
): Promise<{ feature: Feature; environments: FeatureEnvironmentView[] }> {
  const application = await applicationOf(tx, applicationId);
  requireFeatureReader(access, application);
  const feature = await findFeatureByKeyOrId(tx, applicationId, key);
  if (!feature) throw new NotFoundError(`no feature "${key}" in application ${applicationId}`);
  const strategies = liveOnly(await strategiesOf(tx, applicationId));
  const seen = new Set<string>();
  const prepared: { target: ValueTarget; update: ValueUpdate; roles: Set<EnvironmentRole> }[] = [];
  for (const body of bodies) {
    if (!body.environmentId) throw new BadRequestError('every feature value needs its environmentId');
    if (seen.has(body.environmentId)) {
      throw new BadRequestError(`environment ${body.environmentId} appears more than once in the body`);
    }
    seen.add(body.environmentId);
    const environment = await tx.environments.findById(body.environmentId);
    if (!environment || environment.applicationId !== applicationId) {
      throw new BadRequestError(
        `environment ${body.environmentId} is not an environment of application ${applicationId}`,
        'no_appropriate_role',
      );
    }
    const roles = await refusedAsBadRequest(environment, () => readerRoles(access, environment, application));
    prepared.push({
      target: { environment, application, feature },
      update: valueUpdateFrom(body, feature, strategies),
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

/** Case-insensitive substring of the key, name or description. */
export function filterFeatures(features: readonly Feature[], filter: string | undefined): Feature[] {
  const needle = filter?.trim().toLowerCase();
  if (!needle) return [...features];
  return features.filter((f) =>
    [f.key, f.name, f.description ?? ''].some((text) => text.toLowerCase().includes(needle)),
  );
}

export interface DashboardQuery {
  environmentIds?: readonly string[] | undefined;
  filter?: string | undefined;
  max?: number | undefined;
  page?: number | undefined;
  featureTypes?: readonly FeatureValueType[] | undefined;
  sortOrder?: 'ASC' | 'DESC' | undefined;
}

/** Upstream's `features.max-per-page`. */
export const DASHBOARD_MAX_PER_PAGE = 10_000;

export interface DashboardView {
  application: Application;
  /** this page of features */
  features: Feature[];
  /** how many features match, over all pages */
  maxFeatures: number;
  environments: { environment: Environment; roles: EnvironmentRole[]; values: FeatureValueView[] }[];
  lookups: FeatureValueLookups;
}

/**
 * The dashboard: a page of the application's features (filtered by text and type, sorted by key) and
 * their values in each environment the caller can read (promotion order), in a fixed handful of queries.
 */
export async function dashboard(
  tx: Stores,
  access: Access,
  applicationId: string,
  query: DashboardQuery,
): Promise<DashboardView> {
  const application = await applicationOf(tx, applicationId);
  requireFeatureReader(access, application);
  const wantedEnvs =
    query.environmentIds && query.environmentIds.length > 0 ? new Set(query.environmentIds) : null;
  const envs = (await tx.environments.list({ applicationId })).filter(
    (e) =>
      (wantedEnvs === null || wantedEnvs.has(e.id)) &&
      access.environmentRoles(environmentRef(e, application)).size > 0,
  );
  let features = filterFeatures(await tx.features.list({ applicationId }), query.filter);
  if (query.featureTypes && query.featureTypes.length > 0) {
    const types = new Set(query.featureTypes);
    features = features.filter((f) => types.has(f.valueType));
  }
  if (query.sortOrder === 'DESC') features.reverse();
  const maxFeatures = features.length;
  const max = Math.min(Math.max(query.max ?? DASHBOARD_MAX_PER_PAGE, 1), DASHBOARD_MAX_PER_PAGE);
  const page = Math.max(query.page ?? 0, 0);
  features = features.slice(page * max, page * max + max);
  const byId = new Map(features.map((f) => [f.id, f]));
  const values =
    envs.length === 0 || features.length === 0
      ? []
      : await tx.featureValues.list({ environmentIds: envs.map((e) => e.id), featureIds: [...byId.keys()] });
  const lookups = await lookupsFor(tx, applicationId, values);
  const order = new Map(features.map((f, i) => [f.id, i]));
  return {
    application,
    features,
    maxFeatures,
    environments: envs.map((environment) => ({
      environment,
      roles: [...access.environmentRoles(environmentRef(environment, application))],
      values: values
        .filter((v) => v.environmentId === environment.id)
        .sort((a, b) => order.get(a.featureId)! - order.get(b.featureId)!)
        .map((value) => ({ feature: byId.get(value.featureId)!, value })),
    })),
    lookups,
  };
}
