import type { ServerConfig } from '@fh/service-kit';
import { createRoleProcess, openRoleBus, type RoleProcess } from '../wiring.ts';

/** Dacha: the cache of environments and service accounts, filled and kept current over NATS. */
export async function composeDacha(config: ServerConfig): Promise<RoleProcess> {
  const p = createRoleProcess(config);
  await openRoleBus(p);
  return p;
}
