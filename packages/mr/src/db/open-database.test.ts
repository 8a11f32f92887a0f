import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { sql } from 'kysely';
import { orderByPromotion } from '../environment/environment-store.ts';
import { inTransaction, openDatabase } from './open-database.ts';
import { tableNames } from './schema.ts';

describe('openDatabase (SQLite)', () => {
  it('creates the folder of the file, uses WAL, and migrates once however often asked', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fh-open-'));
    try {
      const file = join(dir, 'nested', 'deeper', 'fh.db');
      const database = await openDatabase({ url: `sqlite:${file}` });
      assert.equal(database.dialect, 'sqlite');
      assert.equal(existsSync(join(dir, 'nested', 'deeper')), true);
      assert.equal(await database.ping(), true);
      assert.equal(await database.isMigrated(), false);
      await database.migrate();
      await database.migrate();
      assert.equal(await database.isMigrated(), true);
      const mode = await sql<{ journal_mode: string }>`pragma journal_mode`.execute(database.db);
      assert.equal(mode.rows[0]?.journal_mode, 'wal');
      const tables = new Set((await database.db.introspection.getTables()).map((t) => t.name));
      for (const t of tableNames) assert.ok(tables.has(t), t);
      await database.close();
      assert.equal(await database.ping(), false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('inTransaction commits on success and rolls back on error', async () => {
    const database = await openDatabase({ url: 'sqlite::memory:' });
    await database.migrate();
    const now = new Date();
    const org = (id: string) => ({
      id,
      name: id,
      group_id: null,
      version: 1,
      when_created: now,
      when_updated: now,
      when_archived: null,
    });
    await inTransaction(database, (trx) => trx.insertInto('fh_organisation').values(org('kept')).execute());
    await assert.rejects(
      inTransaction(database, async (trx) => {
        await trx.insertInto('fh_organisation').values(org('lost')).execute();
        throw new Error('nope');
      }),
      /nope/,
    );
    const ids = await database.db.selectFrom('fh_organisation').select('id').execute();
    assert.deepEqual(
      ids.map((r) => r.id),
      ['kept'],
    );
    await database.close();
  });
});

describe('orderByPromotion', () => {
  const at = (n: number) => new Date(1_700_000_000_000 + n);
  it('follows prior links and keeps unreachable environments at the end in creation order', () => {
    const envs = [
      { id: 'prod', priorEnvironmentId: 'test', whenCreated: at(1) },
      { id: 'dev', priorEnvironmentId: null, whenCreated: at(2) },
      { id: 'test', priorEnvironmentId: 'dev', whenCreated: at(3) },
      { id: 'loop-a', priorEnvironmentId: 'loop-b', whenCreated: at(4) },
      { id: 'loop-b', priorEnvironmentId: 'loop-a', whenCreated: at(5) },
      { id: 'orphan', priorEnvironmentId: 'gone', whenCreated: at(6) },
    ];
    assert.deepEqual(
      orderByPromotion(envs).map((e) => e.id),
      ['dev', 'test', 'prod', 'orphan', 'loop-a', 'loop-b'],
    );
  });
});
