import type { ServerConfig } from '@fh/service-kit';
import { type RoleProcess, createRoleProcess, openRoleBus } from '../wiring.ts';

/** Edge: stateless SDK-facing server asking Dacha over NATS. */
export async function composeEdge(config: ServerConfig): Promise<RoleProcess> {
  const p = createRoleProcess(config);
  await openRoleBus(p);
  return p;
}
