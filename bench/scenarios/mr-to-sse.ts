// The party server (MR + in-process Dacha + Edge on SQLite, started as `featurehub party`) with one
// SSE client: 100 feature-value saves through the admin API, each timed from just before the PUT
// until the client reads the `feature` event carrying the new version.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRole } from '@fh/test-support';
import { wallClockMs } from '../lib/ipc.ts';
import type { RunOptions, Scenario, ScenarioOutcome } from '../lib/scenario.ts';
import { openSse, type SseFrame } from '../lib/sse-reader.ts';
import { distribution } from '../lib/stats.ts';

const SAVES = 100;
const WARMUP_SAVES = 5;
const TARGET_P50_MS = 10;
const FEATURE_KEY = 'BENCH_FLAG';

class NotAvailable extends Error {}

/** A thin admin-API client; answers that show the API is not there yet become NotAvailable. */
class MrClient {
  token: string | undefined;
  constructor(readonly base: string) {}

  async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${this.base}${path}`, {
      method,
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(this.token === undefined ? {} : { authorization: `Bearer ${this.token}` }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    if (response.status === 404 && text.includes('No route for'))
      throw new NotAvailable(`${method} ${path} is not served yet`);
    if (response.status === 501)
      throw new NotAvailable(`${method} ${path}: not implemented (${text.slice(0, 200)})`);
    if (response.status >= 400)
      throw new Error(`${method} ${path} answered ${response.status}: ${text.slice(0, 500)}`);
    return (text === '' ? undefined : JSON.parse(text)) as T;
  }
}

interface Named {
  id: string;
  name: string;
}
interface FeatureValue {
  id?: string;
  key: string;
  locked: boolean;
  value?: unknown;
  version?: number;
  environmentId?: string;
}

/** Builds portfolio → application → environment → feature → service account through the admin API. */
async function setUp(mr: MrClient): Promise<{ environmentId: string; clientKey: string; version: number }> {
  const admin = await mr.call<{ accessToken?: string }>('POST', '/mr-api/initialize', {
    organizationName: 'Bench Org',
    portfolio: 'Bench Portfolio',
    name: 'Bench Admin',
    emailAddress: 'bench@example.com',
    password: 'bench-password-1',
  });
  if (admin.accessToken == null) throw new Error('initialize gave no access token');
  mr.token = admin.accessToken;

  const portfolios = await mr.call<Named[]>('GET', '/mr-api/portfolio');
  const portfolio =
    portfolios.find((p) => p.name === 'Bench Portfolio') ??
    (await mr.call<Named>('POST', '/mr-api/portfolio', { name: 'Bench Portfolio' }));
  const application = await mr.call<Named>('POST', `/mr-api/portfolio/${portfolio.id}/application`, {
    name: 'bench-app',
    description: 'bench application',
  });
  const environments = await mr.call<Named[]>('GET', `/mr-api/application/${application.id}/environment`);
  const environment =
    environments[0] ??
    (await mr.call<Named>('POST', `/mr-api/application/${application.id}/environment`, {
      name: 'production',
    }));
  await mr.call('POST', `/mr-api/application/${application.id}/features`, {
    key: FEATURE_KEY,
    name: 'Bench flag',
    valueType: 'BOOLEAN',
  });
  const account = await mr.call<{ apiKeyClientSide?: string | null }>(
    'POST',
    `/mr-api/portfolio/${portfolio.id}/service-account`,
    {
      name: 'bench-sdk',
      description: 'bench SDK key',
      permissions: [{ environmentId: environment.id, permissions: ['READ'] }],
    },
  );
  if (account.apiKeyClientSide == null) throw new Error('service account has no client-side key');
  const current = await mr.call<FeatureValue>(
    'GET',
    `/mr-api/features/${environment.id}/feature/${FEATURE_KEY}`,
  );
  return {
    environmentId: environment.id,
    clientKey: account.apiKeyClientSide,
    version: current.version ?? 0,
  };
}

export const mrToSse: Scenario = {
  name: 'mr-to-sse',
  description: `party server: ${SAVES} admin-API feature saves → SSE client update`,
  async run(options: RunOptions): Promise<ScenarioOutcome> {
    const dir = mkdtempSync(join(tmpdir(), 'fh-bench-'));
    const party = await startRole('party', {
      env: {
        DB_URL: `sqlite:${join(dir, 'featurehub.db')}`,
        LOG_LEVEL: 'info', // startRole waits for the 'listening' line
        EDGE_SSE_DROP_AFTER_SECONDS: '3600',
      },
      timeoutMs: 60_000,
    });
    let sse: ReturnType<typeof openSse> | undefined;
    try {
      await party.waitUntilReady(30_000);
      const mr = new MrClient(party.baseUrl);
      let setup: Awaited<ReturnType<typeof setUp>>;
      try {
        setup = await setUp(mr);
      } catch (err) {
        if (err instanceof NotAvailable) return notRun(err.message);
        throw err;
      }

      // One SSE client. Events are kept by version: the event may arrive before the PUT's answer.
      const received = new Map<number, SseFrame>();
      const waiters = new Map<number, (frame: SseFrame) => void>();
      let failure: string | undefined;
      let featuresSeen!: () => void;
      const featuresArrived = new Promise<void>((r) => {
        featuresSeen = r;
      });
      sse = openSse(`${party.baseUrl}/features/${setup.environmentId}/${setup.clientKey}`, (frame) => {
        if (frame.event === 'features') featuresSeen();
        else if (frame.event === 'failure') failure = frame.data;
        else if (frame.event === 'feature') {
          const state = JSON.parse(frame.data) as { key?: string; version?: number };
          if (state.key !== FEATURE_KEY || state.version === undefined) return;
          received.set(state.version, frame);
          waiters.get(state.version)?.(frame);
        }
      });
      await withTimeout(featuresArrived, 10_000, 'SSE stream sent no features');
      const eventFor = (version: number) =>
        withTimeout(
          new Promise<SseFrame>((resolve) => {
            const held = received.get(version);
            if (held !== undefined) resolve(held);
            else waiters.set(version, resolve);
          }),
          5000,
          `no SSE feature event for version ${version}${failure === undefined ? '' : ` (failure: ${failure})`}`,
        );

      let version = setup.version;
      let value = false;
      const save = async (): Promise<number> => {
        value = !value;
        const started = wallClockMs();
        const saved = await mr.call<FeatureValue>(
          'PUT',
          `/mr-api/features/${setup.environmentId}/feature/${FEATURE_KEY}`,
          { key: FEATURE_KEY, locked: false, value, version, environmentId: setup.environmentId },
        );
        if (saved.version === undefined) throw new Error('the saved feature value has no version');
        version = saved.version;
        const frame = await eventFor(version);
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
          rows: [['PUT feature value → SSE `feature` event', d.count, d.p50, d.p95, d.p99, d.max, d.mean]],
        },
        targets: [
          {
            target: `MR save → SSE client update, p50 ≤ ${TARGET_P50_MS} ms over ${SAVES} updates`,
            measured: `p50 ${d.p50} ms (p95 ${d.p95}, p99 ${d.p99})`,
            met: d.p50 <= TARGET_P50_MS,
          },
        ],
        details: { saves: SAVES, warmupSaves: WARMUP_SAVES, database: 'sqlite (file)', latencyMs: d },
      };
    } finally {
      sse?.close();
      await party.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  },
};

function notRun(reason: string): ScenarioOutcome {
  return {
    status: 'not-run',
    reason,
    table: { headers: [], rows: [] },
    targets: [
      {
        target: `MR save → SSE client update, p50 ≤ ${TARGET_P50_MS} ms over ${SAVES} updates`,
        measured: 'not measured',
        met: undefined,
      },
    ],
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
