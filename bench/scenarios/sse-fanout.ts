// 10,000 SSE streams (client-evaluated key) on one Edge process: memory per stream, and how long one
// feature change takes to reach every stream.
import { FEATURE_COUNT, ssePath } from '../fixtures/environment.ts';
import { BenchProcess } from '../lib/ipc.ts';
import type { RunOptions, Scenario, ScenarioOutcome } from '../lib/scenario.ts';
import { type Distribution, distribution, round } from '../lib/stats.ts';

const STREAMS = 10_000;
const OPEN_CONCURRENCY = 200;
const ROUNDS = 3;
const TARGET_P99_MS = 1000;

interface Memory {
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
  streams: number;
  gc: boolean;
}

interface Change {
  changedAt: number;
  finishedAt: number;
  key: string;
  version: number;
  streams: number;
}

interface Collected {
  times: number[];
  missing: number;
  closed: number;
  sample: string | undefined;
}

const MiB = 1024 * 1024;

export const sseFanout: Scenario = {
  name: 'sse-fanout',
  description: `${STREAMS} SSE streams on one Edge: memory per stream, change → all streams`,
  async run(options: RunOptions): Promise<ScenarioOutcome> {
    const server = BenchProcess.start('edge-server.ts', { nodeArgs: ['--expose-gc'] });
    const clients = BenchProcess.start('sse-clients.ts');
    try {
      // The periodic drop (default 30 s) would end streams mid-measurement.
      const { port } = await server.request<{ port: number }>('start', { sseDropAfterSeconds: 3600 });
      const url = `http://127.0.0.1:${port}${ssePath()}`;
      // Warm the code paths (and the payload memo) so "before" is a server that has served streams.
      await clients.request('open', { url, count: 50, concurrency: 50 });
      await clients.request('closeAll');
      const before = await settleMemory(server, 0);
      options.log(`  opening ${STREAMS} streams…`);
      const opened = await clients.request<{
        opened: number;
        errors: number;
        unexpected: number;
        seconds: number;
      }>('open', { url, count: STREAMS, concurrency: OPEN_CONCURRENCY });
      if (opened.opened !== STREAMS)
        throw new Error(`only ${opened.opened} of ${STREAMS} streams opened (${opened.errors} errors)`);
      const after = await settleMemory(server, STREAMS);

      const rounds: {
        fanoutMs: number;
        delivery: Distribution;
        missing: number;
      }[] = [];
      for (let n = 0; n < ROUNDS; n++) {
        await clients.request('arm');
        const change = await server.request<Change>('change');
        const collected = await clients.request<Collected>('collect', { timeoutMs: 30_000 });
        const sample = JSON.parse(collected.sample ?? '{}') as { key?: string; version?: number };
        if (sample.key !== change.key || sample.version !== change.version)
          throw new Error(`streams got ${collected.sample}, expected ${change.key} v${change.version}`);
        rounds.push({
          fanoutMs: round(change.finishedAt - change.changedAt, 2),
          delivery: distribution(collected.times.map((t) => t - change.changedAt)),
          missing: collected.missing,
        });
        options.log(`  change ${n + 1}: p99 ${rounds[n]!.delivery.p99} ms`);
        await new Promise((r) => setTimeout(r, 1000));
      }
      const perStream = (a: number, b: number) => (b - a) / STREAMS;
      const memory = {
        rssBeforeMiB: round(before.rss / MiB, 1),
        rssAfterMiB: round(after.rss / MiB, 1),
        heapUsedBeforeMiB: round(before.heapUsed / MiB, 1),
        heapUsedAfterMiB: round(after.heapUsed / MiB, 1),
        rssPerStreamKiB: round(perStream(before.rss, after.rss) / 1024, 1),
        heapPerStreamKiB: round(perStream(before.heapUsed, after.heapUsed) / 1024, 1),
        externalPerStreamKiB: round(perStream(before.external, after.external) / 1024, 2),
      };
      const worstP99 = Math.max(...rounds.map((r) => r.delivery.p99));
      return {
        status: 'measured',
        table: {
          headers: ['measure', 'value'],
          rows: [
            ['streams open (client-eval key, 100 features)', after.streams],
            ['time to open them (200 in flight)', `${round(opened.seconds, 1)} s`],
            ['server RSS before → after', `${memory.rssBeforeMiB} → ${memory.rssAfterMiB} MiB`],
            [
              'server heap used before → after',
              `${memory.heapUsedBeforeMiB} → ${memory.heapUsedAfterMiB} MiB`,
            ],
            ['RSS per stream', `${memory.rssPerStreamKiB} KiB`],
            ['heap per stream', `${memory.heapPerStreamKiB} KiB`],
            ...rounds.map((r, i): (string | number)[] => [
              `change ${i + 1} → stream, p50/p99/max`,
              `${r.delivery.p50} / ${r.delivery.p99} / ${r.delivery.max} ms (server wrote all in ${round(r.fanoutMs, 1)} ms; ${r.missing} missing)`,
            ]),
          ],
        },
        targets: [
          {
            target: `one change reaches all ${STREAMS} streams, p99 ≤ ${TARGET_P99_MS} ms`,
            measured: `worst p99 over ${ROUNDS} changes: ${worstP99} ms`,
            met: worstP99 <= TARGET_P99_MS && rounds.every((r) => r.missing === 0),
          },
        ],
        details: {
          streams: STREAMS,
          features: FEATURE_COUNT,
          openConcurrency: OPEN_CONCURRENCY,
          openSeconds: round(opened.seconds, 2),
          memory,
          before,
          after,
          rounds,
        },
      };
    } finally {
      await clients.stop();
      await server.stop();
    }
  },
};

/** Memory after GC once the expected number of streams is open and the heap has settled. */
async function settleMemory(server: BenchProcess, streams: number): Promise<Memory> {
  await new Promise((r) => setTimeout(r, 500));
  const m = await server.request<Memory>('memory');
  if (m.streams !== streams) throw new Error(`server has ${m.streams} streams, expected ${streams}`);
  return m;
}
