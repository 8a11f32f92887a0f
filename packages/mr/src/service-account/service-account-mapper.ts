import type {
  ServiceAccount as ApiServiceAccount,
  ServiceAccountPermission as ApiServiceAccountPermission,
  ResetApiKeyType,
} from '../api/index.ts';
import { sdkUrl } from './api-keys.ts';
import type {
  KeysToReset,
  ServiceAccountDetails,
  ServiceAccountEnvironmentPermission,
} from './service-account-service.ts';
import type { ServiceAccount } from './service-account-store.ts';

/** The keys a resetApiKey call asks to replace (both when it does not say). */
export function toKeysToReset(type: ResetApiKeyType | undefined): KeysToReset {
  return type === 'client_eval_only' ? 'client' : type === 'server_eval_only' ? 'server' : 'both';
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
  out.featureFilters = [...details.filters];
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
