import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  type NatsServer,
  serviceUrl,
  skipUnlessNatsServerBinary,
  skipUnlessService,
  startNatsServer,
} from '@fh/test-support';
import { connect, type NatsConnection, headers as natsHeaders } from '@nats-io/transport-node';
import type { Bus, BusLogger } from './bus.ts';
import { busBehaviourSuite, collect, uniqueSubject } from './bus-behaviour-suite.ts';
import { decodeJson, encodeJson, GZIP_JSON_CONTENT_TYPE, gunzip, gzip } from './codec.ts';
import { connectNatsBus } from './nats-bus.ts';
import { silentBusLogger } from './silent-logger.ts';

interface LogLine {
  readonly level: string;
  readonly msg: string | undefined;
}

function recordingLogger(): BusLogger & { lines: LogLine[] } {
  const lines: LogLine[] = [];
  const at =
    (level: string) =>
    (_obj: object, msg?: string): void => {
      lines.push({ level, msg });
    };
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

async function until(what: string, check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await sleep(20);
  }
}

const natsServers = serviceUrl('nats').split(',');

describe('NATS bus against the shared NATS server', { skip: await skipUnlessService('nats') }, () => {
  busBehaviourSuite(async (options) => {
    const open = () => connectNatsBus({ servers: natsServers, logger: silentBusLogger, ...options });
    return { publisher: await open(), subscriber: await open() };
  });

  describe('wire format', () => {
    let raw: NatsConnection;
    let bus: Bus;
    before(async () => {
      raw = await connect({ servers: natsServers });
      bus = await connectNatsBus({ servers: natsServers, name: 'wire-test', logger: silentBusLogger });
    });
    after(async () => {
      await bus.close();
      await raw.drain();
    });

    test('an event goes out as a binary-mode CloudEvent with ce-* headers and a gzipped JSON body', async () => {
      const subject = uniqueSubject('wire-out');
      const sub = raw.subscribe(subject, { max: 1 });
      await raw.flush();
      const big = { features: Array.from({ length: 500 }, (_, i) => ({ key: `f${i}`, value: i })) };
      bus.publish(subject, big, {
        event: { type: 'publish-feature-v1', id: 'id-1', subject: 'io.featurehub.x' },
      });
      for await (const msg of sub) {
        assert.equal(msg.headers?.get('ce-specversion'), '1.0');
        assert.equal(msg.headers?.get('ce-type'), 'publish-feature-v1');
        assert.equal(msg.headers?.get('ce-id'), 'id-1');
        assert.equal(msg.headers?.get('ce-subject'), 'io.featurehub.x');
        assert.equal(msg.headers?.get('ce-source'), 'featurehub');
        assert.equal(msg.headers?.get('ce-datacontenttype'), GZIP_JSON_CONTENT_TYPE);
        assert.deepEqual(decodeJson(gunzip(msg.data)), big);
      }
    });

    test('a binary-mode CloudEvent from another client is decoded, gzip included', async () => {
      const subject = uniqueSubject('wire-in');
      const c = collect(bus, subject);
      await bus.flush();
      const h = natsHeaders();
      h.set('ce-specversion', '1.0');
      h.set('ce-type', 'publish-environment-v1');
      h.set('ce-id', 'abc');
      h.set('ce-source', '/java-mr');
      h.set('ce-datacontenttype', GZIP_JSON_CONTENT_TYPE);
      h.set('X-Extra', 'yes');
      raw.publish(subject, gzip(encodeJson({ environment: { id: 'e1' } })), { headers: h });
      raw.publish(subject, new TextEncoder().encode('not json, no headers'));
      const [event, plain] = await c.waitFor(2);
      assert.deepEqual(event?.data, { environment: { id: 'e1' } });
      assert.equal(event?.event?.type, 'publish-environment-v1');
      assert.equal(event?.event?.source, '/java-mr');
      assert.deepEqual(event?.headers, { 'x-extra': 'yes' });
      assert.ok(plain?.data instanceof Uint8Array, 'unknown content is handed over as bytes');
    });

    test('a message whose body does not match its content type is dropped and logged', async () => {
      const logger = recordingLogger();
      const own = await connectNatsBus({ servers: natsServers, logger });
      try {
        const subject = uniqueSubject('wire-bad');
        const c = collect(own, subject);
        await own.flush();
        const h = natsHeaders();
        h.set('content-type', 'application/json');
        raw.publish(subject, new TextEncoder().encode('{broken'), { headers: h });
        raw.publish(subject, encodeJson('fine'), { headers: h });
        const [msg] = await c.waitFor(1);
        assert.equal(msg?.data, 'fine');
        assert.ok(logger.lines.some((l) => l.level === 'warn' && l.msg?.includes('could not be decoded')));
      } finally {
        await own.close();
      }
    });
  });
});

describe('NATS bus across a NATS server restart', { skip: await skipUnlessNatsServerBinary() }, () => {
  let server: NatsServer;
  before(async () => {
    server = await startNatsServer();
  });
  after(async () => {
    await server.stop();
  });

  test('subscriptions resume and isReady recovers after the NATS server restarts', async () => {
    const logger = recordingLogger();
    const fast = { initialDelayMs: 50, maxDelayMs: 200 };
    const subscriber = await connectNatsBus({ servers: [server.url], logger, reconnect: fast });
    const publisher = await connectNatsBus({
      servers: [server.url],
      logger: silentBusLogger,
      reconnect: fast,
    });
    try {
      const plain = collect(subscriber, 'restart.plain');
      const queued = collect(subscriber, 'restart.queued', { queue: 'q' });
      subscriber.subscribe('restart.rpc', (msg) => {
        msg.respond({ pong: msg.data });
      });
      await subscriber.flush();
      publisher.publish('restart.plain', 'before');
      await plain.waitFor(1);

      await server.kill();
      await until('the bus notices the disconnect', () => !subscriber.isReady());
      await server.start();
      await until('both buses reconnect', () => subscriber.isReady() && publisher.isReady());
      await subscriber.flush();

      publisher.publish('restart.plain', 'after');
      publisher.publish('restart.queued', 'after');
      assert.deepEqual(
        (await plain.waitFor(2)).map((m) => m.data),
        ['before', 'after'],
      );
      assert.equal((await queued.waitFor(1))[0]?.data, 'after');
      const reply = await publisher.request('restart.rpc', 7, { timeoutMs: 2000 });
      assert.deepEqual(reply.data, { pong: 7 });
      assert.ok(logger.lines.some((l) => l.level === 'warn' && l.msg?.startsWith('disconnected from NATS')));
      assert.ok(logger.lines.some((l) => l.level === 'info' && l.msg === 'reconnected to NATS'));
    } finally {
      await Promise.all([subscriber.close(), publisher.close()]);
    }
  });

  test('connectNatsBus waits for a server that is not up yet', async () => {
    await server.kill();
    const logger = recordingLogger();
    const connecting = connectNatsBus({
      servers: [server.url],
      logger,
      reconnect: { initialDelayMs: 50, maxDelayMs: 200 },
    });
    await until('a failed attempt is logged', () => logger.lines.some((l) => l.level === 'warn'));
    await server.start();
    const bus = await connecting;
    try {
      assert.equal(bus.isReady(), true);
    } finally {
      await bus.close();
    }
  });

  test('waiting for the first connection stops when aborted', async () => {
    await server.kill();
    try {
      const controller = new AbortController();
      const connecting = connectNatsBus({
        servers: [server.url],
        logger: silentBusLogger,
        reconnect: { initialDelayMs: 50, maxDelayMs: 100 },
        signal: controller.signal,
      });
      await sleep(150);
      controller.abort();
      await assert.rejects(connecting, { name: 'AbortError' });
    } finally {
      await server.start();
    }
  });
});
