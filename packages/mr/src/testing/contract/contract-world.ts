// The World of the contract tests (walk, permission matrix, bad input): a test MR whose server
// errors are recorded, our own OpenAPI document, a populated organisation with one person per role,
// fresh targets for operations that destroy what they touch, and a snapshot of every table.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '@fh/service-kit';
import { skipUnlessService, type TestDialect } from '@fh/test-support';
import type { OpenApiDocument } from '../../api/openapi-document.ts';
import type { DB } from '../../db/schema.ts';
import type { FeatureValueType } from '../../feature/feature-store.ts';
import type { ApplicationRole, EnvironmentRole } from '../../group/group-store.ts';
import { ssoConfigFrom } from '../../sso/sso-config.ts';
import { grantRoles, loginAs } from '../organisation-world.ts';
import { type MrClient, startTestMr, type TestMr } from '../test-mr.ts';

export const DIALECTS = ['sqlite', 'postgres', 'mysql'] as const satisfies readonly TestDialect[];

/** `describe` options: SQLite always runs, PostgreSQL and MySQL when their service answers. */
export async function runsOn(dialect: TestDialect): Promise<{ skip: string | false }> {
  return { skip: dialect === 'sqlite' ? false : await skipUnlessService(dialect) };
}

/** A logger that keeps what the server logs at error level (5xx causes), for failure messages. */
export function errorRecordingLogger(): { logger: Logger; errors: string[] } {
  const errors: string[] = [];
  const describe = (obj: unknown, msg?: string) => {
    const err = (obj as { err?: unknown } | undefined)?.err;
    const detail = err instanceof Error ? (err.stack ?? err.message) : JSON.stringify(obj);
    return `${msg ?? ''} ${detail}`.trim();
  };
  const logger: Logger = {
    trace() {},
    debug() {},
    info() {},
    warn() {},
    error(obj, msg) {
      errors.push(describe(obj, msg));
    },
    fatal(obj, msg) {
      errors.push(describe(obj, msg));
    },
    child: () => logger,
  };
  return { logger, errors };
}

export interface ContractMr {
  mr: TestMr;
  /** Our OpenAPI document, as the running server serves it. */
  doc: OpenApiDocument;
  /** What the server logged at error level since the start (or the last clear). */
  serverErrors: string[];
}

/** The sign-in provider the contract MR offers (GET /external-provider/{code} answers it). */
export const SSO_PROVIDER = 'oauth2-generic';

/**
 * A discovery document for one OpenID provider on a loopback port: enough for the MR to build the
 * authorization redirect of GET /external-provider (no one signs in through it here; the SSO tests of
 * apps/server do that against a real provider).
 */
async function startDiscoveryStub(): Promise<{ issuer: string; close: () => Promise<void> }> {
  const server = createServer((req, res) => {
    const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    if (req.url === '/.well-known/openid-configuration') {
      res.setHeader('content-type', 'application/json');
      res.end(
        JSON.stringify({
          issuer,
          authorization_endpoint: `${issuer}/auth`,
          token_endpoint: `${issuer}/token`,
          jwks_uri: `${issuer}/jwks`,
          response_types_supported: ['code'],
          subject_types_supported: ['public'],
          id_token_signing_alg_values_supported: ['RS256'],
        }),
      );
      return;
    }
    res.statusCode = 404;
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    issuer: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export async function startContractMr(dialect: TestDialect): Promise<ContractMr> {
  const { logger, errors } = errorRecordingLogger();
  const idp = await startDiscoveryStub();
  const sso = ssoConfigFrom(
    {
      'oauth2.providers': SSO_PROVIDER,
      'oauth2.providers.generic.issuer': idp.issuer,
      'oauth2.providers.generic.id': 'contract-client',
      'oauth2.providers.generic.secret': 'contract-secret',
    },
    'http://localhost:8085',
  );
  const mr = await startTestMr({ dialect, logger, settings: { sso }, onClose: idp.close });
  const res = await mr.client.get('//mr-api/openapi.json');
  assert.equal(res.status, 200, 'GET /mr-api/openapi.json');
  return { mr, doc: res.body as OpenApiDocument, serverErrors: errors };
}

// ---- roles ----

/** Everyone the permission rules tell apart (docs/admin-api-rules.md §Groups and permissions). */
export const ROLES = [
  'anonymous',
  'superuser',
  'portfolioAdmin',
  'otherPortfolioAdmin',
  'noGroups',
  'featureCreate',
  'featureEdit',
  'featureEditAndDelete',
  'strategyCreate',
  'strategyEdit',
  'strategyEditAndDelete',
  'envRead',
  'envLock',
  'envUnlock',
  'envChangeValue',
  'adminServiceAccount',
] as const;
export type Role = (typeof ROLES)[number];

const APPLICATION_ROLE_OF: Partial<Record<Role, ApplicationRole>> = {
  featureCreate: 'FEATURE_CREATE',
  featureEdit: 'FEATURE_EDIT',
  featureEditAndDelete: 'FEATURE_EDIT_AND_DELETE',
  strategyCreate: 'APP_STRATEGY_CREATE',
  strategyEdit: 'APP_STRATEGY_EDIT',
  strategyEditAndDelete: 'APP_STRATEGY_EDIT_AND_DELETE',
};
const ENVIRONMENT_ROLE_OF: Partial<Record<Role, EnvironmentRole>> = {
  envRead: 'READ',
  envLock: 'LOCK',
  envUnlock: 'UNLOCK',
  envChangeValue: 'CHANGE_VALUE',
};

export const PASSWORD = 'password123';

/** A person made for one test case (the target of person and auth operations). */
export interface Victim {
  id: string;
  email: string;
  /** The registration token, for people who have not registered yet. */
  registrationToken?: string;
}

/**
 * One organisation, populated through the admin API: portfolio P (application A with environments
 * production and dev, features, values, an application strategy, a group, an SDK service account) and
 * portfolio Q; one logged-in client per role, all scoped to P / A / dev except `otherPortfolioAdmin`.
 */
export interface World {
  mr: TestMr;
  doc: OpenApiDocument;
  su: MrClient;
  superuserId: string;
  organisationId: string;
  portfolioId: string;
  portfolioAdminGroupId: string;
  superuserGroupId: string;
  otherPortfolioId: string;
  appId: string;
  prodEnvId: string;
  devEnvId: string;
  groupId: string;
  strategyId: string;
  serviceAccountId: string;
  /** A STRING feature with an unlocked value in dev. */
  textKey: string;
  clients: Record<Role, MrClient>;
  personIds: Partial<Record<Role, string>>;
  /** A name no other call of this world has used. */
  unique(prefix?: string): string;
  fresh: FreshTargets;
}

/** New things to aim one request at, made by the superuser through the API. */
export interface FreshTargets {
  /** A portfolio whose administrators group holds the portfolioAdmin and adminServiceAccount roles. */
  portfolio(): Promise<string>;
  application(): Promise<string>;
  environment(): Promise<string>;
  group(): Promise<string>;
  /**
   * A feature of application A (made in the stores, so a BOOLEAN one has no values yet); with
   * `devValue`, its value in dev is saved first (over HTTP).
   */
  feature(valueType?: FeatureValueType, devValue?: { valueString: string; locked: boolean }): Promise<string>;
  strategy(): Promise<string>;
  serviceAccount(): Promise<string>;
  /** An admin service account in no group. */
  adminServiceAccount(): Promise<string>;
  /**
   * A person in no group: registered with PASSWORD unless `registered: false` (then they hold a
   * registration token), optionally with a temporary password that must be replaced.
   */
  person(options?: { registered?: boolean; requiresReset?: boolean }): Promise<Victim>;
  /** A person in group G. */
  groupMember(): Promise<Victim>;
}

/** Asserts a 2xx and returns the body. */
export async function ok<T = any>(
  what: string,
  pending: Promise<{ status: number; body: unknown }>,
): Promise<T> {
  const res = await pending;
  assert.ok(res.status >= 200 && res.status < 300, `${what}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as T;
}

/** A valid application strategy: a name and something to match. */
export function strategyBody(name: string) {
  return { name, percentage: 250000 };
}

export async function buildWorld(contract: ContractMr): Promise<World> {
  const { mr, doc } = contract;
  const { client: su, personId: superuserId } = await mr.initialize();
  let counter = 0;
  const unique = (prefix = 'n') => `${prefix}-${++counter}-${randomUUID().slice(0, 8)}`;

  const setup = await ok('isInstalled', mr.client.get('/initialize'));
  const organisationId: string = setup.organization.id;
  const org = await mr.stores.organisations.findById(organisationId);
  assert.ok(org);

  const portfolioId: string = (
    await ok('createPortfolio', su.post('/portfolio', { name: 'Portfolio P', description: 'the one' }))
  ).id;
  const otherPortfolioId: string = (
    await ok('createPortfolio', su.post('/portfolio', { name: 'Portfolio Q', description: 'another' }))
  ).id;
  const adminGroupOf = async (pid: string) => {
    const group = await mr.stores.groups.findAdminGroup(organisationId, pid);
    assert.ok(group, `admin group of ${pid}`);
    return group.id;
  };
  const portfolioAdminGroupId = await adminGroupOf(portfolioId);
  const superuserGroupId = (await mr.stores.groups.findAdminGroup(organisationId, null))?.id;
  assert.ok(superuserGroupId, 'superuser group');

  const app = await ok(
    'createApplication',
    su.post(`/portfolio/${portfolioId}/application?includeEnvironments=true`, {
      name: 'Application A',
      description: 'the app',
    }),
  );
  const appId: string = app.id;
  const prodEnvId: string = app.environments[0].id;
  const devEnvId: string = (
    await ok(
      'createEnvironment',
      su.post(`/application/${appId}/environment`, { name: 'dev', description: '' }),
    )
  ).id;

  const createFeature = async (key: string, valueType: string) =>
    ok('createFeature', su.post(`/application/${appId}/features`, { key, name: key, valueType }));
  const saveDevValue = (key: string, value: { valueString: string; locked: boolean }) =>
    ok('saveValue', su.put(`/features/${devEnvId}/feature/${key}`, { key, ...value }));
  const textKey = 'TEXT';
  await createFeature(textKey, 'STRING');
  await saveDevValue(textKey, { valueString: 'hello', locked: false });
  await createFeature('FLAG', 'BOOLEAN');

  const groupId: string = (
    await ok('createGroup', su.post(`/portfolio/${portfolioId}/group`, { name: 'Group G' }))
  ).id;
  const strategyId: string = (
    await ok(
      'createApplicationStrategy',
      su.post(`/application/${appId}/strategy`, strategyBody('Strategy S')),
    )
  ).id;
  const serviceAccountId: string = (
    await ok(
      'createServiceAccountInPortfolio',
      su.post(`/portfolio/${portfolioId}/service-account`, {
        name: 'sdk-account',
        description: 'reads dev',
        permissions: [{ environmentId: devEnvId, permissions: ['READ'] }],
      }),
    )
  ).id;

  // one person per role, in the stores (fast); the admin service account through the API
  const clients = { anonymous: mr.client, superuser: su } as Record<Role, MrClient>;
  const personIds: Partial<Record<Role, string>> = { superuser: superuserId };
  for (const role of ROLES) {
    if (role === 'anonymous' || role === 'superuser' || role === 'adminServiceAccount') continue;
    const person = await mr.stores.persons.create({
      email: `${role}-${randomUUID()}@example.com`,
      name: role,
    });
    personIds[role] = person.id;
    clients[role] = await loginAs(mr, person);
    const appRole = APPLICATION_ROLE_OF[role];
    const envRole = ENVIRONMENT_ROLE_OF[role];
    if (role === 'portfolioAdmin' || role === 'otherPortfolioAdmin') {
      await mr.stores.groups.addMember(
        await adminGroupOf(role === 'portfolioAdmin' ? portfolioId : otherPortfolioId),
        person.id,
      );
    } else if (appRole || envRole) {
      await grantRoles(mr.stores, {
        org,
        portfolioId,
        personId: person.id,
        ...(appRole ? { applicationRoles: [{ applicationId: appId, roles: [appRole] }] } : {}),
        ...(envRole ? { environmentRoles: [{ environmentId: devEnvId, roles: [envRole] }] } : {}),
      });
    }
  }
  const adminSa = await ok(
    'createPerson',
    su.post('/person', {
      personType: 'serviceAccount',
      name: 'admin robot',
      groupIds: [portfolioAdminGroupId],
    }),
  );
  personIds.adminServiceAccount = adminSa.personId;
  clients.adminServiceAccount = mr.client.withToken(adminSa.token);

  const passwordHash = await mr.mr.context.hasher.hash(PASSWORD);

  const fresh: FreshTargets = {
    async portfolio() {
      const id: string = (
        await ok('createPortfolio', su.post('/portfolio', { name: unique('portfolio'), description: '' }))
      ).id;
      const adminGroup = await adminGroupOf(id);
      for (const role of ['portfolioAdmin', 'adminServiceAccount'] as const) {
        await mr.stores.groups.addMember(adminGroup, personIds[role]!);
      }
      return id;
    },
    async application() {
      return (
        await ok(
          'createApplication',
          su.post(`/portfolio/${portfolioId}/application`, { name: unique('app'), description: '' }),
        )
      ).id;
    },
    async environment() {
      return (
        await ok(
          'createEnvironment',
          su.post(`/application/${appId}/environment`, { name: unique('env'), description: '' }),
        )
      ).id;
    },
    async group() {
      return (await ok('createGroup', su.post(`/portfolio/${portfolioId}/group`, { name: unique('group') })))
        .id;
    },
    async feature(valueType = 'STRING', devValue) {
      const key = unique('F').replaceAll('-', '_').toUpperCase();
      // in the stores: creating over HTTP answers with every feature of A, which grows with each call
      await mr.stores.features.create({ applicationId: appId, key, name: key, valueType });
      if (devValue) await saveDevValue(key, devValue);
      return key;
    },
    async strategy() {
      return (
        await ok(
          'createApplicationStrategy',
          su.post(`/application/${appId}/strategy`, strategyBody(unique('s'))),
        )
      ).id;
    },
    async serviceAccount() {
      return (
        await ok(
          'createServiceAccountInPortfolio',
          su.post(`/portfolio/${portfolioId}/service-account`, {
            name: unique('sa'),
            permissions: [{ environmentId: devEnvId, permissions: ['READ'] }],
          }),
        )
      ).id;
    },
    async adminServiceAccount() {
      return (
        await ok('createPerson', su.post('/person', { personType: 'serviceAccount', name: unique('robot') }))
      ).personId;
    },
    async person(options = {}) {
      const email = `${unique('victim')}@example.com`;
      const registered = options.registered ?? true;
      const registrationToken = registered ? undefined : randomUUID();
      const person = await mr.stores.persons.create({
        email,
        name: 'Victim',
        ...(registered
          ? {
              passwordHash,
              passwordAlgorithm: 'scrypt',
              passwordRequiresReset: options.requiresReset ?? false,
            }
          : {
              registrationToken,
              registrationTokenExpiry: new Date(Date.now() + 24 * 3600 * 1000),
            }),
      });
      return { id: person.id, email, ...(registrationToken ? { registrationToken } : {}) };
    },
    async groupMember() {
      const victim = await fresh.person();
      await mr.stores.groups.addMember(groupId, victim.id);
      return victim;
    },
  };

  return {
    mr,
    doc,
    su,
    superuserId,
    organisationId,
    portfolioId,
    portfolioAdminGroupId,
    superuserGroupId,
    otherPortfolioId,
    appId,
    prodEnvId,
    devEnvId,
    groupId,
    strategyId,
    serviceAccountId,
    textKey,
    clients,
    personIds,
    unique,
    fresh,
  };
}

// ---- every table, to prove a request changed nothing ----

const TABLES = Object.keys({
  fh_organisation: true,
  fh_person: true,
  fh_session: true,
  fh_portfolio: true,
  fh_group: true,
  fh_group_member: true,
  fh_application_acl: true,
  fh_environment_acl: true,
  fh_application: true,
  fh_environment: true,
  fh_feature: true,
  fh_feature_value: true,
  fh_feature_value_version: true,
  fh_application_strategy: true,
  fh_feature_value_strategy: true,
  fh_feature_group: true,
  fh_feature_group_feature: true,
  fh_feature_filter: true,
  fh_feature_filter_feature: true,
  fh_service_account_filter: true,
  fh_service_account: true,
  fh_service_account_env: true,
  fh_webhook_result: true,
  fh_tracked_event: true,
  fh_system_config: true,
  fh_user_state: true,
  fh_webhook_outbox: true,
} satisfies Record<keyof DB, true>) as (keyof DB)[];

/**
 * Every row of every table as one comparable string. Sessions' `last_seen` is left out: every
 * authenticated request touches it.
 */
export async function snapshotTables(mr: TestMr): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const table of TABLES) {
    const rows = (await mr.database.db.selectFrom(table).selectAll().execute()) as Record<string, unknown>[];
    out[table] = rows
      .map((row) => {
        const copy: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(row)) {
          if (table === 'fh_session' && k === 'last_seen') continue;
          copy[k] =
            v instanceof Date
              ? v.toISOString()
              : typeof v === 'bigint'
                ? String(v)
                : Buffer.isBuffer(v)
                  ? v.toString('hex')
                  : v;
        }
        return JSON.stringify(copy);
      })
      .sort();
  }
  return out;
}

/** Which tables differ between two snapshots, with a few changed rows each (for failure messages). */
export function tableDifferences(
  before: Record<string, string[]>,
  after: Record<string, string[]>,
): string[] {
  const diffs: string[] = [];
  for (const table of Object.keys(before)) {
    const a = new Set(before[table]);
    const b = new Set(after[table]);
    const gone = [...a].filter((r) => !b.has(r));
    const added = [...b].filter((r) => !a.has(r));
    if (gone.length > 0 || added.length > 0) {
      diffs.push(`${table}: -${gone.slice(0, 2).join(' ')} +${added.slice(0, 2).join(' ')}`);
    }
  }
  return diffs;
}
