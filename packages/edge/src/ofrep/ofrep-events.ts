// The OFREP change-notification stream (`event-streams.yaml`): one SSE connection per client that
// says `refetchEvaluation` whenever what its key sees may have changed, and nothing else. It carries
// no flag data, so one stream serves every context of the key.
import type { ServerResponse } from 'node:http';
import type { Logger } from '@fh/service-kit';
import { EventStreamResponse } from '../event-stream.ts';
import type { EnvironmentChange, FeatureSource, FeatureUpdates } from '../ports.ts';
import { OFREP_CORS_HEADERS } from './ofrep-http.ts';

export interface OfrepEventSettings {
  /** Streams end after this long (0 = never); EventSource reconnects and Last-Event-ID covers the gap. */
  readonly dropAfterMs: number;
  /** A comment line this often (0 = off), so proxies keep the connection and dead sockets are noticed. */
  readonly heartbeatMs: number;
  /** A client that lets this much pile up unread is cut off. */
  readonly maxBufferedBytes: number;
}

/** When the last state was seen, in whole seconds (the spec recommends Unix seconds). */
function refetchFrame(etag: string, nowMs: number): string {
  const data = JSON.stringify({ type: 'refetchEvaluation', etag, lastModified: Math.floor(nowMs / 1000) });
  return `id: ${etag}\nevent: message\ndata: ${data}\n\n`;
}

/** The open OFREP event streams of one server. */
export class OfrepEventHub {
  readonly #streams = new Set<OfrepEventStream>();
  #closing = false;

  constructor(
    readonly source: FeatureSource,
    readonly updates: FeatureUpdates,
    readonly settings: OfrepEventSettings,
    readonly logger: Logger,
    readonly now: () => number = Date.now,
  ) {}

  get size(): number {
    return this.#streams.size;
  }

  /**
   * Runs a stream on a hijacked response for a key already found with state tag `etag`. A client
   * that reconnects with an older `Last-Event-ID` is told to re-fetch at once: it may have missed a
   * change while it was away.
   */
  open(
    res: ServerResponse,
    key: { environmentId: string; serviceKey: string },
    etag: string,
    lastEventId: string | undefined,
  ): void {
    const stream = new OfrepEventStream(this, res, key, etag);
    if (this.#closing) {
      stream.end();
      return;
    }
    this.#streams.add(stream);
    stream.start(lastEventId !== undefined && lastEventId !== '' && lastEventId !== etag);
  }

  closeAll(): void {
    this.#closing = true;
    for (const s of [...this.#streams]) s.end();
  }

  forget(stream: OfrepEventStream): void {
    this.#streams.delete(stream);
  }
}

class OfrepEventStream {
  readonly #out: EventStreamResponse;
  #pending = false;
  #forced = false;

  constructor(
    readonly hub: OfrepEventHub,
    res: ServerResponse,
    readonly key: { environmentId: string; serviceKey: string },
    /** The state tag the client last heard of. */
    public etag: string,
  ) {
    this.#out = new EventStreamResponse(
      res,
      hub,
      OFREP_CORS_HEADERS,
      { error: 'OFREP event stream error', notReading: 'OFREP event client is not reading; dropping it' },
      () => hub.forget(this),
    );
  }

  start(refetchNow: boolean): void {
    // `retry` keeps reconnects after a drop quick; `id` makes the client send this state's tag as
    // Last-Event-ID when it reconnects, even if no change came meanwhile; the comment makes the
    // headers reach the client.
    this.#out.write(`retry: 1000\nid: ${this.etag}\n: connected\n\n`);
    if (refetchNow) this.#out.write(refetchFrame(this.etag, this.hub.now()));
    const { settings } = this.hub;
    if (settings.dropAfterMs > 0) this.#out.timer(setTimeout(() => this.end(), settings.dropAfterMs));
    if (settings.heartbeatMs > 0)
      this.#out.timer(setInterval(() => this.#out.write(': heartbeat\n\n'), settings.heartbeatMs));
    this.#out.subscribed(
      this.hub.updates.subscribe(this.key.environmentId, (change) => this.#onChange(change)),
    );
    // A change between the lookup that opened this stream and the subscription would be missed:
    // look again now that changes are heard.
    void this.#notify();
  }

  end(): void {
    if (this.#out.ended) return;
    this.#out.dispose();
    this.#out.res.end();
  }

  #onChange(change: EnvironmentChange): void {
    if (this.#out.ended) return;
    if (change.kind === 'environment-deleted') {
      // The re-fetch tells the client what became of its key (401).
      this.#out.write(refetchFrame(`${this.etag}-deleted`, this.hub.now()));
      this.end();
      return;
    }
    // Keys, roles or filters of an account changed: what this key sees may differ with the same tag.
    if (change.kind === 'service-account-changed') this.#forced = true;
    // Several changes in a row (a whole publish) make one notification, sent once the source holds
    // the new state, so the tag sent is the one a re-fetch will see.
    if (this.#pending) return;
    this.#pending = true;
    setImmediate(() => {
      this.#pending = false;
      void this.#notify();
    });
  }

  async #notify(): Promise<void> {
    if (this.#out.ended) return;
    let lookup: Awaited<ReturnType<FeatureSource['features']>>;
    try {
      lookup = await this.hub.source.features(this.key.environmentId, this.key.serviceKey);
    } catch (err) {
      this.hub.logger.error({ err, environmentId: this.key.environmentId }, 'OFREP event lookup failed');
      return;
    }
    if (this.#out.ended) return;
    if (lookup.status === 'not_ready') return;
    if (lookup.status !== 'found') {
      // The key lost access: the re-fetch gets 401/403 and tells the client; nothing more to say here.
      this.#out.write(refetchFrame(`${this.etag}-revoked`, this.hub.now()));
      this.end();
      return;
    }
    const etag = lookup.environment.etag;
    const forced = this.#forced;
    this.#forced = false;
    if (etag === this.etag && !forced) return;
    this.etag = etag;
    this.#out.write(refetchFrame(etag, this.hub.now()));
  }
}
