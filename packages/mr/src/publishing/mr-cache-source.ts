import type { CacheServiceAccount, PublishEnvironment } from '@fh/contracts';
import type { Stores } from '../db/stores.ts';
import { CachePayloads } from './cache-payloads.ts';
import type { FeatureProperties } from './feature-properties.ts';

/**
 * Builds cache payloads on demand from the committed state, for caches that load lazily (upstream's
 * Dacha2 API: `GET /dacha2/environment/{id}`, `GET /dacha2/serviceAccount/{apiKey}`). The payloads are
 * exactly the ones {@link BusChangePublisher} publishes.
 */
export class MrCacheSource {
  readonly #stores: Stores;
  readonly #payloads: CachePayloads;

  constructor(stores: Stores, featureProperties?: FeatureProperties) {
    this.#stores = stores;
    this.#payloads = new CachePayloads(stores, featureProperties);
  }

  /** A live environment with all its features (action UPDATE); undefined when unknown or archived. */
  environment(environmentId: string): Promise<PublishEnvironment | undefined> {
    return this.#payloads.environment(environmentId, 'UPDATE', 1);
  }

  /** A live service account by id; undefined when unknown or archived. */
  async serviceAccount(id: string): Promise<CacheServiceAccount | undefined> {
    const account = await this.#stores.serviceAccounts.findById(id);
    return account && this.#payloads.serviceAccount(account);
  }

  /** The live service account owning an API key (client- or server-eval); undefined otherwise. */
  async serviceAccountByApiKey(apiKey: string): Promise<CacheServiceAccount | undefined> {
    const account = await this.#stores.serviceAccounts.findByApiKey(apiKey);
    return account && this.#payloads.serviceAccount(account);
  }
}
