import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Bus, connectNatsBus, createInProcessBus } from '@fh/messaging';
import { type Database, type MrSettings, openDatabase, registerAdminUi, ssoConfigFrom } from '@fh/mr';
import {
  createHttpServer,
  createLogger,
  HealthRegistry,
  type Logger,
  Metrics,
  type ServerConfig,
  type ShutdownStep,
} from '@fh/service-kit';
import type { FastifyInstance } from 'fastify';
import pkg from '../../../package.json' with { type: 'json' };

/** What every role is made of: its HTTP server, observability, and what to close on shutdown. */
export interface RoleProcess {
  readonly config: ServerConfig;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly health: HealthRegistry;
  readonly app: FastifyInstance;
  /** Closed in reverse order of registration, after the HTTP server has drained. */
  onShutdown(step: ShutdownStep): void;
  readonly shutdownSteps: ShutdownStep[];
}

/**
 * The name `/info/version` answers, as upstream's servers call themselves: upstream's tools find Edge by it and
 * choose between SSE (`edge-full`, `party-server`) and polling (`edge-rest`, `party-server-ish`). Dacha keeps ours.
 */
export const VERSION_NAMES: Readonly<Record<ServerConfig['role'], string>> = {
  party: 'party-server',
  'party-ish': 'party-server-ish',
  mr: 'management-repository',
  edge: 'edge-full',
  'edge-rest': 'edge-rest',
  dacha: 'featurehub-dacha',
};

export function createRoleProcess(config: ServerConfig, options: { rootRoute?: boolean } = {}): RoleProcess {
  const logger = createLogger({ level: config.logLevel, name: `featurehub-${config.role}` });
  const metrics = new Metrics({ role: config.role });
  const health = new HealthRegistry();
  const app = createHttpServer({
    logger,
    metrics,
    health,
    version: { name: VERSION_NAMES[config.role], version: pkg.version },
    ...(options.rootRoute === undefined ? {} : { rootRoute: options.rootRoute }),
  });
  const shutdownSteps: ShutdownStep[] = [];
  return {
    config,
    logger,
    metrics,
    health,
    app,
    shutdownSteps,
    onShutdown: (step) => shutdownSteps.unshift(step),
  };
}

/**
 * Opens the configured database. MR-owning roles migrate it (under a lock, so several processes
 * may start at once); read-only roles only wait until the migrations are there.
 */
export async function openRoleDatabase(
  p: RoleProcess,
  options: { migrate: boolean; replica?: boolean },
): Promise<Database> {
  const target =
    options.replica && p.config.databaseReadReplica ? p.config.databaseReadReplica : p.config.database;
  const database = await openDatabase(target, p.logger);
  p.onShutdown({ name: 'database', close: () => database.close() });
  let migrated = false;
  p.health.register('database', () => database.ping());
  p.health.register('migrations', async () => {
    if (!migrated) migrated = await database.isMigrated();
    return migrated;
  });
  if (options.migrate) {
    await database.migrate();
    migrated = true;
  }
  return database;
}

/**
 * Edge-REST's databases: test-API writes go to the primary, reads to the read replica when one is
 * configured (the primary otherwise). Neither is migrated here: that is MR's job.
 */
export async function openReadAndWriteDatabases(
  p: RoleProcess,
): Promise<{ primary: Database; reads: Database }> {
  const primary = await openRoleDatabase(p, { migrate: false });
  const replica = p.config.databaseReadReplica;
  if (!replica) return { primary, reads: primary };
  const reads = await openDatabase(replica, p.logger);
  p.onShutdown({ name: 'database replica', close: () => reads.close() });
  p.health.register('database-replica', () => reads.ping());
  return { primary, reads };
}

/** The party server's in-process bus unless NATS is configured; NATS for every other role. */
export async function openRoleBus(p: RoleProcess): Promise<Bus> {
  const urls = p.config.natsUrls;
  const bus =
    urls === undefined
      ? createInProcessBus()
      : await connectNatsBus({ servers: [...urls], name: `featurehub-${p.config.role}`, logger: p.logger });
  p.onShutdown({ name: 'bus', close: () => bus.close() });
  p.health.register('bus', () => bus.isReady());
  return bus;
}

/**
 * Where the built admin UI is: ADMIN_UI_DIR, else apps/admin-ui/dist beside this app (from the bundle in
 * apps/server/dist or from the sources in apps/server/src).
 */
export function adminUiDirectory(
  env: Readonly<Record<string, string | undefined>> = process.env,
): string | undefined {
  const candidates = [
    env['ADMIN_UI_DIR'],
    fileURLToPath(new URL('../../admin-ui/dist', import.meta.url)),
    fileURLToPath(new URL('../../../admin-ui/dist', import.meta.url)),
  ];
  return candidates.find((dir) => dir !== undefined && existsSync(`${dir}/index.html`));
}

/** Serves the admin UI at `/` when it has been built; says so in the log when it has not. */
export async function serveAdminUi(p: RoleProcess): Promise<void> {
  const dir = adminUiDirectory();
  if (dir === undefined) {
    p.logger.warn('the admin UI is not built (run `npm run build`); serving the API only');
    p.app.get('/', async () => ({ status: 'UP', adminUi: 'not built' }));
    return;
  }
  await registerAdminUi(p.app, { root: dir });
}

/**
 * MR's operator settings from the configuration: registration links point where people reach the UI; single
 * sign-on reads upstream's keys (docs/single-sign-on.md).
 */
export function mrSettingsFrom(config: ServerConfig): Pick<MrSettings, 'siteUrl' | 'sso'> {
  const siteUrl = config.siteUrl ?? `http://localhost:${config.port}`;
  return { siteUrl, sso: ssoConfigFrom(config.properties, siteUrl) };
}
