import {
  type CacheEnvironment,
  type CacheEnvironmentFeature,
  type CacheFeature,
  type CacheFeatureValue,
  type CacheRolloutStrategy,
  type CacheRolloutStrategyAttribute,
  type CacheServiceAccount,
  type FeatureWireValue,
  PERCENTAGE_SCALE,
  type PublishAction,
  type PublishEnvironment,
  RolloutStrategyAttributeConditional,
  RolloutStrategyFieldType,
} from '@fh/contracts';
import type { Stores } from '../db/stores.ts';
import type { Environment } from '../environment/environment-store.ts';
import type { Feature, FeatureValueType } from '../feature/feature-store.ts';
import {
  type MemberStrategy,
  memberKey,
  memberStrategiesIn,
} from '../feature-group/feature-group-read-model.ts';
import type { FeatureValue } from '../feature-value/feature-value-store.ts';
import type { ServiceAccount } from '../service-account/service-account-store.ts';
import type { ApplicationStrategy } from '../strategy/application-strategy-store.ts';
import { FeatureProperties } from './feature-properties.ts';

// Builds the cache payloads (dacha-component.yaml) from the committed state. Everything here reads;
// nothing writes. Stored data is treated as untrusted: whatever cannot be expressed on the wire is
// left out rather than allowed to make Dacha drop the whole message.

/** Where an environment sits: the ids every PublishEnvironment carries. */
export interface EnvironmentOwners {
  applicationId: string;
  portfolioId: string;
  organizationId: string;
}

const CONDITIONALS = new Set<string>(Object.values(RolloutStrategyAttributeConditional));
const FIELD_TYPES = new Set<string>(Object.values(RolloutStrategyFieldType));

/**
 * Reads the committed state of environments, features, values and service accounts and turns it into
 * cache payloads. One instance may be reused: it keeps no state between calls, except a per-call memo.
 */
export class CachePayloads {
  /** `properties`: the operator's `sdk.feature.properties`, rendered into each feature's `fp`. */
  constructor(
    private readonly stores: Stores,
    private readonly properties: FeatureProperties = FeatureProperties.none,
  ) {}

  /** The application, portfolio and organisation of an environment (archived owners included). */
  async owners(applicationId: string): Promise<EnvironmentOwners | undefined> {
    const app = await this.stores.applications.findById(applicationId, { includeArchived: true });
    if (!app) return undefined;
    const portfolio = await this.stores.portfolios.findById(app.portfolioId, { includeArchived: true });
    if (!portfolio) return undefined;
    return { applicationId, portfolioId: portfolio.id, organizationId: portfolio.organisationId };
  }

  /**
   * The whole environment: every live feature of its application with its value here (or none),
   * and the ids of the live service accounts with a role in it. Undefined when the environment is
   * unknown or archived.
   */
  async environment(
    environmentId: string,
    action: Exclude<PublishAction, 'DELETE' | 'EMPTY'> = 'UPDATE',
    count = 1,
  ): Promise<PublishEnvironment | undefined> {
    const env = await this.stores.environments.findById(environmentId);
    if (!env) return undefined;
    const owners = await this.owners(env.applicationId);
    if (!owners) return undefined;
    const features = await this.stores.features.list({ applicationId: env.applicationId });
    const values = new Map(
      (await this.stores.featureValues.list({ environmentId })).map((v) => [v.featureId, v]),
    );
    const strategies = await this.strategiesOf(env.applicationId);
    const groups = await memberStrategiesIn(this.stores, [environmentId]);
    const featureValues = features.map((f) =>
      environmentFeature(f, values.get(f.id), strategies, groups.get(memberKey(environmentId, f.id))),
    );
    await this.#decorate(featureValues, features, env.applicationId);
    return {
      environment: cacheEnvironment(env),
      ...owners,
      featureValues,
      serviceAccounts: await this.serviceAccountIdsIn(environmentId),
      action,
      count,
    };
  }

  /**
   * The DELETE message of an environment. Upstream fills the mandatory fields of a DELETE with junk;
   * we send the real ids where they are still known (the environment is archived, not gone).
   */
  async environmentDeleted(environmentId: string, count = 1): Promise<PublishEnvironment> {
    const env = await this.stores.environments.findById(environmentId, { includeArchived: true });
    const owners = env ? await this.owners(env.applicationId) : undefined;
    return {
      environment: env ? cacheEnvironment(env) : { id: environmentId, version: 0 },
      applicationId: owners?.applicationId ?? env?.applicationId ?? environmentId,
      portfolioId: owners?.portfolioId ?? environmentId,
      organizationId: owners?.organizationId ?? environmentId,
      featureValues: [],
      serviceAccounts: [],
      action: 'DELETE',
      count,
    };
  }

  /** One feature in one environment with its value there (the value may not exist). */
  async environmentFeature(
    feature: Feature,
    environmentId: string,
    strategies?: ReadonlyMap<string, ApplicationStrategy>,
  ): Promise<CacheEnvironmentFeature> {
    const value = await this.stores.featureValues.find(environmentId, feature.id);
    const groups = value ? await memberStrategiesIn(this.stores, [environmentId], feature.id) : new Map();
    const entry = environmentFeature(
      feature,
      value,
      strategies ?? (await this.strategiesOf(feature.applicationId)),
      groups.get(memberKey(environmentId, feature.id)),
    );
    await this.#decorate([entry], [feature], feature.applicationId);
    return entry;
  }

  /**
   * Adds what lives beside a feature's row (API 1.2.6): its filter ids, and its rendered properties (`fp`)
   * when the operator configured some. `entries[i]` belongs to `features[i]`.
   */
  async #decorate(
    entries: CacheEnvironmentFeature[],
    features: readonly Feature[],
    applicationId: string,
  ): Promise<void> {
    const filters = await this.stores.featureFilters.filtersOfFeatures(features.map((f) => f.id));
    for (const entry of entries) {
      const ids = filters.get(entry.feature.id);
      if (ids && ids.length > 0) entry.feature.filters = ids;
    }
    if (!this.properties.enabled) return;
    const app = await this.stores.applications.findById(applicationId, { includeArchived: true });
    const portfolio =
      app && (await this.stores.portfolios.findById(app.portfolioId, { includeArchived: true }));
    if (!app || !portfolio) return;
    features.forEach((feature, i) => {
      const fp = this.properties.render({ feature, application: app, portfolio });
      if (fp) entries[i]!.fp = fp;
    });
  }

  /** The live application strategies of an application by id, for resolving value instances. */
  async strategiesOf(applicationId: string): Promise<ReadonlyMap<string, ApplicationStrategy>> {
    return new Map((await this.stores.strategies.list({ applicationId })).map((s) => [s.id, s]));
  }

  /** Ids of live service accounts holding at least one role in the environment. */
  async serviceAccountIdsIn(environmentId: string): Promise<string[]> {
    const perms = await this.stores.serviceAccounts.listPermissions({ environmentIds: [environmentId] });
    const ids = [...new Set(perms.filter((p) => p.roles.length > 0).map((p) => p.serviceAccountId))];
    if (ids.length === 0) return [];
    const live = await this.stores.serviceAccounts.list({ ids });
    return live.map((a) => a.id);
  }

  /** A service account with its keys and its permissions in live environments. */
  async serviceAccount(account: ServiceAccount): Promise<CacheServiceAccount> {
    const perms = await this.stores.serviceAccounts.listPermissions({ serviceAccountIds: [account.id] });
    const filters = (await this.stores.featureFilters.filtersOfServiceAccounts([account.id])).get(account.id);
    return {
      ...(filters && filters.length > 0 ? { filters } : {}),
      id: account.id,
      version: account.version,
      apiKeyClientSide: account.apiKeyClientSide,
      apiKeyServerSide: account.apiKeyServerSide,
      permissions: perms
        .filter((p) => p.roles.length > 0)
        .map((p) => ({ environmentId: p.environmentId, permissions: [...p.roles] })),
    };
  }
}

export function cacheEnvironment(env: Environment): CacheEnvironment {
  // Upstream publishes the user info and the operator's mgmt.* keys as one map; mgmt wins.
  return {
    id: env.id,
    version: env.version,
    eInf: { ...env.environmentInfo, ...env.managementEnvironmentInfo },
    wInfo: { ...env.webhookEnvironmentInfo },
  };
}

export function cacheFeature(feature: Feature): CacheFeature {
  return { id: feature.id, key: feature.key, valueType: feature.valueType, version: feature.version };
}

/** A feature with its value (when it has one) in the form Dacha stores. */
export function environmentFeature(
  feature: Feature,
  value: FeatureValue | undefined,
  strategies: ReadonlyMap<string, ApplicationStrategy>,
  groupStrategies: readonly MemberStrategy[] = [],
): CacheEnvironmentFeature {
  const out: CacheEnvironmentFeature = { feature: cacheFeature(feature) };
  out.value = value ? cacheFeatureValue(feature, value, strategies, groupStrategies) : null;
  return out;
}

export function cacheFeatureValue(
  feature: Feature,
  value: FeatureValue,
  strategies: ReadonlyMap<string, ApplicationStrategy>,
  groupStrategies: readonly MemberStrategy[] = [],
): CacheFeatureValue {
  const out: CacheFeatureValue = {
    id: value.id,
    key: feature.key,
    locked: value.locked,
    value: defaultValueOnWire(feature.valueType, value.value),
    rolloutStrategies: [
      ...publishedStrategies(feature.valueType, value, strategies),
      ...publishedGroupStrategies(feature.valueType, groupStrategies),
    ],
    version: value.version,
    retired: value.retired,
  };
  if (value.whoUpdated !== null) out.personIdWhoChanged = value.whoUpdated;
  return out;
}

/**
 * Custom strategies (in their order, disabled ones left out) followed by the enabled application
 * strategies attached to the value (in attachment order), published under the strategy's code.
 */
export function publishedStrategies(
  type: FeatureValueType,
  value: Pick<FeatureValue, 'rolloutStrategies' | 'strategyInstances'>,
  strategies: ReadonlyMap<string, ApplicationStrategy>,
): CacheRolloutStrategy[] {
  const out: CacheRolloutStrategy[] = [];
  for (const raw of value.rolloutStrategies) {
    if (!isRecord(raw) || raw.disabled === true) continue;
    const id = typeof raw.id === 'string' && raw.id !== '' ? raw.id : undefined;
    if (id === undefined) continue;
    const strategy = cacheStrategy(id, raw, strategyValueOnWire(type, raw.value));
    if (strategy) out.push(strategy);
  }
  for (const instance of value.strategyInstances) {
    if (!instance.enabled) continue;
    const shared = strategies.get(instance.strategyId);
    if (!shared || shared.whenArchived !== null) continue;
    const body = isRecord(shared.strategy) ? shared.strategy : {};
    if (body.disabled === true || !hasMatchCriteria(body)) continue;
    const strategy = cacheStrategy(shared.code, body, strategyValueOnWire(type, instance.value));
    if (strategy) out.push(strategy);
  }
  return out;
}

/**
 * The strategies feature groups add to a member (docs/feature-groups.md), in group order, after the value's own and
 * application strategies: each group's first strategy with the member's value.
 */
export function publishedGroupStrategies(
  type: FeatureValueType,
  groupStrategies: readonly MemberStrategy[],
): CacheRolloutStrategy[] {
  const out: CacheRolloutStrategy[] = [];
  for (const g of groupStrategies) {
    const id = typeof g.strategy.id === 'string' && g.strategy.id !== '' ? g.strategy.id : g.featureGroupId;
    const strategy = cacheStrategy(id, g.strategy, strategyValueOnWire(type, g.value));
    if (strategy) out.push(strategy);
  }
  return out;
}

/**
 * Whether a stored strategy says whom it matches. An application strategy without rules is a placeholder that must
 * match nobody, while SDKs would match everyone with a rule-less strategy; so it is not published at all.
 */
function hasMatchCriteria(body: Record<string, unknown>): boolean {
  if (Array.isArray(body.attributes) && body.attributes.length > 0) return true;
  return percentageOnWire(body.percentage) > 0;
}

/**
 * The evaluable part of a stored strategy. Percentages are written as integers, 0 when there is no
 * percentage rule (SDK 1.4.0 mishandles an absent percentage: docs/edge-protocol.md §6.3). A strategy with an
 * attribute that cannot be evaluated is left out whole: dropping just the attribute would widen it.
 */
function cacheStrategy(
  id: string,
  body: Record<string, unknown>,
  value: FeatureWireValue,
): CacheRolloutStrategy | undefined {
  const attributes: CacheRolloutStrategyAttribute[] = [];
  for (const raw of Array.isArray(body.attributes) ? body.attributes : []) {
    const attribute = cacheAttribute(raw);
    if (!attribute) return undefined;
    attributes.push(attribute);
  }
  const out: CacheRolloutStrategy = { id, percentage: percentageOnWire(body.percentage), attributes, value };
  if (Array.isArray(body.percentageAttributes)) {
    const names = body.percentageAttributes.filter((a): a is string => typeof a === 'string');
    if (names.length > 0) out.percentageAttributes = names;
  }
  return out;
}

function cacheAttribute(raw: unknown): CacheRolloutStrategyAttribute | undefined {
  if (!isRecord(raw)) return undefined;
  const { conditional, fieldName, type } = raw;
  if (typeof conditional !== 'string' || !CONDITIONALS.has(conditional)) return undefined;
  if (typeof type !== 'string' || !FIELD_TYPES.has(type)) return undefined;
  if (typeof fieldName !== 'string' || fieldName === '') return undefined;
  const out: CacheRolloutStrategyAttribute = {
    conditional: conditional as CacheRolloutStrategyAttribute['conditional'],
    fieldName,
    type: type as CacheRolloutStrategyAttribute['type'],
    values: Array.isArray(raw.values) ? [...raw.values] : [],
  };
  if (typeof raw.id === 'string') out.id = raw.id;
  return out;
}

function percentageOnWire(raw: unknown): number {
  const n = typeof raw === 'number' ? raw : typeof raw === 'string' ? Number(raw) : Number.NaN;
  if (!Number.isFinite(n)) return 0;
  return Math.min(PERCENTAGE_SCALE, Math.max(0, Math.round(n)));
}

/**
 * A stored default value (its string form) as the wire wants it: BOOLEAN a boolean (unset reads as
 * false, as MR defaults flags), NUMBER a number, STRING and JSON a string. Unparseable → null.
 */
export function defaultValueOnWire(type: FeatureValueType, stored: string | null): FeatureWireValue {
  if (type === 'BOOLEAN') return stored !== null && stored.trim().toLowerCase() === 'true';
  return strategyValueOnWire(type, stored);
}

/** A strategy's value (stored typed or as a string) in the wire type of the feature; null if unusable. */
export function strategyValueOnWire(type: FeatureValueType, raw: unknown): FeatureWireValue {
  if (raw === null || raw === undefined) return null;
  switch (type) {
    case 'BOOLEAN':
      if (typeof raw === 'boolean') return raw;
      if (typeof raw === 'string') {
        const t = raw.trim().toLowerCase();
        return t === 'true' ? true : t === 'false' ? false : null;
      }
      return null;
    case 'NUMBER': {
      const n =
        typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN;
      return Number.isFinite(n) ? n : null;
    }
    case 'STRING':
      return typeof raw === 'string'
        ? raw
        : typeof raw === 'number' || typeof raw === 'boolean'
          ? String(raw)
          : null;
    case 'JSON':
      if (typeof raw === 'string') return raw;
      try {
        return JSON.stringify(raw) ?? null;
      } catch {
        return null;
      }
    default:
      return null;
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
