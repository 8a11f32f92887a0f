// The baseline: a bare node:http server answering recorded Edge responses (same status, headers and
// body bytes) by URL and `x-featurehub` header — the least a server can do to send the same bytes.
import { createServer, type OutgoingHttpHeaders, type Server } from 'node:http';
import { serveRequests } from '../lib/ipc.ts';

export interface RecordedResponse {
  readonly path: string;
  readonly contextHeader: string | undefined;
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

let server: Server | undefined;

function keyOf(path: string, header: string | undefined): string {
  return `${path}\n${header ?? ''}`;
}

async function start(request: { responses: RecordedResponse[] }): Promise<{ port: number }> {
  const answers = new Map<string, { status: number; headers: OutgoingHttpHeaders; body: Buffer }>();
  for (const r of request.responses) {
    const body = Buffer.from(r.body, 'utf8');
    answers.set(keyOf(r.path, r.contextHeader), {
      status: r.status,
      headers: { ...r.headers, 'content-length': String(body.length) },
      body,
    });
  }
  server = createServer((req, res) => {
    const header = req.headers['x-featurehub'];
    const answer = answers.get(keyOf(req.url ?? '', typeof header === 'string' ? header : undefined));
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
  stop: async () => {
    server?.closeAllConnections();
    await new Promise((r) => server?.close(r));
  },
});
