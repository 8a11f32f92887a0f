// Test-only helpers for the portfolio, application and environment suites: an organisation with a
// superuser, people and groups made straight through the stores (so these suites do not depend on the
// setup and person slices), and logged-in HTTP clients for them.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { OpenApiDocument } from '../api/openapi-compat.ts';
import { validateResponse } from '../api/response-validator.ts';
import { randomAlphanumeric } from '../auth/tokens.ts';
import type { Stores } from '../db/stores.ts';
import type { ApplicationRole, EnvironmentRole, Group } from '../group/group-store.ts';
import type { Organisation } from '../organisation/organisation-store.ts';
import { type Access, resolveAccess } from '../permission/access.ts';
import type { Person } from '../person/person-store.ts';
import type { ChangePublisher, ChangeSet, RecordChange } from '../publishing/change-set.ts';
import type { ApiResponse, MrClient, TestMr } from '../testing/mr-harness.ts';

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

/** Asserts that the promise fails with an error carrying this HTTP status (and a message matching). */
export async function rejectsWithStatus(promise: Promise<unknown>, status: number, message?: RegExp) {
  await assert.rejects(promise, (err: unknown) => {
    assert.equal((err as { status?: number }).status, status, `expected ${status}, got ${String(err)}`);
    if (message) assert.match((err as Error).message, message);
    return true;
  });
}

/**
 * Asserts the status of an answer and, for a success, that its body matches the response schema of our
 * OpenAPI document (so a mapper cannot drift from the contract). Returns the body.
 */
// biome-ignore lint/suspicious/noExplicitAny: answers are untyped JSON in tests, as in MrClient
export function expectOk<T = any>(mr: TestMr, operationId: string, res: ApiResponse<T>, status = 200): T {
  assert.equal(res.status, status, `${operationId}: ${res.status} ${JSON.stringify(res.body)}`);
  const doc = mr.app.swagger() as unknown as OpenApiDocument;
  assert.deepEqual(validateResponse(doc, operationId, status, res.body), [], `${operationId} response`);
  return res.body;
}

/** Asserts an error answer: the status and (optionally) a message matching. */
export function expectError(res: ApiResponse, status: number, message?: RegExp): void {
  assert.equal(res.status, status, JSON.stringify(res.body));
  if (message) assert.match(JSON.stringify(res.body), message);
}

/** A publisher that keeps every ChangeSet it is given, for tests to inspect. */
export class RecordingPublisher implements ChangePublisher {
  readonly published: ChangeSet[] = [];
  async publish(changes: ChangeSet): Promise<void> {
    this.published.push(changes);
  }
  /** Environment changes over everything published since the last clear(). */
  environments(): Map<string, RecordChange> {
    const out = new Map<string, RecordChange>();
    for (const c of this.published) for (const [id, action] of c.environments) out.set(id, action);
    return out;
  }
  serviceAccounts(): Map<string, RecordChange> {
    const out = new Map<string, RecordChange>();
    for (const c of this.published) for (const [id, action] of c.serviceAccounts) out.set(id, action);
    return out;
  }
  clear(): void {
    this.published.length = 0;
  }
}
