import { BusFeatureSource, BusTestApi, registerEdgeRoutes } from '@fh/edge';
import { featureHubSubjects } from '@fh/messaging';
import type { ServerConfig } from '@fh/service-kit';
import { createRoleProcess, openRoleBus, type RoleProcess } from '../wiring.ts';

/**
 * Edge: the stateless SDK-facing server. Asks a Dacha over NATS, keeps SSE streams current from MR's
 * feature messages, and sends test-API updates to MR over NATS. Run as many as needed behind any load
 * balancer.
 */
export async function composeEdge(config: ServerConfig): Promise<RoleProcess> {
  const p = createRoleProcess(config);
  const bus = await openRoleBus(p);
  const subjects = featureHubSubjects(config.cacheName);
  const source = new BusFeatureSource({
    bus,
    subjects,
    logger: p.logger,
    refreshIntervalMs: config.cache.catchUpSeconds * 1000,
  }).start();
  p.onShutdown({ name: 'feature source', close: async () => source.close() });
  registerEdgeRoutes(p.app, {
    features: source,
    updates: source,
    testApi: new BusTestApi({ bus, subjects, logger: p.logger }),
    options: { ...config.edge, cacheName: config.cacheName },
    logger: p.logger,
  });
  return p;
}
