import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import mysql from 'mysql2/promise';
import pg from 'pg';
import {
  createMysqlTestDatabase,
  createPostgresTestDatabase,
  createSqliteTestDatabase,
} from './databases.ts';
import { skipUnlessService } from './services.ts';

describe('createSqliteTestDatabase', () => {
  it('copies a prepared template once per key and deletes the copy on drop', async () => {
    let prepared = 0;
    const key = `t_${randomBytes(4).toString('hex')}`;
    const prepare = async (url: string) => {
      prepared++;
      assert.match(url, /^sqlite:/);
      const { writeFileSync } = await import('node:fs');
      writeFileSync(url.slice('sqlite:'.length), 'template');
    };
    const a = await createSqliteTestDatabase({ prepare, templateKey: key });
    const b = await createSqliteTestDatabase({ prepare, templateKey: key });
    assert.equal(prepared, 1);
    assert.notEqual(a.name, b.name);
    assert.equal(existsSync(a.name), true);
    await a.drop();
    await a.drop();
    assert.equal(existsSync(a.name), false);
    await b.drop();
    rmSync(join(tmpdir(), 'fh-sqlite-templates', `${key}.db`), { force: true });
  });
});

describe('createPostgresTestDatabase', { skip: await skipUnlessService('postgres') }, () => {
  it('gives each caller its own copy of the prepared template', async () => {
    let prepared = 0;
    const key = `t_${randomBytes(4).toString('hex')}`;
    const prepare = async (url: string) => {
      prepared++;
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      await c.query('create table marker (v int)');
      await c.end();
    };
    const a = await createPostgresTestDatabase({ prepare, templateKey: key });
    const b = await createPostgresTestDatabase({ prepare, templateKey: key });
    try {
      assert.equal(prepared, 1);
      const c = new pg.Client({ connectionString: a.url });
      await c.connect();
      await c.query('insert into marker values (1)');
      await c.end();
      const d = new pg.Client({ connectionString: b.url });
      await d.connect();
      assert.equal((await d.query('select count(*)::int as n from marker')).rows[0].n, 0);
      await d.end();
    } finally {
      await a.drop();
      await b.drop();
      const admin = new pg.Client({ connectionString: a.url.replace(/\/[^/]+$/, '/postgres') });
      await admin.connect();
      const left = await admin.query('select datname from pg_database where datname = any($1)', [
        [a.name, b.name],
      ]);
      await admin.query(`drop database if exists fh_tpl_${key}`);
      await admin.end();
      assert.equal(left.rowCount, 0);
    }
  });
});

describe('createMysqlTestDatabase', { skip: await skipUnlessService('mysql') }, () => {
  it('creates a prepared database and drops it', async () => {
    const db = await createMysqlTestDatabase({
      prepare: async (url) => {
        const c = await mysql.createConnection(url);
        await c.query('create table marker (v int)');
        await c.end();
      },
    });
    const c = await mysql.createConnection(db.url);
    await c.query('select * from marker');
    await c.end();
    await db.drop();
    const admin = await mysql.createConnection(db.url.replace(/\/[^/]+$/, '/mysql'));
    const [rows] = await admin.query('show databases like ?', [db.name]);
    await admin.end();
    assert.equal((rows as unknown[]).length, 0);
  });
});
