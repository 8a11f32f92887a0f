import type { Selectable } from 'kysely';
import type { WebhookOutboxTable, WebhookResultTable } from '../db/schema.ts';
import type { SqlStoreContext } from '../db/sql-support.ts';
import { nowMs, parseJson, toDate, toNumber } from '../db/store-support.ts';
import type {
  NewOutboxEvent,
  OutboxEvent,
  OutboxStatus,
  WebhookResult,
  WebhookStore,
} from './webhook-store.ts';

function toEvent(r: Selectable<WebhookOutboxTable>): OutboxEvent {
  return {
    seq: toNumber(r.seq),
    id: r.id,
    environmentId: r.environment_id,
    eventType: r.event_type,
    featureKeys: parseJson<string[]>(r.feature_keys, []),
    ...parseJson<Pick<OutboxEvent, 'previous' | 'current'>>(r.changes, { previous: {}, current: {} }),
    whoChanged: r.who_changed,
    payload: r.payload,
    status: r.status as OutboxStatus,
    attempts: toNumber(r.attempts),
    nextAttemptAt: toDate(r.next_attempt_at),
    whenCreated: toDate(r.when_created),
  };
}

function toResult(r: Selectable<WebhookResultTable>): WebhookResult {
  const body = parseJson<Partial<WebhookResult>>(r.body, {});
  return {
    id: r.id,
    environmentId: r.environment_id,
    whenSent: toDate(r.when_sent),
    status: toNumber(r.status),
    method: r.method,
    cloudEventType: r.cloud_event_type ?? '',
    url: body.url ?? '',
    outboundHeaders: body.outboundHeaders ?? {},
    incomingHeaders: body.incomingHeaders ?? {},
    content: body.content ?? '',
    result: body.result ?? '',
    eventId: body.eventId ?? null,
  };
}

export class SqlWebhookStore implements WebhookStore {
  constructor(private readonly ctx: SqlStoreContext) {}

  async enqueue(events: readonly NewOutboxEvent[]): Promise<void> {
    if (events.length === 0) return;
    const now = nowMs(this.ctx.deps.clock);
    // One insert per event keeps seq in enqueue order on every dialect.
    for (const e of events) {
      await this.ctx.db
        .insertInto('fh_webhook_outbox')
        .values({
          id: e.id,
          environment_id: e.environmentId,
          event_type: e.eventType,
          feature_keys: JSON.stringify(e.featureKeys),
          changes: JSON.stringify({ previous: e.previous, current: e.current }),
          who_changed: e.whoChanged,
          payload: null,
          status: 'pending',
          attempts: 0,
          next_attempt_at: now,
          lease_owner: null,
          lease_until: null,
          last_status: null,
          when_created: now,
          when_delivered: null,
        })
        .execute();
    }
  }

  async claim(owner: string, leaseMs: number, limit: number): Promise<OutboxEvent[]> {
    const now = nowMs(this.ctx.deps.clock);
    const candidates = await this.ctx.db
      .selectFrom('fh_webhook_outbox as o')
      .selectAll('o')
      .where('o.status', '=', 'pending')
      .where('o.next_attempt_at', '<=', now)
      .where((eb) => eb.or([eb('o.lease_until', 'is', null), eb('o.lease_until', '<', now)]))
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom('fh_webhook_outbox as p')
              .select('p.seq')
              .whereRef('p.environment_id', '=', 'o.environment_id')
              .where('p.status', '=', 'pending')
              .whereRef('p.seq', '<', 'o.seq'),
          ),
        ),
      )
      .orderBy('o.seq')
      .limit(limit)
      .execute();
    const leaseUntil = new Date(now.getTime() + leaseMs);
    const claimed: OutboxEvent[] = [];
    for (const c of candidates) {
      // Compare-and-set: only one process turns an unleased (or expired) row into its own.
      const result = await this.ctx.db
        .updateTable('fh_webhook_outbox')
        .set({ lease_owner: owner, lease_until: leaseUntil })
        .where('seq', '=', c.seq)
        .where('status', '=', 'pending')
        .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', now)]))
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) === 1) claimed.push(toEvent(c));
    }
    return claimed;
  }

  async setPayload(seq: number, payload: string): Promise<void> {
    await this.ctx.db
      .updateTable('fh_webhook_outbox')
      .set({ payload })
      .where('seq', '=', seq)
      .where('payload', 'is', null)
      .execute();
  }

  async release(
    seq: number,
    owner: string,
    outcome: { status: OutboxStatus; nextAttemptAt?: Date; lastStatus: number | null },
  ): Promise<void> {
    const now = nowMs(this.ctx.deps.clock);
    await this.ctx.db
      .updateTable('fh_webhook_outbox')
      .set((eb) => ({
        status: outcome.status,
        attempts: eb('attempts', '+', 1),
        last_status: outcome.lastStatus,
        lease_owner: null,
        lease_until: null,
        ...(outcome.nextAttemptAt ? { next_attempt_at: outcome.nextAttemptAt } : {}),
        ...(outcome.status === 'delivered' ? { when_delivered: now } : {}),
      }))
      .where('seq', '=', seq)
      .where('lease_owner', '=', owner)
      .execute();
  }

  async abandonPending(environmentId: string, eventType: string): Promise<number> {
    const r = await this.ctx.db
      .updateTable('fh_webhook_outbox')
      .set({ status: 'abandoned', lease_owner: null, lease_until: null })
      .where('environment_id', '=', environmentId)
      .where('event_type', '=', eventType)
      .where('status', '=', 'pending')
      .executeTakeFirst();
    return Number(r.numUpdatedRows);
  }

  async countPending(): Promise<number> {
    const r = await this.ctx.db
      .selectFrom('fh_webhook_outbox')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .where('status', '=', 'pending')
      .executeTakeFirstOrThrow();
    return Number(r.n);
  }

  pruneDelivered(before: Date, limit: number): Promise<number> {
    return this.#pruneOutbox('delivered', 'when_delivered', before, limit);
  }

  pruneAbandoned(before: Date, limit: number): Promise<number> {
    return this.#pruneOutbox('abandoned', 'when_created', before, limit);
  }

  async #pruneOutbox(
    status: OutboxStatus,
    column: 'when_delivered' | 'when_created',
    before: Date,
    limit: number,
  ): Promise<number> {
    if (limit <= 0) return 0;
    // Two statements (MySQL refuses LIMIT in a subquery of IN, and a DELETE reading its own table).
    const rows = await this.ctx.db
      .selectFrom('fh_webhook_outbox')
      .select('seq')
      .where('status', '=', status)
      .where(column, '<', before)
      .orderBy('seq')
      .limit(limit)
      .execute();
    if (rows.length === 0) return 0;
    const r = await this.ctx.db
      .deleteFrom('fh_webhook_outbox')
      .where(
        'seq',
        'in',
        rows.map((x) => x.seq),
      )
      .where('status', '=', status)
      .executeTakeFirst();
    return Number(r.numDeletedRows);
  }

  async pruneResults(before: Date, limit: number): Promise<number> {
    if (limit <= 0) return 0;
    const rows = await this.ctx.db
      .selectFrom('fh_webhook_result')
      .select('id')
      .where('when_sent', '<', before)
      .orderBy('when_sent')
      .limit(limit)
      .execute();
    if (rows.length === 0) return 0;
    const r = await this.ctx.db
      .deleteFrom('fh_webhook_result')
      .where(
        'id',
        'in',
        rows.map((x) => x.id),
      )
      .executeTakeFirst();
    return Number(r.numDeletedRows);
  }

  async recordResult(result: WebhookResult): Promise<void> {
    await this.ctx.db
      .insertInto('fh_webhook_result')
      .values({
        id: result.id,
        environment_id: result.environmentId,
        when_sent: result.whenSent,
        status: result.status,
        method: result.method,
        cloud_event_type: result.cloudEventType,
        webhook_type: result.cloudEventType,
        body: JSON.stringify({
          url: result.url,
          outboundHeaders: result.outboundHeaders,
          incomingHeaders: result.incomingHeaders,
          content: result.content,
          result: result.result,
          eventId: result.eventId,
        }),
      })
      .execute();
  }

  async listResults(
    environmentId: string,
    query: { max: number; startAt: number; cloudEventType?: string | undefined },
  ): Promise<{ results: WebhookResult[]; total: number }> {
    let q = this.ctx.db.selectFrom('fh_webhook_result').where('environment_id', '=', environmentId);
    if (query.cloudEventType) q = q.where('cloud_event_type', '=', query.cloudEventType);
    const total = await q.select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow();
    const rows = await q
      .selectAll()
      .orderBy('when_sent', 'desc')
      .orderBy('id')
      .limit(query.max)
      .offset(query.startAt)
      .execute();
    return { results: rows.map(toResult), total: Number(total.n) };
  }

  async findResult(environmentId: string, id: string): Promise<WebhookResult | undefined> {
    const r = await this.ctx.db
      .selectFrom('fh_webhook_result')
      .selectAll()
      .where('environment_id', '=', environmentId)
      .where('id', '=', id)
      .executeTakeFirst();
    return r && toResult(r);
  }
}
