import type {
  AnemicPerson,
  Environment as ApiEnvironment,
  FeatureValue as ApiFeatureValue,
  Person as ApiPerson,
  RolloutStrategy as ApiRolloutStrategy,
  ServiceAccount as ApiServiceAccount,
  FeatureHistoryItem,
  FeatureHistoryList,
  FeatureHistoryValue,
  RolloutStrategyInstance,
} from '../api/index.ts';
import type { Environment } from '../environment/environment-store.ts';
import type { Feature, FeatureValueType } from '../feature/feature-store.ts';
import { memberKey } from '../feature-group/feature-group-read-model.ts';
import type { EnvironmentRole } from '../group/group-store.ts';
import type { Person } from '../person/person-store.ts';
import type { ServiceAccount } from '../service-account/service-account-store.ts';
import type { FeatureHistoryPage } from './feature-history-service.ts';
import type { FeatureValueLookups } from './feature-value-queries.ts';
import type { FeatureHistoryRow, FeatureValue } from './feature-value-store.ts';
import { toTypedValue } from './stored-value.ts';
import type { FeatureValueChange } from './update-feature-value.ts';

// The admin API's feature-value shapes ↔ the domain: a FeatureValue body becomes a FeatureValueChange (its value
// still typed as sent: only the feature decides which field counts), and values, history and the
// environments and service accounts around them are shown as the API shows them.

const VALUE_FIELD = {
  BOOLEAN: 'valueBoolean',
  STRING: 'valueString',
  NUMBER: 'valueNumber',
  JSON: 'valueJson',
} as const satisfies Record<FeatureValueType, keyof ApiFeatureValue>;

/** A FeatureValue body as a change of one value; null strategy lists leave them unchanged, as upstream. */
export function toFeatureValueChange(
  body: ApiFeatureValue,
): FeatureValueChange & { key: string; environmentId?: string | undefined } {
  const instances = body.rolloutStrategyInstances ?? undefined;
  return {
    key: body.key,
    environmentId: body.environmentId ?? undefined,
    version: body.version,
    locked: body.locked,
    retired: body.retired,
    value: {
      byType: {
        BOOLEAN: body.valueBoolean,
        STRING: body.valueString,
        NUMBER: body.valueNumber,
        JSON: body.valueJson,
      },
      untyped: body.value,
    },
    rolloutStrategies: body.rolloutStrategies ?? undefined,
    strategyInstances: instances?.map((i) => ({
      strategyId: i.strategyId,
      value: i.value,
      enabled: i.disabled !== true,
    })),
  };
}

/** Who changed something, as the admin API shows a person in passing. */
export function toApiPerson(person: Person): ApiPerson {
  return { id: { id: person.id }, name: person.name, email: person.email, personType: person.personType };
}

export function toAnemicPerson(person: Person): AnemicPerson {
  return { id: person.id, name: person.name ?? person.email, email: person.email, type: person.personType };
}

/** A feature value as the admin API shows it, `value` and the type's `valueX` both filled. */
export function toApiFeatureValue(
  fv: FeatureValue,
  feature: Feature,
  lookups: FeatureValueLookups,
): ApiFeatureValue {
  const type = feature.valueType;
  const value = toTypedValue(type, fv.value);
  const who = fv.whoUpdated === null ? undefined : lookups.persons.get(fv.whoUpdated);
  const instances: RolloutStrategyInstance[] = fv.strategyInstances.map((i) => ({
    strategyId: i.strategyId,
    value: i.value === null ? null : toTypedValue(type, i.value),
    disabled: !i.enabled,
    name: lookups.strategies.get(i.strategyId)?.name ?? null,
  }));
  const shared: ApiRolloutStrategy[] = fv.strategyInstances.flatMap((i) => {
    const s = lookups.strategies.get(i.strategyId);
    if (!s || !i.enabled) return [];
    const body = (s.strategy ?? {}) as Record<string, unknown>;
    return [
      { ...body, id: s.code, name: s.name, value: i.value === null ? null : toTypedValue(type, i.value) },
    ];
  });
  return {
    id: fv.id === '' ? null : fv.id,
    key: feature.key,
    locked: fv.locked,
    value,
    [VALUE_FIELD[type]]: value,
    retired: fv.retired,
    rolloutStrategies: fv.rolloutStrategies as ApiRolloutStrategy[],
    rolloutStrategyInstances: instances,
    sharedRolloutStrategies: shared,
    featureGroupStrategies: (lookups.groupStrategies?.get(memberKey(fv.environmentId, feature.id)) ?? []).map(
      (g) => ({
        name: g.featureGroupName,
        value: toTypedValue(type, g.value),
        featureGroupId: g.featureGroupId,
      }),
    ),
    environmentId: fv.environmentId,
    version: fv.version,
    whoUpdated: who ? toApiPerson(who) : null,
    whenUpdated: fv.version === 0 ? null : fv.whenUpdated.toISOString(),
  };
}

/** The environment as feature-value answers show it (no ACLs, no webhook settings). */
export function toApiEnvironmentSummary(env: Environment): ApiEnvironment {
  return {
    id: env.id,
    applicationId: env.applicationId,
    name: env.name,
    description: env.description,
    production: env.production,
    priorEnvironmentId: env.priorEnvironmentId,
    version: env.version,
    environmentInfo: env.environmentInfo,
    whenCreated: env.whenCreated.toISOString(),
    whenUpdated: env.whenUpdated.toISOString(),
  };
}

/** An SDK service account with its roles in one environment (never its keys). */
export function toApiServiceAccountSummary(
  account: ServiceAccount,
  environmentId: string,
  roles: readonly EnvironmentRole[],
): ApiServiceAccount {
  return {
    id: account.id,
    name: account.name,
    portfolioId: account.portfolioId,
    description: account.description,
    version: account.version,
    permissions: [{ environmentId, permissions: [...roles] }],
  };
}

/** A page of feature history as the admin API shows it (`max` = how many versions match in all). */
export function toApiFeatureHistoryList(page: FeatureHistoryPage): FeatureHistoryList {
  const { persons, strategies } = page.lookups;
  return {
    max: page.total,
    items: page.items.map(
      (item): FeatureHistoryItem => ({
        envId: item.environmentId,
        featureValueId: item.featureValueId,
        featureId: item.feature.id,
        history: item.versions.map((row): FeatureHistoryValue => {
          const who = row.whoUpdated === null ? undefined : persons.get(row.whoUpdated);
          return {
            version: row.version,
            versionFrom: row.versionFrom,
            when: row.whenCreated.toISOString(),
            ...(who ? { who: toAnemicPerson(who) } : {}),
            value: toTypedValue(item.feature.valueType, row.value),
            locked: row.locked,
            retired: row.retired,
            rolloutStrategies: historyStrategies(row, item.feature, strategies),
          };
        }),
      }),
    ),
  };
}

/** Custom strategies, then the application strategies attached at that version (by their code). */
function historyStrategies(
  row: FeatureHistoryRow,
  feature: Feature,
  strategies: ReadonlyMap<string, { code: string; name: string }>,
): ApiRolloutStrategy[] {
  const shared = row.strategyInstances.flatMap((i) => {
    const s = strategies.get(i.strategyId);
    if (!s) return [];
    return [
      {
        id: s.code,
        name: s.name,
        value: i.value === null ? null : toTypedValue(feature.valueType, i.value),
        attributes: [],
        disabled: !i.enabled,
      },
    ];
  });
  return [...(row.rolloutStrategies as ApiRolloutStrategy[]), ...shared];
}
