import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { BusLogger } from './bus.ts';
import { busBehaviourSuite, collect } from './bus-behaviour-suite.ts';
import { BusClosedError } from './errors.ts';
import { createInProcessBus } from './in-process-bus.ts';

describe('in-process bus', () => {
  busBehaviourSuite(async (options) => {
    const bus = createInProcessBus(options);
    return { publisher: bus, subscriber: bus };
  });

  test('messages are delivered before any timer fires', async () => {
    const bus = createInProcessBus();
    const c = collect(bus, 'fast');
    bus.publish('fast', 1);
    assert.equal(c.messages.length, 0, 'publish does not call handlers synchronously');
    await new Promise((resolve) => setTimeout(resolve, 0));
    assert.equal(c.messages.length, 1);
    await bus.close();
  });

  test('a queue group takes turns between its members', async () => {
    const bus = createInProcessBus();
    const members = [collect(bus, 'rr', { queue: 'q' }), collect(bus, 'rr', { queue: 'q' })];
    for (let i = 0; i < 4; i++) bus.publish('rr', i);
    await bus.flush();
    assert.deepEqual(
      members.map((m) => m.messages.map((x) => x.data)),
      [
        [0, 2],
        [1, 3],
      ],
    );
    await bus.close();
  });

  test('receivers get their own copy of the payload', async () => {
    const bus = createInProcessBus();
    const c = collect(bus, 'copy');
    const payload = { list: [1] };
    bus.publish('copy', payload);
    payload.list.push(2);
    const [msg] = await c.waitFor(1);
    assert.deepEqual(msg?.data, { list: [1] });
    await bus.close();
  });

  test('a failing handler is logged with the subject', async () => {
    const errors: unknown[] = [];
    const logger: BusLogger = {
      debug: () => {},
      info: () => {},
      warn: () => {},
      error: (obj) => errors.push(obj),
    };
    const bus = createInProcessBus({ logger });
    bus.subscribe('boom', () => {
      throw new Error('boom');
    });
    bus.publish('boom', 1);
    await bus.flush();
    assert.equal(errors.length, 1);
    assert.equal((errors[0] as { subject: string }).subject, 'boom');
    await bus.close();
  });

  test('a request still waiting when the bus closes is rejected with BusClosedError', async () => {
    const bus = createInProcessBus();
    bus.subscribe('never-answers', () => {});
    const pending = bus.request('never-answers', 1, { timeoutMs: 10_000 });
    await bus.close();
    await assert.rejects(pending, BusClosedError);
  });

  test('the clock and id generator are injectable', async () => {
    const bus = createInProcessBus({ now: () => new Date(0), newId: () => 'fixed-id', source: '/test' });
    const c = collect(bus, 'ids');
    bus.publish('ids', 1, { event: { type: 'x-v1' } });
    const [msg] = await c.waitFor(1);
    assert.equal(msg?.event?.id, 'fixed-id');
    assert.equal(msg?.event?.time, '1970-01-01T00:00:00.000Z');
    assert.equal(msg?.event?.source, '/test');
    await bus.close();
  });
});
