import { createInProcessDacha } from '@fh/dacha';
import { registerEdgeRoutes } from '@fh/edge';
import { featureHubSubjects } from '@fh/messaging';
import { registerManagementRepository, sqlStores } from '@fh/mr';
import type { ServerConfig } from '@fh/service-kit';
import {
  createRoleProcess,
  openRoleBus,
  openRoleDatabase,
  type RoleProcess,
  serveAdminUi,
} from '../wiring.ts';

/** Party server: MR + Dacha + Edge + admin UI in one process, on the in-process bus unless NATS is set. */
export async function composeParty(config: ServerConfig): Promise<RoleProcess> {
  const p = createRoleProcess(config, { rootRoute: false });
  const database = await openRoleDatabase(p, { migrate: true });
  const bus = await openRoleBus(p);
  const subjects = featureHubSubjects(config.cacheName);
  const stores = sqlStores(database);
  const dacha = createInProcessDacha({ bus, subjects, logger: p.logger });
  p.onShutdown({ name: 'dacha', close: () => dacha.close() });
  await registerManagementRepository(p.app, { stores, logger: p.logger });
  registerEdgeRoutes(p.app, {
    features: dacha,
    updates: dacha,
    options: { ...config.edge, cacheName: config.cacheName },
    logger: p.logger,
  });
  await serveAdminUi(p);
  return p;
}
