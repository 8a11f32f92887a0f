import { DachaNode } from '@fh/dacha';
import { featureHubSubjects } from '@fh/messaging';
import type { ServerConfig } from '@fh/service-kit';
import { createRoleProcess, openRoleBus, type RoleProcess } from '../wiring.ts';

/**
 * Dacha: the cache of environments and service accounts, filled from a peer (or, by the elected
 * master, from MR) and kept current over NATS. Ready only once complete; answers Edge from then on.
 */
export async function composeDacha(config: ServerConfig): Promise<RoleProcess> {
  const p = createRoleProcess(config);
  const bus = await openRoleBus(p);
  const dacha = new DachaNode({
    bus,
    subjects: featureHubSubjects(config.cacheName),
    logger: p.logger,
    timeoutMs: config.cache.timeoutMs,
    catchUpIntervalMs: config.cache.catchUpSeconds * 1000,
  }).start();
  p.onShutdown({ name: 'dacha', close: () => dacha.close() });
  p.health.register('dacha', () => dacha.isReady());
  p.logger.info({ dachaId: dacha.id, cacheName: config.cacheName }, 'Dacha starting');
  return p;
}
