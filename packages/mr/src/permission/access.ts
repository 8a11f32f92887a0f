import { ROLE_TYPES } from '@fh/contracts';
import { ForbiddenError } from '@fh/service-kit';
import type { Stores } from '../db/stores.ts';
import type { ApplicationRole, EnvironmentRole } from '../group/group-store.ts';

/**
 * Every application role: @fh/contracts' APPLICATION_ROLE_TYPES in another order, kept because a portfolio
 * admin's roles are answered in this order.
 */
export const ALL_APPLICATION_ROLES: readonly ApplicationRole[] = [
  'FEATURE_CREATE',
  'FEATURE_EDIT',
  'FEATURE_EDIT_AND_DELETE',
  'APP_STRATEGY_CREATE',
  'APP_STRATEGY_EDIT',
  'APP_STRATEGY_EDIT_AND_DELETE',
];
export const ALL_ENVIRONMENT_ROLES: readonly EnvironmentRole[] = ROLE_TYPES;

/** The ids an access decision about an application needs. */
export interface ApplicationRef {
  id: string;
  portfolioId: string;
}

/** The ids an access decision about an environment needs. */
export interface EnvironmentRef {
  id: string;
  applicationId: string;
  portfolioId: string;
}

/**
 * What one person may do, computed once per request from their groups (docs/admin-api-rules.md
 * §Groups and permissions): superusers may do everything; a portfolio admin holds every application and
 * environment role in that portfolio; everyone else holds the roles their groups grant. A non-empty
 * environment role set implies READ.
 */
export class Access {
  readonly personId: string;
  readonly isSuperuser: boolean;
  readonly #adminPortfolios: ReadonlySet<string>;
  readonly #memberPortfolios: ReadonlySet<string>;
  readonly #appRoles: ReadonlyMap<string, ReadonlySet<ApplicationRole>>;
  readonly #envRoles: ReadonlyMap<string, ReadonlySet<EnvironmentRole>>;
  /** applications in which the person holds some environment role */
  readonly #appsWithEnvRoles: ReadonlySet<string>;

  constructor(init: {
    personId: string;
    isSuperuser: boolean;
    adminPortfolios: Iterable<string>;
    memberPortfolios: Iterable<string>;
    appRoles: ReadonlyMap<string, ReadonlySet<ApplicationRole>>;
    envRoles: ReadonlyMap<string, ReadonlySet<EnvironmentRole>>;
    appsWithEnvRoles: Iterable<string>;
  }) {
    this.personId = init.personId;
    this.isSuperuser = init.isSuperuser;
    this.#adminPortfolios = new Set(init.adminPortfolios);
    this.#memberPortfolios = new Set(init.memberPortfolios);
    this.#appRoles = init.appRoles;
    this.#envRoles = init.envRoles;
    this.#appsWithEnvRoles = new Set(init.appsWithEnvRoles);
  }

  /** Superuser or admin of at least one portfolio ("any admin": may manage people). */
  get isAnyAdmin(): boolean {
    return this.isSuperuser || this.#adminPortfolios.size > 0;
  }

  isPortfolioAdmin(portfolioId: string): boolean {
    return this.isSuperuser || this.#adminPortfolios.has(portfolioId);
  }

  /** Superusers see every portfolio; others those in which they belong to a group. */
  canSeePortfolio(portfolioId: string): boolean {
    return this.isSuperuser || this.#memberPortfolios.has(portfolioId);
  }

  applicationRoles(app: ApplicationRef): ReadonlySet<ApplicationRole> {
    if (this.isPortfolioAdmin(app.portfolioId)) return new Set(ALL_APPLICATION_ROLES);
    return this.#appRoles.get(app.id) ?? new Set();
  }

  environmentRoles(env: EnvironmentRef): ReadonlySet<EnvironmentRole> {
    if (this.isPortfolioAdmin(env.portfolioId)) return new Set(ALL_ENVIRONMENT_ROLES);
    const roles = this.#envRoles.get(env.id);
    if (!roles || roles.size === 0) return new Set();
    return roles.has('READ') ? roles : new Set([...roles, 'READ']);
  }

  /** Feature read: any application-level role, or any environment role in the application. */
  canReadApplication(app: ApplicationRef): boolean {
    return (
      this.isPortfolioAdmin(app.portfolioId) ||
      (this.#appRoles.get(app.id)?.size ?? 0) > 0 ||
      this.#appsWithEnvRoles.has(app.id)
    );
  }

  canCreateFeature(app: ApplicationRef): boolean {
    const r = this.applicationRoles(app);
    return r.has('FEATURE_CREATE') || r.has('FEATURE_EDIT') || r.has('FEATURE_EDIT_AND_DELETE');
  }

  canEditFeature(app: ApplicationRef): boolean {
    const r = this.applicationRoles(app);
    return r.has('FEATURE_EDIT') || r.has('FEATURE_EDIT_AND_DELETE');
  }

  canDeleteFeature(app: ApplicationRef): boolean {
    return this.canEditFeature(app);
  }

  /**
   * Application strategies: whoever may create features (upstream's featureCreatorCheck: FEATURE_CREATE,
   * FEATURE_EDIT or FEATURE_EDIT_AND_DELETE) may create, edit and delete them, as may the holders of
   * the matching APP_STRATEGY_* role.
   */
  canCreateApplicationStrategy(app: ApplicationRef): boolean {
    return this.canCreateFeature(app) || this.applicationRoles(app).has('APP_STRATEGY_CREATE');
  }

  canEditApplicationStrategy(app: ApplicationRef): boolean {
    const r = this.applicationRoles(app);
    return this.canCreateFeature(app) || r.has('APP_STRATEGY_EDIT') || r.has('APP_STRATEGY_EDIT_AND_DELETE');
  }

  canDeleteApplicationStrategy(app: ApplicationRef): boolean {
    return this.canCreateFeature(app) || this.applicationRoles(app).has('APP_STRATEGY_EDIT_AND_DELETE');
  }

  // ---- assertions: throw 403 with a message that says what is missing ----

  requireSuperuser(): void {
    if (!this.isSuperuser) throw new ForbiddenError('Only a superuser may do this');
  }

  requireAnyAdmin(): void {
    if (!this.isAnyAdmin) throw new ForbiddenError('Only a superuser or portfolio administrator may do this');
  }

  requirePortfolioAdmin(portfolioId: string): void {
    if (!this.isPortfolioAdmin(portfolioId)) {
      throw new ForbiddenError('Only an administrator of this portfolio may do this');
    }
  }

  requireEnvironmentRole(env: EnvironmentRef, role: EnvironmentRole): void {
    if (!this.environmentRoles(env).has(role)) {
      throw new ForbiddenError(`You need the ${role} permission in this environment`);
    }
  }
}

/** Builds the Access of a person from the group stores. */
export async function resolveAccess(stores: Stores, personId: string): Promise<Access> {
  const groupIds = await stores.groups.listGroupIdsForPerson(personId);
  const groups = groupIds.length === 0 ? [] : await stores.groups.list({ ids: groupIds });
  const isSuperuser = groups.some((g) => g.admin && g.portfolioId === null);
  const adminPortfolios = groups.filter((g) => g.admin && g.portfolioId !== null).map((g) => g.portfolioId!);
  const memberPortfolios = groups.filter((g) => g.portfolioId !== null).map((g) => g.portfolioId!);
  const appRoles = new Map<string, Set<ApplicationRole>>();
  const envRoles = new Map<string, Set<EnvironmentRole>>();
  const appsWithEnvRoles = new Set<string>();
  if (groupIds.length > 0) {
    for (const acl of await stores.groups.listApplicationAcls({ groupIds })) {
      const set = appRoles.get(acl.applicationId) ?? new Set();
      for (const r of acl.roles) set.add(r);
      appRoles.set(acl.applicationId, set);
    }
    const envAcls = (await stores.groups.listEnvironmentAcls({ groupIds })).filter((a) => a.roles.length > 0);
    for (const acl of envAcls) {
      const set = envRoles.get(acl.environmentId) ?? new Set();
      for (const r of acl.roles) set.add(r);
      envRoles.set(acl.environmentId, set);
    }
    if (envAcls.length > 0) {
      const envs = await stores.environments.list({ ids: [...envRoles.keys()] });
      for (const e of envs) appsWithEnvRoles.add(e.applicationId);
    }
  }
  return new Access({
    personId,
    isSuperuser,
    adminPortfolios,
    memberPortfolios,
    appRoles,
    envRoles,
    appsWithEnvRoles,
  });
}
