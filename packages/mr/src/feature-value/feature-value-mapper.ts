import { BadRequestError } from '@fh/service-kit';
import type {
  AnemicPerson,
  Environment as ApiEnvironment,
  FeatureValue as ApiFeatureValue,
  Person as ApiPerson,
  RolloutStrategy as ApiRolloutStrategy,
  ServiceAccount as ApiServiceAccount,
  RolloutStrategyInstance,
} from '../api/index.ts';
import type { Environment } from '../environment/environment-store.ts';
import type { Feature, FeatureValueType } from '../feature/feature-store.ts';
import type { EnvironmentRole } from '../group/group-store.ts';
import type { Person } from '../person/person-store.ts';
import type { ServiceAccount } from '../service-account/service-account-store.ts';
import type { ApplicationStrategy } from '../strategy/application-strategy-store.ts';
import type { StoredStrategy } from './feature-value-merge.ts';
import type { FeatureValue, StrategyInstance } from './feature-value-store.ts';

// Feature values are stored as text (the default value and application-strategy values) or JSON
// (custom strategies); the API types them by the feature's value type. These functions convert both
// ways, refusing (400) what does not fit the type.

const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

function describe(raw: unknown): string {
  const text = typeof raw === 'string' ? `"${raw}"` : JSON.stringify(raw);
  return text === undefined ? String(raw) : text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/**
 * The stored text form of a value for a feature of `type`; null clears (a BOOLEAN's null is "false").
 * @throws BadRequestError when the value does not fit the type
 */
export function toStoredValue(type: FeatureValueType, raw: unknown, what = 'value'): string | null {
  if (raw === null || raw === undefined) return type === 'BOOLEAN' ? 'false' : null;
  switch (type) {
    case 'BOOLEAN':
      if (typeof raw === 'boolean') return String(raw);
      if (typeof raw === 'string' && /^(true|false)$/i.test(raw.trim())) return raw.trim().toLowerCase();
      break;
    case 'NUMBER':
      if (typeof raw === 'number' && Number.isFinite(raw)) return String(raw);
      if (typeof raw === 'string' && DECIMAL.test(raw.trim())) return raw.trim();
      break;
    case 'STRING':
      if (typeof raw === 'string') return raw;
      if (typeof raw === 'number' || typeof raw === 'boolean') return String(raw);
      break;
    case 'JSON':
      if (typeof raw === 'string') {
        try {
          JSON.parse(raw);
          return raw;
        } catch {
          throw new BadRequestError(`the ${what} ${describe(raw)} is not valid JSON`);
        }
      }
      return JSON.stringify(raw);
  }
  throw new BadRequestError(`the ${what} ${describe(raw)} is not a valid ${type} value`);
}

/** The typed API form of a stored value (BOOLEAN never null). */
export function toApiValue(type: FeatureValueType, stored: string | null): boolean | number | string | null {
  switch (type) {
    case 'BOOLEAN':
      return stored === 'true';
    case 'NUMBER': {
      if (stored === null) return null;
      const n = Number(stored);
      return Number.isFinite(n) ? n : null;
    }
    default:
      return stored;
  }
}

/** A strategy value as kept inside stored strategy JSON: typed like the wire (JSON as text). */
export function toStrategyValue(type: FeatureValueType, raw: unknown, what = 'strategy value'): unknown {
  if (raw === null || raw === undefined) return null;
  return toApiValue(type, toStoredValue(type, raw, what));
}

const VALUE_FIELD = {
  BOOLEAN: 'valueBoolean',
  STRING: 'valueString',
  NUMBER: 'valueNumber',
  JSON: 'valueJson',
} as const satisfies Record<FeatureValueType, keyof ApiFeatureValue>;

/**
 * The default value a FeatureValue body asks for: the `valueX` field of the feature's type (what
 * upstream reads), else the generic `value`; undefined when the body carries neither (unchanged).
 */
export function requestedDefaultValue(
  type: FeatureValueType,
  body: ApiFeatureValue,
): string | null | undefined {
  const typed = body[VALUE_FIELD[type]];
  if (typed !== undefined) return toStoredValue(type, typed);
  if (body.value !== undefined) return toStoredValue(type, body.value);
  return undefined;
}

/** Custom strategies with their values typed for the feature. */
export function toStoredStrategies(
  type: FeatureValueType,
  strategies: readonly ApiRolloutStrategy[],
): StoredStrategy[] {
  return strategies.map((s) => {
    const out: StoredStrategy = {};
    for (const [k, v] of Object.entries(s)) if (v !== undefined) out[k] = v;
    out.value = toStrategyValue(type, s.value, `value of strategy "${s.name ?? s.id ?? ''}"`);
    return out;
  });
}

/** An application-strategy instance from the API, its value in stored text form. */
export function toStoredInstance(
  type: FeatureValueType,
  instance: RolloutStrategyInstance,
): StrategyInstance {
  return {
    strategyId: instance.strategyId ?? '',
    value:
      instance.value === null || instance.value === undefined
        ? null
        : toStoredValue(type, instance.value, 'application strategy value'),
    enabled: instance.disabled !== true,
  };
}

/** Who changed something, as the admin API shows a person in passing. */
export function toApiPerson(person: Person): ApiPerson {
  return { id: { id: person.id }, name: person.name, email: person.email, personType: person.personType };
}

export function toAnemicPerson(person: Person): AnemicPerson {
  return { id: person.id, name: person.name ?? person.email, email: person.email, type: person.personType };
}

/** The lookups needed to show values: who updated them and the application strategies they use. */
export interface FeatureValueLookups {
  persons: ReadonlyMap<string, Person>;
  strategies: ReadonlyMap<string, ApplicationStrategy>;
}

/** A feature value as the admin API shows it, `value` and the type's `valueX` both filled. */
export function toApiFeatureValue(
  fv: FeatureValue,
  feature: Feature,
  lookups: FeatureValueLookups,
): ApiFeatureValue {
  const type = feature.valueType;
  const value = toApiValue(type, fv.value);
  const who = fv.whoUpdated === null ? undefined : lookups.persons.get(fv.whoUpdated);
  const instances: RolloutStrategyInstance[] = fv.strategyInstances.map((i) => ({
    strategyId: i.strategyId,
    value: i.value === null ? null : toApiValue(type, i.value),
    disabled: !i.enabled,
    name: lookups.strategies.get(i.strategyId)?.name ?? null,
  }));
  const shared: ApiRolloutStrategy[] = fv.strategyInstances.flatMap((i) => {
    const s = lookups.strategies.get(i.strategyId);
    if (!s || !i.enabled) return [];
    const body = (s.strategy ?? {}) as Record<string, unknown>;
    return [
      { ...body, id: s.code, name: s.name, value: i.value === null ? null : toApiValue(type, i.value) },
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
    featureGroupStrategies: [],
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
