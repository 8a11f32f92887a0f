import type { CloudEventAttributes, CloudEventInput } from './cloud-event.ts';

/** Message headers: names are case-insensitive on the wire and delivered lower-cased. */
export type BusHeaders = Readonly<Record<string, string>>;

/** How to publish one message. */
export interface PublishOptions {
  /** Application headers (not `ce-*` or `content-type`, which the bus owns). */
  readonly headers?: BusHeaders | undefined;
  /** Send the message as a binary-mode CloudEvent with these attributes. */
  readonly event?: CloudEventInput | undefined;
  /** `true` always gzips a JSON body, `false` never does; unset gzips above the bus's threshold. */
  readonly compress?: boolean | undefined;
}

/** How to send one request. */
export interface RequestOptions extends PublishOptions {
  /** How long to wait for the first reply; default {@link DEFAULT_REQUEST_TIMEOUT_MS}. */
  readonly timeoutMs?: number | undefined;
}

/** How to subscribe. */
export interface SubscribeOptions {
  /** Join this queue group: each message goes to exactly one member of the group. */
  readonly queue?: string | undefined;
}

/** Default request timeout (upstream Edge waits 4 s for Dacha). */
export const DEFAULT_REQUEST_TIMEOUT_MS = 5000;

/** A received message. */
export interface BusMessage {
  readonly subject: string;
  /**
   * The payload: the decoded JSON value, or a `Uint8Array` when the sender published bytes (or sent a
   * content type the bus does not know). Not validated: check it against its schema before use.
   */
  readonly data: unknown;
  /** Application headers, names lower-cased; CloudEvents attributes are in `event` instead. */
  readonly headers: BusHeaders;
  /** The CloudEvents attributes when the message is a binary-mode CloudEvent. */
  readonly event: CloudEventAttributes | undefined;
  /** Replies to a request; returns false (and sends nothing) when the message was not a request. */
  respond(payload: unknown, options?: PublishOptions): boolean;
}

/**
 * Handles one message. Messages of one subscription are handled one at a time, in arrival order (an
 * async handler is awaited before the next message); a handler that throws is logged and skipped.
 * The return value is ignored (awaited if it is a promise).
 */
export type MessageHandler = (message: BusMessage) => unknown;

/** A live subscription. */
export interface BusSubscription {
  readonly subject: string;
  readonly queue: string | undefined;
  /** Stops delivery at once: the handler is not called again, even for messages already received. */
  unsubscribe(): void;
}

/**
 * The message bus port: fire-and-forget publish, subscribe (optionally in a queue group), request/reply.
 * Subjects are NATS subjects: `.`-separated tokens; subscriptions may use `*` (one token) and `>` (the
 * rest). Adapters: {@link createInProcessBus} (single process) and {@link connectNatsBus} (NATS).
 */
export interface Bus {
  /**
   * Publishes without waiting. Throws {@link InvalidSubjectError}, {@link BusCodecError} for a payload that
   * cannot be encoded, or {@link BusClosedError} once closed.
   */
  publish(subject: string, payload: unknown, options?: PublishOptions): void;
  /** Subscribes; throws {@link BusClosedError} once closing has started. */
  subscribe(subject: string, handler: MessageHandler, options?: SubscribeOptions): BusSubscription;
  /**
   * Sends a request and resolves with the first reply. Rejects with {@link NoRespondersError} when nobody
   * subscribes to the subject, {@link BusTimeoutError} when nobody replies in time.
   */
  request(subject: string, payload: unknown, options?: RequestOptions): Promise<BusMessage>;
  /** Resolves once everything published so far has reached the broker (in-process: has been delivered). */
  flush(): Promise<void>;
  /** True while connected and not closing. */
  isReady(): boolean;
  /** Stops new subscriptions, lets handlers finish the messages already received, then disconnects. */
  close(): Promise<void>;
}

/** The logging the bus needs; pino's logger fits. */
export interface BusLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** Settings shared by both adapters. */
export interface BusOptions {
  /** Default CloudEvents `source` of published events, e.g. `/featurehub/edge`; default `featurehub`. */
  readonly source?: string | undefined;
  /** Gzip JSON bodies above this many bytes; default {@link DEFAULT_COMPRESS_ABOVE_BYTES}. */
  readonly compressAboveBytes?: number | undefined;
  /** Clock for the default CloudEvents `time`. */
  readonly now?: (() => Date) | undefined;
  /** Id generator for the default CloudEvents `id`. */
  readonly newId?: (() => string) | undefined;
}
