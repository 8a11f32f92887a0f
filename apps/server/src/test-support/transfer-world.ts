// Test-only: the source installation the transfer tests move: a party server on SQLite seeded through the admin
// API (as people use it) with every kind of object the transfer format carries, the SDK 1.4.0 view of it, and a
// row-by-row snapshot of a database. Used by import-export.int.test.ts (files) and import-from-server.int.test.ts
// (`featurehub import --from <url>`).
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { type Database, type DB, openDatabase, tableNames, transfer } from '@fh/mr';
import { MrClient } from '@fh/mr/testing';
import { createTestDatabase, type RunningRole, startRole, type TestDatabase, until } from '@fh/test-support';
import { type ClientContext, EdgeFeatureHubConfig, FHLog } from 'featurehub-javascript-node-sdk';

FHLog.fhLog.quiet();

export function ok<T = any>(res: { status: number; body: unknown }, what: string): T {
  assert.ok(res.status >= 200 && res.status < 300, `${what}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as T;
}

export const PREMIUM = {
  name: 'premium',
  attributes: [{ conditional: 'EQUALS', fieldName: 'plan', type: 'STRING', values: ['premium'] }],
};

export interface Source {
  server: RunningRole;
  database: TestDatabase;
  envIds: string[];
  keys: string[];
  token: string;
}

export async function seedSource(): Promise<Source> {
  const database = await createTestDatabase('sqlite');
  const server = await startRole('party', { env: { DB_URL: database.url }, timeoutMs: 30_000 });
  try {
    return await seed(server, database);
  } catch (e) {
    await server.stop('SIGKILL');
    await database.drop();
    throw e;
  }
}

export async function seed(server: RunningRole, database: TestDatabase): Promise<Source> {
  await server.waitUntilReady(20_000);
  const anonymous = new MrClient(server.baseUrl);
  const init = ok(
    await anonymous.post('/initialize', {
      organizationName: 'Source Org',
      portfolio: 'Retail',
      name: 'Ada Admin',
      emailAddress: 'ada@example.com',
      password: 'password123',
    }),
    'initialize',
  );
  const admin = anonymous.withToken(init.accessToken);
  const portfolio = ok<any[]>(await admin.get('/portfolio'), 'portfolios')[0];
  const app = ok(
    await admin.post(`/portfolio/${portfolio.id}/application?includeEnvironments=true`, {
      name: 'Shop',
      description: 'the shop',
    }),
    'application',
  );
  const prodId: string = app.environments[0].id;
  const created = ok<any>(
    await admin.post(`/application/${app.id}/environment`, { name: 'development', description: 'for us' }),
    'development',
  );
  const dev: string = (Array.isArray(created) ? created : [created]).find(
    (e: any) => e.name === 'development',
  ).id;
  const mobile = ok(
    await admin.post(`/portfolio/${portfolio.id}/feature-filter`, { name: 'mobile', description: 'apps' }),
    'filter',
  ).id;
  const beta = ok(
    await admin.post(`/application/${app.id}/strategy`, {
      name: 'beta testers',
      attributes: [{ conditional: 'EQUALS', fieldName: 'beta', type: 'BOOLEAN', values: [true] }],
    }),
    'application strategy',
  );
  for (const [key, valueType, extra] of [
    ['FLAG', 'BOOLEAN', { featureFilter: [mobile] }],
    ['COLOUR', 'STRING', { description: 'the colour', link: 'https://example.com/colour' }],
    ['LIMIT', 'NUMBER', { metaData: '{"team":"checkout"}' }],
    ['CONFIG', 'JSON', {}],
  ] as const) {
    ok(await admin.post(`/application/${app.id}/features`, { key, name: key, valueType, ...extra }), key);
  }
  const put = async (env: string, key: string, body: Record<string, unknown>) => {
    const current = await admin.get(`/features/${env}/feature/${key}`);
    const merged =
      current.status === 200
        ? { ...(current.body as object), locked: false, ...body }
        : { key, locked: false, ...body };
    const res =
      current.status === 200
        ? await admin.put(`/features/${env}/feature/${key}`, merged)
        : await admin.post(`/features/${env}/feature/${key}`, merged);
    ok(res, `${key} in ${env}`);
  };
  await put(dev, 'FLAG', { valueBoolean: true });
  await put(dev, 'FLAG', { valueBoolean: false, locked: true });
  await put(dev, 'COLOUR', {
    valueString: 'red',
    rolloutStrategies: [{ ...PREMIUM, value: 'gold' }],
    rolloutStrategyInstances: [{ strategyId: beta.id, value: 'silver' }],
  });
  await put(dev, 'LIMIT', { valueNumber: 5 });
  await put(dev, 'CONFIG', { valueJson: '{"a":1}' });
  await put(prodId, 'FLAG', { valueBoolean: true });
  await put(prodId, 'COLOUR', { valueString: 'blue' });
  await put(prodId, 'LIMIT', { valueNumber: 9, retired: true });
  ok(
    await admin.post(`/application/${app.id}/feature-groups`, {
      name: 'Premium',
      description: 'premium users',
      environmentId: prodId,
      features: [{ id: (await featureId(admin, app.id, 'COLOUR')) as string, value: 'platinum' }],
      strategies: [PREMIUM],
    }),
    'feature group',
  );
  const sa = ok(
    await admin.post(`/portfolio/${portfolio.id}/service-account?includePermissions=true`, {
      name: 'sdk',
      description: 'the shop',
      featureFilter: [],
      permissions: [
        { environmentId: dev, permissions: ['READ'] },
        { environmentId: prodId, permissions: ['READ'] },
      ],
    }),
    'service account',
  );
  const keys = [dev, prodId].flatMap((env) => [
    `${env}/${sa.apiKeyClientSide}`,
    `${env}/${sa.apiKeyServerSide}`,
  ]);
  return { server, database, envIds: [dev, prodId], keys, token: init.accessToken };
}

export async function featureId(admin: MrClient, appId: string, key: string): Promise<string> {
  return ok(await admin.get(`/application/${appId}/features/${key}`), key).id;
}

/** The contexts server-evaluated keys are read with (client-evaluated keys carry the strategies instead). */
export const CONTEXTS: readonly (readonly [string, Record<string, string>])[] = [
  ['premium beta', { plan: 'premium', beta: 'true' }],
  ['plain', { plan: 'basic' }],
  ['mobile user', { plan: 'premium', userkey: 'user-7', platform: 'ios' }],
];

/**
 * What the real SDK 1.4.0 shows for every feature it receives, per key and context: key, type, value, version,
 * lock, and (client-evaluated keys) the strategies it evaluates itself.
 */
export async function featureStates(
  edgeUrl: string,
  keys: string[],
  contexts: readonly (readonly [string, Record<string, string>])[] = CONTEXTS,
): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  const configs: EdgeFeatureHubConfig[] = [];
  try {
    for (const key of keys) {
      for (const [who, attrs] of contexts) {
        const config = new EdgeFeatureHubConfig(edgeUrl, key);
        configs.push(config);
        let builder = config.newContext();
        for (const [k, v] of Object.entries(attrs)) builder = builder.attributeValue(k, v);
        const ctx: ClientContext = await builder.build();
        await until(`features for ${key}`, () => ctx.repository().readyness === 'Ready', 15_000);
        const states: Record<string, unknown> = {};
        const names = [
          ...new Set(['FLAG', 'COLOUR', 'LIMIT', 'CONFIG', ...ctx.repository().simpleFeatures().keys()]),
        ].sort();
        for (const f of names) {
          const h = ctx.feature(f);
          // The state as received (a context's holder answers its repository's): client-evaluated keys carry strategies.
          const raw = (
            h as unknown as { getFeatureState(): { strategies?: unknown } | undefined }
          ).getFeatureState();
          states[f] = {
            exists: h.exists,
            value: h.value,
            version: h.version,
            locked: h.locked,
            type: h.type,
            strategies: raw?.strategies ?? null,
          };
        }
        out[`${key} ${who}`] = states;
      }
    }
  } finally {
    for (const c of configs) c.close();
  }
  return out;
}

/** Every row (less its timestamps) of every table: what "nothing changed" means. */
export async function snapshotOf(database: Database): Promise<string> {
  const parts: string[] = [];
  for (const table of tableNames) {
    const rows = (await database.db
      .selectFrom(table as keyof DB)
      .selectAll()
      .execute()) as Record<string, unknown>[];
    const lines = rows
      .map((r) =>
        JSON.stringify(
          Object.entries(r).filter(([k]) => !['when_created', 'when_updated', 'last_seen'].includes(k)),
        ),
      )
      .sort();
    parts.push(`${table} ${rows.length}\n${lines.join('\n')}`);
  }
  return parts.join('\n');
}

/** {@link snapshotOf} the database at `url`. */
export async function snapshot(url: string): Promise<string> {
  const db = await openDatabase({ url });
  try {
    return await snapshotOf(db);
  } finally {
    await db.close();
  }
}

export async function setValue(
  admin: MrClient,
  env: string,
  key: string,
  body: Record<string, unknown>,
): Promise<void> {
  const current = await admin.get(`/features/${env}/feature/${key}`);
  const merged =
    current.status === 200
      ? { ...(current.body as object), locked: false, ...body }
      : { key, locked: false, ...body };
  const res =
    current.status === 200
      ? await admin.put(`/features/${env}/feature/${key}`, merged)
      : await admin.post(`/features/${env}/feature/${key}`, merged);
  ok(res, `${key} in ${env}`);
}

export interface RichSource extends Source {
  /** the superuser's login at the source */
  admin: { email: string; password: string };
  /** a registered person who is not a superuser (a member of a portfolio group) */
  member: { id: string; email: string; password: string };
  /** how many applications the source holds */
  applications: number;
}

/**
 * The basic source plus what `import --from <url>` carries beyond a file: more portfolios and applications,
 * people (registered, invited, deactivated), an admin service account, a portfolio group with application and
 * environment roles and members, a second SDK service account limited by a feature filter.
 */
export async function seedRichSource(extraApplications = 4): Promise<RichSource> {
  const base = await seedSource();
  try {
    const admin = new MrClient(base.server.baseUrl).withToken(base.token);
    const retail = ok<any[]>(await admin.get('/portfolio'), 'portfolios')[0];
    const wholesale = ok(
      await admin.post('/portfolio', { name: 'Wholesale', description: 'b2b' }),
      'portfolio',
    );
    const mobile = ok<any>(await admin.get(`/portfolio/${retail.id}/feature-filter`), 'filters').filters[0]
      .id;
    const appIds: string[] = [];
    const envIds: string[] = [];
    const keys = [...base.keys];
    for (let i = 0; i < extraApplications; i++) {
      const portfolio = i % 2 === 0 ? wholesale : retail;
      const app = ok(
        await admin.post(`/portfolio/${portfolio.id}/application?includeEnvironments=true`, {
          name: `App ${i}`,
          description: `application ${i}`,
        }),
        `application ${i}`,
      );
      appIds.push(app.id);
      const prod: string = app.environments[0].id;
      const created = ok<any>(
        await admin.post(`/application/${app.id}/environment`, {
          name: 'staging',
          description: 'before prod',
        }),
        'staging',
      );
      const staging: string = (Array.isArray(created) ? created : [created]).find(
        (e: any) => e.name === 'staging',
      ).id;
      envIds.push(prod, staging);
      for (const [key, valueType] of [
        ['ENABLED', 'BOOLEAN'],
        ['BANNER', 'STRING'],
        ['RATE', 'NUMBER'],
      ] as const) {
        ok(await admin.post(`/application/${app.id}/features`, { key, name: key, valueType }), key);
      }
      for (const env of [prod, staging]) {
        for (const [key, body] of [
          ['ENABLED', { valueBoolean: env === staging }],
          [
            'BANNER',
            { valueString: `hello ${i}`, rolloutStrategies: [{ ...PREMIUM, value: `premium ${i}` }] },
          ],
          ['RATE', { valueNumber: 1.5 + i, locked: env === prod }],
        ] as const) {
          await setValue(admin, env, key, body);
        }
      }
    }
    const sdk = ok(
      await admin.post(`/portfolio/${wholesale.id}/service-account?includePermissions=true`, {
        name: 'wholesale sdk',
        description: 'server side',
        featureFilter: [],
        permissions: envIds
          .filter((_, i) => Math.floor(i / 2) % 2 === 0)
          .map((environmentId) => ({ environmentId, permissions: ['READ'] })),
      }),
      'wholesale service account',
    );
    for (const env of envIds.filter((_, i) => Math.floor(i / 2) % 2 === 0)) {
      keys.push(`${env}/${sdk.apiKeyServerSide}`, `${env}/${sdk.apiKeyClientSide}`);
    }
    ok(
      await admin.post(`/portfolio/${retail.id}/service-account?includePermissions=true`, {
        name: 'mobile sdk',
        description: 'filtered',
        featureFilter: [mobile],
        permissions: [{ environmentId: base.envIds[0], permissions: ['READ'] }],
      }),
      'filtered service account',
    );

    // People: one registers (and is a member of a portfolio group), one is only invited, one is deactivated.
    const invite = async (email: string, name: string) =>
      ok(await admin.post('/person', { email, name, personType: 'person' }), `person ${email}`);
    const bob = await invite('bob@example.com', 'Bob Builder');
    ok(
      await new MrClient(base.server.baseUrl).post('/authentication', {
        name: 'Bob Builder',
        email: 'bob@example.com',
        password: 'bobpassword1',
        confirmPassword: 'bobpassword1',
        registrationToken: bob.token,
      }),
      'bob registers',
    );
    await invite('carol@example.com', 'Carol Invited');
    const dave = await invite('dave@example.com', 'Dave Gone');
    ok(await admin.delete(`/person/${dave.personId}`), 'deactivate dave');
    ok(
      await admin.post('/person', { name: 'ci-bot', personType: 'serviceAccount' }),
      'admin service account',
    );

    const shop = ok<any[]>(await admin.get(`/portfolio/${retail.id}/application`), 'applications').find(
      (a: any) => a.name === 'Shop',
    );
    const group = ok(await admin.post(`/portfolio/${retail.id}/group`, { name: 'Developers' }), 'group');
    ok(
      await admin.put(
        `/group/${group.id}?updateMembers=true&updateApplicationGroupRoles=true&updateEnvironmentGroupRoles=true`,
        {
          ...group,
          members: [{ id: { id: bob.personId } }],
          applicationRoles: [{ applicationId: shop.id, groupId: group.id, roles: ['FEATURE_EDIT'] }],
          environmentRoles: [
            { environmentId: base.envIds[0], groupId: group.id, roles: ['READ', 'CHANGE_VALUE', 'LOCK'] },
            { environmentId: base.envIds[1], groupId: group.id, roles: ['READ'] },
          ],
        },
      ),
      'group roles and members',
    );
    return {
      ...base,
      keys,
      admin: { email: 'ada@example.com', password: 'password123' },
      member: { id: bob.personId, email: 'bob@example.com', password: 'bobpassword1' },
      applications: 1 + extraApplications,
    };
  } catch (e) {
    await base.server.stop('SIGKILL');
    await base.database.drop();
    throw e;
  }
}

/**
 * A source document of `apps` applications × `envs` environments × `features` features, quick to write with the file
 * import, with one superuser (root@example.com, no password: register with the import's registration link).
 */
export function generatedSource(apps: number, envs: number, features: number): transfer.TransferDocument {
  const root = randomUUID();
  return {
    featurehub: transfer.TRANSFER_FORMAT,
    organisation: {
      id: randomUUID(),
      name: 'Generated Org',
      groups: [
        {
          id: randomUUID(),
          name: 'admins',
          admin: true,
          members: [root],
          applications: [],
          environments: [],
        },
      ],
    },
    people: [{ id: root, email: 'root@example.com', name: 'Root', type: 'person', deactivated: false }],
    portfolios: [
      {
        id: randomUUID(),
        name: 'P',
        description: null,
        featureFilters: [],
        serviceAccounts: [],
        applications: Array.from({ length: apps }, (_, a) => {
          const fs = Array.from({ length: features }, (_, f) => ({
            id: randomUUID(),
            key: `F_${f}`,
            name: `F ${f}`,
            alias: null,
            valueType: 'STRING' as const,
            description: null,
            link: null,
            metadata: null,
            secret: false,
            featureFilters: [],
          }));
          return {
            id: randomUUID(),
            name: `app-${a}`,
            description: null,
            strategies: [],
            features: fs,
            environments: Array.from({ length: envs }, (_, e) => ({
              id: randomUUID(),
              name: `env-${String(e).padStart(2, '0')}`,
              description: null,
              priorEnvironment: null,
              production: false,
              info: {},
              managementInfo: {},
              values: fs.map((f) => ({
                id: randomUUID(),
                feature: f.key,
                version: 1,
                value: `v-${e}`,
                locked: false,
                retired: false,
                strategies: [],
                applicationStrategies: [],
              })),
              featureGroups: [],
            })),
          };
        }),
      },
    ],
  };
}

/** Registers a person created by an import (with the token of their registration link) and logs them in. */
export async function registerAndLogin(
  baseUrl: string,
  email: string,
  registrationUrl: string,
): Promise<string> {
  const token = new URL(registrationUrl).searchParams.get('token');
  const anonymous = new MrClient(baseUrl);
  const password = `pw-${randomUUID()}`;
  ok(
    await anonymous.post('/authentication', {
      name: email,
      email,
      password,
      confirmPassword: password,
      registrationToken: token,
    }),
    `${email} registers`,
  );
  return ok(await anonymous.post('/login', { email, password }), `${email} logs in`).accessToken;
}
