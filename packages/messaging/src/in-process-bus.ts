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
import { silentBusLogger } from './silent-logger.ts';
import {
  assertPublishSubject,
  assertSubscribeSubject,
  decodeWire,
  encodeWire,
  subjectMatches,
  type WireMessage,
  type WireSettings,
  wireSettings,
} from './wire.ts';

/** Options of {@link createInProcessBus}. */
export interface InProcessBusOptions extends BusOptions {
  /** Where failing handlers and undecodable messages are reported. */
  readonly logger?: BusLogger | undefined;
}

interface Member {
  readonly subject: string;
  readonly queue: string | undefined;
  readonly handler: MessageHandler;
  /** False once unsubscribed or closing: no new messages are queued for it. */
  receiving: boolean;
  /** True once unsubscribed: messages already queued are dropped too. */
  cancelled: boolean;
  /** The end of this member's delivery chain; messages are handled one after another. */
  tail: Promise<void>;
}

interface PendingRequest {
  readonly resolve: (message: BusMessage) => void;
  readonly reject: (err: Error) => void;
  readonly timer: NodeJS.Timeout;
}

/**
 * The bus for a single process (the party server): no broker, same semantics as NATS. Messages are
 * encoded and decoded exactly as on NATS (so receivers get copies, and a payload that NATS would refuse
 * is refused here too), delivered asynchronously on the microtask queue in publish order, one at a
 * time per subscription; queue groups get each message at one member (round-robin); a request to a
 * subject nobody listens on fails with {@link NoRespondersError}.
 */
export function createInProcessBus(options: InProcessBusOptions = {}): Bus {
  return new InProcessBus(wireSettings(options), options.logger ?? silentBusLogger);
}

class InProcessBus implements Bus {
  readonly #settings: WireSettings;
  readonly #logger: BusLogger;
  readonly #members = new Set<Member>();
  readonly #nextInGroup = new Map<string, number>();
  readonly #pending = new Map<string, PendingRequest>();
  #state: 'open' | 'draining' | 'closed' = 'open';
  #inboxes = 0;
  #closing: Promise<void> | undefined;

  constructor(settings: WireSettings, logger: BusLogger) {
    this.#settings = settings;
    this.#logger = logger;
  }

  publish(subject: string, payload: unknown, options?: PublishOptions): void {
    if (this.#state === 'closed') throw new BusClosedError();
    assertPublishSubject(subject);
    this.#route(subject, encodeWire(payload, options, this.#settings), undefined);
  }

  subscribe(subject: string, handler: MessageHandler, options?: SubscribeOptions): BusSubscription {
    if (this.#state !== 'open') throw new BusClosedError();
    assertSubscribeSubject(subject, options?.queue);
    const member: Member = {
      subject,
      queue: options?.queue,
      handler,
      receiving: true,
      cancelled: false,
      tail: Promise.resolve(),
    };
    this.#members.add(member);
    return {
      subject,
      queue: member.queue,
      unsubscribe: () => {
        member.receiving = false;
        member.cancelled = true;
        this.#members.delete(member);
      },
    };
  }

  async request(subject: string, payload: unknown, options?: RequestOptions): Promise<BusMessage> {
    if (this.#state !== 'open') throw new BusClosedError();
    assertPublishSubject(subject);
    const wire = encodeWire(payload, options, this.#settings);
    const timeoutMs = options?.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    return new Promise<BusMessage>((resolve, reject) => {
      this.#inboxes += 1;
      const inbox = `_INBOX.${this.#inboxes}`;
      const timer = setTimeout(() => {
        this.#pending.delete(inbox);
        reject(new BusTimeoutError(subject, timeoutMs));
      }, timeoutMs);
      this.#pending.set(inbox, { resolve, reject, timer });
      if (this.#route(subject, wire, inbox) === 0) {
        clearTimeout(timer);
        this.#pending.delete(inbox);
        reject(new NoRespondersError(subject));
      }
    });
  }

  async flush(): Promise<void> {
    // Everything published is already "at the broker"; one turn of the event loop lets queued
    // deliveries run, which is as much as a NATS flush promises.
    await new Promise<void>((resolve) => setImmediate(resolve));
  }

  isReady(): boolean {
    return this.#state === 'open';
  }

  close(): Promise<void> {
    this.#closing ??= this.#drain();
    return this.#closing;
  }

  async #drain(): Promise<void> {
    this.#state = 'draining';
    for (const member of this.#members) member.receiving = false;
    await Promise.all([...this.#members].map((m) => m.tail));
    // Replies sent by the last handlers are settled on the microtask queue.
    await new Promise<void>((resolve) => setImmediate(resolve));
    this.#state = 'closed';
    this.#members.clear();
    for (const [inbox, pending] of this.#pending) {
      clearTimeout(pending.timer);
      this.#pending.delete(inbox);
      pending.reject(new BusClosedError('the bus closed before a reply arrived'));
    }
  }

  /** Queues a message for every matching plain subscriber and one member of each queue group. */
  #route(subject: string, wire: WireMessage, replyTo: string | undefined): number {
    const targets: Member[] = [];
    const groups = new Map<string, Member[]>();
    for (const member of this.#members) {
      if (!member.receiving || !subjectMatches(member.subject, subject)) continue;
      if (member.queue === undefined) {
        targets.push(member);
      } else {
        // As in NATS, a queue group is the set of subscriptions sharing both subject and queue name.
        const key = `${member.subject}\u0000${member.queue}`;
        const group = groups.get(key);
        if (group) group.push(member);
        else groups.set(key, [member]);
      }
    }
    for (const [key, group] of groups) {
      const next = this.#nextInGroup.get(key) ?? 0;
      targets.push(group[next % group.length]!);
      this.#nextInGroup.set(key, next + 1);
    }
    for (const member of targets) {
      member.tail = member.tail.then(() => this.#deliver(member, subject, wire, replyTo));
    }
    return targets.length;
  }

  async #deliver(
    member: Member,
    subject: string,
    wire: WireMessage,
    replyTo: string | undefined,
  ): Promise<void> {
    if (member.cancelled) return;
    let message: BusMessage;
    try {
      message = {
        subject,
        ...decodeWire(wire),
        respond: (payload, options) =>
          replyTo === undefined ? false : this.#reply(replyTo, payload, options),
      };
    } catch (err) {
      this.#logger.warn({ err, subject }, 'dropped a bus message that could not be decoded');
      return;
    }
    try {
      await member.handler(message);
    } catch (err) {
      this.#logger.error({ err, subject }, 'a bus message handler failed');
    }
  }

  #reply(inbox: string, payload: unknown, options: PublishOptions | undefined): boolean {
    if (this.#state === 'closed') throw new BusClosedError();
    const wire = encodeWire(payload, options, this.#settings);
    queueMicrotask(() => {
      const pending = this.#pending.get(inbox);
      // A late or second reply is dropped, as NATS drops replies nobody waits for any more.
      if (!pending) return;
      this.#pending.delete(inbox);
      clearTimeout(pending.timer);
      try {
        pending.resolve({ subject: inbox, ...decodeWire(wire), respond: () => false });
      } catch (err) {
        pending.reject(err as Error);
      }
    });
    return true;
  }
}
