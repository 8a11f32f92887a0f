import type { ServerConfig } from '@fh/service-kit';
import { createRoleProcess, openRoleBus, type RoleProcess } from '../wiring.ts';

/** Edge: stateless SDK-facing server asking Dacha over NATS. */
export async function composeEdge(config: ServerConfig): Promise<RoleProcess> {
  const p = createRoleProcess(config);
  await openRoleBus(p);
  return p;
}
