import { LoadingFeatureSource } from '@fh/dacha';
import { registerEdgeRoutes } from '@fh/edge';
import {
  FeatureProperties,
  MrCacheSource,
  MrTestApiUpdater,
  sqlStores,
  UnitOfWork,
  uuidIds,
  WebhookEnqueuer,
} from '@fh/mr';
import type { ServerConfig } from '@fh/service-kit';
import { createRoleProcess, openReadAndWriteDatabases, type RoleProcess } from '../wiring.ts';

/**
 * Edge-REST: polling and the test API straight on the database, no NATS and no SSE (501). Reads go to
 * the read replica when one is configured; test-API writes go to the primary. Dachas elsewhere hear
 * about those writes at their next catch-up.
 */
export async function composeEdgeRest(config: ServerConfig): Promise<RoleProcess> {
  const p = createRoleProcess(config);
  const { primary, reads } = await openReadAndWriteDatabases(p);
  const features = new LoadingFeatureSource({
    loader: new MrCacheSource(sqlStores(reads), FeatureProperties.parse(config.featureProperties, p.logger)),
    logger: p.logger,
  });
  const stores = sqlStores(primary);
  // Our own writes are visible to our next poll at once; other writers' within the source's TTL.
  // Test-API changes go into the webhook outbox like any other (ADR 0010); an MR process delivers them.
  const uow = new UnitOfWork(
    stores,
    { publish: async () => features.invalidate() },
    p.logger,
    new WebhookEnqueuer(uuidIds),
  );
  registerEdgeRoutes(p.app, {
    features,
    testApi: new MrTestApiUpdater(uow, stores),
    options: { ...config.edge, cacheName: config.cacheName },
    logger: p.logger,
  });
  return p;
}
