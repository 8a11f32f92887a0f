import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { serviceUrl } from './services.ts';

/** A database that exists only for one test file. */
export interface TestDatabase {
  /** URL in the form the MR accepts: `sqlite:<file>`, `postgres://...`, `mysql://...`. */
  readonly url: string;
  /** Database name (PostgreSQL/MySQL) or file path (SQLite). */
  readonly name: string;
  /** Drops the database or deletes the file. Safe to call twice. */
  drop(): Promise<void>;
}

export type TestDialect = 'sqlite' | 'postgres' | 'mysql';

export interface TestDatabaseOptions {
  /**
   * Brings a new database to the wanted state (usually: runs migrations), given its URL; it must close
   * its connections before resolving. With PostgreSQL and SQLite this runs once per `templateKey` into
   * a template, and every test database is a copy of it; with MySQL (no cheap copy) it runs every time.
   */
  prepare?: (url: string) => Promise<void>;
  /** Names the template; change it whenever what `prepare` builds changes (e.g. a schema fingerprint). */
  templateKey?: string;
}

function uniqueName(): string {
  return `fh_t_${process.pid}_${randomBytes(4).toString('hex')}`;
}

function safeKey(key: string): string {
  if (!/^[a-z0-9_]{1,40}$/i.test(key)) throw new Error(`template key "${key}" must be 1-40 of [a-z0-9_]`);
  return key.toLowerCase();
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

/** A fresh temporary SQLite file, copied from a prepared template when `prepare` is given. */
export async function createSqliteTestDatabase(options: TestDatabaseOptions = {}): Promise<TestDatabase> {
  const dir = mkdtempSync(join(tmpdir(), 'fh-sqlite-'));
  const file = join(dir, 'featurehub.db');
  if (options.prepare) {
    const templates = join(tmpdir(), 'fh-sqlite-templates');
    mkdirSync(templates, { recursive: true });
    const template = join(templates, `${safeKey(options.templateKey ?? 'default')}.db`);
    if (!existsSync(template)) {
      // Build aside and rename: concurrent test files never see a half-built template.
      const building = join(templates, `${uniqueName()}.building.db`);
      await options.prepare(`sqlite:${building}`);
      renameSync(building, template);
    }
    copyFileSync(template, file);
  }
  return {
    url: `sqlite:${file}`,
    name: file,
    drop: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

// Serialises template building and copying across test processes on one server.
const PG_TEMPLATE_LOCK = 4_180_512_771;

/**
 * A fresh, uniquely named PostgreSQL database on the test server. With `prepare`, the first call builds
 * a template database `fh_tpl_<templateKey>` and every later call is a cheap `CREATE DATABASE ... TEMPLATE`.
 */
export async function createPostgresTestDatabase(options: TestDatabaseOptions = {}): Promise<TestDatabase> {
  const adminUrl = serviceUrl('postgres');
  const name = uniqueName();
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    if (!options.prepare) {
      await admin.query(`create database ${name}`);
    } else {
      const template = `fh_tpl_${safeKey(options.templateKey ?? 'default')}`;
      await admin.query('select pg_advisory_lock($1)', [PG_TEMPLATE_LOCK]);
      try {
        const found = await admin.query('select 1 from pg_database where datname = $1', [template]);
        if (found.rowCount === 0) {
          const building = `${name}_building`;
          await admin.query(`create database ${building}`);
          try {
            await options.prepare(withDatabase(adminUrl, building));
            await admin.query(`alter database ${building} rename to ${template}`);
          } catch (err) {
            await admin.query(`drop database if exists ${building} with (force)`);
            throw err;
          }
        }
        await admin.query(`create database ${name} template ${template}`);
      } finally {
        await admin.query('select pg_advisory_unlock($1)', [PG_TEMPLATE_LOCK]);
      }
    }
  } finally {
    await admin.end();
  }
  return { url: withDatabase(adminUrl, name), name, drop: () => dropPostgres(adminUrl, name) };
}

async function dropPostgres(adminUrl: string, name: string): Promise<void> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`drop database if exists ${name} with (force)`);
  } finally {
    await admin.end();
  }
}

/** A fresh, uniquely named MySQL/MariaDB database on the test server, prepared when `prepare` is given. */
export async function createMysqlTestDatabase(options: TestDatabaseOptions = {}): Promise<TestDatabase> {
  const adminUrl = serviceUrl('mysql');
  const name = uniqueName();
  const run = async (statement: string) => {
    const admin = await mysql.createConnection(adminUrl);
    try {
      await admin.query(statement);
    } finally {
      await admin.end();
    }
  };
  await run(`create database ${name} character set utf8mb4 collate utf8mb4_bin`);
  const url = withDatabase(adminUrl, name);
  const drop = () => run(`drop database if exists ${name}`);
  if (options.prepare) {
    try {
      await options.prepare(url);
    } catch (err) {
      await drop();
      throw err;
    }
  }
  return { url, name, drop };
}

/** A fresh database of the given dialect; see the per-dialect functions. */
export function createTestDatabase(
  dialect: TestDialect,
  options: TestDatabaseOptions = {},
): Promise<TestDatabase> {
  switch (dialect) {
    case 'sqlite':
      return createSqliteTestDatabase(options);
    case 'postgres':
      return createPostgresTestDatabase(options);
    case 'mysql':
      return createMysqlTestDatabase(options);
  }
}
