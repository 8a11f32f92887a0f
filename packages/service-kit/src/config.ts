import { readFileSync } from 'node:fs';
import { LOG_LEVELS, type LogLevel } from './logger.ts';
import { parseProperties } from './properties.ts';

/** The processes the `featurehub` command can run. */
export const ROLES = ['party', 'party-ish', 'mr', 'dacha', 'edge', 'edge-rest'] as const;
export type Role = (typeof ROLES)[number];

/** A configuration value that cannot be used: the process prints it on one line and exits with 2. */
export class ConfigError extends Error {
  readonly setting: string;
  constructor(setting: string, problem: string) {
    super(`${setting}: ${problem}`);
    this.name = 'ConfigError';
    this.setting = setting;
  }
}

/** Everything a role reads from its environment, validated and frozen at start. */
export interface ServerConfig {
  readonly role: Role;
  readonly host: string;
  readonly port: number;
  readonly database: { readonly url: string; readonly username?: string; readonly password?: string };
  /** A read replica for Edge-REST reads; the primary when unset. */
  readonly databaseReadReplica?: {
    readonly url: string;
    readonly username?: string;
    readonly password?: string;
  };
  /** NATS servers; undefined means "no NATS" (the party server then uses its in-process bus). */
  readonly natsUrls?: readonly string[];
  readonly cacheName: string;
  readonly logLevel: LogLevel;
  /** The address people reach the admin UI at (registration links); unset = http://localhost:<port>. */
  readonly siteUrl?: string;
  /** How Dachas fill and heal, and how often Edges re-read what they mirror. */
  readonly cache: {
    /** The Dacha election window (upstream `cache.timeout`); seeking a peer takes half of it. */
    readonly timeoutMs: number;
    /**
     * Dachas compare their versions with MR's, and Edges re-read environments with open streams, this
     * often; a missed message is healed within it. 0 = never (only after reconnections).
     */
    readonly catchUpSeconds: number;
  };
  readonly edge: {
    /** SSE streams are closed with `bye` after this many seconds; the SDK reconnects. */
    readonly sseDropAfterSeconds: number;
    /** A comment line on idle SSE streams every N seconds; 0 = off. */
    readonly sseHeartbeatSeconds: number;
    /** The Cache-Control header on polling responses, e.g. `max-age=30`; empty = none. */
    readonly cacheControl: string;
  };
  /**
   * Every upstream-named setting (`oauth2.providers`, `saml.idp-providers`, `auth.disable-login`, ...): the
   * `--config` properties file, overlaid by environment variables with the same dotted name, as upstream
   * reads them. Features with many keys (single sign-on) parse their part of it themselves.
   */
  readonly properties: Readonly<Record<string, string>>;
  /**
   * Upstream's `sdk.feature.properties`: `name=template,...` rendered by MR into each feature's extended data
   * (`fp`), sent to keys with EXTENDED_DATA (docs/feature-filters-and-extended-data.md). Unset = none.
   */
  readonly featureProperties?: string;
}

interface Setting {
  env: string;
  flag: string;
  property?: string;
}

const S = {
  port: { env: 'PORT', flag: 'port', property: 'server.port' },
  host: { env: 'HOST', flag: 'host', property: 'server.host' },
  dbUrl: { env: 'DB_URL', flag: 'db-url', property: 'db.url' },
  dbUsername: { env: 'DB_USERNAME', flag: 'db-username', property: 'db.username' },
  dbPassword: { env: 'DB_PASSWORD', flag: 'db-password', property: 'db.password' },
  replicaUrl: { env: 'DB_REPLICA_URL', flag: 'db-replica-url', property: 'db-replica.url' },
  replicaUsername: {
    env: 'DB_REPLICA_USERNAME',
    flag: 'db-replica-username',
    property: 'db-replica.username',
  },
  replicaPassword: {
    env: 'DB_REPLICA_PASSWORD',
    flag: 'db-replica-password',
    property: 'db-replica.password',
  },
  natsUrl: { env: 'NATS_URL', flag: 'nats-url', property: 'nats.urls' },
  cacheName: { env: 'CACHE_NAME', flag: 'cache-name', property: 'cache.name' },
  logLevel: { env: 'LOG_LEVEL', flag: 'log-level', property: 'log.level' },
  cacheTimeout: { env: 'CACHE_TIMEOUT_MS', flag: 'cache-timeout', property: 'cache.timeout' },
  cacheCatchUp: {
    env: 'CACHE_CATCH_UP_SECONDS',
    flag: 'cache-catch-up',
    property: 'cache.catch-up-seconds',
  },
  sseDrop: {
    env: 'EDGE_SSE_DROP_AFTER_SECONDS',
    flag: 'sse-drop-after',
    property: 'edge.sse.drop-after-seconds',
  },
  sseHeartbeat: {
    env: 'EDGE_SSE_HEARTBEAT_SECONDS',
    flag: 'sse-heartbeat',
    property: 'edge.sse.heartbeat-period',
  },
  siteUrl: { env: 'SITE_URL', flag: 'site-url', property: 'site.url' },
  cacheControl: { env: 'EDGE_CACHE_CONTROL', flag: 'cache-control', property: 'edge.cache-control.header' },
  featureProperties: {
    env: 'SDK_FEATURE_PROPERTIES',
    flag: 'sdk-feature-properties',
    property: 'sdk.feature.properties',
  },
} satisfies Record<string, Setting>;

const DEFAULT_PORTS: Record<Role, number> = {
  party: 8085,
  'party-ish': 8085,
  mr: 8085,
  dacha: 8902,
  edge: 8553,
  'edge-rest': 8553,
};

/** Roles that talk to NATS; they default to the local server when NATS_URL is unset. */
const NATS_ROLES: ReadonlySet<Role> = new Set(['mr', 'dacha', 'edge']);

/** Splits `--name value` / `--name=value` flags; anything else is an error. */
export function parseFlags(argv: readonly string[]): Map<string, string> {
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--'))
      throw new ConfigError(arg, 'unexpected argument (flags look like --port 8085)');
    const eq = arg.indexOf('=');
    if (eq > 0) {
      flags.set(arg.slice(2, eq), arg.slice(eq + 1));
    } else {
      const value = argv[i + 1];
      if (value === undefined || value.startsWith('--')) throw new ConfigError(arg, 'needs a value');
      flags.set(arg.slice(2), value);
      i++;
    }
  }
  return flags;
}

/**
 * Reads the configuration of `role` from flags, then environment variables, then the
 * `--config` properties file, then defaults (first found wins). Throws ConfigError on bad values.
 */
export function loadConfig(
  role: Role,
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): ServerConfig {
  const flags = parseFlags(argv);
  const known = new Set<string>(['config', ...Object.values(S).map((s) => s.flag)]);
  for (const name of flags.keys()) {
    if (!known.has(name)) throw new ConfigError(`--${name}`, 'unknown flag');
  }
  const configFile = flags.get('config') ?? env['FEATUREHUB_CONFIG'];
  let props = new Map<string, string>();
  if (configFile !== undefined) {
    try {
      props = parseProperties(readFileSync(configFile, 'utf8'));
    } catch (e) {
      throw new ConfigError('--config', `cannot read ${configFile}: ${(e as Error).message}`);
    }
  }

  const read = (s: Setting): { value: string; name: string } | undefined => {
    const flag = flags.get(s.flag);
    if (flag !== undefined) return { value: flag, name: `--${s.flag}` };
    const fromEnv = env[s.env];
    if (fromEnv !== undefined && fromEnv !== '') return { value: fromEnv, name: s.env };
    if (s.property !== undefined) {
      const p = props.get(s.property);
      if (p !== undefined && p !== '') return { value: p, name: s.property };
    }
    return undefined;
  };
  const str = (s: Setting): string | undefined => read(s)?.value.trim();
  const int = (s: Setting, fallback: number, min: number, max: number, what: string): number => {
    const r = read(s);
    if (r === undefined) return fallback;
    const text = r.value.trim();
    const n = Number(text);
    if (!/^\d+$/.test(text) || !Number.isSafeInteger(n) || n < min || n > max) {
      throw new ConfigError(r.name, `${JSON.stringify(r.value)} is not ${what} (${min}-${max})`);
    }
    return n;
  };

  const port = int(S.port, DEFAULT_PORTS[role], 0, 65535, 'a port number');
  const dbUrlSetting = read(S.dbUrl);
  const database = {
    url: normaliseDatabaseUrl(
      dbUrlSetting?.value.trim() ?? 'sqlite:./data/featurehub.db',
      dbUrlSetting?.name ?? 'DB_URL',
    ),
    ...optional('username', str(S.dbUsername)),
    ...optional('password', read(S.dbPassword)?.value),
  };
  const replicaSetting = read(S.replicaUrl);
  const databaseReadReplica =
    replicaSetting === undefined
      ? undefined
      : {
          url: normaliseDatabaseUrl(replicaSetting.value.trim(), replicaSetting.name),
          ...optional('username', str(S.replicaUsername)),
          ...optional('password', read(S.replicaPassword)?.value),
        };

  const natsSetting = read(S.natsUrl);
  let natsUrls: string[] | undefined;
  if (natsSetting !== undefined) natsUrls = parseNatsUrls(natsSetting.value, natsSetting.name);
  else if (NATS_ROLES.has(role)) natsUrls = ['nats://127.0.0.1:4222'];

  const cacheSetting = read(S.cacheName);
  const cacheName = cacheSetting?.value.trim() ?? 'default';
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(cacheName)) {
    throw new ConfigError(
      cacheSetting?.name ?? 'CACHE_NAME',
      `${JSON.stringify(cacheName)} must be 1-64 letters, digits, - or _`,
    );
  }

  const levelSetting = read(S.logLevel);
  const logLevel = (levelSetting?.value.trim().toLowerCase() ?? 'info') as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new ConfigError(
      levelSetting?.name ?? 'LOG_LEVEL',
      `${JSON.stringify(levelSetting?.value)} is not one of ${LOG_LEVELS.join(', ')}`,
    );
  }

  const cacheControl = str(S.cacheControl) ?? '';
  if (/[\r\n]/.test(cacheControl))
    throw new ConfigError('EDGE_CACHE_CONTROL', 'must be a single header value');

  const siteSetting = read(S.siteUrl);
  let siteUrl: string | undefined;
  if (siteSetting !== undefined) {
    siteUrl = siteSetting.value.trim().replace(/\/+$/, '');
    if (!/^https?:\/\/[^\s/]+/i.test(siteUrl)) {
      throw new ConfigError(siteSetting.name, `${JSON.stringify(siteSetting.value)} is not an http(s) URL`);
    }
  }

  const properties: Record<string, string> = Object.fromEntries(props);
  for (const [name, value] of Object.entries(env)) {
    if (name.includes('.') && value !== undefined) properties[name] = value;
  }

  return deepFreeze({
    role,
    host: str(S.host) ?? '0.0.0.0',
    port,
    database,
    ...optional('databaseReadReplica', databaseReadReplica),
    ...optional('natsUrls', natsUrls),
    cacheName,
    logLevel,
    ...optional('siteUrl', siteUrl),
    ...optional('featureProperties', read(S.featureProperties)?.value),
    cache: {
      timeoutMs: int(S.cacheTimeout, 2000, 50, 600_000, 'a number of milliseconds'),
      catchUpSeconds: int(S.cacheCatchUp, 10, 0, 3600, 'a number of seconds'),
    },
    edge: {
      sseDropAfterSeconds: int(S.sseDrop, 30, 0, 86400, 'a number of seconds'),
      sseHeartbeatSeconds: int(S.sseHeartbeat, 0, 0, 3600, 'a number of seconds'),
      cacheControl,
    },
    properties,
  });
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

/** Accepts our URL forms and the JDBC forms of the Java FeatureHub's `db.url`. */
export function normaliseDatabaseUrl(raw: string, setting: string): string {
  let url = raw;
  const jdbc = /^jdbc:(postgresql|mysql|mariadb|sqlite):(.*)$/i.exec(url);
  if (jdbc) {
    const kind = jdbc[1]!.toLowerCase();
    url =
      kind === 'sqlite' ? `sqlite:${jdbc[2]}` : `${kind === 'postgresql' ? 'postgres' : 'mysql'}:${jdbc[2]}`;
  }
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase();
  if (scheme === 'sqlite') {
    if (url.length <= 'sqlite:'.length)
      throw new ConfigError(setting, 'sqlite: needs a file path, e.g. sqlite:./data/featurehub.db');
    return url;
  }
  if (scheme === 'postgres' || scheme === 'postgresql' || scheme === 'mysql' || scheme === 'mariadb') {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new ConfigError(setting, `${JSON.stringify(raw)} is not a valid URL`);
    }
    if (!parsed.hostname) throw new ConfigError(setting, `${JSON.stringify(raw)} has no host`);
    if (parsed.pathname.replace(/^\//, '') === '')
      throw new ConfigError(setting, `${JSON.stringify(raw)} names no database`);
    return url;
  }
  throw new ConfigError(
    setting,
    `unsupported database ${JSON.stringify(raw)}; use sqlite:<path>, postgres://user:pass@host:port/db or mysql://user:pass@host:port/db`,
  );
}

function parseNatsUrls(raw: string, setting: string): string[] {
  const urls = raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (urls.length === 0) throw new ConfigError(setting, 'lists no NATS server');
  return urls.map((u) => {
    const withScheme = /^[a-z]+:\/\//i.test(u) ? u : `nats://${u}`;
    let parsed: URL;
    try {
      parsed = new URL(withScheme);
    } catch {
      throw new ConfigError(setting, `${JSON.stringify(u)} is not a NATS server URL`);
    }
    if (!['nats:', 'tls:', 'ws:', 'wss:'].includes(parsed.protocol) || !parsed.hostname) {
      throw new ConfigError(setting, `${JSON.stringify(u)} is not a NATS server URL (nats://host:port)`);
    }
    return withScheme;
  });
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object') {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}
