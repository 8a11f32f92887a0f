import type {
  RolloutStrategy as ApiRolloutStrategy,
  FeatureHistoryItem,
  FeatureHistoryList,
  FeatureHistoryValue,
} from '../api/index.ts';
import type { Stores } from '../db/stores.ts';
import { applicationOf, requireFeatureReader } from '../feature/feature-service.ts';
import type { Feature } from '../feature/feature-store.ts';
import type { Access } from '../permission/access.ts';
import { toAnemicPerson, toApiValue } from './feature-value-mapper.ts';
import { environmentRef, personsById, strategiesOf } from './feature-value-service.ts';
import type { FeatureHistoryRow } from './feature-value-store.ts';

// The feature history API (inventory §1.14): saved versions of feature values, one page across the
// application, grouped by feature value.

export interface FeatureHistoryQuery {
  featureKeys?: readonly string[] | undefined;
  /** preferred over keys (keys can change); when given, keys are ignored */
  featureIds?: readonly string[] | undefined;
  /** only honoured when exactly one feature is asked for */
  versions?: readonly number[] | undefined;
  /** clamped to the environments the caller can read */
  environmentIds?: readonly string[] | undefined;
  /** page size: default 20, 1..100 */
  max?: number | undefined;
  startAt?: number | undefined;
  order?: 'asc' | 'desc' | undefined;
}

export const HISTORY_DEFAULT_MAX = 20;
export const HISTORY_MAX = 100;

/** One page of history (max = how many versions match in all). */
export async function listFeatureHistory(
  tx: Stores,
  access: Access,
  applicationId: string,
  query: FeatureHistoryQuery,
): Promise<FeatureHistoryList> {
  const application = await applicationOf(tx, applicationId);
  requireFeatureReader(access, application);
  const readable = (await tx.environments.list({ applicationId }))
    .filter((e) => access.environmentRoles(environmentRef(e, application)).size > 0)
    .map((e) => e.id);
  const asked =
    query.environmentIds && query.environmentIds.length > 0 ? new Set(query.environmentIds) : null;
  const environmentIds = asked === null ? readable : readable.filter((id) => asked.has(id));

  const features = await tx.features.list({ applicationId, includeArchived: true });
  const featureById = new Map(features.map((f) => [f.id, f]));
  let featureIds: string[] | undefined;
  if (query.featureIds && query.featureIds.length > 0) {
    featureIds = query.featureIds.filter((id) => featureById.has(id));
  } else if (query.featureKeys && query.featureKeys.length > 0) {
    const keys = new Set(query.featureKeys);
    featureIds = features.filter((f) => f.whenArchived === null && keys.has(f.key)).map((f) => f.id);
  }
  const oneFeature =
    (query.featureIds?.length ?? 0) === 1 || (!query.featureIds?.length && query.featureKeys?.length === 1);
  const versions = oneFeature && query.versions && query.versions.length > 0 ? query.versions : undefined;
  const max = Math.min(Math.max(query.max ?? HISTORY_DEFAULT_MAX, 1), HISTORY_MAX);

  const { rows, total } = await tx.featureValues.searchHistory({
    environmentIds,
    ...(featureIds !== undefined ? { featureIds } : {}),
    ...(versions !== undefined ? { versions } : {}),
    order: query.order === 'desc' ? 'desc' : 'asc',
    offset: Math.min(Math.max(query.startAt ?? 0, 0), Number.MAX_SAFE_INTEGER),
    limit: max,
  });
  const [persons, strategies] = await Promise.all([
    personsById(
      tx,
      rows.map((r) => r.whoUpdated),
    ),
    rows.some((r) => r.strategyInstances.length > 0)
      ? strategiesOf(tx, applicationId)
      : Promise.resolve(new Map()),
  ]);

  const items = new Map<string, FeatureHistoryItem & { history: FeatureHistoryValue[] }>();
  for (const row of rows) {
    const feature = featureById.get(row.featureId);
    if (!feature) continue;
    let item = items.get(row.featureValueId);
    if (!item) {
      item = {
        envId: row.environmentId,
        featureValueId: row.featureValueId,
        featureId: row.featureId,
        history: [],
      };
      items.set(row.featureValueId, item);
    }
    const who = row.whoUpdated === null ? undefined : persons.get(row.whoUpdated);
    item.history.push({
      version: row.version,
      versionFrom: row.versionFrom,
      when: row.whenCreated.toISOString(),
      ...(who ? { who: toAnemicPerson(who) } : {}),
      value: toApiValue(feature.valueType, row.value),
      locked: row.locked,
      retired: row.retired,
      rolloutStrategies: historyStrategies(row, feature, strategies),
    });
  }
  return { max: total, items: [...items.values()] };
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
        value: i.value === null ? null : toApiValue(feature.valueType, i.value),
        attributes: [],
        disabled: !i.enabled,
      },
    ];
  });
  return [...(row.rolloutStrategies as ApiRolloutStrategy[]), ...shared];
}
