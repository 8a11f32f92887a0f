// Test-only: the first steps the worlds of built-server tests take, through MR's admin API over HTTP as
// people use it: a migrated database, the organisation with its superuser, a portfolio with an
// application (its production environment comes with it), and an SDK service account.
import { openDatabase, schemaFingerprint } from '@fh/mr';
import { MrClient } from '@fh/mr/testing';
import { createTestDatabase, type TestDatabase, type TestDialect } from '@fh/test-support';

/** The body of a 2xx answer; anything else fails, naming `what` with the status and body. */
export function ok(res: { status: number; body: any }, what: string): any {
  if (res.status < 200 || res.status > 299) {
    throw new Error(`${what} failed: ${res.status} ${JSON.stringify(res.body)}`);
  }
  return res.body;
}

/** A fresh database of `dialect` with the schema migrated (copied from a template migrated once). */
export function createMigratedDatabase(dialect: TestDialect): Promise<TestDatabase> {
  return createTestDatabase(dialect, {
    templateKey: `mr_${schemaFingerprint()}`,
    prepare: async (url) => {
      const db = await openDatabase({ url });
      await db.migrate();
      await db.close();
    },
  });
}

/**
 * Sets the organisation up (`POST /initialize`) on the MR at `baseUrl`; the superuser's password is
 * `password123`. Answers an admin client signed in as the superuser, and the initialize answer.
 */
export async function initializeOrganisation(
  baseUrl: string,
  setup: { organizationName: string; portfolio: string; name?: string; emailAddress?: string },
): Promise<{ admin: MrClient; init: any }> {
  const anonymous = new MrClient(baseUrl);
  const init = ok(
    await anonymous.post('/initialize', {
      organizationName: setup.organizationName,
      portfolio: setup.portfolio,
      name: setup.name ?? 'Super User',
      emailAddress: setup.emailAddress ?? 'superuser@example.com',
      password: 'password123',
    }),
    'initialize',
  );
  return { admin: anonymous.withToken(init.accessToken), init };
}

/** A portfolio with one application and the application's production environment. */
export async function createPortfolioApplication(
  admin: MrClient,
  portfolioName: string,
  applicationName: string,
): Promise<{ portfolio: any; app: any; environmentId: string }> {
  const portfolio = ok(await admin.post('/portfolio', { name: portfolioName, description: '' }), 'portfolio');
  const app = ok(
    await admin.post(`/portfolio/${portfolio.id}/application?includeEnvironments=true`, {
      name: applicationName,
      description: '',
    }),
    'application',
  );
  return { portfolio, app, environmentId: app.environments[0].id };
}

/** The service account `sdk` with these permissions in one environment; its body (with its API keys). */
export async function createSdkAccount(
  admin: MrClient,
  portfolioId: string,
  environmentId: string,
  permissions: readonly string[],
): Promise<any> {
  return ok(
    await admin.post(`/portfolio/${portfolioId}/service-account?includePermissions=true`, {
      name: 'sdk',
      description: 'SDK key',
      permissions: [{ environmentId, permissions }],
    }),
    'service account',
  );
}
