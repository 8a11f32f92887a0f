import type { ServerResponse } from 'node:http';
import type { EvaluationContext, EvaluationOptions } from '@fh/evaluation';
import type { Logger } from '@fh/service-kit';
import type { ApiKey } from './api-key.ts';
import { EventStreamResponse } from './event-stream.ts';
import {
  featureStateJson,
  isFeatureVisible,
  type StateVariant,
  serialiseFeatures,
  variantKey,
} from './feature-state.ts';
import { CORS_RESPONSE_HEADERS } from './http-headers.ts';
import type { EnvironmentChange, FeatureSource, FeatureUpdates } from './ports.ts';

export interface SseSettings {
  /** Streams end with `bye` after this long (0 = never); the SDK reconnects about 1 s later. */
  readonly dropAfterMs: number;
  /** A comment line every this often (0 = off), so proxies and dead sockets are noticed. */
  readonly heartbeatMs: number;
  /** A client that lets this much pile up unread is cut off, not buffered without limit. */
  readonly maxBufferedBytes: number;
  /** When the cache is not ready, the stream ends with `bye` after up to this long. */
  readonly notReadyCloseMs: number;
  /** The named cache this Edge serves (`default`); any other name gets `failure`. */
  readonly cacheName: string;
}

const UNKNOWN_KEY = 'Unrecognized API key. Please stop requesting.';

function frame(event: string, data: string, id?: string): string {
  return id === undefined
    ? `event: ${event}\ndata: ${data}\n\n`
    : `event: ${event}\nid: ${id}\ndata: ${data}\n\n`;
}

const ACK_DISCOVER = frame('ack', '{"status":"discover"}');
const BYE = frame('bye', '{"status":"closed"}');
const HEARTBEAT = ': heartbeat\n\n';

/** The open SSE streams of one Edge: opens them, fans changes out, ends them all on shutdown. */
export class SseHub {
  readonly #streams = new Set<SseStream>();
  // One serialisation per change and variant, shared by every client-evaluated stream.
  readonly #changeMemo = new WeakMap<EnvironmentChange, Map<string, string>>();
  #closing = false;

  constructor(
    readonly source: FeatureSource,
    readonly updates: FeatureUpdates,
    readonly settings: SseSettings,
    readonly logger: Logger,
    readonly evaluation: EvaluationOptions,
  ) {}

  get size(): number {
    return this.#streams.size;
  }

  /** Takes over a hijacked response and runs the stream until it ends. */
  open(res: ServerResponse, key: ApiKey | undefined, context: EvaluationContext): void {
    const stream = new SseStream(this, res, key, context);
    if (this.#closing) {
      stream.end(BYE);
      return;
    }
    this.#streams.add(stream);
    void stream.start();
  }

  /** Ends every stream with `bye` (graceful shutdown): clients reconnect elsewhere or later. */
  closeAll(): void {
    this.#closing = true;
    for (const stream of [...this.#streams]) stream.end(BYE);
  }

  forget(stream: SseStream): void {
    this.#streams.delete(stream);
  }

  serialisedChange(change: EnvironmentChange, key: string, make: () => string): string {
    let byVariant = this.#changeMemo.get(change);
    if (byVariant === undefined) {
      byVariant = new Map();
      this.#changeMemo.set(change, byVariant);
    }
    let json = byVariant.get(key);
    if (json === undefined) {
      json = make();
      byVariant.set(key, json);
    }
    return json;
  }
}

class SseStream {
  readonly #out: EventStreamResponse;
  /** Until `features` is written, changes are held; ended is `#out.ended`. */
  #live = false;
  #held: EnvironmentChange[] = [];
  #variant: StateVariant | undefined;
  #serviceAccountId: string | undefined;
  /**
   * For a key with feature filters: the ids of the features this stream has been sent, so a feature whose
   * filters stop matching is deleted from the SDK (and one that starts matching is sent).
   */
  #sentFiltered: Set<string> | undefined;

  constructor(
    readonly hub: SseHub,
    res: ServerResponse,
    readonly key: ApiKey | undefined,
    readonly context: EvaluationContext,
  ) {
    this.#out = new EventStreamResponse(
      res,
      hub,
      CORS_RESPONSE_HEADERS,
      { error: 'SSE connection error', notReading: 'SSE client is not reading; dropping it' },
      () => {
        this.#held = [];
        hub.forget(this);
      },
    );
  }

  async start(): Promise<void> {
    this.#out.write(ACK_DISCOVER);
    const { settings } = this.hub;
    if (settings.dropAfterMs > 0) this.#out.timer(setTimeout(() => this.end(BYE), settings.dropAfterMs));
    if (settings.heartbeatMs > 0)
      this.#out.timer(setInterval(() => this.#out.write(HEARTBEAT), settings.heartbeatMs));

    const key = this.key;
    if (key === undefined) return this.#fail(UNKNOWN_KEY);
    if (key.cacheName !== settings.cacheName) return this.#fail('unable to communicate with named cache.');
    // Subscribe before reading, holding changes until `features` is written, so none falls between.
    this.#out.subscribed(this.hub.updates.subscribe(key.environmentId, (change) => this.#onChange(change)));
    let lookup: Awaited<ReturnType<FeatureSource['features']>>;
    try {
      lookup = await this.hub.source.features(key.environmentId, key.serviceKey);
    } catch (err) {
      this.hub.logger.error({ err, environmentId: key.environmentId }, 'SSE feature lookup failed');
      return this.#fail('Could not write initial features');
    }
    if (this.#out.ended) return;
    if (lookup.status === 'not_ready') {
      const delay = Math.floor(Math.random() * settings.notReadyCloseMs);
      this.#out.timer(setTimeout(() => this.end(BYE), delay));
      return;
    }
    if (lookup.status !== 'found') return this.#fail(UNKNOWN_KEY);

    const env = lookup.environment;
    this.#serviceAccountId = env.serviceAccountId;
    const variant: StateVariant = {
      clientEvaluated: key.clientEvaluated,
      extendedData: env.roles.includes('EXTENDED_DATA'),
      filters: env.filters,
    };
    this.#variant = variant;
    if (variant.filters.length > 0) {
      this.#sentFiltered = new Set(
        env.features.filter((f) => isFeatureVisible(f, variant.filters)).map((f) => f.feature.id),
      );
    }
    let features: string;
    try {
      features = serialiseFeatures(env, variant, this.context, this.hub.evaluation);
    } catch (err) {
      this.hub.logger.error({ err, environmentId: key.environmentId }, 'SSE features could not be built');
      return this.#fail('Could not write initial features');
    }
    this.#out.write(frame('features', features, env.etag));
    this.#live = true;
    const held = this.#held;
    this.#held = [];
    for (const change of held) this.#onChange(change);
  }

  /** Writes a last frame and ends the stream. */
  end(last: string): void {
    if (this.#out.ended) return;
    this.#out.write(last);
    this.#out.dispose();
    this.#out.res.end();
  }

  #fail(status: string): void {
    this.end(frame('failure', JSON.stringify({ status })));
  }

  #onChange(change: EnvironmentChange): void {
    if (this.#out.ended) return;
    if (!this.#live) {
      this.#held.push(change);
      return;
    }
    switch (change.kind) {
      case 'environment-deleted':
        this.end(BYE);
        return;
      case 'service-account-changed':
        // Keys or roles changed: reconnecting re-checks access and resends what the key may see.
        if (change.serviceAccountId === this.#serviceAccountId) this.end(BYE);
        return;
      default: {
        const variant = this.#variant;
        if (variant === undefined) return;
        const sent = this.#sentFiltered;
        let event: 'feature' | 'delete_feature' =
          change.kind === 'feature-updated' ? 'feature' : 'delete_feature';
        if (sent !== undefined) {
          const id = change.feature.feature.id;
          if (!isFeatureVisible(change.feature, variant.filters)) {
            // Its filters no longer match this key: the SDK must drop what it was sent.
            if (!sent.delete(id)) return;
            event = 'delete_feature';
          } else if (event === 'feature') sent.add(id);
          else sent.delete(id);
        }
        const make = () => featureStateJson(change.feature, variant, this.context, this.hub.evaluation);
        let data: string;
        try {
          data = variant.clientEvaluated
            ? this.hub.serialisedChange(change, variantKey(variant), make)
            : make();
        } catch (err) {
          this.hub.logger.error({ err }, 'SSE feature change could not be built');
          this.end(BYE);
          return;
        }
        this.#out.write(frame(event, data));
      }
    }
  }
}
