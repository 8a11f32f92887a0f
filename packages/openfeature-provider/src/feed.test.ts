import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Feed, type FeedListener } from './feed.ts';

// The feed on a fake Edge (a `fetch` that answers as FeatureHub Edge does, frames as upstream's Java
// Edge writes them): what it holds, and what it tells its provider.

const KEY = '11111111-2222-4333-8444-555555555555/abc*def';

/** A stream the test writes SSE frames into. */
class FakeStream {
  readonly #encoder = new TextEncoder();
  #controller: ReadableStreamDefaultController<Uint8Array> | undefined;
  readonly body = new ReadableStream<Uint8Array>({
    start: (c) => {
      this.#controller = c;
    },
  });
  send(event: string, data: unknown): void {
    this.#controller?.enqueue(this.#encoder.encode(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`));
  }
  end(): void {
    this.#controller?.close();
  }
}

interface FakeEdge {
  readonly fetch: typeof fetch;
  readonly requests: string[];
  readonly streams: FakeStream[];
}

/** SSE answers from `streamStatus` (a fresh stream each time), polls answered by `poll`. */
function fakeEdge(streamStatus: () => number, poll: () => Response = () => new Response('[]')): FakeEdge {
  const requests: string[] = [];
  const streams: FakeStream[] = [];
  const fake = (async (input: string | URL | Request) => {
    const url = String(input);
    requests.push(url);
    if (url.includes('/features?')) return poll();
    const status = streamStatus();
    if (status !== 200) return new Response('no', { status });
    const stream = new FakeStream();
    streams.push(stream);
    return new Response(stream.body, { status: 200, headers: { 'content-type': 'text/event-stream' } });
  }) as typeof fetch;
  return { fetch: fake, requests, streams };
}

function recorder(): FeedListener & { log: string[] } {
  const log: string[] = [];
  return {
    log,
    changed: (keys) => log.push(`changed ${keys.join(',')}`),
    stale: () => log.push('stale'),
    failed: () => log.push('failed'),
    recovered: () => log.push('recovered'),
  };
}

async function until(what: string, check: () => boolean): Promise<void> {
  const deadline = Date.now() + 2000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const flag = (version: number, value: boolean) => ({
  id: 'f1',
  key: 'FLAG',
  l: false,
  version,
  type: 'BOOLEAN',
  value,
  strategies: [],
});

describe('Feed over the Edge stream', () => {
  it('is ready with the first features; applies feature and delete_feature by the version rule', async () => {
    const edge = fakeEdge(() => 200);
    const feed = new Feed({ edgeUrl: 'http://edge.test/features/', apiKey: KEY, fetch: edge.fetch });
    const events = recorder();
    const started = feed.start(events);
    await until('a stream', () => edge.streams.length === 1);
    assert.equal(
      edge.requests[0],
      `http://edge.test/features/${KEY}`,
      'a trailing /features is dropped, as the SDKs do',
    );
    const stream = edge.streams[0]!;
    stream.send('ack', { status: 'discover' });
    stream.send('features', [flag(2, true)]);
    await started;
    assert.equal(feed.features.get('FLAG')?.state.value, true);

    stream.send('feature', flag(1, false)); // older: ignored
    stream.send('feature', flag(3, false));
    await until('the change', () => events.log.length === 1);
    assert.deepEqual(events.log, ['changed FLAG']);
    assert.equal(feed.features.get('FLAG')?.state.value, false);
    stream.send('delete_feature', { id: 'f1', key: 'FLAG', version: 3 });
    await until('the delete', () => events.log.length === 2);
    assert.equal(feed.features.has('FLAG'), false);
    feed.close();
  });

  it('reconnects after bye and a dropped stream, reporting stale and recovery; failure is an error for good', async () => {
    let status = 200;
    const edge = fakeEdge(() => status);
    const feed = new Feed({
      edgeUrl: 'http://edge.test',
      apiKey: KEY,
      fetch: edge.fetch,
      reconnectDelayMs: 5,
    });
    const events = recorder();
    const started = feed.start(events);
    await until('a stream', () => edge.streams.length === 1);
    edge.streams[0]!.send('features', [flag(1, true)]);
    await started;
    edge.streams[0]!.send('bye', { status: 'closed' });
    await until('a second stream', () => edge.streams.length === 2);
    status = 503;
    edge.streams[1]!.end();
    await until('stale', () => events.log.includes('stale'));
    status = 200;
    await until('a third stream', () => edge.streams.length === 3);
    edge.streams[2]!.send('features', [flag(1, true)]);
    await until('recovered', () => events.log.includes('recovered'));
    edge.streams[2]!.send('failure', { status: 'Unrecognized API key. Please stop requesting.' });
    await until('failed', () => events.log.includes('failed'));
    const count = edge.requests.length;
    await new Promise((r) => setTimeout(r, 30));
    assert.equal(edge.requests.length, count, 'no reconnect after failure');
  });

  it('a refused key fails the start', async () => {
    const edge = fakeEdge(() => 200);
    const feed = new Feed({ edgeUrl: 'http://edge.test', apiKey: KEY, fetch: edge.fetch });
    const started = feed.start(recorder());
    await until('a stream', () => edge.streams.length === 1);
    edge.streams[0]!.send('failure', { status: 'Unrecognized API key. Please stop requesting.' });
    await assert.rejects(started, /refused the key/);
  });

  it('polls where the server has no stream (501), with If-None-Match', async () => {
    let answer = () =>
      new Response(JSON.stringify([{ id: 'env', features: [flag(1, true)] }]), { headers: { etag: '"e1"' } });
    const edge = fakeEdge(
      () => 501,
      () => answer(),
    );
    const seen: (string | null)[] = [];
    const fetchWithHeaders = (async (input: string | URL | Request, init?: RequestInit) => {
      if (String(input).includes('/features?')) seen.push(new Headers(init?.headers).get('if-none-match'));
      return edge.fetch(input, init);
    }) as typeof fetch;
    const feed = new Feed({
      edgeUrl: 'http://edge.test',
      apiKey: KEY,
      fetch: fetchWithHeaders,
      pollIntervalMs: 5,
    });
    const events = recorder();
    await feed.start(events);
    assert.equal(feed.mode, 'poll');
    assert.equal(feed.features.get('FLAG')?.state.value, true);
    answer = () => new Response(null, { status: 304 });
    await until('a revalidating poll', () => seen.includes('"e1"'));
    answer = () => new Response(JSON.stringify([{ id: 'env', features: [flag(2, false)] }]));
    await until('the change', () => events.log.includes('changed FLAG'));
    feed.close();
  });
});
