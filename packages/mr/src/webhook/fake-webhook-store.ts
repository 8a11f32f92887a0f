import type {
  NewOutboxEvent,
  OutboxEvent,
  OutboxStatus,
  WebhookResult,
  WebhookStore,
} from './webhook-store.ts';

interface Row extends OutboxEvent {
  leaseOwner: string | null;
  leaseUntil: number;
  whenDelivered: Date | null;
}

/** In memory, with the SQL store's claim rules (one head event per environment, leases). */
export class FakeWebhookStore implements WebhookStore {
  #rows: Row[] = [];
  #results: WebhookResult[] = [];
  #seq = 0;
  constructor(private readonly now: () => Date = () => new Date()) {}

  /** For the fake transaction: a copy to restore when the use case fails. */
  snapshot(): unknown {
    return structuredClone({ rows: this.#rows, results: this.#results, seq: this.#seq });
  }

  restore(snapshot: unknown): void {
    const s = snapshot as { rows: Row[]; results: WebhookResult[]; seq: number };
    this.#rows = s.rows;
    this.#results = s.results;
    // (a sequence number is not reused, as a database sequence would not be)
  }

  async enqueue(events: readonly NewOutboxEvent[]): Promise<void> {
    for (const e of events) {
      this.#rows.push({
        ...e,
        seq: ++this.#seq,
        payload: null,
        status: 'pending',
        attempts: 0,
        nextAttemptAt: this.now(),
        whenCreated: this.now(),
        leaseOwner: null,
        leaseUntil: 0,
        whenDelivered: null,
      });
    }
  }

  async claim(owner: string, leaseMs: number, limit: number): Promise<OutboxEvent[]> {
    const now = this.now().getTime();
    const heads = new Map<string, Row>();
    for (const r of this.#rows) {
      if (r.status === 'pending' && !heads.has(r.environmentId)) heads.set(r.environmentId, r);
    }
    const out: OutboxEvent[] = [];
    for (const r of [...heads.values()].sort((a, b) => a.seq - b.seq)) {
      if (out.length >= limit) break;
      if (r.nextAttemptAt.getTime() > now || r.leaseUntil >= now) continue;
      r.leaseOwner = owner;
      r.leaseUntil = now + leaseMs;
      out.push(copy(r));
    }
    return out;
  }

  async setPayload(seq: number, payload: string): Promise<void> {
    const r = this.#rows.find((x) => x.seq === seq);
    if (r && r.payload === null) r.payload = payload;
  }

  async release(
    seq: number,
    owner: string,
    outcome: { status: OutboxStatus; nextAttemptAt?: Date; lastStatus: number | null },
  ): Promise<void> {
    const r = this.#rows.find((x) => x.seq === seq);
    if (!r || r.leaseOwner !== owner) return;
    r.status = outcome.status;
    r.attempts++;
    r.leaseOwner = null;
    r.leaseUntil = 0;
    if (outcome.nextAttemptAt) r.nextAttemptAt = outcome.nextAttemptAt;
    if (outcome.status === 'delivered') r.whenDelivered = this.now();
  }

  async abandonPending(environmentId: string, eventType: string): Promise<number> {
    let n = 0;
    for (const r of this.#rows) {
      if (r.environmentId === environmentId && r.eventType === eventType && r.status === 'pending') {
        r.status = 'abandoned';
        n++;
      }
    }
    return n;
  }

  async countPending(): Promise<number> {
    return this.#rows.filter((r) => r.status === 'pending').length;
  }

  async pruneDelivered(before: Date, limit: number): Promise<number> {
    const doomed = new Set(
      this.#rows
        .filter((r) => r.status === 'delivered' && r.whenDelivered !== null && r.whenDelivered < before)
        .sort((a, b) => a.seq - b.seq)
        .slice(0, Math.max(0, limit)),
    );
    this.#rows = this.#rows.filter((r) => !doomed.has(r));
    return doomed.size;
  }

  async pruneAbandoned(before: Date, limit: number): Promise<number> {
    const doomed = new Set(
      this.#rows
        .filter((r) => r.status === 'abandoned' && r.whenCreated < before)
        .sort((a, b) => a.seq - b.seq)
        .slice(0, Math.max(0, limit)),
    );
    this.#rows = this.#rows.filter((r) => !doomed.has(r));
    return doomed.size;
  }

  async pruneResults(before: Date, limit: number): Promise<number> {
    const doomed = new Set(
      this.#results
        .filter((r) => r.whenSent < before)
        .sort((a, b) => a.whenSent.getTime() - b.whenSent.getTime())
        .slice(0, Math.max(0, limit)),
    );
    this.#results = this.#results.filter((r) => !doomed.has(r));
    return doomed.size;
  }

  async recordResult(result: WebhookResult): Promise<void> {
    this.#results.push(structuredClone(result));
  }

  async listResults(
    environmentId: string,
    query: { max: number; startAt: number; cloudEventType?: string | undefined },
  ): Promise<{ results: WebhookResult[]; total: number }> {
    const all = this.#results
      .filter((r) => r.environmentId === environmentId)
      .filter((r) => !query.cloudEventType || r.cloudEventType === query.cloudEventType)
      .sort((a, b) => b.whenSent.getTime() - a.whenSent.getTime());
    return { results: all.slice(query.startAt, query.startAt + query.max), total: all.length };
  }

  async findResult(environmentId: string, id: string): Promise<WebhookResult | undefined> {
    return this.#results.find((r) => r.environmentId === environmentId && r.id === id);
  }
}

function copy(r: Row): OutboxEvent {
  const { leaseOwner: _o, leaseUntil: _u, whenDelivered: _d, ...event } = r;
  return structuredClone(event);
}
