import type { ServerConfig } from '@fh/service-kit';
import { createRoleProcess, openRoleDatabase, type RoleProcess } from '../wiring.ts';

/** Edge-REST: polling and the test API straight on the database (read replica optional), no NATS. */
export async function composeEdgeRest(config: ServerConfig): Promise<RoleProcess> {
  const p = createRoleProcess(config);
  await openRoleDatabase(p, { migrate: false, replica: true });
  return p;
}
