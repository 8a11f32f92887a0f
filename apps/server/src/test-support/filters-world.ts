// Test-only: a FeatureHub (party server, party-ish with Edge-REST, or MR + Dacha + Edge over NATS) on a fresh
// database of any dialect, with feature filters, extended data and real featurehub-javascript-node-sdk@1.4.0
// clients. Built through MR's admin API over HTTP, as people use it.
import { randomBytes } from 'node:crypto';
import { closeAllSdks, sdkClient } from '@fh/edge/testing';
import type { MrClient } from '@fh/mr/testing';
import {
  type NatsServer,
  type RunningRole,
  startNatsServer,
  startRole,
  type TestDatabase,
  type TestDialect,
} from '@fh/test-support';
import type { EdgeFeatureHubConfig } from 'featurehub-javascript-node-sdk';
import {
  createMigratedDatabase,
  createPortfolioApplication,
  initializeOrganisation,
  ok,
} from './admin-setup.ts';

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

export async function startFiltersWorld(
  topology: FiltersTopology,
  dialect: TestDialect,
): Promise<FiltersWorld> {
  const database: TestDatabase = await createMigratedDatabase(dialect);
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
    const { admin } = await initializeOrganisation(mr.baseUrl, {
      organizationName: 'Filters Org',
      portfolio: 'First',
    });
    const { portfolio, app, environmentId } = await createPortfolioApplication(admin, 'Retail', 'Shop');
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
        await closeAllSdks();
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

export function filteredClient(
  name: string,
  edgeUrl: string,
  apiKey: string,
  options: { pollMs?: number } = {},
): FilteredClient {
  const sdk = sdkClient(edgeUrl, apiKey, { ...options, init: false });
  const { config } = sdk;
  const everHeld = new Set<string>();
  const keys = () => [...config.repository().simpleFeatures().keys()].sort();
  const sample = () => {
    for (const k of keys()) everHeld.add(k);
  };
  config.repository().addPostLoadNewFeatureStateAvailableListener(sample);
  const timer = setInterval(sample, 5);
  timer.unref();
  const ready = sdk.settled.then((r) => {
    sample();
    if (r === 'Failed') throw new Error(`${name} failed to become ready`);
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
      sdk.close();
    },
  };
}
