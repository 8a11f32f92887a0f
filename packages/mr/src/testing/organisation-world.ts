// Test data for the portfolio, application, environment, strategy, service-account and user-state suites
// (and the contract World): an organisation with a superuser, people and groups made straight through the
// stores (so these suites do not depend on the setup and person slices), and logged-in HTTP clients for them.
import { randomUUID } from 'node:crypto';
import { randomAlphanumeric } from '../auth/tokens.ts';
import type { Stores } from '../db/stores.ts';
import type { ApplicationRole, EnvironmentRole, Group } from '../group/group-store.ts';
import type { Organisation } from '../organisation/organisation-store.ts';
import { type Access, resolveAccess } from '../permission/access.ts';
import type { Person } from '../person/person-store.ts';
import type { MrClient, TestMr } from './test-mr.ts';

export interface SeededOrganisation {
  org: Organisation;
  superGroup: Group;
  superuser: Person;
}

/** An organisation with its superuser group and one superuser in it. */
export async function seedOrganisation(stores: Stores): Promise<SeededOrganisation> {
  const org = await stores.organisations.create({ name: 'Test Organisation' });
  const superGroup = await stores.groups.create({ organisationId: org.id, name: 'org_admin', admin: true });
  await stores.organisations.update(org.id, { groupId: superGroup.id });
  const superuser = await seedPerson(stores, 'superuser');
  await stores.groups.addMember(superGroup.id, superuser.id);
  return { org, superGroup, superuser };
}

export function seedPerson(stores: Stores, name: string): Promise<Person> {
  return stores.persons.create({ email: `${name}-${randomUUID()}@example.com`, name });
}

/**
 * A group in the portfolio with the person in it and the given roles. `admin` makes it the kind of
 * group portfolio administrators belong to.
 */
export async function grantRoles(
  stores: Stores,
  input: {
    org: Organisation;
    portfolioId: string;
    personId: string;
    admin?: boolean;
    applicationRoles?: { applicationId: string; roles: ApplicationRole[] }[];
    environmentRoles?: { environmentId: string; roles: EnvironmentRole[] }[];
  },
): Promise<Group> {
  let group: Group | undefined;
  if (input.admin) group = await stores.groups.findAdminGroup(input.org.id, input.portfolioId);
  group ??= await stores.groups.create({
    organisationId: input.org.id,
    portfolioId: input.portfolioId,
    name: `group-${randomUUID()}`,
    admin: input.admin ?? false,
  });
  await stores.groups.addMember(group.id, input.personId);
  for (const a of input.applicationRoles ?? []) {
    await stores.groups.setApplicationRoles(group.id, a.applicationId, a.roles);
  }
  for (const e of input.environmentRoles ?? []) {
    await stores.groups.setEnvironmentRoles(group.id, e.environmentId, e.roles);
  }
  return group;
}

export function accessOf(stores: Stores, person: Person | string): Promise<Access> {
  return resolveAccess(stores, typeof person === 'string' ? person : person.id);
}

/** An HTTP client with a fresh session of the person. */
export async function loginAs(mr: TestMr, person: Person | string): Promise<MrClient> {
  const token = randomAlphanumeric(36);
  await mr.stores.sessions.create(token, typeof person === 'string' ? person : person.id);
  return mr.client.withToken(token);
}

/** Seeds the organisation of a test MR and returns a superuser client. */
export async function superuserClient(mr: TestMr): Promise<SeededOrganisation & { client: MrClient }> {
  const seeded = await seedOrganisation(mr.stores);
  return { ...seeded, client: await loginAs(mr, seeded.superuser) };
}
