// Test-only: FeatureHub scaled out over a private NATS and a PostgreSQL database, each role its own
// process (started with `startRole`), data created through MR's admin API over HTTP, and real
// featurehub-javascript-node-sdk@1.4.0 clients.
import { randomBytes } from 'node:crypto';
import type { DachaNATSResponse } from '@fh/contracts';
import { closeAllSdks, sdkClient } from '@fh/edge/testing';
import { connectNatsBus, featureHubSubjects, silentBusLogger } from '@fh/messaging';
import { MrClient } from '@fh/mr/testing';
import {
  type NatsServer,
  type RunningRole,
  startNatsServer,
  startRole,
  type TestDatabase,
} from '@fh/test-support';
import type { EdgeFeatureHubConfig } from 'featurehub-javascript-node-sdk';
import {
  createMigratedDatabase,
  createPortfolioApplication,
  createSdkAccount,
  initializeOrganisation,
  ok,
} from './admin-setup.ts';

export const FEATURE = 'COLOUR';

export interface ScaleOutWorld {
  readonly nats: NatsServer;
  readonly database: TestDatabase;
  readonly cacheName: string;
  /** The environment shared by every role: DB, NATS, cache name, short timings. */
  readonly env: Record<string, string>;
  mr: RunningRole;
  admin: MrClient;
  environmentId: string;
  clientKey: string;
  serverKey: string;
  /** Starts a role with the shared environment; it is stopped (SIGKILL) by `close()`. */
  start(role: string, extraEnv?: Record<string, string>): Promise<RunningRole>;
  /** Starts MR again (after it was stopped) and points `admin` at it; sessions live in the database. */
  restartMr(): Promise<void>;
  /**
   * Asks the Dachas of the cache directly over NATS, `times` times (the queue group spreads the
   * requests over every running Dacha), for the value of `feature`: what each answer held.
   */
  askDachas(times: number, feature?: string): Promise<unknown[]>;
  /** Creates another STRING feature with a value (published as feature messages only). */
  addFeature(key: string, value: string): Promise<void>;
  /** Saves the feature's value through MR's admin API. */
  setValue(value: string): Promise<void>;
  close(): Promise<void>;
}

export async function startScaleOutWorld(): Promise<ScaleOutWorld> {
  const nats = await startNatsServer();
  const database = await createMigratedDatabase('postgres');
  const cacheName = `scale_${randomBytes(4).toString('hex')}`;
  const env = {
    DB_URL: database.url,
    NATS_URL: nats.url,
    CACHE_NAME: cacheName,
    CACHE_TIMEOUT_MS: '400',
    CACHE_CATCH_UP_SECONDS: '1',
    // Long enough that no stream is dropped during a test: "every update" is checked on one stream.
    EDGE_SSE_DROP_AFTER_SECONDS: '300',
    LOG_LEVEL: process.env.FH_TEST_LOG_LEVEL ?? 'info',
  };
  const running: RunningRole[] = [];
  const start = async (role: string, extraEnv: Record<string, string> = {}) => {
    const r = await startRole(role, { env: { ...env, ...extraEnv }, timeoutMs: 30_000 });
    running.push(r);
    return r;
  };

  const mr = await start('mr');
  await mr.waitUntilReady();
  const { admin } = await initializeOrganisation(mr.baseUrl, {
    organizationName: 'Scale-out Org',
    portfolio: 'Scale-out Portfolio',
  });
  const { portfolio, app, environmentId } = await createPortfolioApplication(admin, 'Apps', 'Shop');
  ok(
    await admin.post(`/application/${app.id}/features`, { key: FEATURE, name: FEATURE, valueType: 'STRING' }),
    'feature',
  );
  const account = await createSdkAccount(admin, portfolio.id, environmentId, [
    'READ',
    'CHANGE_VALUE',
    'LOCK',
    'UNLOCK',
  ]);
  let last: Record<string, unknown> | undefined;
  const world: ScaleOutWorld = {
    nats,
    database,
    cacheName,
    env,
    mr,
    admin,
    environmentId,
    // A named cache needs the 3-part key form (`cache/environment/key`); 2-part keys mean `default`.
    clientKey: `${cacheName}/${environmentId}/${account.apiKeyClientSide}`,
    serverKey: `${cacheName}/${environmentId}/${account.apiKeyServerSide}`,
    start,
    async restartMr() {
      world.mr = await start('mr');
      await world.mr.waitUntilReady();
      world.admin = new MrClient(world.mr.baseUrl, world.admin.token);
    },
    async askDachas(times, feature = FEATURE) {
      const bus = await connectNatsBus({ servers: [nats.url], logger: silentBusLogger });
      try {
        const out: unknown[] = [];
        for (let i = 0; i < times; i++) {
          const reply = await bus.request(
            featureHubSubjects(cacheName).edgeRequests,
            { featuresRequest: { eId: environmentId, serviceAccountKey: account.apiKeyServerSide } },
            { timeoutMs: 2000 },
          );
          const answer = reply.data as DachaNATSResponse;
          out.push(answer.featuresResponse?.features?.find((f) => f.feature.key === feature)?.value?.value);
        }
        return out;
      } finally {
        await bus.close();
      }
    },
    async addFeature(key, value) {
      ok(
        await world.admin.post(`/application/${app.id}/features`, { key, name: key, valueType: 'STRING' }),
        key,
      );
      ok(
        await world.admin.put(`/features/${environmentId}/feature/${key}`, {
          key,
          locked: false,
          valueString: value,
        }),
        `${key} value`,
      );
    },
    async setValue(value) {
      const path = `/features/${environmentId}/feature/${FEATURE}`;
      const body = last
        ? { ...last, valueString: value }
        : { key: FEATURE, locked: false, valueString: value };
      let res = await world.admin.put(path, body);
      if (res.status === 409) {
        // Someone else (the test API) changed it: base the change on the current value.
        const current = ok(await world.admin.get(path), 'current value');
        res = await world.admin.put(path, { ...current, valueString: value });
      }
      last = ok(res, `set ${FEATURE}=${value}`);
    },
    async close() {
      await closeAllSdks();
      await Promise.all(running.map((r) => r.stop('SIGKILL')));
      await nats.stop();
      await database.drop();
    },
  };
  await world.setValue('start');
  return world;
}

// ------------------------------------------------------------------ SDK clients

export interface WatchingClient {
  readonly name: string;
  readonly config: EdgeFeatureHubConfig;
  readonly ready: Promise<void>;
  /** Every value of the feature this client has seen, in order (repeats collapsed). */
  readonly seen: string[];
  current(): string | undefined;
}

/** An SDK client on `edgeUrl` watching the feature; SSE unless `pollMs` is given. */
export function watchingClient(
  name: string,
  edgeUrl: string,
  apiKey: string,
  options: { pollMs?: number } = {},
): WatchingClient {
  const sdk = sdkClient(edgeUrl, apiKey, { ...options, init: false });
  const { config } = sdk;
  const seen: string[] = [];
  const record = (value: string | undefined) => {
    if (value !== undefined && seen[seen.length - 1] !== value) seen.push(value);
  };
  config
    .repository()
    .feature(FEATURE)
    .addListener((fs) => record(fs.getString()));
  const ready = sdk.settled.then((r) => {
    if (r === 'Failed') throw new Error(`${name} failed to become ready`);
  });
  config.init();
  return {
    name,
    config,
    ready,
    seen,
    current: () => config.repository().feature(FEATURE).getString(),
  };
}

/** Closes every SDK client, waiting for polls in flight (the 1.4.0 poller has no error listener). */
export { closeAllSdks } from '@fh/edge/testing';

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Waits until `check` holds, or fails with `what` after `timeoutMs`. */
export async function waitFor(check: () => boolean, what: string, timeoutMs = 10_000): Promise<number> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeoutMs)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(10);
  }
  return Date.now() - started;
}

/** Lines of a role's log with this message. */
export function logLines(role: RunningRole, msg: string): unknown[] {
  return role.output
    .map((line) => {
      try {
        return JSON.parse(line) as { msg?: string };
      } catch {
        return undefined;
      }
    })
    .filter((e) => e?.msg === msg);
}
