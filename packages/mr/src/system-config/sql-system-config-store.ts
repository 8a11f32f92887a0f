import { StaleVersionError } from '@fh/service-kit';
import type { Selectable } from 'kysely';
import type { SystemConfigTable } from '../db/schema.ts';
import type { SqlStoreContext } from '../db/sql-support.ts';
import { nowMs, toNumber } from '../db/store-support.ts';
import type { StoredSystemConfig, SystemConfigStore } from './system-config-store.ts';

function toStored(r: Selectable<SystemConfigTable>): StoredSystemConfig {
  return { key: r.code, value: r.value, version: toNumber(r.version), whoUpdated: r.who_updated };
}

export class SqlSystemConfigStore implements SystemConfigStore {
  constructor(private readonly ctx: SqlStoreContext) {}

  async list(prefixes: readonly string[] = []): Promise<StoredSystemConfig[]> {
    let q = this.ctx.db.selectFrom('fh_system_config').selectAll();
    if (prefixes.length > 0) {
      q = q.where((eb) => eb.or(prefixes.map((p) => eb('code', 'like', `${p.replace(/[\\%_]/g, '\\$&')}%`))));
    }
    return (await q.orderBy('code').execute()).map(toStored);
  }

  async find(key: string): Promise<StoredSystemConfig | undefined> {
    const r = await this.ctx.db
      .selectFrom('fh_system_config')
      .selectAll()
      .where('code', '=', key)
      .executeTakeFirst();
    return r && toStored(r);
  }

  async save(
    key: string,
    value: string | null,
    version: number,
    whoUpdated: string | null,
  ): Promise<StoredSystemConfig> {
    const now = nowMs(this.ctx.deps.clock);
    const current = await this.find(key);
    if (!current) {
      const org = await this.ctx.db
        .selectFrom('fh_organisation')
        .select('id')
        .orderBy('when_created')
        .executeTakeFirstOrThrow();
      await this.ctx.db
        .insertInto('fh_system_config')
        .values({
          organisation_id: org.id,
          code: key,
          value,
          who_updated: whoUpdated,
          version: 1,
          when_created: now,
          when_updated: now,
        })
        .execute();
      return (await this.find(key))!;
    }
    if (current.version !== version) {
      throw new StaleVersionError(
        `system config ${key} is at version ${current.version}, not ${version}; reload and try again`,
      );
    }
    const result = await this.ctx.db
      .updateTable('fh_system_config')
      .set({ value, who_updated: whoUpdated, version: version + 1, when_updated: now })
      .where('code', '=', key)
      .where('version', '=', version)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) !== 1) {
      throw new StaleVersionError(`system config ${key} was changed meanwhile; reload and try again`);
    }
    return (await this.find(key))!;
  }
}
