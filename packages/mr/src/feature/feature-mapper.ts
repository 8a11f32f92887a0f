import type { Feature as ApiFeature } from '../api/index.ts';
import type { Feature } from './feature-store.ts';

export interface FeatureMapOptions {
  /** metaData can be large, so it is only sent when asked for (upstream `includeMetaData`). */
  includeMetaData?: boolean;
  /** The feature's filter ids (API 1.2.6 `featureFilter`), when known. */
  filters?: ReadonlyMap<string, readonly string[]>;
}

/** A feature definition as the admin API shows it. */
export function toApiFeature(feature: Feature, options: FeatureMapOptions = {}): ApiFeature {
  return {
    id: feature.id,
    key: feature.key,
    name: feature.name,
    valueType: feature.valueType,
    alias: feature.alias,
    link: feature.link,
    description: feature.description,
    secret: feature.secret,
    version: feature.version,
    whenArchived: feature.whenArchived?.toISOString() ?? null,
    ...(options.includeMetaData ? { metaData: feature.metaData } : {}),
    ...(options.filters ? { featureFilter: [...(options.filters.get(feature.id) ?? [])] } : {}),
  };
}
