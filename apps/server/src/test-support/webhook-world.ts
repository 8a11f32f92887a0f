import { type Database, openDatabase, schemaFingerprint } from '@fh/mr';
import { MrClient } from '@fh/mr/testing';
import {
  createTestDatabase,
  type RunningRole,
  startRole,
  type TestDatabase,
  type TestDialect,
} from '@fh/test-support';

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

export function ok(res: { status: number; body: any }, what: string): any {
  if (res.status < 200 || res.status > 299) {
    throw new Error(`${what} failed: ${res.status} ${JSON.stringify(res.body)}`);
  }
  return res.body;
}

export async function startWebhookWorld(
  dialect: TestDialect,
  options: { role?: string; env?: Record<string, string> } = {},
): Promise<WebhookWorld> {
  const database = await createTestDatabase(dialect, {
    templateKey: `mr_${schemaFingerprint()}`,
    prepare: async (url) => {
      const db = await openDatabase({ url });
      await db.migrate();
      await db.close();
    },
  });
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
  const anonymous = new MrClient(first.baseUrl);
  const init = ok(
    await anonymous.post('/initialize', {
      organizationName: 'Hooks Org',
      portfolio: 'Hooks Portfolio',
      name: 'Sam Super',
      emailAddress: 'sam@example.com',
      password: 'password123',
    }),
    'initialize',
  );
  const admin = anonymous.withToken(init.accessToken);
  const portfolio = ok(await admin.post('/portfolio', { name: 'Shop', description: '' }), 'portfolio');
  const app = ok(
    await admin.post(`/portfolio/${portfolio.id}/application?includeEnvironments=true`, {
      name: 'Checkout',
      description: '',
    }),
    'application',
  );
  for (const [key, valueType] of [
    [FLAG, 'BOOLEAN'],
    [TEXT, 'STRING'],
  ] as const) {
    ok(await admin.post(`/application/${app.id}/features`, { key, name: key, valueType }), key);
  }
  const environmentId: string = app.environments[0].id;
  const account = ok(
    await admin.post(`/portfolio/${portfolio.id}/service-account?includePermissions=true`, {
      name: 'sdk',
      description: 'SDK key',
      permissions: [{ environmentId, permissions: ['READ', 'CHANGE_VALUE', 'LOCK', 'UNLOCK'] }],
    }),
    'service account',
  );
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
