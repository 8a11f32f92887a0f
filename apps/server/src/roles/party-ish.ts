import { registerManagementRepository, sqlStores } from '@fh/mr';
import type { ServerConfig } from '@fh/service-kit';
import { createRoleProcess, openRoleDatabase, type RoleProcess, serveAdminUi } from '../wiring.ts';

/** Party-server-ish: MR + Edge-REST in one process, no bus, no SSE. */
export async function composePartyIsh(config: ServerConfig): Promise<RoleProcess> {
  const p = createRoleProcess(config, { rootRoute: false });
  const database = await openRoleDatabase(p, { migrate: true });
  await registerManagementRepository(p.app, { stores: sqlStores(database), logger: p.logger });
  await serveAdminUi(p);
  return p;
}
