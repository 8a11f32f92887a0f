import { BadRequestError, ConflictError, NotFoundError } from '@fh/service-kit';
import {
  type ApplicationView,
  readableApplications,
  withApplicationIncludes,
} from '../application/application-read-model.ts';
import type { MrSettings } from '../core/mr-context.ts';
import type { Stores } from '../db/stores.ts';
import { createPortfolioAdminGroup, portfolioAdminGroupName } from '../group/admin-groups.ts';
import type { Group } from '../group/group-store.ts';
import type { Organisation } from '../organisation/organisation-store.ts';
import type { Access } from '../permission/access.ts';
import type { ChangeSet } from '../publishing/change-set.ts';
import type { Portfolio } from './portfolio-store.ts';

/** A portfolio with what a reader asked to see alongside it. */
export interface PortfolioView {
  portfolio: Portfolio;
  groups?: Group[];
  applications?: ApplicationView[];
}

export interface PortfolioIncludes {
  groups?: boolean;
  applications?: boolean;
  /** the environments of each included application */
  environments?: boolean;
}

/** A partial update: missing fields stay unchanged, a null description clears it. */
export interface PortfolioChanges {
  version: number;
  name?: string;
  description?: string | null;
}

type AdminGroupSettings = Pick<MrSettings, 'portfolioAdminGroupSuffix'>;

/** The portfolios, their admin groups, and what showing a portfolio with its includes reads. */
type PortfolioStores = Pick<
  Stores,
  'applications' | 'environments' | 'features' | 'groups' | 'organisations' | 'portfolios'
>;

function requiredName(name: string): string {
  const trimmed = name.trim();
  if (trimmed === '') throw new BadRequestError('the portfolio name must not be blank');
  return trimmed;
}

async function organisationOf(tx: Pick<Stores, 'organisations'>): Promise<Organisation> {
  const org = await tx.organisations.findFirst();
  if (!org) throw new NotFoundError('the organisation has not been set up yet');
  return org;
}

async function portfolioOf(tx: Pick<Stores, 'portfolios'>, portfolioId: string): Promise<Portfolio> {
  const p = await tx.portfolios.findById(portfolioId);
  if (!p) throw new NotFoundError(`portfolio ${portfolioId} not found`);
  return p;
}

/**
 * Names are unique among the organisation's live portfolios whatever their case, as upstream (its
 * duplicateCheck compares with `ieq`); the database constraint alone is case-sensitive.
 */
async function assertNameFree(
  tx: Pick<Stores, 'portfolios'>,
  organisationId: string,
  name: string,
  selfId?: string,
) {
  const lower = name.toLowerCase();
  const clash = (await tx.portfolios.list({ organisationId, nameContains: name })).find(
    (p) => p.id !== selfId && p.name.toLowerCase() === lower,
  );
  if (clash) throw new ConflictError(`A portfolio named "${clash.name}" already exists`);
}

async function withIncludes(
  tx: Pick<Stores, 'applications' | 'environments' | 'features' | 'groups'>,
  access: Access,
  portfolios: readonly Portfolio[],
  includes: PortfolioIncludes,
): Promise<PortfolioView[]> {
  const views: PortfolioView[] = [];
  for (const portfolio of portfolios) {
    const view: PortfolioView = { portfolio };
    if (includes.groups) view.groups = await tx.groups.list({ portfolioId: portfolio.id });
    if (includes.applications) {
      const apps = await readableApplications(tx, access, portfolio.id);
      view.applications = await withApplicationIncludes(tx, access, apps, {
        environments: includes.environments === true,
      });
    }
    views.push(view);
  }
  return views;
}

/** Superusers see every portfolio; others the portfolios in which they belong to a group. */
export async function listPortfolios(
  tx: PortfolioStores,
  access: Access,
  query: { filter?: string; order?: 'ASC' | 'DESC'; includes?: PortfolioIncludes } = {},
): Promise<PortfolioView[]> {
  const org = await tx.organisations.findFirst();
  if (!org) return [];
  const filter = query.filter?.trim();
  const visible = (
    await tx.portfolios.list({ organisationId: org.id, ...(filter ? { nameContains: filter } : {}) })
  ).filter((p) => access.canSeePortfolio(p.id));
  if (query.order === 'DESC') visible.reverse();
  return withIncludes(tx, access, visible, query.includes ?? {});
}

/**
 * Creates a portfolio (superusers only) and its admin group. Superusers are members of every portfolio
 * admin group (docs/admin-api-rules.md §Groups and permissions), so they join the new one.
 */
export async function createPortfolio(
  tx: PortfolioStores,
  access: Access,
  settings: AdminGroupSettings,
  input: { name: string; description?: string | null },
  includes: PortfolioIncludes = {},
): Promise<PortfolioView> {
  access.requireSuperuser();
  const org = await organisationOf(tx);
  const name = requiredName(input.name);
  await assertNameFree(tx, org.id, name);
  const portfolio = await tx.portfolios.create({
    organisationId: org.id,
    name,
    description: input.description ?? null,
    createdBy: access.personId,
  });
  const adminGroup = await createPortfolioAdminGroup(tx, {
    organisationId: org.id,
    portfolioId: portfolio.id,
    portfolioName: portfolio.name,
    suffix: settings.portfolioAdminGroupSuffix,
    createdBy: access.personId,
  });
  const [view] = await withIncludes(tx, access, [portfolio], includes);
  // Upstream always answers with the new administrators group among `groups`, includeGroups or not.
  view!.groups ??= [adminGroup];
  return view!;
}

/** A portfolio the caller cannot see answers 404 like an unknown one, so its existence is not revealed. */
export async function getPortfolio(
  tx: PortfolioStores,
  access: Access,
  portfolioId: string,
  includes: PortfolioIncludes = {},
): Promise<PortfolioView> {
  const portfolio = await portfolioOf(tx, portfolioId);
  if (!access.canSeePortfolio(portfolio.id)) throw new NotFoundError(`portfolio ${portfolioId} not found`);
  const [view] = await withIncludes(tx, access, [portfolio], includes);
  return view!;
}

/** Renames or redescribes a portfolio (its administrators); renaming renames its admin group too. */
export async function updatePortfolio(
  tx: PortfolioStores,
  access: Access,
  settings: AdminGroupSettings,
  portfolioId: string,
  patch: PortfolioChanges,
  includes: PortfolioIncludes = {},
): Promise<PortfolioView> {
  const current = await portfolioOf(tx, portfolioId);
  access.requirePortfolioAdmin(current.id);
  const name = patch.name === undefined ? undefined : requiredName(patch.name);
  // A stale version answers 422 before a name clash is looked for (upstream's order). Changing only the
  // case of its own name is allowed.
  if (
    name !== undefined &&
    patch.version === current.version &&
    name.toLowerCase() !== current.name.toLowerCase()
  ) {
    await assertNameFree(tx, current.organisationId, name, current.id);
  }
  const updated = await tx.portfolios.update(current.id, {
    version: patch.version,
    ...(name !== undefined ? { name } : {}),
    ...(patch.description !== undefined ? { description: patch.description } : {}),
  });
  if (updated.name !== current.name) {
    const group = await tx.groups.findAdminGroup(current.organisationId, current.id);
    if (group) {
      await tx.groups.update(group.id, {
        name: portfolioAdminGroupName(updated.name, settings.portfolioAdminGroupSuffix),
      });
    }
  }
  const [view] = await withIncludes(tx, access, [updated], includes);
  return view!;
}

/**
 * Archives a portfolio with its applications, groups and service accounts (superusers only). Caches
 * are told to drop every environment and service account it held.
 */
export async function deletePortfolio(
  tx: Pick<Stores, 'applications' | 'environments' | 'portfolios' | 'serviceAccounts'>,
  changes: ChangeSet,
  access: Access,
  portfolioId: string,
): Promise<void> {
  access.requireSuperuser();
  const portfolio = await portfolioOf(tx, portfolioId);
  const appIds = (await tx.applications.list({ portfolioId: portfolio.id })).map((a) => a.id);
  const envIds: string[] = [];
  for (const applicationId of appIds) {
    for (const e of await tx.environments.list({ applicationId })) envIds.push(e.id);
  }
  const accounts = await tx.serviceAccounts.list({ portfolioId: portfolio.id });
  await tx.portfolios.archive(portfolio.id);
  for (const id of envIds) changes.environmentChanged(id, 'delete');
  for (const sa of accounts) changes.serviceAccountChanged(sa.id, 'delete');
}
