import { type Database, openDatabase } from '@fh/mr';
import { MrClient } from '@fh/mr/testing';
import { type RunningRole, startRole, type TestDatabase, type TestDialect } from '@fh/test-support';
import {
  createMigratedDatabase,
  createPortfolioApplication,
  createSdkAccount,
  initializeOrganisation,
  ok,
} from './admin-setup.ts';

export { ok } from './admin-setup.ts';

// A built `featurehub` server (party-ish unless asked) on a fresh database, set up with one portfolio,
// application (its production environment), a BOOLEAN and a STRING feature and an SDK service account.

export const FLAG = 'WEBHOOK_FLAG';
export const TEXT = 'WEBHOOK_TEXT';

export interface WebhookWorld {
  database: TestDatabase;
  env: Record<string, string>;
  servers: RunningRole[];
  admin: MrClient;
  superuserId: string;
  portfolioId: string;
  applicationId: string;
  environmentId: string;
  serviceAccountId: string;
  serverKey: string;
  /** starts another server on the same database */
  start(extraEnv?: Record<string, string>): Promise<RunningRole>;
  /** an admin client on another server */
  adminOn(server: RunningRole): MrClient;
  /** the database, opened from the test (to look at what is stored) */
  db(): Promise<Database>;
  close(): Promise<void>;
}

export async function startWebhookWorld(
  dialect: TestDialect,
  options: { role?: string; env?: Record<string, string> } = {},
): Promise<WebhookWorld> {
  const database = await createMigratedDatabase(dialect);
  const env: Record<string, string> = {
    DB_URL: database.url,
    LOG_LEVEL: process.env.FH_TEST_LOG_LEVEL ?? 'info',
    WEBHOOK_POLL_MS: '100',
    WEBHOOK_RETRY_BASE_MS: '200',
    WEBHOOK_RETRY_MAX_MS: '1000',
    WEBHOOK_LEASE_SECONDS: '3',
    ...options.env,
  };
  const servers: RunningRole[] = [];
  let opened: Database | undefined;
  const start = async (extraEnv: Record<string, string> = {}) => {
    const r = await startRole(options.role ?? 'party-ish', {
      env: { ...env, ...extraEnv },
      timeoutMs: 30_000,
    });
    servers.push(r);
    await r.waitUntilReady(20_000);
    return r;
  };
  const first = await start();
  const { admin, init } = await initializeOrganisation(first.baseUrl, {
    organizationName: 'Hooks Org',
    portfolio: 'Hooks Portfolio',
    name: 'Sam Super',
    emailAddress: 'sam@example.com',
  });
  const { portfolio, app, environmentId } = await createPortfolioApplication(admin, 'Shop', 'Checkout');
  for (const [key, valueType] of [
    [FLAG, 'BOOLEAN'],
    [TEXT, 'STRING'],
  ] as const) {
    ok(await admin.post(`/application/${app.id}/features`, { key, name: key, valueType }), key);
  }
  const account = await createSdkAccount(admin, portfolio.id, environmentId, [
    'READ',
    'CHANGE_VALUE',
    'LOCK',
    'UNLOCK',
  ]);
  return {
    database,
    env,
    servers,
    admin,
    superuserId: init.person.id.id,
    portfolioId: portfolio.id,
    applicationId: app.id,
    environmentId,
    serviceAccountId: account.id,
    serverKey: `${environmentId}/${account.apiKeyServerSide}`,
    start,
    adminOn: (server) => new MrClient(server.baseUrl, admin.token),
    async db() {
      opened ??= await openDatabase({ url: database.url });
      return opened;
    },
    async close() {
      await opened?.close();
      await Promise.all(servers.map((s) => s.stop('SIGKILL')));
      await database.drop();
    },
  };
}

/** Every stored text of every table, to show a secret is nowhere in clear. */
export async function everythingStored(db: Database): Promise<string> {
  const out: string[] = [];
  const tables = [
    'fh_environment',
    'fh_system_config',
    'fh_webhook_outbox',
    'fh_webhook_result',
    'fh_feature_value',
    'fh_feature_value_version',
  ] as const;
  for (const t of tables) {
    const rows = await db.db.selectFrom(t).selectAll().execute();
    out.push(JSON.stringify(rows));
  }
  return out.join('\n');
}
