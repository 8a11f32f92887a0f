/** The CloudEvent types MR delivers per environment. */
export const ENRICHED_FEATURES_TYPE = 'enriched-feature-v1';
export const SLACK_TYPE = 'integration/slack-v1';

export type OutboxStatus = 'pending' | 'delivered' | 'abandoned';

/** A feature value as one change left it. */
export interface PinnedValue {
  value: unknown;
  version: number;
  locked: boolean;
  retired: boolean;
  pId: string | null;
}

/** One event in the durable outbox (ADR 0010). `id` is its CloudEvent id, the same on every attempt. */
export interface OutboxEvent {
  seq: number;
  id: string;
  environmentId: string;
  eventType: string;
  featureKeys: string[];
  /** feature key → its value before the change (null: it had none) */
  previous: Record<string, PinnedValue | null>;
  /** feature key → its value as this change left it (the body shows these, whatever happened since) */
  current: Record<string, PinnedValue | null>;
  whoChanged: string | null;
  payload: string | null;
  status: OutboxStatus;
  attempts: number;
  nextAttemptAt: Date;
  whenCreated: Date;
}

export interface NewOutboxEvent {
  id: string;
  environmentId: string;
  eventType: string;
  featureKeys: string[];
  previous: Record<string, PinnedValue | null>;
  current: Record<string, PinnedValue | null>;
  whoChanged: string | null;
}

/** One HTTP call made for a webhook (the history the admin API shows). */
export interface WebhookResult {
  id: string;
  environmentId: string;
  whenSent: Date;
  status: number;
  method: string;
  cloudEventType: string;
  url: string;
  outboundHeaders: Record<string, string>;
  incomingHeaders: Record<string, string>;
  content: string;
  result: string;
  eventId: string | null;
}

export interface WebhookStore {
  enqueue(events: readonly NewOutboxEvent[]): Promise<void>;
  /**
   * Leases up to `limit` due events, at most one per environment and only the oldest pending one of it,
   * so each environment's events go out in order and one process delivers each.
   */
  claim(owner: string, leaseMs: number, limit: number): Promise<OutboxEvent[]>;
  setPayload(seq: number, payload: string): Promise<void>;
  /** Ends the lease; `delivered` or `abandoned` settle the event, `pending` retries at `nextAttemptAt`. */
  release(
    seq: number,
    owner: string,
    outcome: { status: OutboxStatus; nextAttemptAt?: Date; lastStatus: number | null },
  ): Promise<void>;
  /** Settles every pending event of an environment (its webhook was disabled). */
  abandonPending(environmentId: string, eventType: string): Promise<number>;
  countPending(): Promise<number>;
  /**
   * Deletes up to `limit` events delivered before `before` (the oldest first); the number deleted. Safe to run
   * from several processes at once: a row another process deleted first is simply not counted.
   */
  pruneDelivered(before: Date, limit: number): Promise<number>;
  /** Deletes up to `limit` abandoned events (never delivered) created before `before`; the number deleted. */
  pruneAbandoned(before: Date, limit: number): Promise<number>;
  /** Deletes up to `limit` entries of the call history sent before `before` (the oldest first). */
  pruneResults(before: Date, limit: number): Promise<number>;
  recordResult(result: WebhookResult): Promise<void>;
  listResults(
    environmentId: string,
    query: { max: number; startAt: number; cloudEventType?: string | undefined },
  ): Promise<{ results: WebhookResult[]; total: number }>;
  findResult(environmentId: string, id: string): Promise<WebhookResult | undefined>;
}
