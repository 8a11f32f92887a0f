// What Edge's SSE feature streams (sse.ts) and OFREP's change-event streams (ofrep/ofrep-events.ts)
// share: a hijacked response run as a `text/event-stream` on its own connection, its timers and bus
// subscription released once when it ends, and a client that stops reading cut off.
import type { ServerResponse } from 'node:http';
import type { Logger } from '@fh/service-kit';

/** Where a stream logs, and how much unread output its client may leave before it is cut off. */
export interface EventStreamHub {
  readonly logger: Logger;
  readonly settings: { readonly maxBufferedBytes: number };
}

export class EventStreamResponse {
  #ended = false;
  readonly #timers: NodeJS.Timeout[] = [];
  #unsubscribe: (() => void) | undefined;

  constructor(
    readonly res: ServerResponse,
    private readonly hub: EventStreamHub,
    corsHeaders: Readonly<Record<string, string>>,
    private readonly messages: { readonly error: string; readonly notReading: string },
    /** Runs once the stream has ended and released what it held. */
    private readonly onDisposed: () => void,
  ) {
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      'x-accel-buffering': 'no',
      // Each stream gets its own connection, which ends with it: shutdown never waits on keep-alive.
      connection: 'close',
      ...corsHeaders,
    });
    res.on('close', () => this.dispose());
    res.on('error', (err) => {
      hub.logger.debug({ err }, messages.error);
      this.dispose();
    });
  }

  get ended(): boolean {
    return this.#ended;
  }

  /** The bus subscription, ended with the stream. */
  subscribed(unsubscribe: () => void): void {
    this.#unsubscribe = unsubscribe;
  }

  write(chunk: string): void {
    if (this.#ended || this.res.writableEnded || this.res.destroyed) return;
    this.res.write(chunk);
    if (this.res.writableLength > this.hub.settings.maxBufferedBytes) {
      this.hub.logger.warn({ buffered: this.res.writableLength }, this.messages.notReading);
      this.dispose();
      this.res.destroy();
    }
  }

  /** A timer (or interval) cleared when the stream ends; it does not keep the process alive. */
  timer(timer: NodeJS.Timeout): void {
    timer.unref();
    this.#timers.push(timer);
  }

  dispose(): void {
    if (this.#ended) return;
    this.#ended = true;
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.length = 0;
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
    this.onDisposed();
  }
}
