import { randomUUID } from 'node:crypto';
import {
  BadRequestError,
  ConflictError,
  ForbiddenError,
  NotFoundError,
  StaleVersionError,
} from '@fh/service-kit';
import type { Stores } from '../db/stores.ts';
import type { Environment } from '../environment/environment-store.ts';
import { checkedFilterIds } from '../feature-filter/feature-filter-read-model.ts';
import type { EnvironmentRole } from '../group/group-store.ts';
import type { Access } from '../permission/access.ts';
import type { ChangeSet } from '../publishing/change-set.ts';
import { newClientEvalKey, newServerEvalKey } from './api-keys.ts';
import type { ServiceAccount, ServiceAccountPermission } from './service-account-store.ts';

/** A service account as one caller may see it. */
export interface ServiceAccountDetails {
  account: ServiceAccount;
  /** Whether the caller may see the account's two API keys (portfolio admins). */
  showKeys: boolean;
  /** Undefined when permissions were not asked for. */
  permissions?: ServiceAccountEnvironmentPermission[];
  /** The ids of its feature filters (API 1.2.6), sorted. */
  filters: string[];
}

export interface ServiceAccountEnvironmentPermission {
  environmentId: string;
  roles: EnvironmentRole[];
  /** Whether to add the SDK URLs (`{environmentId}/{apiKey}`) for this environment. */
  showSdkUrls: boolean;
}

/** Which of an account's two API keys to replace. */
export type KeysToReset = 'client' | 'server' | 'both';

/** The stores the service reads and writes: accounts, the portfolio's environments, the shadow person. */
type ServiceAccountStores = Pick<
  Stores,
  'applications' | 'environments' | 'persons' | 'portfolios' | 'serviceAccounts' | 'featureFilters'
>;

/** Who is acting, and what they may do. */
export interface ServiceAccountActor {
  personId: string;
  access: Access;
}

/** Roles asked for one environment (API `ServiceAccountPermission`). */
export interface PermissionInput {
  environmentId: string;
  permissions?: readonly EnvironmentRole[] | null;
}

export interface CreateServiceAccountInput {
  name: string;
  description?: string | null;
  /** Feature filter ids (API 1.2.6). */
  filters?: readonly string[] | null;
  permissions?: readonly PermissionInput[] | null;
}

export interface UpdateServiceAccountInput {
  name: string;
  description?: string | null;
  /** Absent: no stale check. */
  version?: number | null;
  permissions?: readonly PermissionInput[] | null;
  /** The client only holds part of the permissions: leave them all as they are. */
  permsInvalid?: boolean;
  /** Feature filter ids (API 1.2.6); absent: unchanged, null or []: none. */
  filters?: readonly string[] | null;
}

/** How much of an account to show. */
export interface ServiceAccountView {
  includePermissions?: boolean | undefined;
  includeSdkUrls?: boolean | undefined;
  /** Show only the permissions in this application's environments. */
  applicationId?: string | undefined;
}

export interface ServiceAccountKeyGenerators {
  serverEval(): string;
  clientEval(): string;
  /** For the shadow person's synthetic e-mail address. */
  uuid(): string;
}

const defaultGenerators: ServiceAccountKeyGenerators = {
  serverEval: () => newServerEvalKey(),
  clientEval: () => newClientEvalKey(),
  uuid: () => randomUUID(),
};

/**
 * SDK service accounts (docs/admin-api-rules.md §SDK service accounts): the holders of the API keys SDKs
 * use, with roles per environment. Portfolio admins manage them; other members of the portfolio may list
 * them and see the SDK URLs of environments where their own roles cover the account's.
 */
export class ServiceAccountService {
  constructor(private readonly generate: ServiceAccountKeyGenerators = defaultGenerators) {}

  async search(
    tx: ServiceAccountStores,
    actor: ServiceAccountActor,
    portfolioId: string,
    query: ServiceAccountView & { filter?: string | undefined },
  ): Promise<ServiceAccountDetails[]> {
    await existingPortfolio(tx, portfolioId);
    if (!actor.access.canSeePortfolio(portfolioId)) {
      throw new ForbiddenError('You are not a member of any group in this portfolio');
    }
    const matches = nameMatcher(query.filter);
    const accounts = (await tx.serviceAccounts.list({ portfolioId })).filter((a) => matches(a.name));
    return this.#details(tx, actor, accounts, query);
  }

  async get(
    tx: ServiceAccountStores,
    actor: ServiceAccountActor,
    id: string,
    view: ServiceAccountView,
  ): Promise<ServiceAccountDetails> {
    const account = await administered(tx, actor, id);
    const [details] = await this.#details(tx, actor, [account], view);
    return details!;
  }

  async create(
    tx: ServiceAccountStores,
    changes: ChangeSet,
    actor: ServiceAccountActor,
    portfolioId: string,
    input: CreateServiceAccountInput,
    view: ServiceAccountView,
  ): Promise<ServiceAccountDetails> {
    await existingPortfolio(tx, portfolioId);
    actor.access.requirePortfolioAdmin(portfolioId);
    const name = requireName(input.name);
    const permissions = await checkedPermissions(tx, portfolioId, input.permissions ?? []);
    const filters = await checkedFilterIds(tx, portfolioId, input.filters);
    if ((await tx.serviceAccounts.list({ portfolioId })).some((a) => a.name === name)) {
      throw new ConflictError(`A service account named "${name}" already exists in this portfolio`);
    }
    // The hidden person Test-SDK changes are recorded against.
    const shadow = await tx.persons.create({
      email: `${this.generate.uuid()}@sdk.sa.featurehub.io`,
      name,
      personType: 'sdkServiceAccount',
      createdBy: actor.personId,
    });
    let account = await tx.serviceAccounts.create({
      portfolioId,
      name,
      description: input.description ?? null,
      apiKeyServerSide: this.generate.serverEval(),
      apiKeyClientSide: this.generate.clientEval(),
      sdkPersonId: shadow.id,
      createdBy: actor.personId,
    });
    if (permissions.length > 0) {
      await tx.serviceAccounts.setPermissions(account.id, permissions);
      account = (await tx.serviceAccounts.findById(account.id))!;
    }
    if (filters.length > 0) await tx.featureFilters.setServiceAccountFilters(account.id, filters);
    changes.serviceAccountChanged(account.id, 'create');
    // As upstream: a creation asked with its permissions also answers each permission's SDK URLs, so that the
    // creator (a portfolio admin) can hand the keys on at once.
    const [details] = await this.#details(tx, actor, [account], {
      ...view,
      ...(view.includePermissions === true ? { includeSdkUrls: true } : {}),
    });
    return details!;
  }

  /**
   * Renames/describes the account and replaces its environment permissions: all of them, or only
   * those in the environments of `applicationId` when it is given. `permsInvalid` leaves them alone.
   */
  async update(
    tx: ServiceAccountStores,
    changes: ChangeSet,
    actor: ServiceAccountActor,
    target: { serviceAccountId: string; portfolioId?: string; applicationId?: string | undefined },
    input: UpdateServiceAccountInput,
    view: ServiceAccountView,
  ): Promise<ServiceAccountDetails> {
    const current = await administered(tx, actor, target.serviceAccountId);
    if (target.portfolioId !== undefined && current.portfolioId !== target.portfolioId) {
      throw new NotFoundError(
        `service account ${target.serviceAccountId} not found in portfolio ${target.portfolioId}`,
      );
    }
    if (input.version !== undefined && input.version !== null && input.version !== current.version) {
      throw new StaleVersionError(
        `service account ${current.id} is at version ${current.version}, not ${input.version}; reload and try again`,
      );
    }
    const name = requireName(input.name);
    let changed = false;
    const description = input.description === undefined ? current.description : input.description;
    if (name !== current.name || description !== current.description) {
      if (
        name !== current.name &&
        (await tx.serviceAccounts.list({ portfolioId: current.portfolioId })).some(
          (a) => a.id !== current.id && a.name === name,
        )
      ) {
        throw new ConflictError(`A service account named "${name}" already exists in this portfolio`);
      }
      await tx.serviceAccounts.update(current.id, {
        name,
        description,
        changedBy: actor.personId,
        version: current.version,
      });
      changed = true;
    }
    if (!input.permsInvalid && input.permissions !== undefined && input.permissions !== null) {
      const wanted = await checkedPermissions(tx, current.portfolioId, input.permissions);
      const held = await tx.serviceAccounts.listPermissions({ serviceAccountIds: [current.id] });
      let next: { environmentId: string; roles: EnvironmentRole[] }[] = wanted;
      if (target.applicationId !== undefined) {
        const scope = new Set(
          (await tx.environments.list({ applicationId: target.applicationId })).map((e) => e.id),
        );
        const outside = wanted.filter((p) => !scope.has(p.environmentId));
        if (outside.length > 0) {
          throw new BadRequestError(
            `environment ${outside[0]!.environmentId} is not in application ${target.applicationId}`,
          );
        }
        next = [...held.filter((p) => !scope.has(p.environmentId)), ...wanted];
      }
      if (!samePermissions(held, next)) {
        await tx.serviceAccounts.setPermissions(current.id, next);
        changed = true;
      }
    }
    if (input.filters !== undefined) {
      const wanted = await checkedFilterIds(tx, current.portfolioId, input.filters);
      const held = (await tx.featureFilters.filtersOfServiceAccounts([current.id])).get(current.id) ?? [];
      if (wanted.join() !== held.join()) {
        await tx.featureFilters.setServiceAccountFilters(current.id, wanted);
        // A new version, so every cache takes the account's new filters.
        if (!changed) {
          await tx.serviceAccounts.update(current.id, {
            changedBy: actor.personId,
            version: current.version,
          });
        }
        changed = true;
      }
    }
    const account = changed ? (await tx.serviceAccounts.findById(current.id))! : current;
    if (changed) changes.serviceAccountChanged(account.id);
    const [details] = await this.#details(tx, actor, [account], view);
    return details!;
  }

  /** Archives the account: its keys stop working at once. */
  async delete(
    tx: Pick<Stores, 'serviceAccounts'>,
    changes: ChangeSet,
    actor: ServiceAccountActor,
    id: string,
  ): Promise<void> {
    const account = await administered(tx, actor, id);
    await tx.serviceAccounts.archive(account.id);
    changes.serviceAccountChanged(account.id, 'delete');
  }

  /** New keys (client, server, or both); the old ones stop working at once. */
  async resetApiKey(
    tx: ServiceAccountStores,
    changes: ChangeSet,
    actor: ServiceAccountActor,
    id: string,
    keys: KeysToReset,
  ): Promise<ServiceAccountDetails> {
    const current = await administered(tx, actor, id);
    const account = await tx.serviceAccounts.update(current.id, {
      ...(keys !== 'server' ? { apiKeyClientSide: this.generate.clientEval() } : {}),
      ...(keys !== 'client' ? { apiKeyServerSide: this.generate.serverEval() } : {}),
      changedBy: actor.personId,
      version: current.version,
    });
    changes.serviceAccountChanged(account.id);
    const [details] = await this.#details(tx, actor, [account], { includePermissions: true });
    return details!;
  }

  async #details(
    tx: ServiceAccountStores,
    actor: ServiceAccountActor,
    accounts: readonly ServiceAccount[],
    view: ServiceAccountView,
  ): Promise<ServiceAccountDetails[]> {
    const withPermissions = view.includePermissions === true || view.includeSdkUrls === true;
    const filters = await tx.featureFilters.filtersOfServiceAccounts(accounts.map((a) => a.id));
    if (!withPermissions || accounts.length === 0) {
      return accounts.map((account) => ({
        account,
        showKeys: actor.access.isPortfolioAdmin(account.portfolioId),
        filters: filters.get(account.id) ?? [],
      }));
    }
    const perms = await tx.serviceAccounts.listPermissions({ serviceAccountIds: accounts.map((a) => a.id) });
    const environments = new Map<string, Environment>();
    const envIds = [...new Set(perms.map((p) => p.environmentId))];
    if (envIds.length > 0) {
      for (const e of await tx.environments.list({ ids: envIds })) environments.set(e.id, e);
    }
    return accounts.map((account) => {
      const admin = actor.access.isPortfolioAdmin(account.portfolioId);
      const permissions: ServiceAccountEnvironmentPermission[] = [];
      for (const p of perms) {
        if (p.serviceAccountId !== account.id || p.roles.length === 0) continue;
        const env = environments.get(p.environmentId);
        if (!env) continue;
        if (view.applicationId !== undefined && env.applicationId !== view.applicationId) continue;
        const callerRoles = actor.access.environmentRoles({
          id: env.id,
          applicationId: env.applicationId,
          portfolioId: account.portfolioId,
        });
        const showSdkUrls = view.includeSdkUrls === true && (admin || covers(callerRoles, p.roles));
        permissions.push({ environmentId: p.environmentId, roles: [...p.roles], showSdkUrls });
      }
      return { account, showKeys: admin, permissions, filters: filters.get(account.id) ?? [] };
    });
  }
}

/** The caller's roles include every role of the account (any role implies READ on both sides). */
function covers(caller: ReadonlySet<EnvironmentRole>, account: readonly EnvironmentRole[]): boolean {
  if (caller.size === 0) return false;
  return account.every((r) => caller.has(r)) && (account.length === 0 || caller.has('READ'));
}

/**
 * The search filter as upstream applies it (SQL `ILIKE` on the name): the whole name, ignoring case, with `%` for any
 * run of characters and `_` for one. Upstream's scripts look an account up by its exact name and expect one answer.
 */
export function nameMatcher(filter: string | undefined): (name: string) => boolean {
  const pattern = filter?.trim();
  if (!pattern) return () => true;
  const source = [...pattern]
    .map((c) => (c === '%' ? '.*' : c === '_' ? '.' : c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  const regex = new RegExp(`^${source}$`, 'is');
  return (name) => regex.test(name);
}

function requireName(raw: string): string {
  const name = raw.trim();
  if (name === '') throw new BadRequestError('A service account needs a name');
  return name;
}

async function existingPortfolio(tx: Pick<Stores, 'portfolios'>, portfolioId: string): Promise<void> {
  if (!(await tx.portfolios.findById(portfolioId))) {
    throw new NotFoundError(`portfolio ${portfolioId} not found`);
  }
}

/** A live account the caller administers; 404 for unknown ids (also non-UUIDs such as `self`). */
async function administered(
  tx: Pick<Stores, 'serviceAccounts'>,
  actor: ServiceAccountActor,
  id: string,
): Promise<ServiceAccount> {
  const account = await tx.serviceAccounts.findById(id);
  if (!account) throw new NotFoundError(`service account ${id} not found`);
  actor.access.requirePortfolioAdmin(account.portfolioId);
  return account;
}

/** Permissions with distinct, live environments of the portfolio; roles de-duplicated, empty ones dropped. */
async function checkedPermissions(
  tx: Pick<Stores, 'applications' | 'environments'>,
  portfolioId: string,
  input: readonly PermissionInput[],
): Promise<{ environmentId: string; roles: EnvironmentRole[] }[]> {
  const seen = new Set<string>();
  for (const p of input) {
    if (seen.has(p.environmentId)) {
      throw new BadRequestError(`environment ${p.environmentId} is listed more than once in the permissions`);
    }
    seen.add(p.environmentId);
  }
  if (seen.size === 0) return [];
  const environments = await tx.environments.list({ ids: [...seen] });
  const applications = new Set((await tx.applications.list({ portfolioId })).map((a) => a.id));
  const inPortfolio = new Set(environments.filter((e) => applications.has(e.applicationId)).map((e) => e.id));
  const stranger = [...seen].find((id) => !inPortfolio.has(id));
  if (stranger !== undefined) {
    throw new BadRequestError(`environment ${stranger} is not an environment of this portfolio`);
  }
  return input
    .map((p) => ({ environmentId: p.environmentId, roles: [...new Set(p.permissions ?? [])] }))
    .filter((p) => p.roles.length > 0);
}

function samePermissions(
  held: readonly ServiceAccountPermission[],
  next: readonly { environmentId: string; roles: readonly EnvironmentRole[] }[],
): boolean {
  const canon = (list: readonly { environmentId: string; roles: readonly EnvironmentRole[] }[]) =>
    JSON.stringify(
      list
        .filter((p) => p.roles.length > 0)
        .map((p) => [p.environmentId, [...new Set(p.roles)].sort()] as const)
        .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)),
    );
  return canon(held) === canon(next);
}
