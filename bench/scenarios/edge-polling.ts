// `GET /features` for 100 features with strategies: Edge against a bare node:http server sending the
// same bytes, same connections and duration, one after the other in one run.
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { benchContexts, CLIENT_KEY, FEATURE_COUNT, pollPath, SERVER_KEY } from '../fixtures/environment.ts';
import { BenchProcess, benchRoot } from '../lib/ipc.ts';
import type { RunOptions, Scenario, ScenarioOutcome } from '../lib/scenario.ts';
import { round } from '../lib/stats.ts';
import type { LoadRequest, LoadResult } from '../processes/load-generator.ts';
import type { RecordedResponse } from '../processes/plain-server.ts';

interface Variant {
  readonly name: string;
  readonly requests: { path: string; headers?: Record<string, string> }[];
}

const WARMUP_SECONDS = 2;
const TARGET_RATIO = 0.5;
// Headers a poll answer carries that the baseline must send too (Node adds date/connection itself).
const COPIED_HEADERS = [
  'content-type',
  'etag',
  'cache-control',
  'access-control-allow-origin',
  'access-control-expose-headers',
  'x-accel-buffering',
];

function variants(): Variant[] {
  return [
    { name: 'client-eval key', requests: [{ path: pollPath(CLIENT_KEY, undefined) }] },
    { name: 'server-eval key, no context', requests: [{ path: pollPath(SERVER_KEY, undefined) }] },
    {
      name: 'server-eval key, x-featurehub (20 users)',
      requests: benchContexts().map((ctx) => ({
        path: pollPath(SERVER_KEY, ctx),
        headers: { 'x-featurehub': ctx },
      })),
    },
  ];
}

async function record(
  base: string,
  path: string,
  contextHeader: string | undefined,
): Promise<RecordedResponse> {
  const response = await fetch(`${base}${path}`, {
    headers: contextHeader === undefined ? {} : { 'x-featurehub': contextHeader },
  });
  const body = await response.text();
  const headers: Record<string, string> = {};
  for (const name of COPIED_HEADERS) {
    const value = response.headers.get(name);
    if (value !== null) headers[name] = value;
  }
  return { path, contextHeader, status: response.status, headers, body };
}

function checkPoll(r: RecordedResponse): void {
  if (r.status !== 200) throw new Error(`Edge answered ${r.status} to ${r.path}: ${r.body.slice(0, 200)}`);
  const parsed = JSON.parse(r.body) as { features: unknown[] }[];
  if (parsed[0]?.features.length !== FEATURE_COUNT)
    throw new Error(`Edge sent ${parsed[0]?.features.length} features, expected ${FEATURE_COUNT}`);
}

export const edgePolling: Scenario = {
  name: 'edge-polling',
  description: 'GET /features (100 features) on Edge vs plain node:http with the same bytes',
  async run(options: RunOptions): Promise<ScenarioOutcome> {
    const profileDir = resolve(benchRoot, 'results', 'profiles');
    if (options.cpuProf) mkdirSync(profileDir, { recursive: true });
    const edgeServer = BenchProcess.start('edge-server.ts', {
      nodeArgs: options.cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [],
    });
    const processes = [edgeServer];
    try {
      const { port: edgePort } = await edgeServer.request<{ port: number }>('start', {});
      const edgeBase = `http://127.0.0.1:${edgePort}`;
      const all = variants().filter((v) => options.variant === undefined || v.name.includes(options.variant));
      const responses: RecordedResponse[] = [];
      const bodyBytes: Record<string, number> = {};
      for (const v of all) {
        for (const r of v.requests) {
          const recorded = await record(edgeBase, r.path, r.headers?.['x-featurehub']);
          checkPoll(recorded);
          responses.push(recorded);
          bodyBytes[v.name] = Buffer.byteLength(recorded.body);
        }
      }

      const plainServer = BenchProcess.start('plain-server.ts');
      processes.push(plainServer);
      const { port: plainPort } = await plainServer.request<{ port: number }>('start', { responses });
      const plainBase = `http://127.0.0.1:${plainPort}`;
      for (const r of responses) {
        const again = await record(plainBase, r.path, r.contextHeader);
        if (again.body !== r.body || again.headers['etag'] !== r.headers['etag'])
          throw new Error(`plain server does not answer the same bytes for ${r.path}`);
      }

      const load = BenchProcess.start('load-generator.ts');
      processes.push(load);
      const run = async (url: string, v: Variant, durationSeconds: number): Promise<LoadResult> => {
        const result = await load.request<LoadResult>('run', {
          url,
          connections: options.connections,
          requests: v.requests,
          durationSeconds,
        } satisfies LoadRequest);
        if (result.non2xx > 0 || result.errors > 0)
          throw new Error(`${url}: ${result.non2xx} non-2xx answers, ${result.errors} errors`);
        return result;
      };

      // Edge, plain, plain, Edge (half the time each): other work on the machine drifting during the
      // run then weighs on both servers alike.
      const half = options.durationSeconds / 2;
      const rows: Row[] = [];
      for (const v of all) {
        options.log(`  ${v.name}…`);
        await run(edgeBase, v, WARMUP_SECONDS);
        await run(plainBase, v, WARMUP_SECONDS);
        const e1 = await run(edgeBase, v, half);
        const p1 = await run(plainBase, v, half);
        const p2 = await run(plainBase, v, half);
        const e2 = await run(edgeBase, v, half);
        const edge = combine(e1, e2);
        const plain = combine(p1, p2);
        rows.push({
          variant: v.name,
          bytes: bodyBytes[v.name] ?? 0,
          edge,
          plain,
          ratio: edge.rps / plain.rps,
          slices: { edgeRps: [e1.rps, e2.rps].map(Math.round), plainRps: [p1.rps, p2.rps].map(Math.round) },
        });
      }

      return {
        status: 'measured',
        table: {
          headers: [
            'variant',
            'body B',
            'Edge rps',
            'Edge p50/p99 ms',
            'plain rps',
            'plain p50/p99 ms',
            'Edge/plain',
          ],
          rows: rows.map((r) => [
            r.variant,
            r.bytes,
            Math.round(r.edge.rps),
            `${r.edge.latencyP50}/${r.edge.latencyP99}`,
            Math.round(r.plain.rps),
            `${r.plain.latencyP50}/${r.plain.latencyP99}`,
            `${Math.round(r.ratio * 100)}%`,
          ]),
        },
        targets: rows.map((r) => ({
          target: `${r.variant}: Edge rps ≥ 50% of plain node:http`,
          measured: `${Math.round(r.ratio * 100)}% (${Math.round(r.edge.rps)} vs ${Math.round(r.plain.rps)} rps)`,
          met: r.ratio >= TARGET_RATIO,
        })),
        details: {
          connections: options.connections,
          durationSeconds: options.durationSeconds,
          order: 'Edge, plain, plain, Edge; each half the duration; latency = the worse half',
          warmupSeconds: WARMUP_SECONDS,
          features: FEATURE_COUNT,
          rows: rows.map((r) => ({
            ...r,
            ratio: round(r.ratio, 3),
            edge: roundResult(r.edge),
            plain: roundResult(r.plain),
          })),
        },
      };
    } finally {
      for (const p of processes.reverse()) await p.stop();
    }
  },
};

interface Row {
  variant: string;
  bytes: number;
  edge: LoadResult;
  plain: LoadResult;
  ratio: number;
  slices: { edgeRps: number[]; plainRps: number[] };
}

/** Two equal-length slices as one run: requests averaged, latency percentiles the worse of the two. */
function combine(a: LoadResult, b: LoadResult): LoadResult {
  return {
    rps: (a.rps + b.rps) / 2,
    total: a.total + b.total,
    latencyP50: Math.max(a.latencyP50, b.latencyP50),
    latencyP99: Math.max(a.latencyP99, b.latencyP99),
    latencyMean: (a.latencyMean + b.latencyMean) / 2,
    non2xx: a.non2xx + b.non2xx,
    errors: a.errors + b.errors,
    timeouts: a.timeouts + b.timeouts,
    throughputMBps: (a.throughputMBps + b.throughputMBps) / 2,
  };
}

function roundResult(r: LoadResult): LoadResult {
  return {
    ...r,
    rps: round(r.rps, 1),
    latencyMean: round(r.latencyMean, 3),
    throughputMBps: round(r.throughputMBps, 1),
  };
}
