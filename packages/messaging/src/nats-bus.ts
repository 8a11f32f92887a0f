import { setTimeout as sleep } from 'node:timers/promises';
import {
  connect,
  errors,
  type Msg,
  type MsgHdrs,
  type NatsConnection,
  headers as natsHeaders,
  type Status,
} from '@nats-io/transport-node';
import type {
  Bus,
  BusLogger,
  BusMessage,
  BusOptions,
  BusSubscription,
  MessageHandler,
  PublishOptions,
  RequestOptions,
  SubscribeOptions,
} from './bus.ts';
import { DEFAULT_REQUEST_TIMEOUT_MS } from './bus.ts';
import { BusClosedError, BusTimeoutError, NoRespondersError } from './errors.ts';
import {
  assertPublishSubject,
  assertSubscribeSubject,
  decodeWire,
  encodeWire,
  type WireMessage,
  type WireSettings,
  wireSettings,
} from './wire.ts';

/** Options of {@link connectNatsBus}. */
export interface NatsBusOptions extends BusOptions {
  /** NATS server URLs, e.g. `['nats://nats:4222']`. */
  readonly servers: readonly string[];
  /** Connection name shown by the NATS server (e.g. `featurehub-edge`). */
  readonly name?: string | undefined;
  /** Receives connection status changes, failing handlers and undecodable messages. */
  readonly logger: BusLogger;
  /**
   * Retry pacing while disconnected (and before the first connection): waits grow with the time spent
   * disconnected, from `initialDelayMs` (default 250) up to `maxDelayMs` (default 5000). Never gives up.
   */
  readonly reconnect?: { readonly initialDelayMs?: number; readonly maxDelayMs?: number } | undefined;
  /** Aborts waiting for the first connection (e.g. shutdown during startup). */
  readonly signal?: AbortSignal | undefined;
  /** How long `close()` waits for the drain before closing hard; default 10000. */
  readonly drainTimeoutMs?: number | undefined;
}

/**
 * Connects the bus to NATS. Resolves once connected, retrying with backoff for as long as it takes
 * (abort with `signal`). Afterwards it reconnects forever: while disconnected `isReady()` is false,
 * publishes are buffered by the client, and subscriptions resume on reconnection. Messages are sent as
 * binary-mode CloudEvents when an `event` is given (`ce-*` headers, JSON body, gzipped above a threshold).
 */
export async function connectNatsBus(options: NatsBusOptions): Promise<Bus> {
  const { logger } = options;
  const initialDelayMs = options.reconnect?.initialDelayMs ?? 250;
  const maxDelayMs = options.reconnect?.maxDelayMs ?? 5000;
  const backoff = (disconnectedForMs: number): number =>
    Math.min(maxDelayMs, Math.max(initialDelayMs, disconnectedForMs / 2));

  const state = { disconnectedAt: Date.now() };
  const started = Date.now();
  let connection: NatsConnection | undefined;
  while (!connection) {
    options.signal?.throwIfAborted();
    try {
      connection = await connect({
        servers: [...options.servers],
        name: options.name,
        reconnect: true,
        maxReconnectAttempts: -1,
        // Called before every dial attempt; basing the wait on time disconnected (not on a call count)
        // keeps the pacing sane however often the client asks.
        reconnectDelayHandler: () => backoff(Date.now() - state.disconnectedAt),
      });
    } catch (err) {
      const retryInMs = backoff(Date.now() - started);
      logger.warn({ err, servers: options.servers, retryInMs }, 'cannot connect to NATS yet; retrying');
      await sleep(retryInMs, undefined, { signal: options.signal });
    }
  }
  logger.info({ server: connection.getServer(), name: options.name }, 'connected to NATS');
  return new NatsBus(connection, wireSettings(options), logger, state, options.drainTimeoutMs ?? 10_000);
}

function toNatsHeaders(headers: Readonly<Record<string, string>>): MsgHdrs {
  const h = natsHeaders();
  for (const [name, value] of Object.entries(headers)) h.set(name, value);
  return h;
}

function fromNatsHeaders(headers: MsgHdrs | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!headers) return out;
  for (const [name, values] of headers) out[name.toLowerCase()] = values[0] ?? '';
  return out;
}

/** Maps nats.js errors onto the bus's own, so callers never depend on the client library. */
function busError(err: unknown, subject: string, timeoutMs?: number): unknown {
  if (err instanceof errors.RequestError && err.isNoResponders())
    return new NoRespondersError(subject, { cause: err });
  if (err instanceof errors.NoRespondersError) return new NoRespondersError(subject, { cause: err });
  const timedOut =
    err instanceof errors.TimeoutError ||
    (err instanceof errors.RequestError && err.cause instanceof errors.TimeoutError);
  if (timedOut) return new BusTimeoutError(subject, timeoutMs ?? 0, { cause: err });
  if (err instanceof errors.ClosedConnectionError || err instanceof errors.DrainingConnectionError) {
    return new BusClosedError(err.message, { cause: err });
  }
  return err;
}

class NatsBus implements Bus {
  readonly #nc: NatsConnection;
  readonly #settings: WireSettings;
  readonly #logger: BusLogger;
  readonly #reconnectState: { disconnectedAt: number };
  readonly #drainTimeoutMs: number;
  readonly #loops = new Set<Promise<void>>();
  #connected = true;
  #state: 'open' | 'draining' | 'closed' = 'open';
  #closing: Promise<void> | undefined;

  constructor(
    nc: NatsConnection,
    settings: WireSettings,
    logger: BusLogger,
    reconnectState: { disconnectedAt: number },
    drainTimeoutMs: number,
  ) {
    this.#nc = nc;
    this.#settings = settings;
    this.#logger = logger;
    this.#reconnectState = reconnectState;
    this.#drainTimeoutMs = drainTimeoutMs;
    void this.#watchStatus();
    void nc.closed().then((err) => {
      this.#connected = false;
      if (err) logger.error({ err }, 'the NATS connection closed with an error');
    });
  }

  async #watchStatus(): Promise<void> {
    for await (const status of this.#nc.status()) this.#onStatus(status);
  }

  #onStatus(status: Status): void {
    const log = this.#logger;
    switch (status.type) {
      case 'disconnect':
        this.#connected = false;
        this.#reconnectState.disconnectedAt = Date.now();
        log.warn({ server: status.server }, 'disconnected from NATS; reconnecting');
        break;
      case 'reconnect':
        this.#connected = true;
        log.info({ server: status.server }, 'reconnected to NATS');
        break;
      case 'reconnecting':
        log.debug({}, 'trying to reconnect to NATS');
        break;
      case 'error':
        log.error({ err: status.error }, 'NATS reported an error');
        break;
      case 'ldm':
        log.warn({ server: status.server }, 'the NATS server is entering lame duck mode');
        break;
      case 'staleConnection':
        log.warn({}, 'the NATS connection is stale; reconnecting');
        break;
      case 'slowConsumer':
        log.warn(
          { subject: status.sub.getSubject(), pending: status.pending },
          'a NATS subscription is falling behind',
        );
        break;
      case 'update':
        log.debug({ added: status.added, deleted: status.deleted }, 'NATS cluster changed');
        break;
      case 'close':
        this.#connected = false;
        log.info({}, 'NATS connection closed');
        break;
      default:
        break;
    }
  }

  publish(subject: string, payload: unknown, options?: PublishOptions): void {
    if (this.#state === 'closed') throw new BusClosedError();
    assertPublishSubject(subject);
    const wire = encodeWire(payload, options, this.#settings);
    try {
      this.#nc.publish(subject, wire.body, { headers: toNatsHeaders(wire.headers) });
    } catch (err) {
      throw busError(err, subject);
    }
  }

  subscribe(subject: string, handler: MessageHandler, options?: SubscribeOptions): BusSubscription {
    if (this.#state !== 'open') throw new BusClosedError();
    assertSubscribeSubject(subject, options?.queue);
    let sub: ReturnType<NatsConnection['subscribe']>;
    try {
      sub = this.#nc.subscribe(subject, options?.queue === undefined ? {} : { queue: options.queue });
    } catch (err) {
      throw busError(err, subject);
    }
    let cancelled = false;
    const loop = (async () => {
      for await (const msg of sub) {
        if (cancelled) break;
        await this.#deliver(msg, handler);
      }
    })().catch((err: unknown) => this.#logger.error({ err, subject }, 'a NATS subscription failed'));
    this.#loops.add(loop);
    void loop.finally(() => this.#loops.delete(loop));
    return {
      subject,
      queue: options?.queue,
      unsubscribe: () => {
        cancelled = true;
        if (!sub.isClosed()) sub.unsubscribe();
      },
    };
  }

  async request(subject: string, payload: unknown, options?: RequestOptions): Promise<BusMessage> {
    if (this.#state !== 'open') throw new BusClosedError();
    assertPublishSubject(subject);
    const wire = encodeWire(payload, options, this.#settings);
    const timeoutMs = options?.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    let reply: Msg;
    try {
      reply = await this.#nc.request(subject, wire.body, {
        timeout: timeoutMs,
        headers: toNatsHeaders(wire.headers),
      });
    } catch (err) {
      throw busError(err, subject, timeoutMs);
    }
    return this.#message(reply);
  }

  async flush(): Promise<void> {
    try {
      await this.#nc.flush();
    } catch (err) {
      throw busError(err, '');
    }
  }

  isReady(): boolean {
    return this.#state === 'open' && this.#connected && !this.#nc.isClosed();
  }

  close(): Promise<void> {
    this.#closing ??= this.#drain();
    return this.#closing;
  }

  async #drain(): Promise<void> {
    this.#state = 'draining';
    if (!this.#nc.isClosed()) {
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), this.#drainTimeoutMs);
      });
      try {
        const outcome = await Promise.race([this.#nc.drain().then(() => 'drained' as const), timedOut]);
        if (outcome === 'timeout') {
          this.#logger.warn(
            { timeoutMs: this.#drainTimeoutMs },
            'NATS drain timed out; closing the connection',
          );
          await this.#nc.close();
        }
      } catch (err) {
        this.#logger.warn({ err }, 'NATS drain failed; closing the connection');
        await this.#nc.close().catch(() => {});
      } finally {
        clearTimeout(timer);
      }
    }
    await Promise.all(this.#loops);
    this.#state = 'closed';
  }

  #message(msg: Msg): BusMessage {
    const wire: WireMessage = { headers: fromNatsHeaders(msg.headers), body: msg.data };
    return {
      subject: msg.subject,
      ...decodeWire(wire),
      respond: (payload, options) => {
        if (!msg.reply) return false;
        const out = encodeWire(payload, options, this.#settings);
        try {
          return msg.respond(out.body, { headers: toNatsHeaders(out.headers) });
        } catch (err) {
          throw busError(err, msg.reply);
        }
      },
    };
  }

  async #deliver(msg: Msg, handler: MessageHandler): Promise<void> {
    let message: BusMessage;
    try {
      message = this.#message(msg);
    } catch (err) {
      this.#logger.warn({ err, subject: msg.subject }, 'dropped a bus message that could not be decoded');
      return;
    }
    try {
      await handler(message);
    } catch (err) {
      this.#logger.error({ err, subject: msg.subject }, 'a bus message handler failed');
    }
  }
}
