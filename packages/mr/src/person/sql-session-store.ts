import { hashToken } from '../auth/tokens.ts';
import type { SqlStoreContext } from '../db/sql-support.ts';
import { nowMs, toDate } from '../db/store-support.ts';
import type { Session, SessionStore } from './session-store.ts';

export class SqlSessionStore implements SessionStore {
  constructor(private readonly ctx: SqlStoreContext) {}

  async create(token: string, personId: string): Promise<Session> {
    const now = nowMs(this.ctx.deps.clock);
    await this.ctx.db
      .insertInto('fh_session')
      .values({ token_hash: hashToken(token), person_id: personId, when_created: now, last_seen: now })
      .execute();
    return { personId, whenCreated: now, lastSeen: now };
  }

  async findByToken(token: string): Promise<Session | undefined> {
    const r = await this.ctx.db
      .selectFrom('fh_session')
      .selectAll()
      .where('token_hash', '=', hashToken(token))
      .executeTakeFirst();
    return r && { personId: r.person_id, whenCreated: toDate(r.when_created), lastSeen: toDate(r.last_seen) };
  }

  async touch(token: string): Promise<boolean> {
    const res = await this.ctx.db
      .updateTable('fh_session')
      .set({ last_seen: nowMs(this.ctx.deps.clock) })
      .where('token_hash', '=', hashToken(token))
      .executeTakeFirst();
    return Number(res.numUpdatedRows) > 0;
  }

  async delete(token: string): Promise<void> {
    await this.ctx.db.deleteFrom('fh_session').where('token_hash', '=', hashToken(token)).execute();
  }

  async deleteForPerson(personId: string): Promise<number> {
    const res = await this.ctx.db
      .deleteFrom('fh_session')
      .where('person_id', '=', personId)
      .executeTakeFirst();
    return Number(res.numDeletedRows);
  }

  async lastSeen(personId: string): Promise<Date | undefined> {
    const r = await this.ctx.db
      .selectFrom('fh_session')
      .select('last_seen')
      .where('person_id', '=', personId)
      .orderBy('last_seen', 'desc')
      .limit(1)
      .executeTakeFirst();
    return r ? toDate(r.last_seen) : undefined;
  }
}
