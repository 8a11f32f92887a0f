import type {
  FeatureGroup as ApiFeatureGroup,
  FeatureGroupCreate,
  FeatureGroupFeature,
  FeatureGroupList,
  FeatureGroupListGroup,
  FeatureGroupUpdate,
  GroupRolloutStrategy,
} from '../api/index.ts';
import { toTypedValue } from '../feature-value/stored-value.ts';
import type {
  CandidateFeature,
  FeatureGroupChanges,
  FeatureGroupPage,
  FeatureGroupView,
  NewFeatureGroup,
} from './feature-group-service.ts';

export function toNewFeatureGroup(body: FeatureGroupCreate): NewFeatureGroup {
  return {
    name: body.name,
    description: body.description,
    environmentId: body.environmentId,
    members: body.features.map((f) => ({ featureId: f.id, value: f.value })),
    strategies: body.strategies,
  };
}

export function toFeatureGroupChanges(body: FeatureGroupUpdate): FeatureGroupChanges {
  return {
    id: body.id,
    version: body.version,
    name: body.name,
    description: body.description,
    order: body.order,
    members:
      body.features === null || body.features === undefined
        ? body.features
        : body.features.map((f) => ({ featureId: f.id, value: f.value })),
    strategies: body.strategies,
  };
}

/** A group in full: members sorted by key, each with its member value and whether its value is locked. */
export function toApiFeatureGroup(v: FeatureGroupView): ApiFeatureGroup {
  const { group } = v;
  const features: FeatureGroupFeature[] = group.members.flatMap((m) => {
    const feature = v.features.get(m.featureId);
    if (!feature) return [];
    return [
      {
        id: feature.id,
        name: feature.name,
        key: feature.key,
        type: feature.valueType,
        value: toTypedValue(feature.valueType, m.value),
        locked: v.values.get(feature.id)?.locked ?? false,
      },
    ];
  });
  features.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return {
    id: group.id,
    name: group.name,
    order: group.order,
    description: group.description ?? '',
    version: group.version,
    environmentId: group.environmentId,
    environmentName: v.environment.name,
    features,
    strategies: group.strategies as GroupRolloutStrategy[],
  };
}

export function toApiFeatureGroupListGroup(v: FeatureGroupView): FeatureGroupListGroup {
  const { group } = v;
  const keys = group.members.flatMap((m) => {
    const feature = v.features.get(m.featureId);
    return feature ? [feature.key] : [];
  });
  keys.sort();
  return {
    id: group.id,
    order: group.order,
    name: group.name,
    description: group.description ?? '',
    environmentName: v.environment.name,
    environmentId: group.environmentId,
    version: group.version,
    hasStrategy: group.strategies.length > 0,
    features: keys.map((key) => ({ key })),
  };
}

export function toApiFeatureGroupList(page: FeatureGroupPage): FeatureGroupList {
  return { count: page.count, featureGroups: page.items.map(toApiFeatureGroupListGroup) };
}

/** A candidate member (upstream sends no value here). */
export function toApiCandidateFeature(c: CandidateFeature): FeatureGroupFeature {
  return {
    id: c.feature.id,
    name: c.feature.name,
    key: c.feature.key,
    type: c.feature.valueType,
    locked: c.locked,
  };
}
