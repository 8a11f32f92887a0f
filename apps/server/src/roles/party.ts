import { createInProcessDacha } from '@fh/dacha';
import { registerEdgeRoutes } from '@fh/edge';
import { featureHubSubjects } from '@fh/messaging';
import {
  BusChangePublisher,
  FeatureProperties,
  MrTestApiUpdater,
  registerManagementRepository,
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

/** Party server: MR + Dacha + Edge + admin UI in one process, on the in-process bus unless NATS is set. */
export async function composeParty(config: ServerConfig): Promise<RoleProcess> {
  const p = createRoleProcess(config, { rootRoute: false });
  const database = await openRoleDatabase(p, { migrate: true });
  const bus = await openRoleBus(p);
  const subjects = featureHubSubjects(config.cacheName);
  const stores = sqlStores(database);
  // The Dacha listens before MR publishes anything, and is ready once MR's first full publish is in.
  const dacha = createInProcessDacha({ bus, subjects, logger: p.logger, ready: false });
  p.onShutdown({ name: 'dacha', close: () => dacha.close() });
  p.health.register('cache', () => dacha.isReady());
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
  registerEdgeRoutes(p.app, {
    features: dacha,
    updates: dacha,
    testApi: new MrTestApiUpdater(mr.context.uow, mr.context.stores),
    options: { ...config.edge, cacheName: config.cacheName },
    logger: p.logger,
  });
  await serveAdminUi(p);
  const filled = await publisher.publishAll();
  await publisher.idle();
  await bus.flush();
  dacha.markReady();
  p.logger.info(filled, 'cache filled');
  return p;
}
