// Test-only: a raw SSE reader on fetch, to check frames byte-for-byte without an SDK in between.

export interface SseFrame {
  readonly event: string;
  readonly data: string;
  readonly id?: string;
}

export interface RawSseStream {
  readonly status: number;
  readonly headers: Headers;
  /** Every frame so far, in order (comment lines are recorded as event `:comment`). */
  readonly frames: SseFrame[];
  /** Resolves when the server ends the stream. */
  readonly ended: Promise<void>;
  /** Waits for the first frame (from `from` on) matching `match`. */
  next(match: (f: SseFrame) => boolean, ms?: number, from?: number): Promise<SseFrame>;
  close(): void;
}

export async function openSse(url: string, headers: Record<string, string> = {}): Promise<RawSseStream> {
  const abort = new AbortController();
  const res = await fetch(url, {
    headers: { accept: 'text/event-stream', ...headers },
    signal: abort.signal,
  });
  const frames: SseFrame[] = [];
  const waiters = new Set<() => void>();
  const notify = () => {
    for (const w of [...waiters]) w();
  };
  let done = false;
  const ended = (async () => {
    if (res.body === null) return;
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of res.body) {
        buffer += decoder.decode(chunk as Uint8Array, { stream: true });
        let cut = buffer.indexOf('\n\n');
        while (cut >= 0) {
          const block = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          const frame: { event: string; data: string[]; id?: string } = { event: 'message', data: [] };
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) frame.event = ':comment';
            else if (line.startsWith('event: ')) frame.event = line.slice(7);
            else if (line.startsWith('data: ')) frame.data.push(line.slice(6));
            else if (line.startsWith('id: ')) frame.id = line.slice(4);
          }
          frames.push({
            event: frame.event,
            data: frame.data.join('\n'),
            ...(frame.id === undefined ? {} : { id: frame.id }),
          });
          notify();
          cut = buffer.indexOf('\n\n');
        }
      }
    } catch {
      // aborted by the test
    } finally {
      done = true;
      notify();
    }
  })();

  return {
    status: res.status,
    headers: res.headers,
    frames,
    ended,
    next(match, ms = 5000, from = 0) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = frames.slice(from).find(match);
          if (found !== undefined) {
            cleanup();
            resolve(found);
          } else if (done) {
            cleanup();
            reject(new Error(`stream ended without the frame; got ${frames.map((f) => f.event).join(',')}`));
          }
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`no such frame within ${ms} ms; got ${frames.map((f) => f.event).join(',')}`));
        }, ms);
        const cleanup = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
    close() {
      abort.abort();
    },
  };
}

/** The event names of a stream so far, e.g. `['ack', 'features', 'bye']`. */
export function eventNames(stream: RawSseStream): string[] {
  return stream.frames.map((f) => f.event);
}
