import type { Stores } from '../db/stores.ts';
import type { FeatureGroup } from './feature-group-store.ts';

// What other slices read about feature groups: the strategy each group adds to its members. Publishing puts them
// into the cache payloads after a value's own and application strategies; feature values show them read-only.

/** The strategy one group adds to one member feature, with the member's value. */
export interface MemberStrategy {
  featureGroupId: string;
  featureGroupName: string;
  /** the group's first strategy as saved (upstream honours only the first) */
  strategy: Record<string, unknown>;
  /** the member's value in its string form; null = none */
  value: string | null;
}

/** `${environmentId}/${featureId}` */
export type MemberKey = `${string}/${string}`;

export const memberKey = (environmentId: string, featureId: string): MemberKey =>
  `${environmentId}/${featureId}`;

/**
 * The strategies groups add, by environment and member feature, each list in group order (lowest first). A group
 * without a strategy, or whose first strategy is disabled, adds nothing.
 */
export function memberStrategies(groups: readonly FeatureGroup[]): Map<MemberKey, MemberStrategy[]> {
  const out = new Map<MemberKey, MemberStrategy[]>();
  const ordered = [...groups].sort((a, b) => a.order - b.order || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  for (const group of ordered) {
    const strategy = honouredStrategy(group);
    if (!strategy) continue;
    for (const member of group.members) {
      const key = memberKey(group.environmentId, member.featureId);
      const list = out.get(key) ?? [];
      list.push({ featureGroupId: group.id, featureGroupName: group.name, strategy, value: member.value });
      out.set(key, list);
    }
  }
  return out;
}

/** The strategy a group applies: its first one, unless that is disabled or not an object. */
export function honouredStrategy(
  group: Pick<FeatureGroup, 'strategies'>,
): Record<string, unknown> | undefined {
  const first = group.strategies[0];
  if (typeof first !== 'object' || first === null || Array.isArray(first)) return undefined;
  const strategy = first as Record<string, unknown>;
  return strategy.disabled === true ? undefined : strategy;
}

/** The group strategies of the given environments, by environment and member feature. */
export async function memberStrategiesIn(
  stores: Pick<Stores, 'featureGroups'>,
  environmentIds: readonly string[],
  featureId?: string,
): Promise<Map<MemberKey, MemberStrategy[]>> {
  if (environmentIds.length === 0) return new Map();
  const groups = await stores.featureGroups.list(
    featureId === undefined ? { environmentIds } : { environmentIds, featureId },
  );
  return memberStrategies(groups);
}
