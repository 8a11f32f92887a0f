import type { Stores } from '../db/stores.ts';
import type { Environment } from '../environment/environment-store.ts';
import type { FeatureValue } from './feature-value-store.ts';

// What other slices read about feature values: the values an application serves, and which of them use an
// application strategy.

type LiveValueStores = Pick<Stores, 'environments' | 'features' | 'featureValues'>;

/** The values of the application's live features in its live environments, with those environments. */
export async function liveFeatureValues(
  stores: LiveValueStores,
  applicationId: string,
): Promise<{ environments: Environment[]; values: FeatureValue[] }> {
  const environments = await stores.environments.list({ applicationId });
  if (environments.length === 0) return { environments, values: [] };
  const features = new Set((await stores.features.list({ applicationId })).map((f) => f.id));
  const values = await stores.featureValues.list({ environmentIds: environments.map((e) => e.id) });
  return { environments, values: values.filter((v) => features.has(v.featureId)) };
}

/** The values of live features in live environments of the application that attach the strategy. */
export async function featureValuesUsingStrategy(
  stores: LiveValueStores,
  applicationId: string,
  strategyId: string,
): Promise<FeatureValue[]> {
  const { values } = await liveFeatureValues(stores, applicationId);
  return values.filter((v) => v.strategyInstances.some((i) => i.strategyId === strategyId));
}
