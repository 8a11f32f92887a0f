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
  /** The status every answer must have. */
  readonly expect: 200 | 304;
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

const CONTEXT_VARIANT = 'server-eval key, x-featurehub (20 users)';
const REVALIDATE_VARIANT = 'same, repeat poll with if-none-match → 304';

/**
 * The SDK's repeat poll: the etag of its last answer in `if-none-match`, answered 304 while nothing
 * changed. Not one of the targets; shown because it is what steady polling costs.
 */
function revalidation(context: Variant, recorded: readonly RecordedResponse[]): Variant {
  return {
    name: REVALIDATE_VARIANT,
    expect: 304,
    requests: context.requests.map((r) => {
      const etag = recorded.find((x) => x.path === r.path)?.headers['etag'];
      if (etag === undefined) throw new Error(`no etag recorded for ${r.path}`);
      return { path: r.path, headers: { ...r.headers, 'if-none-match': etag } };
    }),
  };
}

function variants(): Variant[] {
  return [
    { name: 'client-eval key', expect: 200, requests: [{ path: pollPath(CLIENT_KEY, undefined) }] },
    {
      name: 'server-eval key, no context',
      expect: 200,
      requests: [{ path: pollPath(SERVER_KEY, undefined) }],
    },
    {
      name: CONTEXT_VARIANT,
      expect: 200,
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
  requestHeaders: Record<string, string>,
): Promise<RecordedResponse> {
  const response = await fetch(`${base}${path}`, { headers: requestHeaders });
  const body = await response.text();
  const headers: Record<string, string> = {};
  for (const name of COPIED_HEADERS) {
    const value = response.headers.get(name);
    if (value !== null) headers[name] = value;
  }
  return { path, requestHeaders, status: response.status, headers, body };
}

function checkPoll(r: RecordedResponse, expect: 200 | 304): void {
  if (r.status !== expect)
    throw new Error(`Edge answered ${r.status}, not ${expect}, to ${r.path}: ${r.body.slice(0, 200)}`);
  if (expect === 304) return;
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
      const responses: RecordedResponse[] = [];
      const bodyBytes: Record<string, number> = {};
      const recordVariant = async (v: Variant) => {
        for (const r of v.requests) {
          const recorded = await record(edgeBase, r.path, r.headers ?? {});
          checkPoll(recorded, v.expect);
          responses.push(recorded);
          bodyBytes[v.name] = Buffer.byteLength(recorded.body);
        }
      };
      const all = variants();
      for (const v of all) await recordVariant(v);
      const withContext = all.find((v) => v.name === CONTEXT_VARIANT)!;
      all.push(revalidation(withContext, responses));
      await recordVariant(all[all.length - 1]!);
      const selected = all.filter((v) => options.variant === undefined || v.name.includes(options.variant));

      const plainServer = BenchProcess.start('plain-server.ts');
      processes.push(plainServer);
      const { port: plainPort } = await plainServer.request<{ port: number }>('start', { responses });
      const plainBase = `http://127.0.0.1:${plainPort}`;
      for (const r of responses) {
        const again = await record(plainBase, r.path, r.requestHeaders);
        if (again.status !== r.status || again.body !== r.body || again.headers['etag'] !== r.headers['etag'])
          throw new Error(`plain server does not answer the same bytes for ${r.path}`);
      }

      const load = BenchProcess.start('load-generator.ts');
      processes.push(load);
      const run = async (server: BenchProcess, url: string, v: Variant, durationSeconds: number) => {
        const before = await server.request<NodeJS.CpuUsage>('cpu');
        const result = await load.request<LoadResult>('run', {
          url,
          connections: options.connections,
          requests: v.requests,
          durationSeconds,
        } satisfies LoadRequest);
        const after = await server.request<NodeJS.CpuUsage>('cpu');
        const wrong = result.total - (result.statuses[String(v.expect)] ?? 0);
        if (wrong > 0 || result.errors > 0)
          throw new Error(
            `${url}: ${wrong} answers other than ${v.expect} (${JSON.stringify(result.statuses)}), ${result.errors} errors`,
          );
        const cpu = after.user - before.user + (after.system - before.system);
        return { ...result, cpuUsPerRequest: cpu / Math.max(1, result.total) } satisfies LoadResult & Cpu;
      };

      // Edge, plain, plain, Edge (half the time each): other work on the machine drifting during the
      // run then weighs on both servers alike.
      const half = options.durationSeconds / 2;
      const rows: Row[] = [];
      for (const v of selected) {
        options.log(`  ${v.name}…`);
        await run(edgeServer, edgeBase, v, WARMUP_SECONDS);
        await run(plainServer, plainBase, v, WARMUP_SECONDS);
        const e1 = await run(edgeServer, edgeBase, v, half);
        const p1 = await run(plainServer, plainBase, v, half);
        const p2 = await run(plainServer, plainBase, v, half);
        const e2 = await run(edgeServer, edgeBase, v, half);
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
            'Edge/plain rps',
            'CPU µs/req Edge | plain',
          ],
          rows: rows.map((r) => [
            r.variant,
            r.bytes,
            Math.round(r.edge.rps),
            `${r.edge.latencyP50}/${r.edge.latencyP99}`,
            Math.round(r.plain.rps),
            `${r.plain.latencyP50}/${r.plain.latencyP99}`,
            `${Math.round(r.ratio * 100)}%`,
            `${Math.round(r.edge.cpuUsPerRequest)} | ${Math.round(r.plain.cpuUsPerRequest)}`,
          ]),
        },
        targets: rows
          .filter((r) => r.variant !== REVALIDATE_VARIANT)
          .map((r) => ({
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

interface Cpu {
  /**
   * CPU time (user + system) of the server process per request: what a request costs the server, even
   * when the load generator, not the server, sets the pace.
   */
  readonly cpuUsPerRequest: number;
}

interface Row {
  variant: string;
  bytes: number;
  edge: LoadResult & Cpu;
  plain: LoadResult & Cpu;
  ratio: number;
  slices: { edgeRps: number[]; plainRps: number[] };
}

/** Two equal-length slices as one run: requests averaged, latency percentiles the worse of the two. */
function combine(a: LoadResult & Cpu, b: LoadResult & Cpu): LoadResult & Cpu {
  return {
    cpuUsPerRequest: (a.cpuUsPerRequest * a.total + b.cpuUsPerRequest * b.total) / (a.total + b.total),
    rps: (a.rps + b.rps) / 2,
    total: a.total + b.total,
    latencyP50: Math.max(a.latencyP50, b.latencyP50),
    latencyP99: Math.max(a.latencyP99, b.latencyP99),
    latencyMean: (a.latencyMean + b.latencyMean) / 2,
    non2xx: a.non2xx + b.non2xx,
    statuses: Object.fromEntries(
      [...new Set([...Object.keys(a.statuses), ...Object.keys(b.statuses)])].map((k) => [
        k,
        (a.statuses[k] ?? 0) + (b.statuses[k] ?? 0),
      ]),
    ),
    errors: a.errors + b.errors,
    timeouts: a.timeouts + b.timeouts,
    throughputMBps: (a.throughputMBps + b.throughputMBps) / 2,
  };
}

function roundResult(r: LoadResult & Cpu): LoadResult & Cpu {
  return {
    ...r,
    cpuUsPerRequest: round(r.cpuUsPerRequest, 1),
    rps: round(r.rps, 1),
    latencyMean: round(r.latencyMean, 3),
    throughputMBps: round(r.throughputMBps, 1),
  };
}
