import assert from 'node:assert/strict';
import { EventEmitter, once } from 'node:events';
import {
  type ClientRequest,
  createServer,
  type IncomingMessage,
  request,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { type Logger, silentLogger } from '@fh/service-kit';
import { EventStreamResponse } from './event-stream.ts';

describe('EventStreamResponse (the response both SSE and OFREP event streams run on)', () => {
  let server: Server;
  let url = '';
  const warnings: string[] = [];
  const logger: Logger = Object.assign(silentLogger(), {
    warn: (_: unknown, msg: string) => {
      warnings.push(msg);
    },
  }) as Logger;
  let opened: (out: EventStreamResponse, disposed: Promise<void>) => void = () => {};

  before(async () => {
    server = createServer((_req, res) => {
      let resolveDisposed!: () => void;
      const disposed = new Promise<void>((r) => {
        resolveDisposed = r;
      });
      const out = new EventStreamResponse(
        res,
        { logger, settings: { maxBufferedBytes: 1 << 20 } },
        { 'access-control-allow-origin': '*' },
        { error: 'test stream error', notReading: 'test client is not reading; dropping it' },
        resolveDisposed,
      );
      opened(out, disposed);
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });

  after(() => {
    server.closeAllConnections();
    server.close();
  });

  function connect(): { req: ClientRequest; response: Promise<IncomingMessage> } {
    const req = request(url);
    const response = once(req, 'response').then(([r]) => r as IncomingMessage);
    req.on('error', () => {});
    req.end();
    return { req, response };
  }

  it('answers as an event stream on its own connection; a client leaving releases timers and subscription once', async () => {
    const got = new Promise<[EventStreamResponse, Promise<void>]>((resolve) => {
      opened = (out, disposed) => resolve([out, disposed]);
    });
    const { req, response } = connect();
    const [out, disposed] = await got;
    let unsubscribed = 0;
    let fired = false;
    out.subscribed(() => unsubscribed++);
    out.timer(setTimeout(() => (fired = true), 300));
    out.write('event: ack\ndata: {}\n\n');
    const res = await response;
    assert.equal(res.headers['content-type'], 'text/event-stream; charset=utf-8');
    assert.equal(res.headers.connection, 'close');
    assert.equal(res.headers['access-control-allow-origin'], '*');
    const [first] = (await once(res, 'data')) as [Buffer];
    assert.equal(first.toString(), 'event: ack\ndata: {}\n\n');
    req.destroy();
    await disposed;
    assert.equal(out.ended, true);
    assert.equal(unsubscribed, 1);
    out.dispose();
    assert.equal(unsubscribed, 1, 'released once');
    out.write('after the end\n\n'); // ignored, no throw
    await new Promise((r) => setTimeout(r, 400));
    assert.equal(fired, false, 'the timer was cleared');
  });

  it('cuts off a client that leaves more than maxBufferedBytes unread', () => {
    // A response whose client reads nothing: everything written stays buffered.
    const res = Object.assign(new EventEmitter(), {
      writableLength: 0,
      writableEnded: false,
      destroyed: false,
      writeHead() {},
      write(chunk: string) {
        this.writableLength += Buffer.byteLength(chunk);
        return false;
      },
      destroy() {
        this.destroyed = true;
      },
    });
    let disposed = 0;
    const out = new EventStreamResponse(
      res as unknown as ServerResponse,
      { logger, settings: { maxBufferedBytes: 100 } },
      {},
      { error: 'test stream error', notReading: 'test client is not reading; dropping it' },
      () => disposed++,
    );
    out.write('x'.repeat(100));
    assert.equal(out.ended, false, 'at the limit it stays');
    out.write('y');
    assert.equal(out.ended, true);
    assert.equal(res.destroyed, true);
    assert.equal(disposed, 1);
    assert.deepEqual(warnings, ['test client is not reading; dropping it']);
    out.write('z');
    assert.equal(res.writableLength, 101, 'nothing is written after the cut');
  });
});
