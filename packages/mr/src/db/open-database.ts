import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import {
  type Dialect,
  Kysely,
  type MigrationResultSet,
  Migrator,
  MysqlDialect,
  PostgresDialect,
  type SqliteDatabase,
  SqliteDialect,
  type SqliteStatement,
  sql,
  type Transaction,
} from 'kysely';
import { createPool } from 'mysql2';
import pg from 'pg';
import {
  type DatabaseConfig,
  type DatabaseLocation,
  type DialectName,
  parseDatabaseUrl,
  redactDatabaseUrl,
  type ServerLocation,
} from './database-url.ts';
import { migrationProvider } from './migrations.ts';
import type { DB } from './schema.ts';

/** The pino-compatible subset of a logger the database layer writes to. */
export interface DatabaseLogger {
  info(obj: unknown, msg?: string): void;
  warn(obj: unknown, msg?: string): void;
  error(obj: unknown, msg?: string): void;
}

export interface Database {
  readonly dialect: DialectName;
  readonly db: Kysely<DB>;
  /** Brings the schema up to date. Idempotent; several processes may call it at once. */
  migrate(): Promise<void>;
  /** True when every known migration has run. */
  isMigrated(): Promise<boolean>;
  /** True when the database answers a trivial query. Never throws. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

/** Kysely executor: the database itself or an open transaction. Stores take either. */
export type Executor = Kysely<DB> | Transaction<DB>;

const silent: DatabaseLogger = { info() {}, warn() {}, error() {} };

const SQLITE_BUSY_TIMEOUT_MS = 15_000;
const MIGRATION_LOCK_NAME = 'featurehub_mr_migrate';
// Any constant works; it only has to differ from Kysely's own advisory lock id.
const PG_MIGRATION_LOCK_KEY = 7_261_393_470_128n;

/**
 * Adapts better-sqlite3 for Kysely: binds Dates as ISO text and booleans as 1/0 (better-sqlite3 rejects
 * both), and turns Kysely's `begin` into `begin immediate`. A deferred transaction that reads and then
 * writes fails at once with SQLITE_BUSY when another process holds the write lock, whatever the busy
 * timeout; an immediate one waits for the lock instead, so two processes can share the file.
 */
function sqliteAdapter(raw: BetterSqlite3.Database): SqliteDatabase {
  const bind = (params: ReadonlyArray<unknown>) =>
    params.map((p) => (p instanceof Date ? p.toISOString() : typeof p === 'boolean' ? (p ? 1 : 0) : p));
  return {
    close: () => raw.close(),
    prepare(text: string): SqliteStatement {
      const stmt = raw.prepare(/^\s*begin\s*$/i.test(text) ? 'begin immediate' : text);
      return {
        reader: stmt.reader,
        all: (params) => stmt.all(...bind(params)),
        run: (params) => stmt.run(...bind(params)),
        iterate: (params) => stmt.iterate(...bind(params)) as IterableIterator<unknown>,
      };
    },
  };
}

function openSqlite(filename: string): Dialect {
  if (filename !== ':memory:') mkdirSync(dirname(resolve(filename)), { recursive: true });
  const raw = new BetterSqlite3(filename, { timeout: SQLITE_BUSY_TIMEOUT_MS });
  raw.pragma(`busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`);
  if (filename !== ':memory:') {
    raw.pragma('journal_mode = WAL');
    raw.pragma('synchronous = NORMAL');
  }
  raw.pragma('foreign_keys = ON');
  return new SqliteDialect({ database: sqliteAdapter(raw) });
}

function credentials(location: ServerLocation, config: DatabaseConfig) {
  return {
    user: config.username ?? location.user,
    password: config.password ?? location.password,
  };
}

function openPostgres(location: ServerLocation, config: DatabaseConfig): Dialect {
  const sslmode = location.params['sslmode'] ?? location.params['ssl'];
  const ssl =
    sslmode === undefined || sslmode === 'disable' || sslmode === 'false'
      ? undefined
      : sslmode === 'no-verify'
        ? { rejectUnauthorized: false }
        : true;
  const pool = new pg.Pool({
    host: location.host,
    port: location.port,
    database: location.database,
    ...credentials(location, config),
    ...(ssl ? { ssl } : {}),
    max: config.maxConnections ?? 10,
    // Versions and counts are int8; they stay far below 2^53, so numbers are safe and far handier.
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === pg.types.builtins.INT8
          ? (v: string) => Number(v)
          : pg.types.getTypeParser(oid, format)) as never,
    },
  });
  // An idle client losing its connection must not crash the process; the next query reconnects.
  pool.on('error', () => {});
  return new PostgresDialect({ pool });
}

function openMysql(location: ServerLocation, config: DatabaseConfig): Dialect {
  const { user, password } = credentials(location, config);
  return new MysqlDialect({
    pool: createPool({
      host: location.host,
      port: location.port,
      database: location.database,
      ...(user !== undefined ? { user } : {}),
      ...(password !== undefined ? { password } : {}),
      connectionLimit: config.maxConnections ?? 10,
      charset: 'utf8mb4',
      // Store and read datetimes as UTC whatever the server's or the host's zone.
      timezone: 'Z',
      supportBigNumbers: true,
    }),
  });
}

/**
 * Runs `fn` under a cross-process lock: PostgreSQL advisory lock or MySQL GET_LOCK held on a connection
 * of its own, or, for SQLite, one `begin immediate` transaction around the whole run.
 */
async function withMigrationLock<T>(
  db: Kysely<DB>,
  dialect: DialectName,
  fn: (db: Kysely<DB>) => Promise<T>,
): Promise<T> {
  return db.connection().execute(async (conn) => {
    if (dialect === 'sqlite') {
      // Kysely takes no lock on SQLite (it assumes one process) and runs migrations outside a
      // transaction, so two processes would both see "not migrated" and both create the tables. One
      // immediate transaction on the single connection, which the migrator then uses, serialises them
      // (the other process waits in busy_timeout) and also makes the migration all-or-nothing.
      await sql`begin immediate`.execute(conn);
      try {
        const result = await fn(conn);
        await sql`commit`.execute(conn);
        return result;
      } catch (err) {
        await sql`rollback`.execute(conn);
        throw err;
      }
    }
    // Kysely's Migrator locks too, but only after creating its own bookkeeping tables, and two
    // processes creating those at once can collide. This lock covers the whole run.
    if (dialect === 'postgres') {
      await sql`select pg_advisory_lock(${sql.lit(PG_MIGRATION_LOCK_KEY)})`.execute(conn);
      try {
        return await fn(db);
      } finally {
        await sql`select pg_advisory_unlock(${sql.lit(PG_MIGRATION_LOCK_KEY)})`.execute(conn);
      }
    }
    const got = await sql<{ ok: number | null }>`select get_lock(${MIGRATION_LOCK_NAME}, 600) as ok`.execute(
      conn,
    );
    if (Number(got.rows[0]?.ok) !== 1) throw new Error('timed out waiting for the migration lock');
    try {
      return await fn(db);
    } finally {
      await sql`select release_lock(${MIGRATION_LOCK_NAME})`.execute(conn);
    }
  });
}

class MigrationFailed extends Error {
  constructor(readonly outcome: MigrationResultSet) {
    super('migration failed');
  }
}

/**
 * Opens the database named by `config.url` (creating the SQLite file and its folder if needed). The
 * schema is not touched until `migrate()` is called.
 */
export async function openDatabase(
  config: DatabaseConfig,
  logger: DatabaseLogger = silent,
): Promise<Database> {
  const location: DatabaseLocation = parseDatabaseUrl(config.url);
  const dialect = location.dialect;
  const kyselyDialect =
    location.dialect === 'sqlite'
      ? openSqlite(location.filename)
      : location.dialect === 'postgres'
        ? openPostgres(location, config)
        : openMysql(location, config);
  const db = new Kysely<DB>({ dialect: kyselyDialect });
  const provider = migrationProvider(dialect);
  const migrator = new Migrator({ db, provider });
  const where = redactDatabaseUrl(config.url);

  return {
    dialect,
    db,
    async migrate() {
      const { error, results } = await withMigrationLock(db, dialect, async (locked) => {
        const outcome = await new Migrator({ db: locked, provider }).migrateToLatest();
        // On SQLite the run is one transaction: make a failed migration roll all of it back.
        if (outcome.error) throw new MigrationFailed(outcome);
        return outcome;
      }).catch((err: unknown) => {
        if (err instanceof MigrationFailed) return err.outcome;
        throw err;
      });
      for (const r of results ?? []) {
        if (r.status === 'Success') logger.info({ migration: r.migrationName }, 'database migration applied');
        if (r.status === 'Error') logger.error({ migration: r.migrationName }, 'database migration failed');
      }
      if (error) {
        throw new Error(
          `migrating ${where} failed: ${error instanceof Error ? error.message : String(error)}`,
          {
            cause: error,
          },
        );
      }
    },
    async isMigrated() {
      try {
        const migrations = await migrator.getMigrations();
        return migrations.every((m) => m.executedAt !== undefined);
      } catch (err) {
        logger.warn({ err }, 'could not read the migration state');
        return false;
      }
    },
    async ping() {
      try {
        await sql`select 1`.execute(db);
        return true;
      } catch (err) {
        logger.warn({ err }, 'database ping failed');
        return false;
      }
    },
    close: () => db.destroy(),
  };
}

/**
 * Runs `fn` in one transaction: committed when it resolves, rolled back when it throws. The caller owns
 * the transaction; stores given `trx` take part in it.
 */
export function inTransaction<T>(
  database: Database | Kysely<DB>,
  fn: (trx: Transaction<DB>) => Promise<T>,
): Promise<T> {
  const db = database instanceof Kysely ? database : database.db;
  return db.transaction().execute(fn);
}
