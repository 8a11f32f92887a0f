import { LoadingFeatureSource } from '@fh/dacha';
import { registerEdgeRoutes } from '@fh/edge';
import {
  FeatureProperties,
  MrCacheSource,
  MrTestApiUpdater,
  registerManagementRepository,
  sqlStores,
} from '@fh/mr';
import type { ServerConfig } from '@fh/service-kit';
import { integrationsConfig, startWebhookDelivery } from '../integrations.ts';
import {
  createRoleProcess,
  mrSettingsFrom,
  openRoleDatabase,
  type RoleProcess,
  serveAdminUi,
} from '../wiring.ts';

/** Party-server-ish: MR + Edge-REST in one process over one database; no bus, no SSE (501). */
export async function composePartyIsh(config: ServerConfig): Promise<RoleProcess> {
  const p = createRoleProcess(config, { rootRoute: false });
  const database = await openRoleDatabase(p, { migrate: true });
  const stores = sqlStores(database);
  const features = new LoadingFeatureSource({
    loader: new MrCacheSource(stores, FeatureProperties.parse(config.featureProperties, p.logger)),
    logger: p.logger,
  });
  // Every committed change (admin API or test API) makes the next poll read the database again.
  const mr = await registerManagementRepository(p.app, {
    stores,
    database,
    logger: p.logger,
    publisher: { publish: async () => features.invalidate() },
    settings: mrSettingsFrom(config),
    integrations: integrationsConfig(config),
  });
  startWebhookDelivery(p, mr);
  registerEdgeRoutes(p.app, {
    features,
    testApi: new MrTestApiUpdater(mr.context.uow, mr.context.stores),
    options: { ...config.edge, cacheName: config.cacheName },
    logger: p.logger,
  });
  await serveAdminUi(p);
  return p;
}
