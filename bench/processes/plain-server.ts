// The baseline: a bare node:http server answering recorded Edge responses (same status, headers and
// body bytes) by URL and the `x-featurehub` and `if-none-match` headers: the least a server can do
// to send the same bytes.
import { createServer, type OutgoingHttpHeaders, type Server } from 'node:http';
import { serveRequests } from '../lib/ipc.ts';

export interface RecordedResponse {
  readonly path: string;
  /** The request headers that choose the answer (`x-featurehub`, `if-none-match`). */
  readonly requestHeaders: Record<string, string>;
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

let server: Server | undefined;

function keyOf(path: string, context: unknown, ifNoneMatch: unknown): string {
  return `${path}\n${typeof context === 'string' ? context : ''}\n${typeof ifNoneMatch === 'string' ? ifNoneMatch : ''}`;
}

async function start(request: { responses: RecordedResponse[] }): Promise<{ port: number }> {
  const answers = new Map<string, { status: number; headers: OutgoingHttpHeaders; body: Buffer }>();
  for (const r of request.responses) {
    const body = Buffer.from(r.body, 'utf8');
    const headers: OutgoingHttpHeaders = { ...r.headers };
    if (r.status !== 304) headers['content-length'] = String(body.length);
    answers.set(keyOf(r.path, r.requestHeaders['x-featurehub'], r.requestHeaders['if-none-match']), {
      status: r.status,
      headers,
      body,
    });
  }
  server = createServer((req, res) => {
    const answer = answers.get(
      keyOf(req.url ?? '', req.headers['x-featurehub'], req.headers['if-none-match']),
    );
    if (answer === undefined) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(answer.status, answer.headers);
    res.end(answer.body);
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return { port: address.port };
}

serveRequests({
  start: (r: { responses: RecordedResponse[] }) => start(r),
  cpu: () => process.cpuUsage(),
  stop: async () => {
    server?.closeAllConnections();
    await new Promise((r) => server?.close(r));
  },
});
