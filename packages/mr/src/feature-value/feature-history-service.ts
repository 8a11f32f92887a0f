import type { Stores } from '../db/stores.ts';
import { environmentsVisibleIn } from '../environment/environment-read-model.ts';
import { applicationWithReadableFeatures } from '../feature/feature-read-model.ts';
import type { Feature } from '../feature/feature-store.ts';
import type { Access } from '../permission/access.ts';
import { type FeatureValueLookups, lookupsFor } from './feature-value-queries.ts';
import type { FeatureHistoryRow } from './feature-value-store.ts';

// The feature history API (docs/admin-api-rules.md §Feature history): saved versions of feature values, one
// page across the application, grouped by feature value.

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

/** The saved versions of one feature value on a page of history, oldest or newest first as asked. */
export interface FeatureValueHistory {
  featureValueId: string;
  environmentId: string;
  feature: Feature;
  versions: FeatureHistoryRow[];
}

export interface FeatureHistoryPage {
  /** how many versions match, over all pages */
  total: number;
  /** this page's versions, grouped by feature value in the order they first appear */
  items: FeatureValueHistory[];
  /** who saved the versions and the application strategies they name */
  lookups: FeatureValueLookups;
}

/** One page of history. */
export async function listFeatureHistory(
  tx: Pick<Stores, 'applications' | 'environments' | 'features' | 'featureValues' | 'persons' | 'strategies'>,
  access: Access,
  applicationId: string,
  query: FeatureHistoryQuery,
): Promise<FeatureHistoryPage> {
  const application = await applicationWithReadableFeatures(tx, access, applicationId);
  const readable = (await environmentsVisibleIn(tx, access, application)).map((e) => e.id);
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
  const lookups = await lookupsFor(tx, applicationId, rows);

  const items = new Map<string, FeatureValueHistory>();
  for (const row of rows) {
    const feature = featureById.get(row.featureId);
    if (!feature) continue;
    let item = items.get(row.featureValueId);
    if (!item) {
      item = { featureValueId: row.featureValueId, environmentId: row.environmentId, feature, versions: [] };
      items.set(row.featureValueId, item);
    }
    item.versions.push(row);
  }
  return { total, items: [...items.values()], lookups };
}
