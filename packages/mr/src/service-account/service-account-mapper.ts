import type {
  ServiceAccount as ApiServiceAccount,
  ServiceAccountPermission as ApiServiceAccountPermission,
} from '../api/index.ts';
import type { EnvironmentRole } from '../group/group-store.ts';
import { sdkUrl } from './api-keys.ts';
import type { ServiceAccount } from './service-account-store.ts';

/** A service account as one caller may see it. */
export interface ServiceAccountDetails {
  account: ServiceAccount;
  /** Whether the caller may see the account's two API keys (portfolio admins). */
  showKeys: boolean;
  /** Undefined when permissions were not asked for. */
  permissions?: ServiceAccountEnvironmentPermission[];
}

export interface ServiceAccountEnvironmentPermission {
  environmentId: string;
  roles: EnvironmentRole[];
  /** Whether to add the SDK URLs (`{environmentId}/{apiKey}`) for this environment. */
  showSdkUrls: boolean;
}

export function toApiServiceAccount(details: ServiceAccountDetails): ApiServiceAccount {
  const { account } = details;
  const out: ApiServiceAccount = {
    id: account.id,
    name: account.name,
    portfolioId: account.portfolioId,
    description: account.description,
    version: account.version,
  };
  if (details.showKeys) {
    out.apiKeyClientSide = account.apiKeyClientSide;
    out.apiKeyServerSide = account.apiKeyServerSide;
  }
  if (account.whenArchived) out.whenArchived = account.whenArchived.toISOString();
  if (details.permissions) out.permissions = details.permissions.map((p) => toApiPermission(account, p));
  return out;
}

function toApiPermission(
  account: ServiceAccount,
  permission: ServiceAccountEnvironmentPermission,
): ApiServiceAccountPermission {
  const out: ApiServiceAccountPermission = {
    environmentId: permission.environmentId,
    permissions: [...permission.roles],
  };
  if (permission.showSdkUrls) {
    out.sdkUrlClientEval = sdkUrl(permission.environmentId, account.apiKeyClientSide);
    out.sdkUrlServerEval = sdkUrl(permission.environmentId, account.apiKeyServerSide);
  }
  return out;
}
