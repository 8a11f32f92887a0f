import {
  type CacheServiceAccount,
  type CacheVersions,
  environmentVersionTag,
  serviceAccountVersionTag,
} from '@fh/contracts';
import type { DachaCache } from './dacha-cache.ts';
import type { EnvironmentSnapshot } from './environment-snapshot.ts';

/** The version tag of a held environment, comparable with MR's (`CacheVersions`). */
export function environmentTagOf(snapshot: EnvironmentSnapshot): string {
  return environmentVersionTag(
    snapshot.environment.version,
    snapshot.all.map((f) => ({
      featureId: f.feature.id,
      featureVersion: f.feature.version,
      valueVersion: f.value?.version ?? null,
    })),
  );
}

/** The version tag of a held service account, comparable with MR's. */
export function serviceAccountTagOf(account: CacheServiceAccount): string {
  return serviceAccountVersionTag(account);
}

/** The tags of everything a cache holds, in MR's `versions` answer shape. */
export function localVersions(cache: DachaCache): CacheVersions {
  const environments: Record<string, string> = {};
  for (const s of cache.environments()) environments[s.environment.id] = environmentTagOf(s);
  const serviceAccounts: Record<string, string> = {};
  for (const a of cache.serviceAccounts()) serviceAccounts[a.id] = serviceAccountTagOf(a);
  return { environments, serviceAccounts };
}

/** What differs between MR's versions and the cache's: ids to refetch (missing, extra or changed). */
export function versionDifferences(
  mr: CacheVersions,
  local: CacheVersions,
): { environmentIds: string[]; serviceAccountIds: string[] } {
  const diff = (theirs: Record<string, string>, ours: Record<string, string>): string[] => {
    const ids = new Set<string>();
    for (const [id, tag] of Object.entries(theirs)) if (ours[id] !== tag) ids.add(id);
    // Held but unknown to MR: deleted while we were not listening (or created after MR answered);
    // asking for it settles which.
    for (const id of Object.keys(ours)) if (!(id in theirs)) ids.add(id);
    return [...ids].sort();
  };
  return {
    environmentIds: diff(mr.environments, local.environments),
    serviceAccountIds: diff(mr.serviceAccounts, local.serviceAccounts),
  };
}
