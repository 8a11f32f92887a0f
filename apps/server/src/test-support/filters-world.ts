// Test-only: a FeatureHub (party server, party-ish with Edge-REST, or MR + Dacha + Edge over NATS) on a fresh
// database of any dialect, with feature filters, extended data and real featurehub-javascript-node-sdk@1.4.0
// clients. Built through MR's admin API over HTTP, as people use it.
import { randomBytes } from 'node:crypto';
import { openDatabase, schemaFingerprint } from '@fh/mr';
import { MrClient } from '@fh/mr/testing';
import {
  createTestDatabase,
  type NatsServer,
  type RunningRole,
  startNatsServer,
  startRole,
  type TestDatabase,
  type TestDialect,
} from '@fh/test-support';
import {
  EdgeFeatureHubConfig,
  FeatureHubPollingClient,
  FHLog,
  Readyness,
} from 'featurehub-javascript-node-sdk';

FHLog.fhLog.quiet();

/** How the processes are laid out. */
export type FiltersTopology = 'party' | 'party-ish' | 'nats';

/** As upstream's e2e suite configures its server for `@extended-data`. */
export const FEATURE_PROPERTIES =
  'appName={{{feature.parentApplication.name}}},portfolio={{{feature.parentApplication.portfolio.name}}},category={{{metadata.category}}}';

export interface FiltersWorld {
  admin: MrClient;
  /** Where SDKs connect. */
  edgeUrl: string;
  portfolioId: string;
  applicationId: string;
  environmentId: string;
  filters: { mobile: string; server: string };
  /** Keys: `cache/env/key` or `env/key`. */
  keys: {
    mobileClient: string;
    mobileServer: string;
    allClient: string;
    allServer: string;
  };
  /** The service account without filters (it holds EXTENDED_DATA). */
  allAccountId: string;
  /** Sets a feature's filters through the admin API (PUT of the feature with its `featureFilter`). */
  setFeatureFilters(key: string, filterIds: string[]): Promise<void>;
  /** Sets a feature's metadata through the admin API. */
  setMetadata(key: string, metaData: string): Promise<void>;
  close(): Promise<void>;
}

function ok(res: { status: number; body: any }, what: string): any {
  if (res.status < 200 || res.status > 299) {
    throw new Error(`${what} failed: ${res.status} ${JSON.stringify(res.body)}`);
  }
  return res.body;
}

export async function startFiltersWorld(
  topology: FiltersTopology,
  dialect: TestDialect,
): Promise<FiltersWorld> {
  const database: TestDatabase = await createTestDatabase(dialect, {
    templateKey: `mr_${schemaFingerprint()}`,
    prepare: async (url) => {
      const db = await openDatabase({ url });
      await db.migrate();
      await db.close();
    },
  });
  let nats: NatsServer | undefined;
  const cacheName = topology === 'nats' ? `filters_${randomBytes(4).toString('hex')}` : 'default';
  const env: Record<string, string> = {
    DB_URL: database.url,
    SDK_FEATURE_PROPERTIES: FEATURE_PROPERTIES,
    EDGE_SSE_DROP_AFTER_SECONDS: '300',
    LOG_LEVEL: process.env.FH_TEST_LOG_LEVEL ?? 'info',
  };
  if (topology === 'nats') {
    nats = await startNatsServer();
    Object.assign(env, {
      NATS_URL: nats.url,
      CACHE_NAME: cacheName,
      CACHE_TIMEOUT_MS: '400',
      CACHE_CATCH_UP_SECONDS: '1',
    });
  }
  const running: RunningRole[] = [];
  const start = async (role: string) => {
    const r = await startRole(role, { env, timeoutMs: 30_000 });
    running.push(r);
    await r.waitUntilReady(30_000);
    return r;
  };
  try {
    const mr = await start(topology === 'nats' ? 'mr' : topology);
    const anonymous = new MrClient(mr.baseUrl);
    const init = ok(
      await anonymous.post('/initialize', {
        organizationName: 'Filters Org',
        portfolio: 'First',
        name: 'Super User',
        emailAddress: 'superuser@example.com',
        password: 'password123',
      }),
      'initialize',
    );
    const admin = anonymous.withToken(init.accessToken);
    const portfolio = ok(await admin.post('/portfolio', { name: 'Retail', description: '' }), 'portfolio');
    const app = ok(
      await admin.post(`/portfolio/${portfolio.id}/application?includeEnvironments=true`, {
        name: 'Shop',
        description: '',
      }),
      'application',
    );
    const environmentId: string = app.environments[0].id;
    const filter = async (name: string) =>
      ok(await admin.post(`/portfolio/${portfolio.id}/feature-filter`, { name, description: name }), name).id;
    const filters = { mobile: await filter('mobile'), server: await filter('server') };
    const feature = async (key: string, featureFilter: string[], metaData?: string) => {
      ok(
        await admin.post(`/application/${app.id}/features`, {
          key,
          name: key,
          valueType: 'STRING',
          featureFilter,
          ...(metaData ? { metaData } : {}),
        }),
        key,
      );
      ok(
        await admin.put(`/features/${environmentId}/feature/${key}`, {
          key,
          locked: false,
          valueString: `${key.toLowerCase()}-value`,
        }),
        `${key} value`,
      );
    };
    await feature('MOBILE_ONLY', [filters.mobile]);
    await feature('SERVER_ONLY', [filters.server]);
    await feature('UNTAGGED', []);
    await feature('SHOES', [filters.mobile, filters.server], '{"category":"shoes"}');
    const account = async (name: string, roles: string[], featureFilter: string[]) =>
      ok(
        await admin.post(`/portfolio/${portfolio.id}/service-account?includePermissions=true`, {
          name,
          description: name,
          featureFilter,
          permissions: [{ environmentId, permissions: roles }],
        }),
        name,
      );
    const mobile = await account('mobile-sdk', ['READ'], [filters.mobile]);
    const all = await account('all-sdk', ['READ', 'EXTENDED_DATA'], []);

    let edgeUrl = mr.baseUrl;
    if (topology === 'nats') {
      await start('dacha');
      edgeUrl = (await start('edge')).baseUrl;
    }
    const prefix = topology === 'nats' ? `${cacheName}/${environmentId}` : environmentId;
    const world: FiltersWorld = {
      admin,
      edgeUrl,
      portfolioId: portfolio.id,
      applicationId: app.id,
      environmentId,
      filters,
      keys: {
        mobileClient: `${prefix}/${mobile.apiKeyClientSide}`,
        mobileServer: `${prefix}/${mobile.apiKeyServerSide}`,
        allClient: `${prefix}/${all.apiKeyClientSide}`,
        allServer: `${prefix}/${all.apiKeyServerSide}`,
      },
      allAccountId: all.id,
      async setFeatureFilters(key, filterIds) {
        const current = ok(await admin.get(`/application/${app.id}/features/${key}`), `get ${key}`);
        ok(
          await admin.put(`/application/${app.id}/features/${key}`, { ...current, featureFilter: filterIds }),
          `filters of ${key}`,
        );
      },
      async setMetadata(key, metaData) {
        const current = ok(
          await admin.get(`/application/${app.id}/features/${key}?includeMetaData=true`),
          `get ${key}`,
        );
        ok(
          await admin.put(`/application/${app.id}/features/${key}`, { ...current, metaData }),
          `metadata of ${key}`,
        );
      },
      async close() {
        await closeSdks();
        await Promise.all(running.map((r) => r.stop('SIGKILL')));
        await nats?.stop();
        await database.drop();
      },
    };
    return world;
  } catch (err) {
    await Promise.all(running.map((r) => r.stop('SIGKILL')));
    await nats?.stop();
    await database.drop();
    throw err;
  }
}

// ------------------------------------------------------------------ SDK clients

/** A real SDK client, and every feature key it has ever held (sampled on each of its changes and every 5 ms). */
export interface FilteredClient {
  readonly name: string;
  readonly config: EdgeFeatureHubConfig;
  readonly ready: Promise<void>;
  /** Keys present now. */
  keys(): string[];
  /** Every key the client has held at any moment since it started. */
  readonly everHeld: Set<string>;
  /** Feature properties (`fp`) of a feature as the SDK holds them. */
  properties(key: string): Record<string, string> | undefined;
  stop(): void;
}

const configs = new Set<EdgeFeatureHubConfig>();
const pollers = new Set<FeatureHubPollingClient>();

export function filteredClient(
  name: string,
  edgeUrl: string,
  apiKey: string,
  options: { pollMs?: number } = {},
): FilteredClient {
  const config = new EdgeFeatureHubConfig(edgeUrl, apiKey);
  configs.add(config);
  if (options.pollMs !== undefined) {
    const ms = options.pollMs;
    config.edgeServiceProvider((repo, c) => {
      const client = new FeatureHubPollingClient(repo, c, ms);
      pollers.add(client);
      return client;
    });
  }
  const everHeld = new Set<string>();
  const keys = () => [...config.repository().simpleFeatures().keys()].sort();
  const sample = () => {
    for (const k of keys()) everHeld.add(k);
  };
  config.repository().addPostLoadNewFeatureStateAvailableListener(sample);
  const timer = setInterval(sample, 5);
  timer.unref();
  const ready = new Promise<void>((resolve, reject) => {
    config.addReadinessListener((r) => {
      sample();
      if (r === Readyness.Ready) resolve();
      else if (r === Readyness.Failed) reject(new Error(`${name} failed to become ready`));
    }, true);
  });
  config.init();
  return {
    name,
    config,
    ready,
    keys: () => {
      sample();
      return keys();
    },
    everHeld,
    properties: (key) => config.repository().feature(key).featureProperties,
    stop: () => {
      clearInterval(timer);
      config.close();
      configs.delete(config);
    },
  };
}

async function closeSdks(): Promise<void> {
  const services: { busy: boolean }[] = [];
  for (const p of pollers) {
    const service = (p as unknown as { _pollingService?: { busy: boolean } })._pollingService;
    if (service) services.push(service);
  }
  for (const c of configs) c.close();
  configs.clear();
  pollers.clear();
  const deadline = Date.now() + 5000;
  while (services.some((s) => s.busy) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
}
