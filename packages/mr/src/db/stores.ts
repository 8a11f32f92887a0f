import type { Kysely } from 'kysely';
import type { ApplicationStore } from '../application/application-store.ts';
import { FakeApplicationStore } from '../application/fake-application-store.ts';
import { SqlApplicationStore } from '../application/sql-application-store.ts';
import type { EnvironmentStore } from '../environment/environment-store.ts';
import { FakeEnvironmentStore } from '../environment/fake-environment-store.ts';
import { SqlEnvironmentStore } from '../environment/sql-environment-store.ts';
import { FakeFeatureStore } from '../feature/fake-feature-store.ts';
import type { FeatureStore } from '../feature/feature-store.ts';
import { SqlFeatureStore } from '../feature/sql-feature-store.ts';
import { FakeFeatureFilterStore } from '../feature-filter/fake-feature-filter-store.ts';
import type { FeatureFilterStore } from '../feature-filter/feature-filter-store.ts';
import { SqlFeatureFilterStore } from '../feature-filter/sql-feature-filter-store.ts';
import { FakeFeatureGroupStore } from '../feature-group/fake-feature-group-store.ts';
import type { FeatureGroupStore } from '../feature-group/feature-group-store.ts';
import { SqlFeatureGroupStore } from '../feature-group/sql-feature-group-store.ts';
import { FakeFeatureValueStore } from '../feature-value/fake-feature-value-store.ts';
import type { FeatureValueStore } from '../feature-value/feature-value-store.ts';
import { SqlFeatureValueStore } from '../feature-value/sql-feature-value-store.ts';
import { FakeGroupStore } from '../group/fake-group-store.ts';
import type { GroupStore } from '../group/group-store.ts';
import { SqlGroupStore } from '../group/sql-group-store.ts';
import { FakeOrganisationStore } from '../organisation/fake-organisation-store.ts';
import type { OrganisationStore } from '../organisation/organisation-store.ts';
import { SqlOrganisationStore } from '../organisation/sql-organisation-store.ts';
import { FakePersonStore } from '../person/fake-person-store.ts';
import { FakeSessionStore } from '../person/fake-session-store.ts';
import type { PersonStore } from '../person/person-store.ts';
import type { SessionStore } from '../person/session-store.ts';
import { SqlPersonStore } from '../person/sql-person-store.ts';
import { SqlSessionStore } from '../person/sql-session-store.ts';
import { FakePortfolioStore } from '../portfolio/fake-portfolio-store.ts';
import type { PortfolioStore } from '../portfolio/portfolio-store.ts';
import { SqlPortfolioStore } from '../portfolio/sql-portfolio-store.ts';
import { FakeServiceAccountStore } from '../service-account/fake-service-account-store.ts';
import type { ServiceAccountStore } from '../service-account/service-account-store.ts';
import { SqlServiceAccountStore } from '../service-account/sql-service-account-store.ts';
import type { ApplicationStrategyStore } from '../strategy/application-strategy-store.ts';
import { FakeApplicationStrategyStore } from '../strategy/fake-application-strategy-store.ts';
import { SqlApplicationStrategyStore } from '../strategy/sql-application-strategy-store.ts';
import { FakeSystemConfigStore } from '../system-config/fake-system-config-store.ts';
import { SqlSystemConfigStore } from '../system-config/sql-system-config-store.ts';
import type { SystemConfigStore } from '../system-config/system-config-store.ts';
import { FakeUserStateStore } from '../user-state/fake-user-state-store.ts';
import { SqlUserStateStore } from '../user-state/sql-user-state-store.ts';
import type { UserStateStore } from '../user-state/user-state-store.ts';
import { FakeWebhookStore } from '../webhook/fake-webhook-store.ts';
import { SqlWebhookStore } from '../webhook/sql-webhook-store.ts';
import type { WebhookStore } from '../webhook/webhook-store.ts';
import type { DialectName } from './database-url.ts';
import { FakeState } from './fake-state.ts';
import type { Database, Executor } from './open-database.ts';
import type { DB } from './schema.ts';
import type { SqlStoreContext } from './sql-support.ts';
import { type StoreDeps, storeDeps } from './store-support.ts';

/** Every store, all working on the same database or transaction. */
export interface Stores {
  organisations: OrganisationStore;
  portfolios: PortfolioStore;
  applications: ApplicationStore;
  environments: EnvironmentStore;
  features: FeatureStore;
  featureValues: FeatureValueStore;
  strategies: ApplicationStrategyStore;
  featureGroups: FeatureGroupStore;
  persons: PersonStore;
  sessions: SessionStore;
  groups: GroupStore;
  serviceAccounts: ServiceAccountStore;
  userStates: UserStateStore;
  featureFilters: FeatureFilterStore;
  systemConfigs: SystemConfigStore;
  /** the webhook outbox and delivery history */
  webhooks: WebhookStore;
}

/**
 * Stores outside any transaction (each call commits on its own), plus the way to run a use case in one
 * transaction. The use case, not the store or service, decides where the transaction starts and ends.
 */
export interface TransactionalStores extends Stores {
  /** Runs `fn` with stores bound to one transaction: committed if it resolves, rolled back if it throws. */
  transaction<T>(fn: (stores: Stores) => Promise<T>): Promise<T>;
}

/** SQL stores on `executor` (the database or an open transaction). */
export function createSqlStores(
  executor: Executor,
  dialect: DialectName,
  deps: Partial<StoreDeps> = {},
): Stores {
  const ctx: SqlStoreContext = { db: executor, dialect, deps: storeDeps(deps) };
  return {
    organisations: new SqlOrganisationStore(ctx),
    portfolios: new SqlPortfolioStore(ctx),
    applications: new SqlApplicationStore(ctx),
    environments: new SqlEnvironmentStore(ctx),
    features: new SqlFeatureStore(ctx),
    featureValues: new SqlFeatureValueStore(ctx),
    strategies: new SqlApplicationStrategyStore(ctx),
    featureGroups: new SqlFeatureGroupStore(ctx),
    persons: new SqlPersonStore(ctx),
    sessions: new SqlSessionStore(ctx),
    groups: new SqlGroupStore(ctx),
    serviceAccounts: new SqlServiceAccountStore(ctx),
    userStates: new SqlUserStateStore(ctx),
    featureFilters: new SqlFeatureFilterStore(ctx),
    systemConfigs: new SqlSystemConfigStore(ctx),
    webhooks: new SqlWebhookStore(ctx),
  };
}

/** The SQL stores of an open database. */
export function sqlStores(database: Database, deps: Partial<StoreDeps> = {}): TransactionalStores {
  const resolved = storeDeps(deps);
  const db: Kysely<DB> = database.db;
  return {
    ...createSqlStores(db, database.dialect, resolved),
    transaction: (fn) =>
      db.transaction().execute((trx) => fn(createSqlStores(trx, database.dialect, resolved))),
  };
}

function fakeStoresOn(
  state: FakeState,
  own: { systemConfigs: FakeSystemConfigStore; webhooks: FakeWebhookStore },
): Stores {
  // System config and webhooks keep their own state; the fake transaction snapshots and restores it too.
  return {
    systemConfigs: own.systemConfigs,
    webhooks: own.webhooks,
    organisations: new FakeOrganisationStore(state),
    portfolios: new FakePortfolioStore(state),
    applications: new FakeApplicationStore(state),
    environments: new FakeEnvironmentStore(state),
    features: new FakeFeatureStore(state),
    featureValues: new FakeFeatureValueStore(state),
    strategies: new FakeApplicationStrategyStore(state),
    featureGroups: new FakeFeatureGroupStore(state),
    persons: new FakePersonStore(state),
    sessions: new FakeSessionStore(state),
    groups: new FakeGroupStore(state),
    serviceAccounts: new FakeServiceAccountStore(state),
    userStates: new FakeUserStateStore(state),
    featureFilters: new FakeFeatureFilterStore(state),
  };
}

/**
 * In-memory stores with the same behaviour as the SQL ones (the shared contract suite checks that).
 * Transactions run one at a time and roll back by restoring a snapshot.
 */
export function createFakeStores(deps: Partial<StoreDeps> = {}): TransactionalStores {
  const state = new FakeState(storeDeps(deps));
  const own = {
    systemConfigs: new FakeSystemConfigStore(),
    webhooks: new FakeWebhookStore(() => state.deps.clock.now()),
  };
  const stores = fakeStoresOn(state, own);
  let queue: Promise<unknown> = Promise.resolve();
  return {
    ...stores,
    transaction<T>(fn: (stores: Stores) => Promise<T>): Promise<T> {
      const run = async () => {
        const snapshot = structuredClone(state.tables);
        const configs = own.systemConfigs.snapshot();
        const outbox = own.webhooks.snapshot();
        try {
          return await fn(stores);
        } catch (err) {
          state.tables = snapshot;
          own.systemConfigs.restore(configs);
          own.webhooks.restore(outbox);
          throw err;
        }
      };
      const result = queue.then(run, run);
      queue = result.catch(() => undefined);
      return result;
    },
  };
}
