// Test-only: an Edge on port 0 over a DachaCache filled with realistic MR cache messages, plus an
// "MR" for the test API that writes back through the cache the way MR's publishing does.

import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { CacheEnvironmentFeature, FeatureValueType } from '@fh/contracts';
import { DachaCache } from '@fh/dacha';
import {
  cacheFeature,
  nextValue,
  publishEnvironment,
  publishFeature,
  publishServiceAccount,
} from '@fh/dacha/testing';
import { createHttpServer, HealthRegistry, Metrics, silentLogger } from '@fh/service-kit';
import type { FastifyInstance } from 'fastify';
import { type EdgeRoutes, type EdgeSettings, registerEdgeRoutes } from '../edge-routes.ts';
import type { FeatureSource, TestApiPort, TestApiResult, TestFeatureUpdate } from '../ports.ts';

export const ENV_ID = '11111111-2222-4333-8444-555555555555';
export const OTHER_ENV_ID = '11111111-2222-4333-8444-666666666666';
export const CLIENT_KEY = 'abcdefghijabcdefghijabcdefghij*abcdefghijabcdefghij';
export const SERVER_KEY = 'serverkeyserverkeyserverkeyserverkey1234';
export const READ_ONLY_CLIENT_KEY = 'readonlyreadonlyreadonlyreadon*readonlyreadonlyread';
export const READ_ONLY_SERVER_KEY = 'readonlyserverkeyreadonlyserverkeyreadon';
export const UNKNOWN_SERVER_KEY = 'unknownkeyunknownkeyunknownkeyunknownkey';

export const clientApiKey = (env = ENV_ID) => `${env}/${CLIENT_KEY}`;
export const serverApiKey = (env = ENV_ID) => `${env}/${SERVER_KEY}`;

/** The features every fixture environment starts with. */
export function fixtureFeatures(): CacheEnvironmentFeature[] {
  return [
    cacheFeature({ id: 'feature-flag', key: 'FLAG', type: 'BOOLEAN', value: true }),
    cacheFeature({
      id: 'feature-1',
      key: 'COLOUR',
      type: 'STRING',
      value: 'red',
      strategies: [
        {
          id: 'nz',
          value: 'nz',
          attributes: [
            { conditional: 'EQUALS', fieldName: 'country', type: 'STRING', values: ['new_zealand'] },
          ],
        },
        { id: 'blue20', percentage: 200000, value: 'blue', attributes: [] },
      ],
    }),
    cacheFeature({ id: 'feature-num', key: 'NUM', type: 'NUMBER', value: 42.5 }),
    cacheFeature({ id: 'feature-json', key: 'CONFIG', type: 'JSON', value: '{"size":3,"tags":["a"]}' }),
    cacheFeature({ id: 'feature-text', key: 'TEXT', type: 'STRING', value: 'hello, world = fine' }),
    cacheFeature({ id: 'feature-unset', key: 'UNSET', type: 'STRING' }),
    cacheFeature({ id: 'feature-locked', key: 'LOCKED', type: 'BOOLEAN', value: false, locked: true }),
    cacheFeature({
      id: 'feature-secret',
      key: 'SECRET',
      type: 'BOOLEAN',
      value: false,
      strategies: [
        {
          id: 'beta',
          value: true,
          attributes: [
            { conditional: 'EQUALS', fieldName: 'userkey', type: 'STRING', values: ['beta-tester'] },
          ],
        },
      ],
    }),
  ];
}

/**
 * Plays MR for the test API: re-checks the lock against the held state, then publishes the next
 * value version through the cache, exactly like a value save in MR would.
 */
export class CacheWritingTestApi implements TestApiPort {
  readonly calls: TestFeatureUpdate[] = [];
  constructor(private readonly cache: DachaCache) {}

  async applyFeatureUpdate(update: TestFeatureUpdate): Promise<TestApiResult> {
    this.calls.push(update);
    const held = this.cache.feature(update.environmentId, update.featureId);
    if (held === undefined) return { status: 404 };
    if (update.updateValue && held.value?.locked === true && update.lock !== false) {
      return { status: 412, message: 'locked' };
    }
    const change: Parameters<typeof nextValue>[1] = {};
    if (update.lock !== undefined) change.locked = update.lock;
    if (update.updateValue) change.value = update.value;
    this.cache.applyFeatureValues(publishFeature(update.environmentId, nextValue(held, change)));
    return { status: 200 };
  }
}

export interface EdgeFixture {
  readonly url: string;
  readonly app: FastifyInstance;
  readonly cache: DachaCache;
  readonly edge: EdgeRoutes;
  readonly testApi: CacheWritingTestApi;
  /** Publishes the next version of a feature's value, as MR does after a save. */
  change(key: string, change: Parameters<typeof nextValue>[1], env?: string): CacheEnvironmentFeature;
  /** Adds a feature, as MR does when one is created. */
  create(id: string, key: string, type: FeatureValueType, value?: boolean | number | string): void;
  /** Deletes a feature, as MR does. */
  remove(key: string, env?: string): void;
  close(): Promise<void>;
}

export interface EdgeFixtureOptions {
  settings?: Partial<EdgeSettings>;
  bodyLimit?: number;
  now?: () => Date;
  features?: CacheEnvironmentFeature[];
  eInf?: Record<string, string>;
  cacheReady?: boolean;
  /** Wraps the cache as Edge's FeatureSource, e.g. to delay or break lookups. */
  source?: (cache: DachaCache) => FeatureSource;
}

export async function startEdge(options: EdgeFixtureOptions = {}): Promise<EdgeFixture> {
  const cache = new DachaCache({ ready: options.cacheReady ?? true });
  const features = options.features ?? fixtureFeatures();
  cache.applyEnvironment(
    publishEnvironment({
      id: ENV_ID,
      features,
      serviceAccounts: ['sa-main', 'sa-read'],
      ...(options.eInf === undefined ? {} : { eInf: options.eInf }),
    }),
  );
  cache.applyEnvironment(publishEnvironment({ id: OTHER_ENV_ID, features: fixtureFeatures().slice(0, 2) }));
  cache.applyServiceAccount(
    publishServiceAccount({
      id: 'sa-main',
      clientKey: CLIENT_KEY,
      serverKey: SERVER_KEY,
      permissions: {
        [ENV_ID]: ['READ', 'LOCK', 'UNLOCK', 'CHANGE_VALUE'],
        [OTHER_ENV_ID]: ['READ'],
      },
    }),
  );
  cache.applyServiceAccount(
    publishServiceAccount({
      id: 'sa-read',
      clientKey: READ_ONLY_CLIENT_KEY,
      serverKey: READ_ONLY_SERVER_KEY,
      permissions: { [ENV_ID]: ['READ'] },
    }),
  );
  const testApi = new CacheWritingTestApi(cache);
  const app = createHttpServer({
    logger: silentLogger(),
    metrics: new Metrics(),
    health: new HealthRegistry(),
    version: { name: 'edge-test', version: '0.0.0' },
    ...(options.bodyLimit === undefined ? {} : { bodyLimit: options.bodyLimit }),
  });
  const edge = registerEdgeRoutes(app, {
    features: options.source === undefined ? cache : options.source(cache),
    updates: cache,
    testApi,
    options: { sseDropAfterSeconds: 0, ...options.settings },
    ...(options.now === undefined ? {} : { now: options.now }),
  });
  // The 1.4.0 polling client has no error listener: a poll cut off by the shutdown would crash the
  // test process (trap 18), so close() waits for polls in flight.
  let pollsInFlight = 0;
  app.addHook('onRequest', async (request) => {
    if (request.routeOptions.url === '/features') pollsInFlight++;
  });
  app.addHook('onResponse', async (request) => {
    if (request.routeOptions.url === '/features') pollsInFlight--;
  });
  // Sockets that never carried a request (an SDK's aborted pre-connect) are not "idle" to Node, so
  // the server's close would wait for the client's keep-alive timeout; close() cuts those.
  const requestless = new Set<Socket>();
  app.server.on('connection', (socket: Socket) => {
    requestless.add(socket);
    socket.once('close', () => requestless.delete(socket));
  });
  app.server.on('request', (req: IncomingMessage) => requestless.delete(req.socket));
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  const url = `http://127.0.0.1:${address.port}`;

  const byKey = (key: string, env: string) => {
    const held = cache.environment(env)?.byKey(key);
    if (held === undefined) throw new Error(`no feature ${key}`);
    return held;
  };
  return {
    url,
    app,
    cache,
    edge,
    testApi,
    change(key, change, env = ENV_ID) {
      const next = nextValue(byKey(key, env), change);
      cache.applyFeatureValues(publishFeature(env, next));
      return next;
    },
    create(id, key, type, value) {
      cache.applyFeatureValues(
        publishFeature(
          ENV_ID,
          cacheFeature({ id, key, type, ...(value === undefined ? {} : { value }) }),
          'CREATE',
        ),
      );
    },
    remove(key, env = ENV_ID) {
      cache.applyFeatureValues(publishFeature(env, byKey(key, env), 'DELETE'));
    },
    async close() {
      await new Promise((r) => setImmediate(r));
      await waitFor(() => pollsInFlight === 0, 'polls in flight to finish');
      const closing = app.close();
      await waitFor(() => edge.streamCount === 0, 'streams to end with bye');
      for (const socket of requestless) socket.destroy();
      await closing;
    },
  };
}

/** Polls `check` until it is truthy (no fixed sleeps): resolves with its value, or fails after `ms`. */
export async function waitFor<T>(
  check: () => T | undefined | null | false,
  what: string,
  ms = 5000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = check();
    if (value !== undefined && value !== null && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
