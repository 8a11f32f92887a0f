import type { Selectable } from 'kysely';
import type { UserStateTable } from '../db/schema.ts';
import type { SqlStoreContext } from '../db/sql-support.ts';
import { nowMs, parseJson, toDate, toNumber } from '../db/store-support.ts';
import type { UserState, UserStateKey, UserStateStore, UserStateType } from './user-state-store.ts';

function toUserState(r: Selectable<UserStateTable>): UserState {
  return {
    id: r.id,
    personId: r.person_id,
    type: r.state_type as UserStateType,
    scopeId: r.scope_id,
    data: parseJson<unknown>(r.data, null),
    version: toNumber(r.version),
    whenCreated: toDate(r.when_created),
    whenUpdated: toDate(r.when_updated),
  };
}

export class SqlUserStateStore implements UserStateStore {
  constructor(private readonly ctx: SqlStoreContext) {}

  async find(key: UserStateKey): Promise<UserState | undefined> {
    const r = await this.ctx.db
      .selectFrom('fh_user_state')
      .selectAll()
      .where('person_id', '=', key.personId)
      .where('state_type', '=', key.type)
      .where('scope_id', '=', key.scopeId)
      .executeTakeFirst();
    return r && toUserState(r);
  }

  async save(key: UserStateKey, data: unknown): Promise<UserState> {
    const now = nowMs(this.ctx.deps.clock);
    const json = JSON.stringify(data ?? null);
    // An upsert, not read-then-write: two first saves at once must not fail on the unique key (and a
    // failed statement would abort a PostgreSQL transaction).
    const insert = this.ctx.db.insertInto('fh_user_state').values({
      id: this.ctx.deps.ids.next(),
      person_id: key.personId,
      state_type: key.type,
      scope_id: key.scopeId,
      data: json,
      version: 1,
      when_created: now,
      when_updated: now,
    });
    if (this.ctx.dialect === 'mysql') {
      await insert
        .onDuplicateKeyUpdate((eb) => ({ data: json, when_updated: now, version: eb('version', '+', 1) }))
        .execute();
    } else {
      await insert
        .onConflict((oc) =>
          oc.columns(['person_id', 'state_type', 'scope_id']).doUpdateSet((eb) => ({
            data: json,
            when_updated: now,
            version: eb('fh_user_state.version', '+', 1),
          })),
        )
        .execute();
    }
    return (await this.find(key))!;
  }
}
