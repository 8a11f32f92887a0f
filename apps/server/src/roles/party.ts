import type { ServerConfig } from '@fh/service-kit';
import { createRoleProcess, openRoleBus, openRoleDatabase, type RoleProcess } from '../wiring.ts';

/** Party server: MR + Dacha + Edge (+ admin UI) in one process, on the in-process bus unless NATS is set. */
export async function composeParty(config: ServerConfig): Promise<RoleProcess> {
  const p = createRoleProcess(config);
  await openRoleDatabase(p, { migrate: true });
  await openRoleBus(p);
  return p;
}
