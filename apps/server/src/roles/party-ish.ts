import type { ServerConfig } from '@fh/service-kit';
import { createRoleProcess, openRoleDatabase, type RoleProcess } from '../wiring.ts';

/** Party-server-ish: MR + Edge-REST in one process, no bus, no SSE. */
export async function composePartyIsh(config: ServerConfig): Promise<RoleProcess> {
  const p = createRoleProcess(config);
  await openRoleDatabase(p, { migrate: true });
  return p;
}
