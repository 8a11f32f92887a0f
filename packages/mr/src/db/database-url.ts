export type DialectName = 'sqlite' | 'postgres' | 'mysql';

/** How to reach the database. `username`/`password`, when given, win over those in the URL. */
export interface DatabaseConfig {
  url: string;
  username?: string;
  password?: string;
  /** Upper bound of the connection pool (PostgreSQL, MySQL). Default 10. */
  maxConnections?: number;
}

export interface SqliteLocation {
  dialect: 'sqlite';
  /** A file path, or `:memory:`. */
  filename: string;
}

export interface ServerLocation {
  dialect: 'postgres' | 'mysql';
  host: string;
  port: number;
  database: string;
  user?: string;
  password?: string;
  /** Query parameters of the URL (e.g. `sslmode`), passed through as given. */
  params: Record<string, string>;
}

export type DatabaseLocation = SqliteLocation | ServerLocation;

/** The database URL cannot be used; the message says why. Raised at start-up, never per request. */
export class DatabaseConfigError extends Error {
  readonly code = 'invalid_database_url';
  constructor(message: string) {
    super(message);
    this.name = 'DatabaseConfigError';
  }
}

const schemes: Record<string, DialectName> = {
  sqlite: 'sqlite',
  postgres: 'postgres',
  postgresql: 'postgres',
  mysql: 'mysql',
  mariadb: 'mysql',
};

const defaultPorts = { postgres: 5432, mysql: 3306 } as const;

/** Hides the password of a URL so it can be logged. */
export function redactDatabaseUrl(url: string): string {
  return url.replace(/(\/\/[^:/@]+:)[^@/]*@/, '$1***@');
}

/**
 * Reads `sqlite:<path>` (also `sqlite::memory:`), `postgres[ql]://user:pass@host:port/db` and
 * `mysql://` / `mariadb://` URLs. A leading `jdbc:` is tolerated so upstream FeatureHub settings
 * carry over.
 */
export function parseDatabaseUrl(url: string): DatabaseLocation {
  const trimmed = url.trim().replace(/^jdbc:/i, '');
  const match = /^([a-z][a-z0-9+.-]*):/i.exec(trimmed);
  const scheme = match?.[1]?.toLowerCase();
  const dialect = scheme ? schemes[scheme] : undefined;
  if (!dialect) {
    throw new DatabaseConfigError(
      `unsupported database URL "${redactDatabaseUrl(url)}": expected sqlite:<file>, sqlite::memory:, ` +
        'postgres://user:pass@host:port/db, mysql://user:pass@host:port/db or mariadb://...',
    );
  }
  if (dialect === 'sqlite') {
    let filename = trimmed.slice(match![0].length);
    if (filename.startsWith('//')) filename = filename.slice(2); // sqlite:///abs/path and sqlite://rel
    if (filename === '' || filename === 'memory' || filename === ':memory:') filename = ':memory:';
    return { dialect, filename };
  }
  let parsed: URL;
  try {
    parsed = new URL(trimmed);
  } catch {
    throw new DatabaseConfigError(`database URL "${redactDatabaseUrl(url)}" is not a valid URL`);
  }
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
  if (!parsed.hostname) throw new DatabaseConfigError(`database URL "${redactDatabaseUrl(url)}" has no host`);
  if (!database || database.includes('/')) {
    throw new DatabaseConfigError(
      `database URL "${redactDatabaseUrl(url)}" must name one database, e.g. /featurehub`,
    );
  }
  const location: ServerLocation = {
    dialect,
    host: parsed.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: parsed.port ? Number(parsed.port) : defaultPorts[dialect],
    database,
    params: Object.fromEntries(parsed.searchParams),
  };
  if (parsed.username) location.user = decodeURIComponent(parsed.username);
  if (parsed.password) location.password = decodeURIComponent(parsed.password);
  return location;
}
