import type { Stores } from '../db/stores.ts';
import type { EnvironmentRole } from '../group/group-store.ts';
import type { ServiceAccount } from './service-account-store.ts';

// What other slices read about SDK service accounts: which live accounts hold roles in some environments.

/** A live service account holding (at least one) role in an environment. */
export interface ServiceAccountInEnvironmentRoles {
  environmentId: string;
  account: ServiceAccount;
  roles: EnvironmentRole[];
}

/**
 * The live accounts of the portfolio holding roles in these environments, one entry per account and
 * environment.
 */
export async function serviceAccountsWithRolesIn(
  stores: Pick<Stores, 'serviceAccounts'>,
  environmentIds: readonly string[],
  portfolioId: string,
): Promise<ServiceAccountInEnvironmentRoles[]> {
  const permissions = (await stores.serviceAccounts.listPermissions({ environmentIds })).filter(
    (p) => p.roles.length > 0,
  );
  const accountIds = [...new Set(permissions.map((p) => p.serviceAccountId))];
  const accounts =
    accountIds.length === 0 ? [] : await stores.serviceAccounts.list({ ids: accountIds, portfolioId });
  const accountById = new Map(accounts.map((a) => [a.id, a]));
  return permissions.flatMap((p) => {
    const account = accountById.get(p.serviceAccountId);
    return account ? [{ environmentId: p.environmentId, account, roles: p.roles }] : [];
  });
}
