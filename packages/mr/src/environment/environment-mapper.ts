import type {
  Environment as ApiEnvironment,
  Feature as ApiFeature,
  ServiceAccountPermission as ApiServiceAccountPermission,
} from '../api/index.ts';
import type { Feature } from '../feature/feature-store.ts';
import { toApiEnvironmentGroupRole } from '../group/group-mapper.ts';
import { maskSettings } from '../system-config/secret-box.ts';
import type { EnvironmentView, ServiceAccountInEnvironment } from './environment-service.ts';
import type { Environment } from './environment-store.ts';

/**
 * API Environment from a domain environment and whatever the service chose to include. Info maps only
 * appear with `includeDetails` (as upstream), webhook settings only for administrators.
 */
export function toApiEnvironment(view: EnvironmentView | Environment): ApiEnvironment {
  const v: EnvironmentView = 'environment' in view ? view : { environment: view };
  const e = v.environment;
  const out: ApiEnvironment = {
    id: e.id,
    applicationId: e.applicationId,
    name: e.name,
    description: e.description,
    production: e.production,
    priorEnvironmentId: e.priorEnvironmentId,
    version: e.version,
    whenCreated: e.whenCreated.toISOString(),
    whenUpdated: e.whenUpdated.toISOString(),
  };
  if (e.whenArchived) out.whenArchived = e.whenArchived.toISOString();
  if (v.details) out.environmentInfo = { ...e.environmentInfo };
  if (v.webhookDetails) {
    out.webhookEnvironmentInfo = v.webhookInClear ?? maskSettings(e.webhookEnvironmentInfo);
  }
  if (v.groupRoles) out.groupRoles = v.groupRoles.map(toApiEnvironmentGroupRole);
  if (v.features) out.features = v.features.map(toApiFeatureSummary);
  if (v.serviceAccounts) {
    out.serviceAccountPermission = v.serviceAccounts.map((sa) => toApiServiceAccountPermission(e.id, sa));
  }
  return out;
}

/**
 * The definition of a feature, as environments and applications embed it. (The feature slice owns the
 * full mapping with metadata and filters; this is the part every listing shows.)
 */
export function toApiFeatureSummary(f: Feature): ApiFeature {
  const out: ApiFeature = {
    id: f.id,
    key: f.key,
    name: f.name,
    valueType: f.valueType,
    version: f.version,
    description: f.description,
    link: f.link,
    secret: f.secret,
  };
  if (f.alias !== null) out.alias = f.alias;
  if (f.whenArchived) out.whenArchived = f.whenArchived.toISOString();
  return out;
}

function toApiServiceAccountPermission(
  environmentId: string,
  entry: ServiceAccountInEnvironment,
): ApiServiceAccountPermission {
  const sa = entry.serviceAccount;
  const out: ApiServiceAccountPermission = {
    environmentId,
    permissions: [...entry.roles],
    serviceAccount: {
      id: sa.id,
      name: sa.name,
      portfolioId: sa.portfolioId,
      description: sa.description,
      version: sa.version,
      ...(entry.showKeys
        ? { apiKeyClientSide: sa.apiKeyClientSide, apiKeyServerSide: sa.apiKeyServerSide }
        : {}),
    },
  };
  if (entry.showKeys && entry.sdkUrls) {
    out.sdkUrlClientEval = `${environmentId}/${sa.apiKeyClientSide}`;
    out.sdkUrlServerEval = `${environmentId}/${sa.apiKeyServerSide}`;
  }
  return out;
}
