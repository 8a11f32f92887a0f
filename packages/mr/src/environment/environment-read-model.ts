import { NotFoundError } from '@fh/service-kit';
import type { Application } from '../application/application-store.ts';
import type { Stores } from '../db/stores.ts';
import type { Access, EnvironmentRef } from '../permission/access.ts';
import type { Environment } from './environment-store.ts';

// What other slices read about environments: an environment with its application, and which
// environments of an application a caller can see.

/** The ids an access decision about the environment needs. */
export function environmentRef(environment: Environment, application: Application): EnvironmentRef {
  return { id: environment.id, applicationId: application.id, portfolioId: application.portfolioId };
}

/** The live environment and its application, or 404 (naming the environment in both cases). */
export async function environmentOf(
  stores: Pick<Stores, 'environments' | 'applications'>,
  environmentId: string,
): Promise<{ environment: Environment; application: Application }> {
  const environment = await stores.environments.findById(environmentId);
  if (!environment) throw new NotFoundError(`environment ${environmentId} not found`);
  const application = await stores.applications.findById(environment.applicationId);
  if (!application) throw new NotFoundError(`environment ${environmentId} not found`);
  return { environment, application };
}

/** Administrators see every environment of an application; others those they hold a role in. */
export function visibleEnvironments(access: Access, app: Application, envs: readonly Environment[]) {
  if (access.isPortfolioAdmin(app.portfolioId)) return [...envs];
  return envs.filter((e) => access.environmentRoles(environmentRef(e, app)).size > 0);
}

/** The environments of an application the caller may see, in promotion order (for embedding). */
export async function environmentsVisibleIn(
  stores: Pick<Stores, 'environments'>,
  access: Access,
  app: Application,
): Promise<Environment[]> {
  return visibleEnvironments(access, app, await stores.environments.list({ applicationId: app.id }));
}
