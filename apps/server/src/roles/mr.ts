import { registerManagementRepository, sqlStores } from '@fh/mr';
import type { ServerConfig } from '@fh/service-kit';
import {
  createRoleProcess,
  openRoleBus,
  openRoleDatabase,
  type RoleProcess,
  serveAdminUi,
} from '../wiring.ts';

/** Management Repository: the admin API and UI over the database, publishing cache messages on NATS. */
export async function composeMr(config: ServerConfig): Promise<RoleProcess> {
  const p = createRoleProcess(config, { rootRoute: false });
  const database = await openRoleDatabase(p, { migrate: true });
  await openRoleBus(p);
  await registerManagementRepository(p.app, { stores: sqlStores(database), logger: p.logger });
  await serveAdminUi(p);
  return p;
}
