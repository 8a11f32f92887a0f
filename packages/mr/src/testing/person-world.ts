import assert from 'node:assert/strict';
import { defaultMrSettings } from '../core/mr-context.ts';
import { createPortfolioAdminGroup } from '../group/admin-groups.ts';
import type { MrClient, TestMr } from './test-mr.ts';

// Helpers for the setup/auth/person/group integration tests: people are made through the API (as an
// admin would), portfolios and applications straight in the stores so these tests do not depend on
// the portfolio and application slices.

export const PASSWORD = 'password123';

export interface TestUser {
  client: MrClient;
  personId: string;
  email: string;
  password: string;
}

/** An admin creates the person, who then registers through their link and is logged in. */
export async function registerUser(
  mr: TestMr,
  admin: MrClient,
  email: string,
  options: { groupIds?: string[]; name?: string; password?: string } = {},
): Promise<TestUser> {
  const created = await admin.post('/person', {
    email,
    name: options.name ?? email.split('@')[0],
    personType: 'person',
    groupIds: options.groupIds ?? [],
  });
  assert.equal(created.status, 200, JSON.stringify(created.body));
  const password = options.password ?? PASSWORD;
  const registered = await mr.client.post('/authentication', {
    registrationToken: created.body.token,
    email,
    name: options.name ?? 'Registered Person',
    password,
    confirmPassword: password,
  });
  assert.equal(registered.status, 200, JSON.stringify(registered.body));
  return {
    client: mr.client.withToken(registered.body.accessToken),
    personId: created.body.personId,
    email: email.toLowerCase(),
    password,
  };
}

/** A portfolio with its administrators group (superusers mirrored in), made in the stores. */
export async function seedPortfolio(mr: TestMr, name: string) {
  return mr.stores.transaction(async (tx) => {
    const org = await tx.organisations.findFirst();
    assert.ok(org, 'initialize first');
    const portfolio = await tx.portfolios.create({ organisationId: org.id, name });
    const adminGroup = await createPortfolioAdminGroup(tx, {
      organisationId: org.id,
      portfolioId: portfolio.id,
      portfolioName: name,
      suffix: defaultMrSettings.portfolioAdminGroupSuffix,
    });
    return { organisationId: org.id, portfolio, adminGroup };
  });
}

/** An application with two environments, made in the stores. */
export async function seedApplication(mr: TestMr, portfolioId: string, name: string) {
  return mr.stores.transaction(async (tx) => {
    const app = await tx.applications.create({ portfolioId, name });
    const dev = await tx.environments.create({ applicationId: app.id, name: 'dev' });
    const prod = await tx.environments.create({ applicationId: app.id, name: 'prod', production: true });
    return { app, dev, prod };
  });
}

/** Ids of the groups the client's person is in (GET /person/self). */
export async function groupIdsOf(client: MrClient): Promise<string[]> {
  const me = await client.get('/person/self?includeGroups=true');
  assert.equal(me.status, 200);
  return (me.body.groups as { id: string }[]).map((g) => g.id).sort();
}
