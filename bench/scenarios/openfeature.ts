// OpenFeature (docs/openfeature.md): bulk OFREP evaluation against the server-evaluated poll for the
// same 20 users on the same Edge, and the per-flag cost of local evaluation in our provider beside
// the FeatureHub SDK 1.4.0.
import { parseContextHeader } from '@fh/evaluation';
import {
  BENCH_ENV_ID,
  benchContexts,
  CLIENT_KEY,
  FEATURE_COUNT,
  pollPath,
  SERVER_KEY,
} from '../fixtures/environment.ts';
import { BenchProcess } from '../lib/ipc.ts';
import type { RunOptions, Scenario, ScenarioOutcome } from '../lib/scenario.ts';
import { openSse } from '../lib/sse-reader.ts';
import { distribution, round } from '../lib/stats.ts';
import type { LoadRequest, LoadResult } from '../processes/load-generator.ts';
import type { EvalRequest, EvalResult } from '../processes/openfeature-eval.ts';

const WARMUP_SECONDS = 2;
const TARGET_RATIO = 0.8;
const EVAL_ROUNDS = 200;
const CHANGES = 50;

/**
 * One Edge SSE stream (client key) and one OFREP event stream on the same Edge; CHANGES published
 * one after another: how long after each change its `feature` frame and its `refetchEvaluation`
 * arrived, in ms.
 */
async function changeLatency(
  edgeServer: BenchProcess,
  base: string,
): Promise<{ sse: number[]; ofrep: number[] }> {
  const sseAt: number[] = [];
  const ofrepAt: number[] = [];
  let sseReady = false;
  const sse = openSse(`${base}/features/${BENCH_ENV_ID}/${CLIENT_KEY}`, (f) => {
    if (f.event === 'features') sseReady = true;
    if (f.event === 'feature') sseAt.push(f.at);
  });
  let ofrepReady = false;
  const events = openSse(`${base}/ofrep/v1/events/${BENCH_ENV_ID}/${encodeURIComponent(SERVER_KEY)}`, (f) => {
    if (f.data.includes('refetchEvaluation')) ofrepAt.push(f.at);
    else ofrepReady = true;
  });
  const until = async (check: () => boolean) => {
    const deadline = Date.now() + 5000;
    while (!check()) {
      if (Date.now() > deadline) throw new Error('a change did not arrive within 5 s');
      await new Promise((r) => setTimeout(r, 1));
    }
  };
  try {
    await until(() => sseReady && ofrepReady);
    const sseMs: number[] = [];
    const ofrepMs: number[] = [];
    for (let i = 0; i < CHANGES; i++) {
      const { changedAt } = await edgeServer.request<{ changedAt: number }>('change');
      await until(() => sseAt.length > i && ofrepAt.length > i);
      sseMs.push(sseAt[i]! - changedAt);
      ofrepMs.push(ofrepAt[i]! - changedAt);
    }
    return { sse: sseMs, ofrep: ofrepMs };
  } finally {
    sse.close();
    events.close();
  }
}

type Requests = LoadRequest['requests'];

/** The same users as OFREP bulk requests: userkey as targetingKey, the rest as attributes. */
function ofrepRequests(): Requests {
  return benchContexts().map((header) => {
    const context: Record<string, string | string[]> = {};
    for (const [name, values] of Object.entries(parseContextHeader(header))) {
      if (name === 'userkey') context['targetingKey'] = values[0]!;
      else context[name] = values.length === 1 ? values[0]! : [...values];
    }
    return {
      method: 'POST',
      path: '/ofrep/v1/evaluate/flags',
      headers: { authorization: `Bearer ${BENCH_ENV_ID}/${SERVER_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ context }),
    };
  });
}

function pollRequests(): Requests {
  return benchContexts().map((ctx) => ({
    path: pollPath(SERVER_KEY, ctx),
    headers: { 'x-featurehub': ctx },
  }));
}

export const openFeature: Scenario = {
  name: 'openfeature',
  description:
    'bulk OFREP vs the server-evaluated poll (100 features, 20 users); local evaluation ns per flag',
  async run(options: RunOptions): Promise<ScenarioOutcome> {
    const edgeServer = BenchProcess.start('edge-server.ts');
    const processes = [edgeServer];
    try {
      const { port } = await edgeServer.request<{ port: number }>('start', {});
      const base = `http://127.0.0.1:${port}`;
      const ofrep = ofrepRequests();
      const polls = pollRequests();
      // Both answer every flag, for the same users.
      for (const r of ofrep) {
        const res = await fetch(`${base}${r.path}`, {
          method: 'POST',
          headers: r.headers ?? {},
          body: r.body ?? null,
        });
        const body = (await res.json()) as { flags: unknown[] };
        if (res.status !== 200 || body.flags.length !== FEATURE_COUNT)
          throw new Error(`OFREP answered ${res.status} with ${body.flags?.length} flags`);
      }

      const load = BenchProcess.start('load-generator.ts');
      processes.push(load);
      const run = async (requests: Requests, seconds: number) => {
        const before = await edgeServer.request<NodeJS.CpuUsage>('cpu');
        const result = await load.request<LoadResult>('run', {
          url: base,
          connections: options.connections,
          requests,
          durationSeconds: seconds,
        } satisfies LoadRequest);
        const after = await edgeServer.request<NodeJS.CpuUsage>('cpu');
        if (result.errors > 0 || (result.statuses['200'] ?? 0) !== result.total)
          throw new Error(
            `not every answer was 200: ${JSON.stringify(result.statuses)}, ${result.errors} errors`,
          );
        const cpu = after.user - before.user + (after.system - before.system);
        return { rps: result.rps, cpuUs: cpu / Math.max(1, result.total), p99: result.latencyP99 };
      };
      options.log('  poll vs OFREP bulk…');
      await run(polls, WARMUP_SECONDS);
      await run(ofrep, WARMUP_SECONDS);
      const half = options.durationSeconds / 2;
      // Poll, OFREP, OFREP, poll: drifting load on the machine weighs on both alike.
      const p1 = await run(polls, half);
      const o1 = await run(ofrep, half);
      const o2 = await run(ofrep, half);
      const p2 = await run(polls, half);
      const poll = {
        rps: (p1.rps + p2.rps) / 2,
        cpuUs: (p1.cpuUs + p2.cpuUs) / 2,
        p99: Math.max(p1.p99, p2.p99),
      };
      const bulk = {
        rps: (o1.rps + o2.rps) / 2,
        cpuUs: (o1.cpuUs + o2.cpuUs) / 2,
        p99: Math.max(o1.p99, o2.p99),
      };
      const ratio = bulk.rps / poll.rps;

      options.log('  change → Edge SSE feature frame vs OFREP refetchEvaluation…');
      const latency = await changeLatency(edgeServer, base);
      const sseLatency = distribution(latency.sse);
      const ofrepLatency = distribution(latency.ofrep);

      options.log('  local evaluation…');
      const evaluator = BenchProcess.start('openfeature-eval.ts');
      processes.push(evaluator);
      const evaluation = await evaluator.request<EvalResult>('measure', {
        edgeUrl: base,
        apiKey: `${BENCH_ENV_ID}/${CLIENT_KEY}`,
        contexts: benchContexts(),
        rounds: EVAL_ROUNDS,
      } satisfies EvalRequest);

      return {
        status: 'measured',
        table: {
          headers: ['what', 'requests/s', 'p99 ms (p50/p99)', 'CPU µs/req', 'ns per flag'],
          rows: [
            [
              'GET /features, server key + x-featurehub',
              Math.round(poll.rps),
              poll.p99,
              round(poll.cpuUs, 1),
              '',
            ],
            [
              'POST /ofrep/v1/evaluate/flags (bulk)',
              Math.round(bulk.rps),
              bulk.p99,
              round(bulk.cpuUs, 1),
              '',
            ],
            [
              `change → Edge SSE \`feature\` frame, p50/p99 of ${CHANGES}`,
              '',
              `${sseLatency.p50}/${sseLatency.p99}`,
              '',
              '',
            ],
            [
              `change → OFREP \`refetchEvaluation\`, p50/p99 of ${CHANGES}`,
              '',
              `${ofrepLatency.p50}/${ofrepLatency.p99}`,
              '',
              '',
            ],
            ['our provider, resolve*Evaluation', '', '', '', Math.round(evaluation.providerNsPerFlag)],
            [
              'our provider via OpenFeature client.get*Value',
              '',
              '',
              '',
              Math.round(evaluation.openFeatureClientNsPerFlag),
            ],
            ['FeatureHub SDK 1.4.0, feature(key).get*()', '', '', '', Math.round(evaluation.sdkNsPerFlag)],
          ],
        },
        targets: [
          {
            target: 'bulk OFREP requests/s within 20 % of the server-evaluated poll',
            measured: `${Math.round(ratio * 100)} % (${Math.round(bulk.rps)} vs ${Math.round(poll.rps)} rps)`,
            met: ratio >= TARGET_RATIO,
          },
        ],
        details: {
          connections: options.connections,
          durationSeconds: options.durationSeconds,
          order: 'poll, OFREP, OFREP, poll; each half the duration',
          poll: { ...poll, slices: [Math.round(p1.rps), Math.round(p2.rps)] },
          ofrep: { ...bulk, slices: [Math.round(o1.rps), Math.round(o2.rps)] },
          ratio: round(ratio, 3),
          changeLatencyMs: { edgeSse: sseLatency, ofrepRefetch: ofrepLatency },
          evaluation: {
            ...evaluation,
            providerNsPerFlag: round(evaluation.providerNsPerFlag, 1),
            openFeatureClientNsPerFlag: round(evaluation.openFeatureClientNsPerFlag, 1),
            sdkNsPerFlag: round(evaluation.sdkNsPerFlag, 1),
          },
        },
      };
    } finally {
      for (const p of processes.reverse()) await p.stop();
    }
  },
};
