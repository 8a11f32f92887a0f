// The one behaviour suite every Bus adapter must pass (the in-process bus in a unit test, NATS in an
// integration test), so the adapters cannot drift apart. Not a test file itself: adapters' tests call it.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { afterEach, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Bus, BusMessage, BusOptions, SubscribeOptions } from './bus.ts';
import { GZIP_JSON_CONTENT_TYPE, JSON_CONTENT_TYPE } from './codec.ts';
import {
  BusClosedError,
  BusCodecError,
  BusTimeoutError,
  InvalidSubjectError,
  NoRespondersError,
} from './errors.ts';

/** Two ends of one broker: on NATS two connections, in-process possibly the same bus twice. */
export interface BusPair {
  readonly publisher: Bus;
  readonly subscriber: Bus;
}

/** Opens a fresh pair for one test; the suite closes both afterwards. */
export type OpenBusPair = (options?: BusOptions) => Promise<BusPair>;

/** Collects messages of one subscription and waits for a number of them. */
export interface Collector {
  readonly messages: BusMessage[];
  waitFor(count: number, timeoutMs?: number): Promise<BusMessage[]>;
  unsubscribe(): void;
}

/** Subscribes and records every message; `waitFor(n)` resolves once n have arrived. */
export function collect(bus: Bus, subject: string, options?: SubscribeOptions): Collector {
  const messages: BusMessage[] = [];
  const waiters: { count: number; resolve: () => void }[] = [];
  const sub = bus.subscribe(
    subject,
    (message) => {
      messages.push(message);
      for (const w of waiters.filter((x) => messages.length >= x.count)) w.resolve();
    },
    options,
  );
  return {
    messages,
    unsubscribe: () => sub.unsubscribe(),
    waitFor: async (count, timeoutMs = 5000) => {
      if (messages.length < count) {
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([
          new Promise<void>((resolve) => waiters.push({ count, resolve })),
          new Promise<never>((_, reject) => {
            timer = setTimeout(
              () => reject(new Error(`got ${messages.length} of ${count} messages on ${subject}`)),
              timeoutMs,
            );
          }),
        ]).finally(() => clearTimeout(timer));
      }
      return messages.slice(0, count);
    },
  };
}

/** A subject no other test (or earlier run against a shared server) uses. */
export function uniqueSubject(name: string): string {
  return `test.${randomUUID().slice(0, 8)}.${name}`;
}

/** Registers the shared Bus behaviour tests in the current `describe`. */
export function busBehaviourSuite(open: OpenBusPair): void {
  const opened: BusPair[] = [];
  const pair = async (options?: BusOptions): Promise<BusPair> => {
    const p = await open(options);
    opened.push(p);
    return p;
  };
  afterEach(async () => {
    for (const p of opened.splice(0)) await Promise.all([p.publisher.close(), p.subscriber.close()]);
  });

  test('a published message reaches every subscriber of its subject', async () => {
    const { publisher, subscriber } = await pair();
    const subject = uniqueSubject('fanout');
    const a = collect(subscriber, subject);
    const b = collect(subscriber, subject);
    await subscriber.flush();
    publisher.publish(subject, { hello: 'world', n: 1 });
    const [fromA] = await a.waitFor(1);
    const [fromB] = await b.waitFor(1);
    assert.deepEqual(fromA?.data, { hello: 'world', n: 1 });
    assert.deepEqual(fromB?.data, { hello: 'world', n: 1 });
    assert.equal(fromA?.subject, subject);
  });

  test('messages from one publisher arrive in publish order', async () => {
    const { publisher, subscriber } = await pair();
    const subject = uniqueSubject('order');
    const c = collect(subscriber, subject);
    await subscriber.flush();
    for (let i = 0; i < 50; i++) publisher.publish(subject, i);
    const got = await c.waitFor(50);
    assert.deepEqual(
      got.map((m) => m.data),
      Array.from({ length: 50 }, (_, i) => i),
    );
  });

  test('wildcard subscriptions receive exactly the subjects they match', async () => {
    const { publisher, subscriber } = await pair();
    const base = uniqueSubject('wild');
    const star = collect(subscriber, `${base}.*`);
    const tail = collect(subscriber, `${base}.>`);
    await subscriber.flush();
    publisher.publish(`${base}.a`, 'one-token');
    publisher.publish(`${base}.a.b`, 'two-tokens');
    publisher.publish(`${base}`, 'no-token');
    publisher.publish(`${base}.c`, 'last');
    await tail.waitFor(3);
    await star.waitFor(2);
    assert.deepEqual(
      star.messages.map((m) => m.data),
      ['one-token', 'last'],
    );
    assert.deepEqual(
      tail.messages.map((m) => m.data),
      ['one-token', 'two-tokens', 'last'],
    );
  });

  test('a queue group delivers each message to exactly one member while plain subscribers get all', async () => {
    const { publisher, subscriber } = await pair();
    const subject = uniqueSubject('queue');
    const members = [1, 2, 3].map(() => collect(subscriber, subject, { queue: 'workers' }));
    const plain = collect(subscriber, subject);
    await subscriber.flush();
    const total = 30;
    for (let i = 0; i < total; i++) publisher.publish(subject, i);
    await plain.waitFor(total);
    await publisher.flush();
    await sleep(100); // time for any duplicate to show up
    const received = members.flatMap((m) => m.messages.map((x) => x.data as number));
    assert.equal(received.length, total);
    assert.deepEqual(
      [...received].sort((x, y) => x - y),
      Array.from({ length: total }, (_, i) => i),
    );
  });

  test('a request resolves with the reply of a responder', async () => {
    const { publisher, subscriber } = await pair();
    const subject = uniqueSubject('rpc');
    subscriber.subscribe(subject, (msg) => {
      const { n } = msg.data as { n: number };
      msg.respond({ doubled: n * 2 }, { event: { type: 'answer-v1' } });
    });
    await subscriber.flush();
    const reply = await publisher.request(subject, { n: 21 }, { timeoutMs: 2000 });
    assert.deepEqual(reply.data, { doubled: 42 });
    assert.equal(reply.event?.type, 'answer-v1');
    assert.equal(reply.respond('nothing to reply to'), false);
  });

  test('a request to a queue group is answered by exactly one member', async () => {
    const { publisher, subscriber } = await pair();
    const subject = uniqueSubject('rpc-queue');
    const calls: number[] = [];
    for (const id of [1, 2, 3]) {
      subscriber.subscribe(
        subject,
        (msg) => {
          calls.push(id);
          msg.respond({ id });
        },
        { queue: 'dacha' },
      );
    }
    await subscriber.flush();
    for (let i = 0; i < 6; i++) {
      const reply = await publisher.request(subject, { i }, { timeoutMs: 2000 });
      assert.equal(typeof (reply.data as { id: number }).id, 'number');
    }
    assert.equal(calls.length, 6);
  });

  test('a request nobody answers fails with BusTimeoutError', async () => {
    const { publisher, subscriber } = await pair();
    const subject = uniqueSubject('silent');
    const seen = collect(subscriber, subject);
    await subscriber.flush();
    const started = Date.now();
    await assert.rejects(publisher.request(subject, { q: 1 }, { timeoutMs: 150 }), (err: unknown) => {
      assert.ok(err instanceof BusTimeoutError, `expected BusTimeoutError, got ${String(err)}`);
      assert.equal(err.code, 'BUS_TIMEOUT');
      assert.equal(err.subject, subject);
      return true;
    });
    assert.ok(Date.now() - started >= 140);
    assert.equal(seen.messages.length, 1);
  });

  test('a request to a subject with no subscribers fails fast with NoRespondersError', async () => {
    const { publisher } = await pair();
    const subject = uniqueSubject('nobody');
    const started = Date.now();
    await assert.rejects(publisher.request(subject, {}, { timeoutMs: 3000 }), (err: unknown) => {
      assert.ok(err instanceof NoRespondersError, `expected NoRespondersError, got ${String(err)}`);
      assert.equal(err.code, 'BUS_NO_RESPONDERS');
      return true;
    });
    assert.ok(Date.now() - started < 2000, 'did not wait for the timeout');
  });

  test('CloudEvents attributes and application headers round-trip', async () => {
    const { publisher, subscriber } = await pair({ source: '/featurehub/mr' });
    const subject = uniqueSubject('ce');
    const c = collect(subscriber, subject);
    await subscriber.flush();
    publisher.publish(
      subject,
      { features: [] },
      {
        headers: { 'X-Trace-Id': 'abc123', baggage: 'k=v' },
        event: {
          type: 'publish-feature-v1',
          id: 'evt-1',
          time: new Date('2024-05-06T07:08:09.010Z'),
          subject: 'io.featurehub.events.feature-values "ünïcode" 100%',
          extensions: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' },
        },
      },
    );
    const [msg] = await c.waitFor(1);
    assert.deepEqual(msg?.data, { features: [] });
    assert.deepEqual(msg?.event, {
      specversion: '1.0',
      type: 'publish-feature-v1',
      id: 'evt-1',
      source: '/featurehub/mr',
      time: '2024-05-06T07:08:09.010Z',
      subject: 'io.featurehub.events.feature-values "ünïcode" 100%',
      dataschema: undefined,
      datacontenttype: JSON_CONTENT_TYPE,
      extensions: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' },
    });
    assert.deepEqual(msg?.headers, { 'x-trace-id': 'abc123', baggage: 'k=v' });
  });

  test('an event gets a fresh id, the current time and the bus source by default', async () => {
    const { publisher, subscriber } = await pair();
    const subject = uniqueSubject('ce-defaults');
    const c = collect(subscriber, subject);
    await subscriber.flush();
    publisher.publish(subject, 1, { event: { type: 'publish-environment-v1' } });
    publisher.publish(subject, 2, { event: { type: 'publish-environment-v1' } });
    const [first, second] = await c.waitFor(2);
    assert.equal(first?.event?.source, 'featurehub');
    assert.ok(first?.event?.id && second?.event?.id && first.event.id !== second.event.id);
    assert.ok(Math.abs(Date.parse(first?.event?.time ?? '') - Date.now()) < 60_000);
  });

  test('a message published without an event carries no CloudEvent attributes', async () => {
    const { publisher, subscriber } = await pair();
    const subject = uniqueSubject('plain');
    const c = collect(subscriber, subject);
    await subscriber.flush();
    publisher.publish(subject, ['a', 1, null, true], { headers: { 'x-one': '1' } });
    const [msg] = await c.waitFor(1);
    assert.deepEqual(msg?.data, ['a', 1, null, true]);
    assert.equal(msg?.event, undefined);
    assert.deepEqual(msg?.headers, { 'x-one': '1' });
  });

  test('JSON above the compression threshold is gzipped and decoded on receipt', async () => {
    const { publisher, subscriber } = await pair({ compressAboveBytes: 256 });
    const subject = uniqueSubject('gzip');
    const c = collect(subscriber, subject);
    await subscriber.flush();
    const big = {
      features: Array.from({ length: 200 }, (_, i) => ({ key: `feature-${i}`, value: i % 2 === 0 })),
    };
    publisher.publish(subject, big, { event: { type: 'publish-feature-v1' } });
    publisher.publish(subject, { small: true }, { event: { type: 'publish-feature-v1' } });
    const [large, small] = await c.waitFor(2);
    assert.deepEqual(large?.data, big);
    assert.equal(large?.event?.datacontenttype, GZIP_JSON_CONTENT_TYPE);
    assert.deepEqual(small?.data, { small: true });
    assert.equal(small?.event?.datacontenttype, JSON_CONTENT_TYPE);
  });

  test('compress: true gzips a small payload and compress: false sends a large one plain', async () => {
    const { publisher, subscriber } = await pair({ compressAboveBytes: 16 });
    const subject = uniqueSubject('gzip-forced');
    const c = collect(subscriber, subject);
    await subscriber.flush();
    const large = 'x'.repeat(1000);
    publisher.publish(subject, 'tiny', { compress: true, event: { type: 't' } });
    publisher.publish(subject, large, { compress: false, event: { type: 't' } });
    publisher.publish(subject, { reply: 'gz' }, { compress: true });
    const [tiny, plain, noEvent] = await c.waitFor(3);
    assert.equal(tiny?.data, 'tiny');
    assert.equal(tiny?.event?.datacontenttype, GZIP_JSON_CONTENT_TYPE);
    assert.equal(plain?.data, large);
    assert.equal(plain?.event?.datacontenttype, JSON_CONTENT_TYPE);
    assert.deepEqual(noEvent?.data, { reply: 'gz' });
  });

  test('bytes are delivered as the same bytes', async () => {
    const { publisher, subscriber } = await pair();
    const subject = uniqueSubject('bytes');
    const c = collect(subscriber, subject);
    await subscriber.flush();
    publisher.publish(subject, new Uint8Array([0, 1, 2, 250, 255]));
    const [msg] = await c.waitFor(1);
    assert.ok(msg?.data instanceof Uint8Array);
    assert.deepEqual([...(msg.data as Uint8Array)], [0, 1, 2, 250, 255]);
  });

  test('after unsubscribe the handler receives nothing more', async () => {
    const { publisher, subscriber } = await pair();
    const subject = uniqueSubject('unsub');
    const gone = collect(subscriber, subject);
    const stays = collect(subscriber, subject);
    await subscriber.flush();
    publisher.publish(subject, 1);
    await gone.waitFor(1);
    gone.unsubscribe();
    await subscriber.flush();
    publisher.publish(subject, 2);
    publisher.publish(subject, 3);
    await stays.waitFor(3);
    await sleep(50);
    assert.deepEqual(
      gone.messages.map((m) => m.data),
      [1],
    );
  });

  test('a handler that throws does not stop later messages', async () => {
    const { publisher, subscriber } = await pair();
    const subject = uniqueSubject('throws');
    const seen: unknown[] = [];
    subscriber.subscribe(subject, async (msg) => {
      seen.push(msg.data);
      if (msg.data === 1) throw new Error('handler failure on purpose');
    });
    const done = collect(subscriber, subject);
    await subscriber.flush();
    publisher.publish(subject, 1);
    publisher.publish(subject, 2);
    await done.waitFor(2);
    await sleep(20);
    assert.deepEqual(seen, [1, 2]);
  });

  test('an async handler finishes one message before it gets the next', async () => {
    const { publisher, subscriber } = await pair();
    const subject = uniqueSubject('serial');
    let active = 0;
    let maxActive = 0;
    const finished: number[] = [];
    subscriber.subscribe(subject, async (msg) => {
      active += 1;
      maxActive = Math.max(maxActive, active);
      await sleep(5);
      finished.push(msg.data as number);
      active -= 1;
    });
    await subscriber.flush();
    for (let i = 0; i < 5; i++) publisher.publish(subject, i);
    const deadline = Date.now() + 5000;
    while (finished.length < 5 && Date.now() < deadline) await sleep(10);
    assert.deepEqual(finished, [0, 1, 2, 3, 4]);
    assert.equal(maxActive, 1);
  });

  test('close lets handlers finish the messages already received, then refuses new work', async () => {
    const { publisher, subscriber } = await pair();
    const subject = uniqueSubject('drain');
    const handled: number[] = [];
    let firstArrived!: () => void;
    const arrived = new Promise<void>((resolve) => {
      firstArrived = resolve;
    });
    subscriber.subscribe(subject, async (msg) => {
      firstArrived();
      await sleep(20);
      handled.push(msg.data as number);
    });
    await subscriber.flush();
    for (let i = 0; i < 5; i++) publisher.publish(subject, i);
    await publisher.flush();
    await arrived;
    assert.equal(subscriber.isReady(), true);
    await subscriber.close();
    assert.deepEqual(handled, [0, 1, 2, 3, 4]);
    assert.equal(subscriber.isReady(), false);
    assert.throws(() => subscriber.publish(subject, 1), BusClosedError);
    assert.throws(() => subscriber.subscribe(subject, () => {}), BusClosedError);
    await assert.rejects(subscriber.request(subject, 1, { timeoutMs: 100 }), BusClosedError);
    await subscriber.close(); // idempotent
  });

  test('payloads JSON cannot carry and malformed subjects or headers are refused at publish', async () => {
    const { publisher } = await pair();
    const subject = uniqueSubject('bad');
    assert.throws(() => publisher.publish(subject, 10n), BusCodecError);
    assert.throws(() => publisher.publish(subject, undefined), BusCodecError);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    assert.throws(() => publisher.publish(subject, cyclic), BusCodecError);
    assert.throws(() => publisher.publish('', 1), InvalidSubjectError);
    assert.throws(() => publisher.publish('has space', 1), InvalidSubjectError);
    assert.throws(() => publisher.publish('a.*', 1), InvalidSubjectError);
    assert.throws(() => publisher.publish('a..b', 1), InvalidSubjectError);
    assert.throws(() => publisher.subscribe('a.>.b', () => {}), InvalidSubjectError);
    assert.throws(() => publisher.publish(subject, 1, { headers: { 'ce-type': 'x' } }), BusCodecError);
    assert.throws(() => publisher.publish(subject, 1, { headers: { 'Content-Type': 'x' } }), BusCodecError);
    assert.throws(() => publisher.publish(subject, 1, { headers: { 'bad name': 'x' } }), BusCodecError);
    assert.throws(() => publisher.publish(subject, 1, { headers: { ok: 'a\r\nb' } }), BusCodecError);
    assert.throws(
      () => publisher.publish(subject, 1, { event: { type: 't', extensions: { 'Bad-Name': 'x' } } }),
      BusCodecError,
    );
    await assert.rejects(publisher.request(subject, 10n), BusCodecError);
  });
}
