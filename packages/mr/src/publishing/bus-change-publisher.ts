import {
  type PublishEnvironment,
  PublishEnvironmentSchema,
  type PublishFeatureValue,
  type PublishFeatureValues,
  PublishFeatureValuesSchema,
  type PublishServiceAccount,
  PublishServiceAccountSchema,
} from '@fh/contracts';
import { type Bus, type EventType, eventSubjects, eventTypes, type FeatureHubSubjects } from '@fh/messaging';
import type { Logger } from '@fh/service-kit';
import type { TSchema } from 'typebox';
import { Value } from 'typebox/value';
import type { Stores } from '../db/stores.ts';
import type { Feature } from '../feature/feature-store.ts';
import type { ApplicationStrategy } from '../strategy/application-strategy-store.ts';
import { CachePayloads } from './cache-payloads.ts';
import type { ChangePublisher, ChangeSet } from './change-set.ts';
import type { FeatureProperties } from './feature-properties.ts';

/** What the publisher is built from (the composition root passes these). */
export interface BusChangePublisherOptions {
  bus: Bus;
  /** Stores outside any transaction: the publisher reads what has been committed. */
  stores: Stores;
  /** The subjects of the cache MR serves (`featureHubSubjects(config.cacheName)`). */
  subjects: FeatureHubSubjects;
  logger?: Pick<Logger, 'debug' | 'info' | 'warn' | 'error'>;
  /** The operator's feature properties (`sdk.feature.properties`), rendered into `fp`. */
  featureProperties?: FeatureProperties;
}

/** What one full publication sent. */
export interface PublishAllResult {
  environments: number;
  serviceAccounts: number;
}

// A placeholder id for the mandatory fields of EMPTY markers (upstream fills them with junk too).
const NIL_UUID = '00000000-0000-0000-0000-000000000000';

/**
 * Turns committed changes into cache messages on the bus: `publish-environment-v1`,
 * `publish-feature-v1` and `publish-serviceaccount-v1` on the cache channel (for Dachas), and the
 * feature messages also on the feature channel (for Edges).
 *
 * Every message is built from the state read after the commit, and publications run one at a time
 * in call order, so each message carries versions at least as new as the one before it: a Dacha,
 * which keeps the newest version it has seen, can never be taken back to an older state by us.
 * A message that does not match its contract schema is logged and not sent (Dacha would drop it).
 */
export class BusChangePublisher implements ChangePublisher {
  readonly #bus: Bus;
  readonly #subjects: FeatureHubSubjects;
  readonly #payloads: CachePayloads;
  readonly #stores: Stores;
  readonly #logger: BusChangePublisherOptions['logger'];
  #queue: Promise<unknown> = Promise.resolve();

  constructor(options: BusChangePublisherOptions) {
    this.#bus = options.bus;
    this.#subjects = options.subjects;
    this.#stores = options.stores;
    this.#payloads = new CachePayloads(options.stores, options.featureProperties);
    this.#logger = options.logger;
  }

  publish(changes: ChangeSet): Promise<void> {
    return this.#serially(() => this.#publishChanges(changes));
  }

  /**
   * Publishes every live service account and environment (service accounts first, so a filling
   * Dacha can answer as soon as an environment arrives), each carrying the total `count`, or an
   * EMPTY marker when there are none. For the party server's in-process Dacha at startup and for a
   * Dacha asking for the whole cache.
   */
  publishAll(): Promise<PublishAllResult> {
    return this.#serially(async () => {
      const accounts = await this.#stores.serviceAccounts.list({});
      if (accounts.length === 0) {
        this.#send('sa', { serviceAccount: null, action: 'EMPTY', count: 0 });
      }
      for (const account of accounts) {
        const serviceAccount = await this.#payloads.serviceAccount(account);
        this.#send('sa', { serviceAccount, action: 'CREATE', count: accounts.length });
      }
      const environments = await this.#stores.environments.list({});
      let sent = 0;
      for (const env of environments) {
        const message = await this.#payloads.environment(env.id, 'CREATE', environments.length);
        if (message) {
          this.#send('env', message);
          sent++;
        }
      }
      if (environments.length === 0) this.#send('env', emptyEnvironment());
      return { environments: sent, serviceAccounts: accounts.length };
    });
  }

  /** Resolves once everything asked for so far has been published. */
  async idle(): Promise<void> {
    await this.#queue;
  }

  #serially<T>(work: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(work, work);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #publishChanges(changes: ChangeSet): Promise<void> {
    // Environments first: feature messages for an environment Dacha does not hold yet are ignored.
    const deletedEnvironments = new Set<string>();
    for (const [environmentId, change] of changes.environments) {
      if (change !== 'delete') {
        const message = await this.#payloads.environment(
          environmentId,
          change === 'create' ? 'CREATE' : 'UPDATE',
          changes.environments.size,
        );
        if (message) {
          this.#send('env', message);
          continue;
        }
      }
      // Deleted, or archived by the time we read it: either way caches must drop it.
      deletedEnvironments.add(environmentId);
      this.#send('env', await this.#payloads.environmentDeleted(environmentId, changes.environments.size));
    }

    const features = await this.#featureMessages(changes, deletedEnvironments);
    if (features.length > 0) this.#send('features', { features });

    for (const [id, change] of changes.serviceAccounts) {
      const account = await this.#stores.serviceAccounts.findById(id, { includeArchived: true });
      if (!account) continue;
      const serviceAccount = await this.#payloads.serviceAccount(account);
      const action =
        change === 'delete' || account.whenArchived !== null
          ? 'DELETE'
          : change === 'create'
            ? 'CREATE'
            : 'UPDATE';
      this.#send('sa', { serviceAccount, action, count: changes.serviceAccounts.size });
    }
  }

  /**
   * One entry per (environment, feature): definition changes fan out to every environment of the
   * application, value changes name their environment; both collapse into one entry per pair.
   */
  async #featureMessages(
    changes: ChangeSet,
    skipEnvironments: ReadonlySet<string>,
  ): Promise<PublishFeatureValue[]> {
    const out = new Map<string, PublishFeatureValue>();
    const featureCache = new Map<string, Feature | undefined>();
    const strategyCache = new Map<string, ReadonlyMap<string, ApplicationStrategy>>();
    const featureById = async (id: string) => {
      if (!featureCache.has(id)) {
        featureCache.set(id, await this.#stores.features.findById(id, { includeArchived: true }));
      }
      return featureCache.get(id);
    };
    const strategiesOf = async (applicationId: string) => {
      let s = strategyCache.get(applicationId);
      if (!s) {
        s = await this.#payloads.strategiesOf(applicationId);
        strategyCache.set(applicationId, s);
      }
      return s;
    };
    const add = async (feature: Feature, environmentId: string, action: PublishFeatureValue['action']) => {
      const key = `${environmentId}/${feature.id}`;
      if (skipEnvironments.has(environmentId) || out.has(key)) return;
      const entry = await this.#payloads.environmentFeature(
        feature,
        environmentId,
        await strategiesOf(feature.applicationId),
      );
      out.set(key, { action, environmentId, feature: entry });
    };

    for (const change of changes.features.values()) {
      const feature = await featureById(change.featureId);
      if (!feature) continue;
      // Dacha tells create from update by what it holds; the action is for other consumers.
      const action =
        change.action === 'delete' || feature.whenArchived !== null
          ? 'DELETE'
          : feature.version === 1
            ? 'CREATE'
            : 'UPDATE';
      const environments = await this.#stores.environments.list({ applicationId: feature.applicationId });
      for (const env of environments) await add(feature, env.id, action);
    }
    for (const { environmentId, featureId } of changes.featureValues.values()) {
      const feature = await featureById(featureId);
      if (!feature) continue;
      const env = await this.#stores.environments.findById(environmentId);
      if (!env) continue;
      await add(feature, environmentId, feature.whenArchived !== null ? 'DELETE' : 'UPDATE');
    }
    return [...out.values()];
  }

  #send(kind: 'env', message: PublishEnvironment): void;
  #send(kind: 'features', message: PublishFeatureValues): void;
  #send(kind: 'sa', message: PublishServiceAccount): void;
  #send(kind: 'env' | 'features' | 'sa', message: unknown): void {
    const { schema, type } = KINDS[kind];
    if (!Value.Check(schema, message)) {
      const errors = [...Value.Errors(schema, message)]
        .slice(0, 3)
        .map((e) => `${e.instancePath} ${e.message}`);
      this.#logger?.error({ type, errors }, 'not publishing a cache message that breaks its contract');
      return;
    }
    const options = { event: { type, subject: eventSubjects[type] } };
    this.#bus.publish(this.#subjects.cacheChannel, message, options);
    if (kind === 'features') this.#bus.publish(this.#subjects.featureChannel, message, options);
  }
}

const KINDS: Record<'env' | 'features' | 'sa', { schema: TSchema; type: EventType }> = {
  env: { schema: PublishEnvironmentSchema, type: eventTypes.publishEnvironment },
  features: { schema: PublishFeatureValuesSchema, type: eventTypes.publishFeature },
  sa: { schema: PublishServiceAccountSchema, type: eventTypes.publishServiceAccount },
};

function emptyEnvironment(): PublishEnvironment {
  return {
    environment: { id: NIL_UUID, version: 0 },
    organizationId: NIL_UUID,
    portfolioId: NIL_UUID,
    applicationId: NIL_UUID,
    featureValues: [],
    serviceAccounts: [],
    action: 'EMPTY',
    count: 0,
  };
}
