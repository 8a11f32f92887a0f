import { BadRequestError, ForbiddenError, NotFoundError } from '@fh/service-kit';
import type { Application } from '../application/application-store.ts';
import type { Stores } from '../db/stores.ts';
import type { Access } from '../permission/access.ts';
import type { Portfolio } from '../portfolio/portfolio-store.ts';
import type { ChangeSet } from '../publishing/change-set.ts';
import type { FeatureFilter } from './feature-filter-store.ts';

// Feature filters (upstream API 1.2.6; docs/feature-filters-and-extended-data.md): named per-portfolio tags.
// A service account with filters is served only the features carrying one of them. Who may change them
// follows upstream: a portfolio admin, or whoever may create or edit features in an application of the
// portfolio; who may read them: whoever can read an application of the portfolio.

const MAX_NAME = 60;
const MAX_DESCRIPTION = 300;

type FilterStores = Pick<
  Stores,
  'portfolios' | 'applications' | 'features' | 'serviceAccounts' | 'featureFilters'
>;

export interface FilterDetails {
  filter: FeatureFilter;
  serviceAccounts?: Array<{ id: string; name: string }>;
  applications?: Array<{ id: string; name: string; features: Array<{ id: string; key: string }> | null }>;
}

export interface FilterSearch {
  filter?: string;
  max?: number;
  page?: number;
  descending?: boolean;
  includeDetails?: boolean;
}

export interface MatchingResult {
  id: string;
  name: string;
  description: string | null;
  matchingFilters: Array<{ id: string; name: string }>;
}

async function livePortfolio(tx: Pick<Stores, 'portfolios'>, portfolioId: string): Promise<Portfolio> {
  const portfolio = await tx.portfolios.findById(portfolioId);
  if (!portfolio) throw new NotFoundError(`portfolio ${portfolioId} not found`);
  return portfolio;
}

async function requireWrite(tx: FilterStores, access: Access, portfolioId: string): Promise<Portfolio> {
  const portfolio = await livePortfolio(tx, portfolioId);
  if (access.isPortfolioAdmin(portfolioId)) return portfolio;
  const apps = await tx.applications.list({ portfolioId });
  if (apps.some((a) => access.canCreateFeature(a) || access.canEditFeature(a))) return portfolio;
  throw new ForbiddenError(
    'Only a portfolio administrator or someone who may create or edit features in this portfolio may change its feature filters',
  );
}

async function requireRead(tx: FilterStores, access: Access, portfolioId: string): Promise<Application[]> {
  await livePortfolio(tx, portfolioId);
  const apps = await tx.applications.list({ portfolioId });
  if (access.isPortfolioAdmin(portfolioId) || apps.some((a) => access.canReadApplication(a))) return apps;
  throw new ForbiddenError(
    'You need read access to an application of this portfolio to see its feature filters',
  );
}

function checkName(name: string): string {
  const trimmed = name.trim();
  if (trimmed === '') throw new BadRequestError('the feature filter name must not be blank');
  if (trimmed.length > MAX_NAME)
    throw new BadRequestError(`the feature filter name must be at most ${MAX_NAME} characters`);
  return trimmed;
}

/** A version the caller read: anything but a safe integer cannot be one (and would not fit the column). */
function checkVersion(version: number): number {
  if (!Number.isSafeInteger(version)) throw new BadRequestError(`version ${version} is not a whole number`);
  return version;
}

function checkDescription(description: string | null | undefined): void {
  if (typeof description === 'string' && description.length > MAX_DESCRIPTION)
    throw new BadRequestError(`the feature filter description must be at most ${MAX_DESCRIPTION} characters`);
}

async function filterIn(tx: FilterStores, portfolioId: string, filterId: string): Promise<FeatureFilter> {
  const filter = await tx.featureFilters.findById(filterId);
  if (!filter || filter.portfolioId !== portfolioId)
    throw new NotFoundError(`feature filter ${filterId} not found in portfolio ${portfolioId}`);
  return filter;
}

export async function createFeatureFilter(
  tx: FilterStores,
  access: Access,
  portfolioId: string,
  input: { name: string; description?: string | null | undefined },
): Promise<FeatureFilter> {
  await requireWrite(tx, access, portfolioId);
  const name = checkName(input.name);
  checkDescription(input.description);
  return tx.featureFilters.create({
    portfolioId,
    name,
    description: input.description ?? null,
    createdBy: access.personId,
  });
}

export async function getFeatureFilter(
  tx: FilterStores,
  access: Access,
  portfolioId: string,
  filterId: string,
): Promise<FeatureFilter> {
  await requireRead(tx, access, portfolioId);
  return filterIn(tx, portfolioId, filterId);
}

export async function updateFeatureFilter(
  tx: FilterStores,
  access: Access,
  portfolioId: string,
  input: { id: string; name: string; description?: string | null | undefined; version: number },
): Promise<FeatureFilter> {
  await requireWrite(tx, access, portfolioId);
  checkVersion(input.version);
  await filterIn(tx, portfolioId, input.id);
  const name = checkName(input.name);
  checkDescription(input.description);
  return tx.featureFilters.update(input.id, {
    name,
    ...(input.description !== undefined ? { description: input.description } : {}),
    version: input.version,
  });
}

/** Deleting a filter takes it off its features and service accounts, so caches hear about both. */
export async function deleteFeatureFilter(
  tx: FilterStores,
  changes: ChangeSet,
  access: Access,
  portfolioId: string,
  filterId: string,
  version: number,
): Promise<FeatureFilter> {
  await requireWrite(tx, access, portfolioId);
  checkVersion(version);
  const filter = await filterIn(tx, portfolioId, filterId);
  const featureIds = (await tx.featureFilters.featuresWith([filterId])).map((u) => u.ownerId);
  const accountIds = (await tx.featureFilters.serviceAccountsWith([filterId])).map((u) => u.ownerId);
  await tx.featureFilters.delete(filterId, version);
  // New versions, so every cache takes the features' and accounts' new filters.
  for (const feature of await tx.features.list({ ids: featureIds })) {
    await tx.features.update(feature.id, { version: feature.version });
    changes.featureChanged(feature.applicationId, feature.id);
  }
  for (const account of await tx.serviceAccounts.list({ ids: accountIds })) {
    await tx.serviceAccounts.update(account.id, { changedBy: access.personId, version: account.version });
    changes.serviceAccountChanged(account.id);
  }
  return filter;
}

export async function findFeatureFilters(
  tx: FilterStores,
  access: Access,
  portfolioId: string,
  search: FilterSearch,
): Promise<{ max: number; filters: FilterDetails[] }> {
  const apps = await requireRead(tx, access, portfolioId);
  if (search.max !== undefined && search.max < 0) throw new BadRequestError('max must not be negative');
  if (search.page !== undefined && search.page < 0) throw new BadRequestError('page must not be negative');
  const limit = Math.min(search.max ?? 100, 1000);
  const query = {
    portfolioId,
    ...(search.filter !== undefined ? { nameContains: search.filter } : {}),
    descending: search.descending === true,
  };
  const total = await tx.featureFilters.count(query);
  const filters = await tx.featureFilters.list({ ...query, limit, offset: (search.page ?? 0) * limit });
  if (!search.includeDetails) return { max: total, filters: filters.map((filter) => ({ filter })) };

  const ids = filters.map((f) => f.id);
  const accountUses = await tx.featureFilters.serviceAccountsWith(ids);
  const accounts = new Map(
    (await tx.serviceAccounts.list({ ids: [...new Set(accountUses.map((u) => u.ownerId))] })).map((a) => [
      a.id,
      a,
    ]),
  );
  const featureUses = await tx.featureFilters.featuresWith(ids);
  const features = new Map(
    (await tx.features.list({ ids: [...new Set(featureUses.map((u) => u.ownerId))] })).map((f) => [f.id, f]),
  );
  const appsById = new Map(apps.map((a) => [a.id, a]));
  return {
    max: total,
    filters: filters.map((filter) => {
      const serviceAccounts = accountUses
        .filter((u) => u.filterId === filter.id)
        .flatMap((u) => {
          const a = accounts.get(u.ownerId);
          return a ? [{ id: a.id, name: a.name }] : [];
        });
      const byApp = new Map<string, Array<{ id: string; key: string }>>();
      for (const u of featureUses) {
        if (u.filterId !== filter.id) continue;
        const f = features.get(u.ownerId);
        if (!f || !appsById.has(f.applicationId)) continue;
        byApp.set(f.applicationId, [...(byApp.get(f.applicationId) ?? []), { id: f.id, key: f.key }]);
      }
      const applications = [...byApp].map(([appId, list]) => {
        const app = appsById.get(appId)!;
        return {
          id: app.id,
          name: app.name,
          // Upstream: features only where the caller may read the application.
          features: access.canReadApplication(app) ? list.sort((a, b) => (a.key < b.key ? -1 : 1)) : null,
        };
      });
      return { filter, serviceAccounts, applications };
    }),
  };
}

/**
 * The service accounts, or the applications with features, of the portfolio that carry any of the given
 * filters, each with the ones it carries.
 */
export async function matchingFilters(
  tx: FilterStores,
  access: Access,
  portfolioId: string,
  matchType: 'applications' | 'serviceaccounts',
  filterIds: readonly string[],
): Promise<MatchingResult[]> {
  const apps = await requireRead(tx, access, portfolioId);
  const filters = new Map<string, FeatureFilter>();
  for (const id of new Set(filterIds)) {
    const f = await tx.featureFilters.findById(id);
    if (f && f.portfolioId === portfolioId) filters.set(id, f);
  }
  const named = (ids: Iterable<string>) =>
    [...new Set(ids)].sort().map((id) => ({ id, name: filters.get(id)!.name }));
  if (matchType === 'serviceaccounts') {
    const uses = await tx.featureFilters.serviceAccountsWith([...filters.keys()]);
    const accounts = await tx.serviceAccounts.list({
      ids: [...new Set(uses.map((u) => u.ownerId))],
      portfolioId,
    });
    return accounts.map((a) => ({
      id: a.id,
      name: a.name,
      description: a.description,
      matchingFilters: named(uses.filter((u) => u.ownerId === a.id).map((u) => u.filterId)),
    }));
  }
  const uses = await tx.featureFilters.featuresWith([...filters.keys()]);
  const features = await tx.features.list({ ids: [...new Set(uses.map((u) => u.ownerId))] });
  const appFilters = new Map<string, string[]>();
  for (const u of uses) {
    const f = features.find((x) => x.id === u.ownerId);
    if (!f) continue;
    appFilters.set(f.applicationId, [...(appFilters.get(f.applicationId) ?? []), u.filterId]);
  }
  return apps
    .filter((a) => appFilters.has(a.id) && access.canReadApplication(a))
    .map((a) => ({
      id: a.id,
      name: a.name,
      description: a.description,
      matchingFilters: named(appFilters.get(a.id)!),
    }));
}
