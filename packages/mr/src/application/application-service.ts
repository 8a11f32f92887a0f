import { BadRequestError, ConflictError, ForbiddenError, NotFoundError } from '@fh/service-kit';
import type { MrSettings } from '../core/mr-context.ts';
import type { Stores } from '../db/stores.ts';
import { addEnvironment } from '../environment/environment-service.ts';
import type { ApplicationRole, EnvironmentRole } from '../group/group-store.ts';
import type { Access } from '../permission/access.ts';
import type { ChangeSet } from '../publishing/change-set.ts';
import {
  type ApplicationIncludes,
  type ApplicationView,
  applicationOf,
  readableApplications,
  withApplicationIncludes,
} from './application-read-model.ts';
import type { Application } from './application-store.ts';

/** What showing an application with its includes reads. */
type ApplicationViewStores = Pick<Stores, 'applications' | 'environments' | 'features'>;

export interface ApplicationSummaryView {
  groupsHavePermission: boolean;
  serviceAccountsHavePermission: boolean;
  featureCount: number;
  environmentCount: number;
}

export interface ApplicationPermissionsView {
  applicationRoles: ApplicationRole[];
  environments: { id: string; name: string; roles: EnvironmentRole[] }[];
}

/** A partial update: missing fields stay unchanged, a null description clears it. */
export interface ApplicationChanges {
  version: number;
  name?: string;
  description?: string | null;
}

function requiredName(name: string): string {
  const trimmed = name.trim();
  if (trimmed === '') throw new BadRequestError('the application name must not be blank');
  return trimmed;
}

async function requirePortfolio(tx: Pick<Stores, 'portfolios'>, portfolioId: string): Promise<void> {
  if (!(await tx.portfolios.findById(portfolioId)))
    throw new NotFoundError(`portfolio ${portfolioId} not found`);
}

/**
 * A new application's name must differ, whatever the case, from those of the portfolio's live
 * applications (upstream's createApplication compares with `iequalTo`). Renames stay case-sensitive, as
 * upstream's updateApplication compares with `eq` (the database constraint covers that).
 */
async function assertNameFreeIgnoringCase(
  tx: Pick<Stores, 'applications'>,
  portfolioId: string,
  name: string,
): Promise<void> {
  const lower = name.toLowerCase();
  const clash = (await tx.applications.list({ portfolioId, nameContains: name })).find(
    (a) => a.name.toLowerCase() === lower,
  );
  if (clash) {
    throw new ConflictError(`An application named "${clash.name}" already exists in this portfolio`);
  }
}

function requireReader(access: Access, app: Application): void {
  if (!access.canReadApplication(app)) throw new ForbiddenError('You have no access to this application');
}

export async function listApplications(
  tx: Pick<Stores, 'applications' | 'environments' | 'features' | 'portfolios'>,
  access: Access,
  portfolioId: string,
  query: { filter?: string; order?: 'ASC' | 'DESC'; includes?: ApplicationIncludes } = {},
): Promise<ApplicationView[]> {
  await requirePortfolio(tx, portfolioId);
  if (!access.canSeePortfolio(portfolioId)) throw new ForbiddenError('You have no access to this portfolio');
  const apps = await readableApplications(tx, access, portfolioId, query);
  return withApplicationIncludes(tx, access, apps, query.includes ?? {});
}

/** Creates an application with its production environment. */
export async function createApplication(
  tx: Pick<Stores, 'applications' | 'environments' | 'features' | 'featureValues' | 'portfolios'>,
  changes: ChangeSet,
  access: Access,
  settings: Pick<MrSettings, 'productionEnvironmentName' | 'productionEnvironmentDescription'>,
  portfolioId: string,
  input: { name: string; description?: string | null },
  includes: ApplicationIncludes = {},
): Promise<ApplicationView> {
  await requirePortfolio(tx, portfolioId);
  access.requirePortfolioAdmin(portfolioId);
  const name = requiredName(input.name);
  await assertNameFreeIgnoringCase(tx, portfolioId, name);
  const app = await tx.applications.create({
    portfolioId,
    name,
    description: input.description ?? null,
    createdBy: access.personId,
  });
  await addEnvironment(
    tx,
    changes,
    app,
    {
      name: settings.productionEnvironmentName,
      description: settings.productionEnvironmentDescription,
      production: true,
    },
    access.personId,
  );
  const [view] = await withApplicationIncludes(tx, access, [app], includes);
  return view!;
}

export async function getApplication(
  tx: ApplicationViewStores,
  access: Access,
  applicationId: string,
  includes: ApplicationIncludes = {},
): Promise<ApplicationView> {
  const app = await applicationOf(tx, applicationId);
  requireReader(access, app);
  const [view] = await withApplicationIncludes(tx, access, [app], includes);
  return view!;
}

/** With `inPortfolio`, the application must belong to that portfolio (the portfolio-scoped route). */
export async function updateApplication(
  tx: ApplicationViewStores,
  access: Access,
  applicationId: string,
  patch: ApplicationChanges,
  options: { inPortfolio?: string; includes?: ApplicationIncludes } = {},
): Promise<ApplicationView> {
  const app = await applicationOf(tx, applicationId);
  if (options.inPortfolio !== undefined && app.portfolioId !== options.inPortfolio) {
    throw new NotFoundError(`application ${applicationId} not found in portfolio ${options.inPortfolio}`);
  }
  access.requirePortfolioAdmin(app.portfolioId);
  const updated = await tx.applications.update(app.id, {
    version: patch.version,
    ...(patch.name !== undefined ? { name: requiredName(patch.name) } : {}),
    ...(patch.description !== undefined ? { description: patch.description } : {}),
  });
  const [view] = await withApplicationIncludes(tx, access, [updated], options.includes ?? {});
  return view!;
}

/** Archives an application with its environments and features; caches drop its environments. */
export async function deleteApplication(
  tx: Pick<Stores, 'applications' | 'environments' | 'serviceAccounts'>,
  changes: ChangeSet,
  access: Access,
  applicationId: string,
): Promise<void> {
  const app = await applicationOf(tx, applicationId);
  access.requirePortfolioAdmin(app.portfolioId);
  const envIds = (await tx.environments.list({ applicationId: app.id })).map((e) => e.id);
  const holders =
    envIds.length === 0 ? [] : await tx.serviceAccounts.listPermissions({ environmentIds: envIds });
  await tx.applications.archive(app.id);
  for (const id of envIds) changes.environmentChanged(id, 'delete');
  for (const p of holders) changes.serviceAccountChanged(p.serviceAccountId);
}

/** What the setup stepper of the admin UI needs to know about an application. */
export async function applicationSummary(
  tx: Pick<Stores, 'applications' | 'environments' | 'features' | 'groups' | 'serviceAccounts'>,
  access: Access,
  applicationId: string,
): Promise<ApplicationSummaryView> {
  const app = await applicationOf(tx, applicationId);
  requireReader(access, app);
  const envIds = (await tx.environments.list({ applicationId: app.id })).map((e) => e.id);
  const features = await tx.features.list({ applicationId: app.id });
  const appAcls = (await tx.groups.listApplicationAcls({ applicationId: app.id })).filter(
    (a) => a.roles.length > 0,
  );
  const envAcls =
    envIds.length === 0
      ? []
      : (await tx.groups.listEnvironmentAcls({ environmentIds: envIds })).filter((a) => a.roles.length > 0);
  const saPerms =
    envIds.length === 0
      ? []
      : (await tx.serviceAccounts.listPermissions({ environmentIds: envIds })).filter(
          (p) => p.roles.length > 0,
        );
  const liveAccounts =
    saPerms.length === 0
      ? []
      : await tx.serviceAccounts.list({ ids: saPerms.map((p) => p.serviceAccountId) });
  return {
    groupsHavePermission: appAcls.length > 0 || envAcls.length > 0,
    serviceAccountsHavePermission: liveAccounts.length > 0,
    featureCount: features.length,
    environmentCount: envIds.length,
  };
}

/**
 * The caller's own roles in an application and in each of its environments where they hold some role
 * (upstream leaves the others out). Anyone who can see the portfolio may ask; unlike upstream, which
 * answers everybody (even for an unknown id), others get 403 and an unknown application 404.
 */
export async function applicationPermissions(
  tx: Pick<Stores, 'applications' | 'environments'>,
  access: Access,
  applicationId: string,
): Promise<ApplicationPermissionsView> {
  const app = await applicationOf(tx, applicationId);
  if (!access.canSeePortfolio(app.portfolioId)) {
    throw new ForbiddenError('You have no access to this application');
  }
  const envs = await tx.environments.list({ applicationId: app.id });
  return {
    applicationRoles: [...access.applicationRoles(app)],
    environments: envs.flatMap((e) => {
      const roles = access.environmentRoles({
        id: e.id,
        applicationId: app.id,
        portfolioId: app.portfolioId,
      });
      return roles.size === 0 ? [] : [{ id: e.id, name: e.name, roles: [...roles] }];
    }),
  };
}
