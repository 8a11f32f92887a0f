import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { MrClient } from '@fh/mr/testing';
import {
  type NatsServer,
  type RunningRole,
  skipUnlessNatsServerBinary,
  skipUnlessService,
  startNatsServer,
  startRole,
  type TestDialect,
  until,
} from '@fh/test-support';
import axios, { type AxiosInstance, type AxiosResponse } from 'axios';
import {
  type ClientContext,
  EdgeFeatureHubConfig,
  FeatureHubPollingClient,
  FHLog,
} from 'featurehub-javascript-node-sdk';
import { createMigratedDatabase } from './test-support/admin-setup.ts';

// Feature groups reaching the real SDK (featurehub-javascript-node-sdk 1.4.0) through every way FeatureHub is
// deployed: the party server (in-process bus) on SQLite, PostgreSQL and MySQL; Edge-REST (party-ish, reading the
// database directly, polling only); and MR, Dacha and Edge as separate processes over NATS on PostgreSQL and
// MySQL. In each, clients of both key kinds over SSE and polling, for a "premium" and a "basic" user, see the
// group's strategy with its member values arrive, change and go. The group operations are called through `axios`
// as upstream's generated typescript-axios client calls them (JSON bodies, a bearer token).

FHLog.fhLog.quiet();

const PLAN_STRATEGY = {
  name: 'premium plan',
  attributes: [{ conditional: 'EQUALS', fieldName: 'plan', type: 'STRING', values: ['premium'] }],
};

/** One way of running FeatureHub: where the admin API and the SDK-facing Edge answer. */
interface Deployment {
  mrUrl: string;
  edgeUrl: string;
  /** Edge-REST serves polling only */
  sse: boolean;
  /** prefix of API keys: '' for the default cache, `${cacheName}/` for a named one */
  keyPrefix: string;
  /** Over NATS: starts one more Dacha and Edge (they fill from the running cache) and gives the Edge's URL. */
  startAnotherEdge?: () => Promise<string>;
  close(): Promise<void>;
}

async function single(role: 'party' | 'party-ish', dialect: TestDialect): Promise<Deployment> {
  const database = await createMigratedDatabase(dialect);
  const server = await startRole(role, { env: { DB_URL: database.url }, timeoutMs: 30_000 });
  await server.waitUntilReady(20_000);
  return {
    mrUrl: server.baseUrl,
    edgeUrl: server.baseUrl,
    sse: role === 'party',
    keyPrefix: '',
    async close() {
      // A graceful stop closes the SDKs' keep-alive sockets cleanly; SIGKILL left one to a late ECONNRESET that
      // the SDK does not handle (an uncaught exception after the tests had passed).
      await server.stop();
      await database.drop();
    },
  };
}

async function overNats(dialect: TestDialect): Promise<Deployment> {
  const nats: NatsServer = await startNatsServer();
  const database = await createMigratedDatabase(dialect);
  const cacheName = `groups_${randomBytes(4).toString('hex')}`;
  const env = {
    DB_URL: database.url,
    NATS_URL: nats.url,
    CACHE_NAME: cacheName,
    CACHE_TIMEOUT_MS: '400',
    CACHE_CATCH_UP_SECONDS: '1',
    EDGE_SSE_DROP_AFTER_SECONDS: '300',
  };
  const running: RunningRole[] = [];
  const start = async (role: string) => {
    const r = await startRole(role, { env, timeoutMs: 30_000 });
    running.push(r);
    return r;
  };
  try {
    const mr = await start('mr');
    await mr.waitUntilReady(20_000);
    const dacha = await start('dacha');
    const edge = await start('edge');
    await Promise.all([dacha.waitUntilReady(20_000), edge.waitUntilReady(20_000)]);
    return {
      mrUrl: mr.baseUrl,
      edgeUrl: edge.baseUrl,
      sse: true,
      keyPrefix: `${cacheName}/`,
      async startAnotherEdge() {
        const [dacha, edge] = await Promise.all([start('dacha'), start('edge')]);
        await Promise.all([dacha.waitUntilReady(20_000), edge.waitUntilReady(20_000)]);
        return edge.baseUrl;
      },
      async close() {
        await Promise.all(running.map((r) => r.stop()));
        await nats.stop();
        await database.drop();
      },
    };
  } catch (err) {
    await Promise.all(running.map((r) => r.stop('SIGKILL')));
    await nats.stop();
    await database.drop();
    throw err;
  }
}

/** What the server answered, for assertion messages. */
function described(res: AxiosResponse): string {
  return `${res.config.method?.toUpperCase()} ${res.config.url} → ${res.status} ${JSON.stringify(res.data)}`;
}

function ok<T = any>(res: { status: number; body: unknown }, what: string): T {
  assert.ok(res.status >= 200 && res.status < 300, `${what}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as T;
}

/** What one SDK client sees for one user. */
interface Watcher {
  name: string;
  colour(): string | undefined;
  flag(): boolean | undefined;
}

const skipSql = async (dialect: 'postgres' | 'mysql') => skipUnlessService(dialect);
const skipNats = async (dialect: 'postgres' | 'mysql') =>
  (await skipUnlessService(dialect)) || (await skipUnlessNatsServerBinary());

const deployments: {
  name: string;
  skip: () => Promise<string | false | undefined>;
  start: () => Promise<Deployment>;
}[] = [
  { name: 'the party server on SQLite', skip: async () => false, start: () => single('party', 'sqlite') },
  {
    name: 'Edge-REST (party-ish) on SQLite',
    skip: async () => false,
    start: () => single('party-ish', 'sqlite'),
  },
  {
    name: 'the party server on PostgreSQL',
    skip: () => skipSql('postgres'),
    start: () => single('party', 'postgres'),
  },
  { name: 'the party server on MySQL', skip: () => skipSql('mysql'), start: () => single('party', 'mysql') },
  {
    name: 'Edge-REST (party-ish) on MySQL',
    skip: () => skipSql('mysql'),
    start: () => single('party-ish', 'mysql'),
  },
  {
    name: 'MR, Dacha and Edge over NATS on PostgreSQL',
    skip: () => skipNats('postgres'),
    start: () => overNats('postgres'),
  },
  {
    name: 'MR, Dacha and Edge over NATS on MySQL',
    skip: () => skipNats('mysql'),
    start: () => overNats('mysql'),
  },
];

for (const deployment of deployments) {
  const skip = await deployment.skip();
  describe(`feature groups reach SDK 1.4.0: ${deployment.name}`, { skip: skip || false }, () => {
    let d: Deployment;
    let admin: MrClient;
    /** As upstream's generated client is configured: the server root, a bearer token, every status returned. */
    let groupsApi: AxiosInstance;
    let appId: string;
    let envId: string;
    let colourId: string;
    let flagId: string;
    let clientKey: string;
    let serverKey: string;
    const configs: EdgeFeatureHubConfig[] = [];
    const premium: Watcher[] = [];
    const basic: Watcher[] = [];

    before(async () => {
      d = await deployment.start();
      const anonymous = new MrClient(d.mrUrl);
      const init = ok<{ accessToken: string }>(
        await anonymous.post('/initialize', {
          organizationName: 'Groups Org',
          portfolio: 'Groups',
          name: 'Ada Admin',
          emailAddress: 'ada@example.com',
          password: 'password123',
        }),
        'initialize',
      );
      admin = anonymous.withToken(init.accessToken);
      groupsApi = axios.create({
        baseURL: d.mrUrl,
        headers: { Authorization: `Bearer ${init.accessToken}` },
        validateStatus: () => true,
      });
      const portfolio = ok<any[]>(await admin.get('/portfolio'), 'portfolios')[0];
      const app = ok<any>(
        await admin.post(`/portfolio/${portfolio.id}/application?includeEnvironments=true`, {
          name: 'shop',
          description: 'the shop',
        }),
        'application',
      );
      appId = app.id;
      envId = app.environments[0].id;
      colourId = ok<any>(
        await admin.post(`/application/${appId}/features`, {
          key: 'COLOUR',
          name: 'Colour',
          valueType: 'STRING',
        }),
        'COLOUR',
      ).find((f: { key: string }) => f.key === 'COLOUR').id;
      flagId = ok<any>(
        await admin.post(`/application/${appId}/features`, {
          key: 'FLAG',
          name: 'Flag',
          valueType: 'BOOLEAN',
        }),
        'FLAG',
      ).find((f: { key: string }) => f.key === 'FLAG').id;
      await setValue('COLOUR', { valueString: 'red' });
      await setValue('FLAG', { valueBoolean: false });
      const sa = ok<any>(
        await admin.post(`/portfolio/${portfolio.id}/service-account`, {
          name: 'sdk',
          description: 'the shop',
          permissions: [{ environmentId: envId, permissions: ['READ'] }],
        }),
        'service account',
      );
      clientKey = `${d.keyPrefix}${envId}/${sa.apiKeyClientSide}`;
      serverKey = `${d.keyPrefix}${envId}/${sa.apiKeyServerSide}`;

      // Every client kind the deployment serves, for both users; connected before any group exists.
      const transports = d.sse ? (['sse', 'polling'] as const) : (['polling'] as const);
      for (const transport of transports) {
        const connect = (key: string) => {
          const config = new EdgeFeatureHubConfig(d.edgeUrl, key);
          configs.push(config);
          if (transport === 'polling') {
            config.edgeServiceProvider((repo, c) => new FeatureHubPollingClient(repo, c, 100));
          }
          return config;
        };
        // Client-evaluated: one connection, evaluated in the SDK per context.
        const clientEval = connect(clientKey);
        for (const [plan, list] of [
          ['premium', premium],
          ['basic', basic],
        ] as const) {
          const ctx = await clientEval.newContext().attributeValue('plan', plan).build();
          list.push(watcher(`${transport} client-evaluated ${plan}`, ctx));
          // Server-evaluated: the context travels to Edge, one connection each.
          const serverCtx = await connect(serverKey).newContext().attributeValue('plan', plan).build();
          list.push(watcher(`${transport} server-evaluated ${plan}`, serverCtx));
        }
      }
      await everyone('the values before any group', (w) => w.colour() === 'red' && w.flag() === false);
    });

    after(async () => {
      for (const c of configs) c.close();
      await d?.close();
    });

    async function setValue(key: string, change: Record<string, unknown>): Promise<void> {
      const current = await admin.get(`/features/${envId}/feature/${key}`);
      const body =
        current.status === 200
          ? { ...(current.body as object), locked: false, ...change }
          : { key, locked: false, ...change };
      const res =
        current.status === 200
          ? await admin.put(`/features/${envId}/feature/${key}`, body)
          : await admin.post(`/features/${envId}/feature/${key}`, body);
      ok(res, `${key} value`);
    }

    function watcher(name: string, ctx: ClientContext): Watcher {
      return {
        name,
        colour: () => ctx.feature('COLOUR').getString(),
        flag: () => ctx.feature('FLAG').getBoolean(),
      };
    }

    async function everyone(what: string, check: (w: Watcher) => boolean, list = [...premium, ...basic]) {
      try {
        await until(what, () => list.every(check), 15_000);
      } catch (err) {
        const states = list.map((w) => `${w.name}: ${w.colour()} ${w.flag()}`).join('\n');
        throw new Error(`${(err as Error).message}\n${states}`);
      }
    }

    it('a new group sends its strategy with each member value to the users it matches, and no one else', async () => {
      const created = await groupsApi.post(`/mr-api/application/${appId}/feature-groups`, {
        name: 'Premium',
        description: 'what premium users get',
        environmentId: envId,
        features: [
          { id: colourId, value: 'gold' },
          { id: flagId, value: true },
        ],
        strategies: [PLAN_STRATEGY],
      });
      assert.equal(created.status, 201, described(created));
      await everyone(
        'premium users to get the group values',
        (w) => w.colour() === 'gold' && w.flag() === true,
        premium,
      );
      await everyone(
        'basic users to keep the defaults',
        (w) => w.colour() === 'red' && w.flag() === false,
        basic,
      );
    });

    it('a changed member value reaches clients; the feature value shows the group strategy read-only', async () => {
      const listed = await groupsApi.get(`/mr-api/application/${appId}/feature-groups`, {
        params: { environmentId: envId },
      });
      assert.equal(listed.status, 200, described(listed));
      assert.equal(listed.data.count, 1);
      const got = await groupsApi.get(
        `/mr-api/application/${appId}/feature-groups/${listed.data.featureGroups[0].id}`,
      );
      assert.equal(got.status, 200, described(got));
      const group = got.data;
      const updated = await groupsApi.put(`/mr-api/application/${appId}/feature-groups`, {
        id: group.id,
        version: group.version,
        features: [
          { id: colourId, value: 'platinum' },
          { id: flagId, value: true },
        ],
      });
      assert.equal(updated.status, 200, described(updated));
      await everyone('premium users to get the new member value', (w) => w.colour() === 'platinum', premium);
      await everyone('basic users to keep the default', (w) => w.colour() === 'red', basic);

      const value = ok<any>(await admin.get(`/features/${envId}/feature/COLOUR`), 'COLOUR value');
      assert.deepEqual(value.featureGroupStrategies, [
        { name: 'Premium', value: 'platinum', featureGroupId: group.id },
      ]);
      assert.deepEqual(value.rolloutStrategies, []);
    });

    if (deployment.name.includes('NATS')) {
      it('a Dacha and an Edge started after the group changed serve its strategy too', async () => {
        const edgeUrl = await d.startAnotherEdge!();
        for (const key of [serverKey, clientKey]) {
          const config = new EdgeFeatureHubConfig(edgeUrl, key);
          configs.push(config);
          config.edgeServiceProvider((repo, c) => new FeatureHubPollingClient(repo, c, 100));
          const late = watcher(
            `late polling ${key === serverKey ? 'server' : 'client'}-evaluated premium`,
            await config.newContext().attributeValue('plan', 'premium').build(),
          );
          await everyone(
            'a client of the new Edge to get the group value',
            (w) => w.colour() === 'platinum',
            [late],
          );
        }
      });
    }

    it('deleting the group takes its strategy away from every client', async () => {
      const listed = await groupsApi.get(`/mr-api/application/${appId}/feature-groups`);
      assert.equal(listed.status, 200, described(listed));
      const res = await groupsApi.delete(
        `/mr-api/application/${appId}/feature-groups/${listed.data.featureGroups[0].id}`,
      );
      assert.equal(res.status, 204, described(res));
      await everyone('everyone back on the defaults', (w) => w.colour() === 'red' && w.flag() === false);
    });
  });
}
