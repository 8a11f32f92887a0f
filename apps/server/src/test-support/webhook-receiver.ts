import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request a receiver got. */
export interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  json: any;
}

/**
 * A local HTTP receiver for webhooks and a fake Slack (`POST /api/chat.postMessage` answers `{ok: true}`).
 * `down()` closes the port (connections are refused), `up()` listens on the same port again.
 */
export class WebhookReceiver {
  readonly received: Received[] = [];
  /** answer every request with this status (200 unless set) */
  status = 200;
  #server: Server | undefined;
  #port = 0;

  get port(): number {
    return this.#port;
  }

  get url(): string {
    return `http://127.0.0.1:${this.#port}`;
  }

  /** Requests to `path`. */
  at(path: string): Received[] {
    return this.received.filter((r) => r.path === path);
  }

  async up(): Promise<void> {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        try {
          json = JSON.parse(body);
        } catch {
          json = undefined;
        }
        this.received.push({ path: req.url ?? '', headers: req.headers, body, json });
        const slack = (req.url ?? '').endsWith('/chat.postMessage');
        res.writeHead(this.status, { 'content-type': 'application/json', 'x-receiver': 'test' });
        res.end(slack ? '{"ok":true}' : '{"received":true}');
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.#port, '127.0.0.1', () => resolve());
    });
    this.#port = (server.address() as AddressInfo).port;
    this.#server = server;
  }

  async down(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
