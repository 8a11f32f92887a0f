import assert from 'node:assert/strict';
import { Socket } from 'node:net';
import { describe, test } from 'node:test';
import { skipUnlessNatsServerBinary, startNatsServer } from './nats.ts';

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    socket.once('error', () => resolve(false));
    socket.connect(port, '127.0.0.1', () => {
      socket.destroy();
      resolve(true);
    });
  });
}

describe('startNatsServer', { skip: await skipUnlessNatsServerBinary() }, () => {
  test('starts on a free port and restarts on the same one', async () => {
    const server = await startNatsServer({ jetstream: true });
    try {
      assert.equal(server.url, `nats://127.0.0.1:${server.port}`);
      assert.ok(await accepts(server.port));
      await server.kill();
      assert.equal(server.isRunning(), false);
      assert.equal(await accepts(server.port), false);
      await server.restart();
      assert.equal(server.isRunning(), true);
      assert.ok(await accepts(server.port));
    } finally {
      await server.stop();
    }
    assert.equal(server.isRunning(), false);
    await assert.rejects(server.start(), /stopped/);
  });
});
