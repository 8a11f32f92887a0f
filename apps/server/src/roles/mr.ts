import type { ServerConfig } from '@fh/service-kit';
import { createRoleProcess, openRoleBus, openRoleDatabase, type RoleProcess } from '../wiring.ts';

/** Management Repository: the admin API over the database, publishing cache messages on NATS. */
export async function composeMr(config: ServerConfig): Promise<RoleProcess> {
  const p = createRoleProcess(config);
  await openRoleDatabase(p, { migrate: true });
  await openRoleBus(p);
  return p;
}
