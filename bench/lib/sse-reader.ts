// A minimal SSE reader over raw node:http: splits `event:` frames and hands each to a callback with
// the time it was complete. No EventSource library, so nothing but parsing sits between socket and clock.
import { type IncomingMessage, request } from 'node:http';
import { wallClockMs } from './ipc.ts';

export interface SseFrame {
  readonly event: string;
  readonly data: string;
  /** wallClockMs() when the frame's last byte was read. */
  readonly at: number;
}

export interface SseConnection {
  readonly closed: Promise<void>;
  close(): void;
}

export function openSse(
  url: string,
  onFrame: (frame: SseFrame) => void,
  options: { headers?: Record<string, string>; onError?: (err: Error) => void } = {},
): SseConnection {
  let response: IncomingMessage | undefined;
  let resolveClosed!: () => void;
  const closed = new Promise<void>((r) => {
    resolveClosed = r;
  });
  const req = request(
    url,
    {
      agent: false,
      headers: { accept: 'text/event-stream', 'cache-control': 'no-cache', ...options.headers },
    },
    (res) => {
      response = res;
      res.setEncoding('utf8');
      let buffer = '';
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let end = buffer.indexOf('\n\n');
        if (end < 0) return;
        const at = wallClockMs();
        while (end >= 0) {
          const frame = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          if (!frame.startsWith(':')) onFrame(parseFrame(frame, at));
          end = buffer.indexOf('\n\n');
        }
      });
      res.on('close', resolveClosed);
      res.on('error', () => resolveClosed());
    },
  );
  req.on('error', (err) => {
    options.onError?.(err);
    resolveClosed();
  });
  req.end();
  return {
    closed,
    close: () => {
      response?.destroy();
      req.destroy();
    },
  };
}

function parseFrame(frame: string, at: number): SseFrame {
  let event = 'message';
  const data: string[] = [];
  for (const line of frame.split('\n')) {
    if (line.startsWith('event: ')) event = line.slice(7);
    else if (line.startsWith('data: ')) data.push(line.slice(6));
  }
  return { event, data: data.join('\n'), at };
}
