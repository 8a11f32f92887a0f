// The Edge under test, in its own process: createHttpServer + registerEdgeRoutes over a DachaCache
// holding the bench environment — the same composition the Edge roles use, minus the bus.
import { DachaCache } from '@fh/dacha';
import { nextValue, publishFeature } from '@fh/dacha/testing';
import { type EdgeRoutes, registerEdgeRoutes } from '@fh/edge';
import { createHttpServer, HealthRegistry, Metrics, silentLogger } from '@fh/service-kit';
import type { FastifyInstance } from 'fastify';
import {
  BENCH_ENV_ID,
  benchEnvironmentMessage,
  benchServiceAccountMessage,
} from '../fixtures/environment.ts';
import { serveRequests, wallClockMs } from '../lib/ipc.ts';

let app: FastifyInstance | undefined;
let edge: EdgeRoutes | undefined;
const cache = new DachaCache();
let changes = 0;

interface StartRequest {
  readonly sseDropAfterSeconds?: number;
}

async function start(request: StartRequest): Promise<{ port: number }> {
  cache.applyEnvironment(benchEnvironmentMessage());
  cache.applyServiceAccount(benchServiceAccountMessage());
  app = createHttpServer({
    logger: silentLogger(),
    metrics: new Metrics({ role: 'edge' }),
    health: new HealthRegistry(),
    version: { name: 'featurehub-edge', version: 'bench' },
  });
  edge = registerEdgeRoutes(app, {
    features: cache,
    updates: cache,
    options: { sseDropAfterSeconds: request.sseDropAfterSeconds ?? 30 },
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return { port: address.port };
}

/** Memory after a full GC (when --expose-gc is on), with the number of open SSE streams. */
async function memory() {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc !== undefined) {
    for (let i = 0; i < 3; i++) {
      gc();
      await new Promise((r) => setImmediate(r));
    }
  }
  return { ...process.memoryUsage(), streams: edge?.streamCount ?? 0, gc: gc !== undefined };
}

/**
 * Publishes the next value of one feature into the cache, as Dacha does when MR's message arrives.
 * The listeners (every SSE stream) write synchronously, so `finishedAt` is when the last frame was
 * handed to its socket.
 */
function change(): { changedAt: number; finishedAt: number; key: string; version: number; streams: number } {
  const feature = cache.environment(BENCH_ENV_ID)?.byKey('FEATURE_BOOLEAN_0');
  if (feature === undefined) throw new Error('bench feature missing');
  changes++;
  const next = nextValue(feature, { value: changes % 2 === 1 });
  const changedAt = wallClockMs();
  cache.applyFeatureValues(publishFeature(BENCH_ENV_ID, next));
  const finishedAt = wallClockMs();
  return {
    changedAt,
    finishedAt,
    key: next.feature.key,
    version: next.value?.version ?? 0,
    streams: edge?.streamCount ?? 0,
  };
}

serveRequests({
  start: (r: StartRequest) => start(r),
  memory,
  change,
  cpu: () => process.cpuUsage(),
  stop: async () => {
    await app?.close();
  },
});
