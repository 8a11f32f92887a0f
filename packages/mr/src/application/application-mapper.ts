import type {
  Application as ApiApplication,
  ApplicationPermissions as ApiApplicationPermissions,
  ApplicationSummary as ApiApplicationSummary,
} from '../api/index.ts';
import { toApiEnvironment, toApiFeatureSummary } from '../environment/environment-mapper.ts';
import type { ApplicationView } from './application-read-model.ts';
import type { ApplicationPermissionsView, ApplicationSummaryView } from './application-service.ts';
import type { Application } from './application-store.ts';

/** API Application from a domain application and the nested lists the service included. */
export function toApiApplication(view: ApplicationView | Application): ApiApplication {
  const v: ApplicationView = 'application' in view ? view : { application: view };
  const a = v.application;
  const out: ApiApplication = {
    id: a.id,
    name: a.name,
    description: a.description,
    portfolioId: a.portfolioId,
    version: a.version,
    whenCreated: a.whenCreated.toISOString(),
    whenUpdated: a.whenUpdated.toISOString(),
  };
  if (a.whenArchived) out.whenArchived = a.whenArchived.toISOString();
  if (v.environments) out.environments = v.environments.map((e) => toApiEnvironment(e));
  if (v.features) out.features = v.features.map(toApiFeatureSummary);
  return out;
}

export function toApiApplicationSummary(s: ApplicationSummaryView): ApiApplicationSummary {
  return { ...s };
}

export function toApiApplicationPermissions(p: ApplicationPermissionsView): ApiApplicationPermissions {
  return {
    applicationRoles: [...p.applicationRoles],
    environments: p.environments.map((e) => ({ id: e.id, name: e.name, roles: [...e.roles] })),
  };
}
