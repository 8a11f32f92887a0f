// Many SSE clients in one process (the load side of sse-fanout): opens streams, then records when
// each receives the next `feature` event.

import { serveRequests } from '../lib/ipc.ts';
import { openSse, type SseConnection } from '../lib/sse-reader.ts';

interface Stream {
  readonly connection: SseConnection;
  gotFeatures: boolean;
  /** When the awaited `feature` event arrived (wallClockMs), per round. */
  featureAt: number | undefined;
  featureData: string | undefined;
  closed: boolean;
}

const streams: Stream[] = [];
let errors = 0;
let unexpected = 0;
let closedCount = 0;
// Counted, not scanned: with 10,000 streams a scan per event would itself delay the receipts.
let receivedThisRound = 0;
let onProgress: (() => void) | undefined;

async function open(request: { url: string; count: number; concurrency: number }) {
  const started = performance.now();
  let next = 0;
  const openOne = () =>
    new Promise<void>((resolve) => {
      const stream: Stream = {
        gotFeatures: false,
        featureAt: undefined,
        featureData: undefined,
        closed: false,
        connection: openSse(
          request.url,
          (frame) => {
            if (frame.event === 'features') {
              stream.gotFeatures = true;
              resolve();
            } else if (frame.event === 'feature') {
              if (stream.featureAt === undefined) {
                stream.featureAt = frame.at;
                stream.featureData = frame.data;
                receivedThisRound++;
                onProgress?.();
              }
            } else if (frame.event !== 'ack') {
              unexpected++;
              resolve();
            }
          },
          {
            onError: () => {
              errors++;
              resolve();
            },
          },
        ),
      };
      void stream.connection.closed.then(() => {
        stream.closed = true;
        closedCount++;
        onProgress?.();
        resolve();
      });
      streams.push(stream);
    });
  // Keep `concurrency` connects in flight until `count` streams have their `features` event.
  const worker = async () => {
    while (next < request.count) {
      next++;
      await openOne();
    }
  };
  await Promise.all(Array.from({ length: request.concurrency }, worker));
  return {
    opened: streams.filter((s) => s.gotFeatures && !s.closed).length,
    errors,
    unexpected,
    seconds: (performance.now() - started) / 1000,
  };
}

/** Forgets the last `feature` event of every stream, ready for the next change. */
function arm() {
  receivedThisRound = 0;
  for (const s of streams) {
    s.featureAt = undefined;
    s.featureData = undefined;
  }
  return { streams: streams.length };
}

/** Waits until every open stream has its `feature` event (or the timeout), then returns the times. */
async function collect(request: { timeoutMs: number }) {
  const done = () => receivedThisRound >= streams.length - closedCount;
  if (!done()) {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, request.timeoutMs);
      onProgress = () => {
        if (done()) {
          clearTimeout(timer);
          resolve();
        }
      };
    });
    onProgress = undefined;
  }
  const received = streams.filter((s) => s.featureAt !== undefined);
  return {
    times: received.map((s) => s.featureAt!),
    missing: streams.filter((s) => !s.closed && s.featureAt === undefined).length,
    closed: closedCount,
    sample: received[0]?.featureData,
  };
}

/** Closes every stream and forgets them. */
async function closeAll() {
  const all = streams.splice(0);
  for (const s of all) s.connection.close();
  await Promise.all(all.map((s) => s.connection.closed));
  closedCount = 0;
  return { closed: all.length };
}

serveRequests({
  closeAll,
  open: (r: { url: string; count: number; concurrency: number }) => open(r),
  arm,
  collect: (r: { timeoutMs: number }) => collect(r),
  stop: () => {
    for (const s of streams) s.connection.close();
  },
});
