import { NotFoundError } from '@fh/service-kit';
import type { Stores } from '../db/stores.ts';
import { environmentsVisibleIn } from '../environment/environment-read-model.ts';
import type { Environment } from '../environment/environment-store.ts';
import type { Feature } from '../feature/feature-store.ts';
import type { Access } from '../permission/access.ts';
import type { Application } from './application-store.ts';

// What other slices read about applications: the live application behind an id, the applications of a
// portfolio a caller can read, and an application shown with its environments and features.

/** An application with what a reader asked to see alongside it. */
export interface ApplicationView {
  application: Application;
  environments?: Environment[];
  features?: Feature[];
}

export interface ApplicationIncludes {
  environments?: boolean;
  features?: boolean;
}

/** The live application, or 404. */
export async function applicationOf(
  stores: Pick<Stores, 'applications'>,
  applicationId: string,
): Promise<Application> {
  const app = await stores.applications.findById(applicationId);
  if (!app) throw new NotFoundError(`application ${applicationId} not found`);
  return app;
}

/** The applications of a portfolio the caller can read (administrators: all of them). */
export async function readableApplications(
  stores: Pick<Stores, 'applications'>,
  access: Access,
  portfolioId: string,
  query: { filter?: string; order?: 'ASC' | 'DESC' } = {},
): Promise<Application[]> {
  const filter = query.filter?.trim();
  const apps = (
    await stores.applications.list({ portfolioId, ...(filter ? { nameContains: filter } : {}) })
  ).filter((a) => access.canReadApplication(a));
  return query.order === 'DESC' ? apps.reverse() : apps;
}

/** Adds the requested nested lists: only environments the caller can see, only live features. */
export async function withApplicationIncludes(
  stores: Pick<Stores, 'environments' | 'features'>,
  access: Access,
  apps: readonly Application[],
  includes: ApplicationIncludes,
): Promise<ApplicationView[]> {
  const views: ApplicationView[] = [];
  for (const application of apps) {
    const view: ApplicationView = { application };
    if (includes.environments) view.environments = await environmentsVisibleIn(stores, access, application);
    if (includes.features) view.features = await stores.features.list({ applicationId: application.id });
    views.push(view);
  }
  return views;
}
