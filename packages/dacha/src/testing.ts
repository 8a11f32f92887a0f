// Builders of realistic cache messages (what MR publishes), for Dacha and Edge tests.
import type {
  CacheEnvironmentFeature,
  CacheFeatureValue,
  CacheRolloutStrategy,
  FeatureValueType,
  FeatureWireValue,
  PublishEnvironment,
  PublishFeatureValues,
  PublishServiceAccount,
  RoleType,
} from '@fh/contracts';

export const TEST_ORGANIZATION_ID = '00000000-0000-4000-8000-00000000000a';
export const TEST_PORTFOLIO_ID = '00000000-0000-4000-8000-00000000000b';
export const TEST_APPLICATION_ID = '00000000-0000-4000-8000-00000000000c';

export interface CacheFeatureInit {
  id: string;
  key: string;
  type: FeatureValueType;
  featureVersion?: number;
  /** Omit to build a feature with no value record in the environment. */
  value?: FeatureWireValue;
  /** Forces a value record even when `value` is omitted (a value that is "not set"). */
  hasValue?: boolean;
  valueId?: string;
  valueVersion?: number;
  locked?: boolean;
  retired?: boolean;
  strategies?: CacheRolloutStrategy[];
  filters?: string[];
  fp?: Record<string, string>;
}

/** A feature with (or without) its value in one environment, shaped as MR publishes it. */
export function cacheFeature(init: CacheFeatureInit): CacheEnvironmentFeature {
  const out: CacheEnvironmentFeature = {
    feature: {
      id: init.id,
      key: init.key,
      valueType: init.type,
      version: init.featureVersion ?? 1,
      ...(init.filters === undefined ? {} : { filters: init.filters }),
    },
  };
  if (init.fp !== undefined) out.fp = init.fp;
  if (
    init.value !== undefined ||
    init.hasValue === true ||
    init.locked !== undefined ||
    init.retired !== undefined
  ) {
    const value: CacheFeatureValue = {
      id: init.valueId ?? `${init.id}-value`,
      key: init.key,
      locked: init.locked ?? false,
      version: init.valueVersion ?? 1,
      retired: init.retired ?? false,
      rolloutStrategies: init.strategies ?? [],
    };
    if (init.value !== undefined) value.value = init.value;
    out.value = value;
  }
  return out;
}

/** The next state of a feature value, as MR would publish it after a save (version + 1). */
export function nextValue(
  current: CacheEnvironmentFeature,
  change: {
    value?: FeatureWireValue;
    locked?: boolean;
    retired?: boolean;
    strategies?: CacheRolloutStrategy[];
  },
): CacheEnvironmentFeature {
  const held = current.value;
  const value: CacheFeatureValue = {
    id: held?.id ?? `${current.feature.id}-value`,
    key: current.feature.key,
    locked: change.locked ?? held?.locked ?? false,
    version: (held?.version ?? 0) + 1,
    retired: change.retired ?? held?.retired ?? false,
    rolloutStrategies: change.strategies ?? held?.rolloutStrategies ?? [],
  };
  const v = 'value' in change ? change.value : held?.value;
  if (v !== undefined && v !== null) value.value = v;
  return { ...current, value };
}

export interface EnvironmentInit {
  id: string;
  version?: number;
  features: CacheEnvironmentFeature[];
  serviceAccounts?: string[];
  eInf?: Record<string, string>;
  action?: PublishEnvironment['action'];
}

export function publishEnvironment(init: EnvironmentInit): PublishEnvironment {
  return {
    environment: {
      id: init.id,
      version: init.version ?? 1,
      ...(init.eInf === undefined ? {} : { eInf: init.eInf }),
    },
    organizationId: TEST_ORGANIZATION_ID,
    portfolioId: TEST_PORTFOLIO_ID,
    applicationId: TEST_APPLICATION_ID,
    featureValues: init.features,
    serviceAccounts: init.serviceAccounts ?? [],
    action: init.action ?? 'UPDATE',
    count: 1,
  };
}

export interface ServiceAccountInit {
  id: string;
  version?: number;
  clientKey: string;
  serverKey: string;
  permissions: Record<string, RoleType[]>;
  filters?: string[];
  action?: PublishServiceAccount['action'];
}

export function publishServiceAccount(init: ServiceAccountInit): PublishServiceAccount {
  return {
    serviceAccount: {
      id: init.id,
      version: init.version ?? 1,
      apiKeyClientSide: init.clientKey,
      apiKeyServerSide: init.serverKey,
      permissions: Object.entries(init.permissions).map(([environmentId, permissions]) => ({
        environmentId,
        permissions,
      })),
      ...(init.filters === undefined ? {} : { filters: init.filters }),
    },
    action: init.action ?? 'UPDATE',
    count: 1,
  };
}

export function publishFeature(
  environmentId: string,
  feature: CacheEnvironmentFeature,
  action: PublishFeatureValues['features'][number]['action'] = 'UPDATE',
): PublishFeatureValues {
  return { features: [{ action, environmentId, feature }] };
}
