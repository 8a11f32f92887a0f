// Scaled-out roles, each its own process (`featurehub mr|dacha|edge|edge-rest`) on a private nats-server
// and PostgreSQL (SQLite when PostgreSQL is not running):
// - scale-out-sse: 100 admin-API saves, each timed from just before the PUT until an SSE client of a
//   separate Edge reads the `feature` event (MR → NATS → Edge; the Edge got the stream's state from a
//   separate Dacha over NATS);
// - edge-rest-polling: GET /features requests per second on Edge-REST (database-backed, no NATS).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, schemaFingerprint } from '@fh/mr';
import {
  createTestDatabase,
  type NatsServer,
  natsServerBinary,
  type RunningRole,
  skipUnlessService,
  startNatsServer,
  startRole,
} from '@fh/test-support';
import { BenchProcess, wallClockMs } from '../lib/ipc.ts';
import type { RunOptions, Scenario, ScenarioOutcome } from '../lib/scenario.ts';
import { openSse, type SseFrame } from '../lib/sse-reader.ts';
import { distribution, round } from '../lib/stats.ts';
import type { LoadRequest, LoadResult } from '../processes/load-generator.ts';

const SAVES = 100;
const WARMUP_SAVES = 5;
const TARGET_P50_MS = 50;
const FEATURE_KEY = 'BENCH_FLAG';

interface Stack {
  readonly env: Record<string, string>;
  readonly database: string;
  start(role: string, extra?: Record<string, string>): Promise<RunningRole>;
  stop(): Promise<void>;
}

/** A database (PostgreSQL if it runs, else a SQLite file) and a private nats-server. */
async function stack(): Promise<Stack> {
  const usePostgres = (await skipUnlessService('postgres')) === false;
  const cleanups: (() => Promise<void> | void)[] = [];
  let url: string;
  if (usePostgres) {
    const db = await createTestDatabase('postgres', {
      templateKey: `mr_${schemaFingerprint()}`,
      prepare: async (u) => {
        const d = await openDatabase({ url: u });
        await d.migrate();
        await d.close();
      },
    });
    cleanups.push(() => db.drop());
    url = db.url;
  } else {
    const dir = mkdtempSync(join(tmpdir(), 'fh-bench-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    url = `sqlite:${join(dir, 'featurehub.db')}`;
  }
  let nats: NatsServer | undefined;
  if (natsServerBinary()) {
    nats = await startNatsServer();
    cleanups.push(() => nats?.stop());
  }
  const env: Record<string, string> = {
    DB_URL: url,
    LOG_LEVEL: 'info',
    EDGE_SSE_DROP_AFTER_SECONDS: '3600',
    CACHE_TIMEOUT_MS: '300',
    ...(nats ? { NATS_URL: nats.url } : {}),
  };
  const roles: RunningRole[] = [];
  return {
    env,
    database: usePostgres ? 'postgres' : 'sqlite (file)',
    async start(role, extra = {}) {
      const r = await startRole(role, { env: { ...env, ...extra }, timeoutMs: 60_000 });
      roles.push(r);
      await r.waitUntilReady(30_000);
      return r;
    },
    async stop() {
      await Promise.all(roles.map((r) => r.stop()));
      for (const c of cleanups.reverse()) await c();
    },
  };
}

class Admin {
  token: string | undefined;
  constructor(readonly base: string) {}
  // biome-ignore lint/suspicious/noExplicitAny: admin-API bodies are used loosely here
  async call<T = any>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${this.base}/mr-api${path}`, {
      method,
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(this.token === undefined ? {} : { authorization: `Bearer ${this.token}` }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    if (response.status >= 400)
      throw new Error(`${method} ${path} answered ${response.status}: ${text.slice(0, 300)}`);
    return (text === '' ? undefined : JSON.parse(text)) as T;
  }
}

/** initialize → portfolio → application (with its environment) → flag → service account. */
async function setUp(
  mr: RunningRole,
): Promise<{ admin: Admin; environmentId: string; clientKey: string; serverKey: string }> {
  const admin = new Admin(mr.baseUrl);
  const init = await admin.call('POST', '/initialize', {
    organizationName: 'Bench Org',
    portfolio: 'Bench Portfolio',
    name: 'Bench Admin',
    emailAddress: 'bench@example.com',
    password: 'bench-password-1',
  });
  admin.token = init.accessToken;
  const portfolio = await admin.call('POST', '/portfolio', { name: 'Scale-out bench', description: '' });
  const app = await admin.call('POST', `/portfolio/${portfolio.id}/application?includeEnvironments=true`, {
    name: 'bench-app',
    description: '',
  });
  const environmentId: string = app.environments[0].id;
  await admin.call('POST', `/application/${app.id}/features`, {
    key: FEATURE_KEY,
    name: FEATURE_KEY,
    valueType: 'BOOLEAN',
  });
  const account = await admin.call('POST', `/portfolio/${portfolio.id}/service-account`, {
    name: 'bench-sdk',
    description: '',
    permissions: [{ environmentId, permissions: ['READ'] }],
  });
  return { admin, environmentId, clientKey: account.apiKeyClientSide, serverKey: account.apiKeyServerSide };
}

export const scaleOutSse: Scenario = {
  name: 'scale-out-sse',
  description: `mr + dacha + edge processes over NATS: ${SAVES} admin-API saves → SSE client update`,
  async run(options: RunOptions): Promise<ScenarioOutcome> {
    if (!natsServerBinary())
      return notRun('no nats-server binary', `MR save → SDK update p50 ≤ ${TARGET_P50_MS} ms`);
    const s = await stack();
    let sse: ReturnType<typeof openSse> | undefined;
    try {
      const mr = await s.start('mr');
      const setup = await setUp(mr);
      const [, edge] = await Promise.all([s.start('dacha'), s.start('edge')]);

      const received = new Map<number, SseFrame>();
      const waiters = new Map<number, (frame: SseFrame) => void>();
      let featuresSeen!: () => void;
      const featuresArrived = new Promise<void>((r) => {
        featuresSeen = r;
      });
      sse = openSse(`${edge!.baseUrl}/features/${setup.environmentId}/${setup.clientKey}`, (frame) => {
        if (frame.event === 'features') featuresSeen();
        else if (frame.event === 'feature') {
          const state = JSON.parse(frame.data) as { key?: string; version?: number };
          if (state.key !== FEATURE_KEY || state.version === undefined) return;
          received.set(state.version, frame);
          waiters.get(state.version)?.(frame);
        }
      });
      await withTimeout(featuresArrived, 10_000, 'SSE stream sent no features');

      const path = `/features/${setup.environmentId}/feature/${FEATURE_KEY}`;
      let current = await setup.admin.call('GET', path);
      let value = false;
      const save = async (): Promise<number> => {
        value = !value;
        const started = wallClockMs();
        current = await setup.admin.call('PUT', path, {
          ...current,
          locked: false,
          valueBoolean: value,
          value,
        });
        const version = current.version as number;
        const frame = await withTimeout(
          new Promise<SseFrame>((resolve) => {
            const held = received.get(version);
            if (held) resolve(held);
            else waiters.set(version, resolve);
          }),
          5000,
          `no SSE feature event for version ${version}`,
        );
        waiters.delete(version);
        return frame.at - started;
      };
      for (let i = 0; i < WARMUP_SAVES; i++) await save();
      const latencies: number[] = [];
      for (let i = 0; i < SAVES; i++) latencies.push(await save());
      const d = distribution(latencies);
      options.log(`  ${SAVES} saves: p50 ${d.p50} ms`);
      return {
        status: 'measured',
        table: {
          headers: ['measure', 'count', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'mean ms'],
          rows: [
            ['PUT feature value → SSE `feature` event via NATS', d.count, d.p50, d.p95, d.p99, d.max, d.mean],
          ],
        },
        targets: [
          {
            target: `MR save → SDK update through NATS, separate Dacha and Edge, p50 ≤ ${TARGET_P50_MS} ms`,
            measured: `p50 ${d.p50} ms (p95 ${d.p95}, p99 ${d.p99})`,
            met: d.p50 <= TARGET_P50_MS,
          },
        ],
        details: { saves: SAVES, warmupSaves: WARMUP_SAVES, database: s.database, latencyMs: d },
      };
    } finally {
      sse?.close();
      await s.stop();
    }
  },
};

export const edgeRestPolling: Scenario = {
  name: 'edge-rest-polling',
  description: 'GET /features on Edge-REST (database-backed, no NATS)',
  async run(options: RunOptions): Promise<ScenarioOutcome> {
    const s = await stack();
    const load = BenchProcess.start('load-generator.ts');
    try {
      const mr = await s.start('mr');
      const setup = await setUp(mr);
      const valuePath = `/features/${setup.environmentId}/feature/${FEATURE_KEY}`;
      const flag = await setup.admin.call('GET', valuePath);
      await setup.admin.call('PUT', valuePath, { ...flag, locked: false, valueBoolean: true, value: true });
      const rest = await s.start('edge-rest', { NATS_URL: '' });
      const rows: (string | number)[][] = [];
      const results: Record<string, LoadResult> = {};
      for (const [name, key] of [
        ['client-eval key', setup.clientKey],
        ['server-eval key', setup.serverKey],
      ] as const) {
        const path = `/features?apiKey=${encodeURIComponent(`${setup.environmentId}/${key}`)}`;
        const check = await fetch(`${rest.baseUrl}${path}`);
        if (check.status !== 200)
          throw new Error(`edge-rest answered ${check.status}: ${await check.text()}`);
        const request = (durationSeconds: number) =>
          load.request<LoadResult>('run', {
            url: rest.baseUrl,
            connections: options.connections,
            durationSeconds,
            requests: [{ path }],
          } satisfies LoadRequest);
        await request(2);
        const r = await request(options.durationSeconds);
        if (r.non2xx > 0 || r.errors > 0) throw new Error(`${r.non2xx} non-2xx answers, ${r.errors} errors`);
        results[name] = r;
        rows.push([name, Math.round(r.rps), `${r.latencyP50}/${r.latencyP99}`]);
        options.log(`  ${name}: ${Math.round(r.rps)} rps`);
      }
      return {
        status: 'measured',
        table: { headers: ['variant', 'rps', 'p50/p99 ms'], rows },
        targets: [
          {
            target: 'GET /features requests per second on edge-rest (reported)',
            measured: rows.map((r) => `${r[0]}: ${r[1]} rps`).join(', '),
            met: true,
          },
        ],
        details: {
          database: s.database,
          connections: options.connections,
          results: Object.fromEntries(
            Object.entries(results).map(([k, v]) => [k, { ...v, rps: round(v.rps) }]),
          ),
        },
      };
    } finally {
      await load.stop();
      await s.stop();
    }
  },
};

function notRun(reason: string, target: string): ScenarioOutcome {
  return {
    status: 'not-run',
    reason,
    table: { headers: [], rows: [] },
    targets: [{ target, measured: 'not measured', met: undefined }],
    details: { reason },
  };
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(message)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
