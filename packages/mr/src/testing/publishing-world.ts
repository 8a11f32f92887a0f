// Test data for the tests of what MR publishes (publisher, cache requests, service tests): fake stores
// with one portfolio, application and environment, an in-process bus, a recording of what is published,
// and a Dacha fed from the bus.
import { connectDachaToBus, DachaCache } from '@fh/dacha';
import { type Bus, type BusMessage, createInProcessBus, featureHubSubjects } from '@fh/messaging';
import { createFakeStores, type TransactionalStores } from '../db/stores.ts';
import type { Environment } from '../environment/environment-store.ts';
import type { Feature, FeatureValueType } from '../feature/feature-store.ts';
import type { EnvironmentRole } from '../group/group-store.ts';
import { BusChangePublisher } from '../publishing/bus-change-publisher.ts';
import { ChangeSet } from '../publishing/change-set.ts';
import type { ServiceAccount } from '../service-account/service-account-store.ts';

export interface RecordedMessage {
  subject: string;
  type: string | undefined;
  data: unknown;
}

export interface LoggedLine {
  level: string;
  obj: unknown;
  msg: string | undefined;
}

export interface PublishingWorld {
  stores: TransactionalStores;
  bus: Bus;
  subjects: ReturnType<typeof featureHubSubjects>;
  publisher: BusChangePublisher;
  dacha: DachaCache;
  /** Everything published on the cache and feature channels, in order. */
  messages: RecordedMessage[];
  logged: LoggedLine[];
  organisationId: string;
  portfolioId: string;
  applicationId: string;
  environment: Environment;
  /** Runs `fn` in a transaction and publishes its ChangeSet, as UnitOfWork does; then lets the bus deliver. */
  commit<T>(fn: (tx: TransactionalStores, changes: ChangeSet) => Promise<T>): Promise<T>;
  addEnvironment(name: string): Promise<Environment>;
  addFeature(key: string, valueType: FeatureValueType): Promise<Feature>;
  addServiceAccount(name: string, permissions: Record<string, EnvironmentRole[]>): Promise<ServiceAccount>;
  /** Messages of one CloudEvents type on the cache channel. */
  onCacheChannel(type: string): unknown[];
  close(): Promise<void>;
}

let counter = 0;

export async function createPublishingWorld(): Promise<PublishingWorld> {
  const stores = createFakeStores();
  const bus = createInProcessBus();
  const subjects = featureHubSubjects(`pub${++counter}`);
  const logged: LoggedLine[] = [];
  const log =
    (level: string) =>
    (obj: unknown, msg?: string): void => {
      logged.push({ level, obj, msg });
    };
  const logger = { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
  const publisher = new BusChangePublisher({ bus, stores, subjects, logger });
  const dacha = new DachaCache();
  const subscription = connectDachaToBus(dacha, bus, { subjects });
  const messages: RecordedMessage[] = [];
  const record = (m: BusMessage) => messages.push({ subject: m.subject, type: m.event?.type, data: m.data });
  const subs = [bus.subscribe(subjects.cacheChannel, record), bus.subscribe(subjects.featureChannel, record)];

  const organisation = await stores.organisations.create({ name: 'Org' });
  const portfolio = await stores.portfolios.create({ organisationId: organisation.id, name: 'Portfolio' });
  const application = await stores.applications.create({ portfolioId: portfolio.id, name: 'App' });
  const environment = await stores.environments.create({
    applicationId: application.id,
    name: 'production',
    environmentInfo: { cacheControl: 'max-age=5' },
    managementEnvironmentInfo: { 'mgmt.cacheControl': 'no-store' },
  });

  const world: PublishingWorld = {
    stores,
    bus,
    subjects,
    publisher,
    dacha,
    messages,
    logged,
    organisationId: organisation.id,
    portfolioId: portfolio.id,
    applicationId: application.id,
    environment,
    async commit(fn) {
      const changes = new ChangeSet();
      const result = await stores.transaction(() => fn(stores, changes));
      if (!changes.isEmpty()) await publisher.publish(changes);
      await bus.flush();
      return result;
    },
    addEnvironment: (name) => stores.environments.create({ applicationId: application.id, name }),
    addFeature: (key, valueType) =>
      stores.features.create({ applicationId: application.id, key, name: key, valueType }),
    async addServiceAccount(name, permissions) {
      const account = await stores.serviceAccounts.create({
        portfolioId: portfolio.id,
        name,
        apiKeyServerSide: `server${name}`.padEnd(40, 'x'),
        apiKeyClientSide: `${`client${name}`.padEnd(30, 'x')}*${'y'.repeat(20)}`,
      });
      await stores.serviceAccounts.setPermissions(
        account.id,
        Object.entries(permissions).map(([environmentId, roles]) => ({ environmentId, roles })),
      );
      return (await stores.serviceAccounts.findById(account.id))!;
    },
    onCacheChannel: (type) =>
      messages.filter((m) => m.subject === subjects.cacheChannel && m.type === type).map((m) => m.data),
    async close() {
      for (const s of subs) s.unsubscribe();
      subscription.stop();
      await bus.close();
    },
  };
  return world;
}
