import { randomUUID } from 'node:crypto';
import type { Application } from '../application/application-store.ts';
import { randomAlphanumeric } from '../auth/tokens.ts';
import type { Stores } from '../db/stores.ts';
import type { Environment } from '../environment/environment-store.ts';
import type { ApplicationRole, EnvironmentRole } from '../group/group-store.ts';
import { type Access, resolveAccess } from '../permission/access.ts';
import type { ServiceAccount } from '../service-account/service-account-store.ts';
import type { MrClient, TestMr } from './test-mr.ts';

// Test data for the feature and feature-value slices, built through the stores so the tests do not
// depend on other slices' HTTP operations: one portfolio, an application with dev and prod
// environments, and people with chosen roles.

export interface WorldGrants {
  app?: ApplicationRole[];
  /** environment id → roles */
  envs?: Record<string, EnvironmentRole[]>;
}

export interface ValueWorld {
  stores: Stores;
  organisationId: string;
  portfolioId: string;
  app: Application;
  dev: Environment;
  prod: Environment;
  /** A person in a new group of the portfolio holding `grants`. */
  person(grants: WorldGrants, name?: string): Promise<string>;
  access(personId: string): Promise<Access>;
  /** A superuser (member of the organisation's admin group). */
  superuser(): Promise<string>;
  /** An SDK service account of the portfolio with these roles per environment. */
  serviceAccount(envs: Record<string, EnvironmentRole[]>): Promise<ServiceAccount>;
}

/** Builds the world in `stores` (fake or SQL). `organisationId`/`portfolioId` reuse existing ones. */
export async function buildValueWorld(
  stores: Stores,
  existing: { organisationId?: string; portfolioId?: string } = {},
): Promise<ValueWorld> {
  const organisationId =
    existing.organisationId ??
    (await stores.organisations.create({ name: `org ${randomUUID().slice(0, 8)}` })).id;
  const portfolioId =
    existing.portfolioId ??
    (await stores.portfolios.create({ organisationId, name: `portfolio ${randomUUID().slice(0, 8)}` })).id;
  const app = await stores.applications.create({ portfolioId, name: `app ${randomUUID().slice(0, 8)}` });
  const dev = await stores.environments.create({ applicationId: app.id, name: 'dev' });
  const prod = await stores.environments.create({ applicationId: app.id, name: 'prod', production: true });
  return {
    stores,
    organisationId,
    portfolioId,
    app,
    dev,
    prod,
    async person(grants, name = 'Pat') {
      const person = await stores.persons.create({ email: `${randomUUID()}@example.com`, name });
      const group = await stores.groups.create({
        organisationId,
        portfolioId,
        name: `group ${randomUUID()}`,
      });
      await stores.groups.addMember(group.id, person.id);
      if (grants.app) await stores.groups.setApplicationRoles(group.id, app.id, grants.app);
      for (const [envId, roles] of Object.entries(grants.envs ?? {})) {
        await stores.groups.setEnvironmentRoles(group.id, envId, roles);
      }
      return person.id;
    },
    access: (personId) => resolveAccess(stores, personId),
    async superuser() {
      const person = await stores.persons.create({ email: `${randomUUID()}@example.com`, name: 'Super' });
      const group =
        (await stores.groups.findAdminGroup(organisationId, null)) ??
        (await stores.groups.create({ organisationId, portfolioId: null, name: 'org_admin', admin: true }));
      await stores.groups.addMember(group.id, person.id);
      return person.id;
    },
    async serviceAccount(envs) {
      const account = await stores.serviceAccounts.create({
        portfolioId,
        name: `sa ${randomUUID().slice(0, 8)}`,
        apiKeyServerSide: randomAlphanumeric(40),
        apiKeyClientSide: `${randomAlphanumeric(30)}*${randomAlphanumeric(20)}`,
      });
      await stores.serviceAccounts.setPermissions(
        account.id,
        Object.entries(envs).map(([environmentId, roles]) => ({ environmentId, roles })),
      );
      return (await stores.serviceAccounts.findById(account.id))!;
    },
  };
}

/** The world inside a running test MR, plus HTTP clients for the superuser and for new people. */
export interface HttpValueWorld extends ValueWorld {
  admin: MrClient;
  adminId: string;
  /** An HTTP client logged in as a new person holding `grants`. */
  client(grants: WorldGrants): Promise<{ client: MrClient; personId: string }>;
}

export async function buildHttpValueWorld(mr: TestMr): Promise<HttpValueWorld> {
  const { client: admin, personId: adminId } = await mr.initialize();
  const organisationId = (await mr.stores.organisations.findFirst())!.id;
  const [portfolio] = await mr.stores.portfolios.list({ organisationId });
  const world = await buildValueWorld(mr.stores, { organisationId, portfolioId: portfolio!.id });
  return {
    ...world,
    admin,
    adminId,
    async client(grants) {
      const personId = await world.person(grants);
      const token = randomAlphanumeric(36);
      await mr.stores.sessions.create(token, personId);
      return { client: admin.withToken(token), personId };
    },
  };
}
