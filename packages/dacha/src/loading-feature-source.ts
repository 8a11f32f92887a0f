import type { CacheServiceAccount, PublishEnvironment } from '@fh/contracts';
import { DachaCache } from './dacha-cache.ts';
import type { DachaLogger, FeaturesLookup, PermissionLookup } from './types.ts';

/**
 * Where a {@link LoadingFeatureSource} reads records: MR's `MrCacheSource` (straight from the database)
 * fits as is. `undefined` means the record does not exist (or no longer does).
 */
export interface CacheLoader {
  environment(environmentId: string): Promise<PublishEnvironment | undefined>;
  serviceAccountByApiKey(apiKey: string): Promise<CacheServiceAccount | undefined>;
}

/** Options of {@link LoadingFeatureSource}. */
export interface LoadingFeatureSourceOptions {
  readonly loader: CacheLoader;
  /**
   * How long a loaded record (or the fact that it does not exist) is reused; 0 = load on every
   * request. Default 1000 ms: pollers of one environment share one database read per second.
   */
  readonly ttlMs?: number | undefined;
  readonly logger?: DachaLogger | undefined;
  readonly now?: (() => number) | undefined;
}

interface Loaded {
  readonly at: number;
  /** The service account id a key resolved to; null = no such key / environment. */
  readonly id: string | null;
}

/** Negative answers kept at most; past this (someone trying random keys) they are forgotten. */
const MAX_REMEMBERED = 10_000;

/**
 * A Dacha without a bus (Edge-REST, party-server-ish): environments and service accounts are loaded
 * on demand through a {@link CacheLoader} and kept for a short time, then loaded again. Answers are
 * the same as a filled Dacha's (`DachaCache` does the lookups), so Edge behaves identically; there
 * are no change notifications, so it backs polling only. The test API reads fresh records.
 */
export class LoadingFeatureSource {
  readonly #loader: CacheLoader;
  readonly #ttlMs: number;
  readonly #logger: DachaLogger | undefined;
  readonly #now: () => number;
  readonly #cache: DachaCache;
  readonly #environments = new Map<string, Loaded>();
  readonly #keys = new Map<string, Loaded>();
  readonly #loading = new Map<string, Promise<void>>();

  constructor(options: LoadingFeatureSourceOptions) {
    this.#loader = options.loader;
    this.#ttlMs = options.ttlMs ?? 1000;
    this.#logger = options.logger;
    this.#now = options.now ?? Date.now;
    this.#cache = new DachaCache(options.logger ? { logger: options.logger } : {});
  }

  async features(environmentId: string, apiKey: string): Promise<FeaturesLookup> {
    await Promise.all([this.#environment(environmentId, this.#ttlMs), this.#key(apiKey, this.#ttlMs)]);
    return this.#cache.features(environmentId, apiKey);
  }

  async permission(environmentId: string, apiKey: string, featureKey: string): Promise<PermissionLookup> {
    await Promise.all([this.#environment(environmentId, 0), this.#key(apiKey, 0)]);
    return this.#cache.permission(environmentId, apiKey, featureKey);
  }

  /** Forgets what was loaded (all, or one environment), e.g. after this process changed it. */
  invalidate(environmentId?: string): void {
    if (environmentId === undefined) {
      this.#environments.clear();
      this.#keys.clear();
    } else {
      this.#environments.delete(environmentId);
    }
  }

  #environment(id: string, ttlMs: number): Promise<void> {
    return this.#once(`env:${id}`, this.#environments.get(id), ttlMs, async () => {
      const message = await this.#loader.environment(id);
      if (message) this.#cache.applyEnvironment(message);
      else this.#dropEnvironment(id);
      remember(this.#environments, id, { at: this.#now(), id: message ? id : null });
    });
  }

  #key(apiKey: string, ttlMs: number): Promise<void> {
    return this.#once(`key:${apiKey}`, this.#keys.get(apiKey), ttlMs, async () => {
      const account = await this.#loader.serviceAccountByApiKey(apiKey);
      const previous = this.#keys.get(apiKey)?.id;
      if (account) this.#cache.applyServiceAccount({ serviceAccount: account, action: 'UPDATE', count: 1 });
      else if (previous) this.#dropServiceAccount(previous, apiKey);
      remember(this.#keys, apiKey, { at: this.#now(), id: account?.id ?? null });
    });
  }

  /** Loads unless fresh; concurrent requests for one record share one load. */
  #once(key: string, held: Loaded | undefined, ttlMs: number, load: () => Promise<void>): Promise<void> {
    if (held && ttlMs > 0 && this.#now() - held.at < ttlMs) return Promise.resolve();
    let pending = this.#loading.get(key);
    if (!pending) {
      pending = load()
        .catch((err: unknown) => {
          this.#logger?.error({ err, key }, 'loading a cache record failed');
          throw err;
        })
        .finally(() => this.#loading.delete(key));
      this.#loading.set(key, pending);
    }
    return pending;
  }

  #dropEnvironment(id: string): void {
    const held = this.#cache.environment(id);
    if (!held) return;
    this.#cache.applyEnvironment({
      environment: { id, version: Number.MAX_SAFE_INTEGER },
      organizationId: held.organizationId,
      portfolioId: held.portfolioId,
      applicationId: held.applicationId,
      featureValues: [],
      serviceAccounts: [],
      action: 'DELETE',
      count: 0,
    });
  }

  /** Drops the account the key belonged to, unless it has moved on to other keys (a key reset). */
  #dropServiceAccount(id: string, apiKey: string): void {
    const held = this.#cache.serviceAccount(id);
    if (!held || (held.apiKeyClientSide !== apiKey && held.apiKeyServerSide !== apiKey)) return;
    this.#cache.applyServiceAccount({ serviceAccount: held, action: 'DELETE', count: 0 });
  }
}

function remember(map: Map<string, Loaded>, key: string, value: Loaded): void {
  if (map.size >= MAX_REMEMBERED && !map.has(key)) map.clear();
  map.set(key, value);
}
