import { type CacheVersions, environmentVersionTag, serviceAccountVersionTag } from '@fh/contracts';
import type { Stores } from '../db/stores.ts';

/**
 * The version tag of every live environment and service account, as a Dacha holding exactly what MR
 * publishes would compute it. Read in a handful of bulk queries (not one payload per environment), so
 * Dachas can ask every few seconds. It must agree with `CachePayloads`: the environment lists every
 * live feature of its application with its value there (or none), and a service account its keys and
 * the permissions that carry roles. A disagreement only costs refetches, never wrong data.
 */
export async function cacheVersions(stores: Stores): Promise<CacheVersions> {
  const [environments, features, values, accounts, permissions] = await Promise.all([
    stores.environments.list({}),
    stores.features.list({}),
    stores.featureValues.list({}),
    stores.serviceAccounts.list({}),
    stores.serviceAccounts.listPermissions({}),
  ]);
  const featuresByApp = new Map<string, typeof features>();
  for (const f of features) {
    const list = featuresByApp.get(f.applicationId) ?? [];
    list.push(f);
    featuresByApp.set(f.applicationId, list);
  }
  const valueVersions = new Map<string, number>();
  for (const v of values) valueVersions.set(`${v.environmentId}/${v.featureId}`, v.version);

  const envTags: Record<string, string> = {};
  for (const env of environments) {
    const parts = (featuresByApp.get(env.applicationId) ?? []).map((f) => ({
      featureId: f.id,
      featureVersion: f.version,
      valueVersion: valueVersions.get(`${env.id}/${f.id}`) ?? null,
    }));
    envTags[env.id] = environmentVersionTag(env.version, parts);
  }

  const permsByAccount = new Map<string, { environmentId: string; permissions: string[] }[]>();
  for (const p of permissions) {
    const list = permsByAccount.get(p.serviceAccountId) ?? [];
    list.push({ environmentId: p.environmentId, permissions: [...p.roles] });
    permsByAccount.set(p.serviceAccountId, list);
  }
  const accountTags: Record<string, string> = {};
  for (const a of accounts) {
    accountTags[a.id] = serviceAccountVersionTag({
      version: a.version,
      apiKeyClientSide: a.apiKeyClientSide,
      apiKeyServerSide: a.apiKeyServerSide,
      permissions: permsByAccount.get(a.id) ?? [],
    });
  }
  return { environments: envTags, serviceAccounts: accountTags };
}
