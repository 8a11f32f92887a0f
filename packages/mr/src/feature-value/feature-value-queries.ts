import { ForbiddenError, NotFoundError } from '@fh/service-kit';
import type { Application } from '../application/application-store.ts';
import type { Stores } from '../db/stores.ts';
import {
  environmentOf,
  environmentRef,
  environmentsVisibleIn,
} from '../environment/environment-read-model.ts';
import type { Environment } from '../environment/environment-store.ts';
import { applicationWithReadableFeatures, findFeatureByKeyOrId } from '../feature/feature-read-model.ts';
import type { Feature, FeatureValueType } from '../feature/feature-store.ts';
import {
  type MemberKey,
  type MemberStrategy,
  memberStrategiesIn,
} from '../feature-group/feature-group-read-model.ts';
import type { EnvironmentRole } from '../group/group-store.ts';
import type { Access } from '../permission/access.ts';
import { personsById } from '../person/person-read-model.ts';
import type { Person } from '../person/person-store.ts';
import { serviceAccountsWithRolesIn } from '../service-account/service-account-read-model.ts';
import type { ServiceAccount } from '../service-account/service-account-store.ts';
import type { ApplicationStrategy } from '../strategy/application-strategy-store.ts';
import type { FeatureValue } from './feature-value-store.ts';

// Reading feature values (docs/admin-api-rules.md §Feature values): one value, an environment's values, one
// feature across the environments of its application, and the dashboard; plus what it takes to show them (who
// saved them, the application strategies they name).

/** A value, its feature and its environment: what every read and write works on. */
export interface ValueTarget {
  environment: Environment;
  application: Application;
  feature: Feature;
}

/** A feature value with its feature; `value.version` 0 (and id '') means "not set" (no row yet). */
export interface FeatureValueView {
  feature: Feature;
  value: FeatureValue;
}

/**
 * The lookups needed to show values: who updated them, the application strategies they use and (when asked for)
 * the strategies feature groups add to them, by `${environmentId}/${featureId}`.
 */
export interface FeatureValueLookups {
  persons: ReadonlyMap<string, Person>;
  strategies: ReadonlyMap<string, ApplicationStrategy>;
  groupStrategies?: ReadonlyMap<MemberKey, readonly MemberStrategy[]>;
}

/** The environment, its application and the live feature with `key` there (404 for any unknown). */
export async function valueTargetOf(
  tx: Pick<Stores, 'applications' | 'environments' | 'features'>,
  environmentId: string,
  key: string,
): Promise<ValueTarget> {
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

/** The application's strategies (archived too: old values and history may name them) by id. */
export async function strategiesOf(
  tx: Pick<Stores, 'strategies'>,
  applicationId: string,
): Promise<Map<string, ApplicationStrategy>> {
  const list = await tx.strategies.list({ applicationId, includeArchived: true });
  return new Map(list.map((s) => [s.id, s]));
}

/**
 * Who saved these values (or versions of values) and the application strategies they name; with `tx.featureGroups`,
 * also the strategies feature groups add to the values' features in their environments.
 */
export async function lookupsFor(
  tx: Pick<Stores, 'persons' | 'strategies'> & Partial<Pick<Stores, 'featureGroups'>>,
  applicationId: string,
  values: readonly (Pick<FeatureValue, 'whoUpdated' | 'strategyInstances'> &
    Partial<Pick<FeatureValue, 'environmentId'>>)[],
): Promise<FeatureValueLookups> {
  const environmentIds = [
    ...new Set(
      values.flatMap((v) =>
        v.environmentId === undefined || v.environmentId === '' ? [] : [v.environmentId],
      ),
    ),
  ];
  const [persons, strategies, groupStrategies] = await Promise.all([
    personsById(
      tx,
      values.map((v) => v.whoUpdated),
    ),
    values.some((v) => v.strategyInstances.length > 0)
      ? strategiesOf(tx, applicationId)
      : Promise.resolve(new Map<string, ApplicationStrategy>()),
    tx.featureGroups ? memberStrategiesIn({ featureGroups: tx.featureGroups }, environmentIds) : undefined,
  ]);
  return groupStrategies ? { persons, strategies, groupStrategies } : { persons, strategies };
}

/** One value (404 when the feature has no value in the environment yet). */
export async function getFeatureValue(
  tx: Pick<Stores, 'applications' | 'environments' | 'features' | 'featureValues'>,
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

/** The values of the environment for its live features (optionally only features matching `filter`). */
export async function environmentFeatureValues(
  tx: Pick<Stores, 'applications' | 'environments' | 'features' | 'featureValues'>,
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

/** One environment's entry in the per-feature view: the caller's roles, the value, the service accounts. */
export interface FeatureEnvironmentView {
  environment: Environment;
  roles: EnvironmentRole[];
  value: FeatureValue | undefined;
  serviceAccounts: { account: ServiceAccount; roles: EnvironmentRole[] }[];
}

/** One feature across every environment of the application the caller can read, in promotion order. */
export async function featureAcrossEnvironments(
  tx: Pick<Stores, 'applications' | 'environments' | 'features' | 'featureValues' | 'serviceAccounts'>,
  access: Access,
  applicationId: string,
  key: string,
): Promise<{ feature: Feature; environments: FeatureEnvironmentView[] }> {
  const application = await applicationWithReadableFeatures(tx, access, applicationId);
  const feature = await findFeatureByKeyOrId(tx, applicationId, key);
  if (!feature) throw new NotFoundError(`no feature "${key}" in application ${applicationId}`);
  const envs = await environmentsVisibleIn(tx, access, application);
  const envIds = envs.map((e) => e.id);
  const [values, holders] = await Promise.all([
    tx.featureValues.list({ environmentIds: envIds, featureId: feature.id }),
    serviceAccountsWithRolesIn(tx, envIds, application.portfolioId),
  ]);
  return {
    feature,
    environments: envs.map((environment) => ({
      environment,
      roles: [...access.environmentRoles(environmentRef(environment, application))],
      value: values.find((v) => v.environmentId === environment.id),
      serviceAccounts: holders
        .filter((h) => h.environmentId === environment.id)
        .map((h) => ({ account: h.account, roles: h.roles })),
    })),
  };
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
  /** API 1.2.6 `featureFilter`: only features carrying one of these feature filters. */
  featureFilters?: readonly string[] | undefined;
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
  tx: Pick<
    Stores,
    | 'applications'
    | 'environments'
    | 'features'
    | 'featureValues'
    | 'persons'
    | 'strategies'
    | 'featureFilters'
  >,
  access: Access,
  applicationId: string,
  query: DashboardQuery,
): Promise<DashboardView> {
  const application = await applicationWithReadableFeatures(tx, access, applicationId);
  const wantedEnvs =
    query.environmentIds && query.environmentIds.length > 0 ? new Set(query.environmentIds) : null;
  const envs = (await environmentsVisibleIn(tx, access, application)).filter(
    (e) => wantedEnvs === null || wantedEnvs.has(e.id),
  );
  let features = filterFeatures(await tx.features.list({ applicationId }), query.filter);
  if (query.featureTypes && query.featureTypes.length > 0) {
    const types = new Set(query.featureTypes);
    features = features.filter((f) => types.has(f.valueType));
  }
  if (query.featureFilters && query.featureFilters.length > 0) {
    const wanted = new Set(query.featureFilters);
    const held = await tx.featureFilters.filtersOfFeatures(features.map((f) => f.id));
    features = features.filter((f) => (held.get(f.id) ?? []).some((id) => wanted.has(id)));
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
