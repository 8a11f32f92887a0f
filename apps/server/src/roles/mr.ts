import { featureHubSubjects } from '@fh/messaging';
import {
  BusChangePublisher,
  FeatureProperties,
  MrTestApiUpdater,
  registerManagementRepository,
  serveCacheRequests,
  serveTestApiUpdates,
  sqlStores,
} from '@fh/mr';
import type { ServerConfig } from '@fh/service-kit';
import { integrationsConfig, startWebhookDelivery } from '../integrations.ts';
import {
  createRoleProcess,
  mrSettingsFrom,
  openRoleBus,
  openRoleDatabase,
  type RoleProcess,
  serveAdminUi,
} from '../wiring.ts';

/**
 * Management Repository: the admin API and UI over the database. Publishes cache messages on NATS after
 * each commit, answers Dachas' fill and version requests, and applies Edges' test-SDK updates.
 */
export async function composeMr(config: ServerConfig): Promise<RoleProcess> {
  const p = createRoleProcess(config, { rootRoute: false });
  const database = await openRoleDatabase(p, { migrate: true });
  const bus = await openRoleBus(p);
  const subjects = featureHubSubjects(config.cacheName);
  const stores = sqlStores(database);
  const featureProperties = FeatureProperties.parse(config.featureProperties, p.logger);
  const publisher = new BusChangePublisher({ bus, stores, subjects, logger: p.logger, featureProperties });
  const mr = await registerManagementRepository(p.app, {
    stores,
    database,
    logger: p.logger,
    publisher,
    settings: mrSettingsFrom(config),
    integrations: integrationsConfig(config),
  });
  startWebhookDelivery(p, mr);
  const cacheRequests = serveCacheRequests({ bus, subjects, stores, logger: p.logger, featureProperties });
  const testApi = serveTestApiUpdates({
    bus,
    subjects,
    testApi: new MrTestApiUpdater(mr.context.uow, mr.context.stores),
    logger: p.logger,
  });
  p.onShutdown({
    name: 'mr bus responders',
    close: async () => {
      cacheRequests.stop();
      testApi.stop();
      await Promise.all([cacheRequests.idle(), publisher.idle()]);
    },
  });
  await serveAdminUi(p);
  return p;
}
