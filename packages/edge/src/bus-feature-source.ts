import {
  type CacheEnvironmentFeature,
  type DachaKeyDetailsResponse,
  type DachaNATSResponse,
  DachaNATSResponseSchema,
  type PublishFeatureValue,
  PublishFeatureValuesSchema,
  type RoleType,
} from '@fh/contracts';
import { DachaCache, mergeFeature } from '@fh/dacha';
import {
  type Bus,
  type BusSubscription,
  BusTimeoutError,
  type ConnectionWatch,
  eventTypes,
  type FeatureHubSubjects,
  watchConnection,
} from '@fh/messaging';
import type { Logger } from '@fh/service-kit';
import { Value } from 'typebox/value';
import type {
  EnvironmentChange,
  FeatureSource,
  FeaturesLookup,
  FeatureUpdates,
  LookupFailure,
  PermissionLookup,
} from './ports.ts';

/** Options of {@link BusFeatureSource}. */
export interface BusFeatureSourceOptions {
  readonly bus: Bus;
  /** The subjects of the cache this Edge serves. */
  readonly subjects: FeatureHubSubjects;
  readonly logger?: Pick<Logger, 'debug' | 'info' | 'warn' | 'error'> | undefined;
  /**
   * How long an answer about an API key is reused before Dacha is asked again (feature values are
   * kept current from the bus meanwhile; this bounds how late a revoked key or deleted environment is
   * noticed). Default 5000 ms.
   */
  readonly cacheTtlMs?: number | undefined;
  /** Environments with open SSE streams are re-read from Dacha this often (0 = never). Default 10000 ms. */
  readonly refreshIntervalMs?: number | undefined;
  /** How long to wait for a Dacha answer (one retry on timeout). Default 2000 ms. */
  readonly requestTimeoutMs?: number | undefined;
  /** After a NATS reconnection, open streams are re-read after each of these delays. */
  readonly reconnectRefreshDelaysMs?: readonly number[] | undefined;
  readonly now?: (() => number) | undefined;
}

interface AccessEntry {
  readonly at: number;
  readonly result:
    | {
        readonly status: 'found';
        readonly serviceAccountId: string;
        readonly roles: readonly RoleType[];
        readonly filters: readonly string[];
      }
    | { readonly status: 'not_found' | 'no_permission' };
}

interface RecentUpdate {
  readonly at: number;
  readonly update: PublishFeatureValue;
}

/** Feature updates are replayed over Dacha answers for this long: a Dacha may be behind the Edge. */
const RECENT_UPDATES_MS = 30_000;
const MAX_RECENT_PER_ENVIRONMENT = 500;
/** Unknown keys are remembered for at most this long, so a key created a moment ago soon works. */
const MAX_NEGATIVE_TTL_MS = 1000;

type Listener = (change: EnvironmentChange) => void;

/**
 * Edge's view of the features when it runs in its own process: asks one Dacha over the bus
 * (`edgeRequests`, request/reply) and keeps a mirror of the environments it was asked about, which the
 * feature channel keeps current (so polls need no round trip, and SSE streams get `feature` events
 * straight from MR's messages). A Dacha answer may be older than an update this Edge already has, so
 * recent updates are replayed over every answer, and versions only ever move forward.
 *
 * When Dacha cannot be reached the last known state is served; with nothing known the answer is
 * `not_ready` (503). Environments with open streams are re-read periodically and after a NATS
 * reconnection, so messages lost in a blip are caught up with.
 */
export class BusFeatureSource implements FeatureSource, FeatureUpdates {
  readonly #bus: Bus;
  readonly #subjects: FeatureHubSubjects;
  readonly #logger: BusFeatureSourceOptions['logger'];
  readonly #ttlMs: number;
  readonly #refreshMs: number;
  readonly #timeoutMs: number;
  readonly #reconnectDelays: readonly number[];
  readonly #now: () => number;
  // Environments only: keys and roles live in #access, per (environment, key).
  readonly #mirror = new DachaCache();
  readonly #access = new Map<string, AccessEntry>();
  readonly #keyOf = new Map<string, string>();
  readonly #lastUsed = new Map<string, number>();
  readonly #recent = new Map<string, RecentUpdate[]>();
  readonly #inFlight = new Map<string, Promise<FeaturesLookup>>();
  readonly #listeners = new Map<string, { set: Set<Listener>; stop: () => void }>();
  readonly #muted = new Set<string>();
  readonly #timers = new Set<NodeJS.Timeout>();
  #subscription: BusSubscription | undefined;
  #watch: ConnectionWatch | undefined;
  /** When the refresh in progress began. */
  #refreshing: number | undefined;
  #reconnectedAt = 0;

  constructor(options: BusFeatureSourceOptions) {
    this.#bus = options.bus;
    this.#subjects = options.subjects;
    this.#logger = options.logger;
    this.#ttlMs = options.cacheTtlMs ?? 5000;
    this.#refreshMs = options.refreshIntervalMs ?? 10_000;
    this.#timeoutMs = options.requestTimeoutMs ?? 2000;
    this.#reconnectDelays = options.reconnectRefreshDelaysMs ?? [300, 1500, 3500];
    this.#now = options.now ?? Date.now;
  }

  /** Subscribes to the feature channel and starts the periodic and reconnection refreshes. */
  start(): this {
    if (this.#subscription) return this;
    this.#subscription = this.#bus.subscribe(this.#subjects.featureChannel, (message) => {
      if (message.event?.type !== eventTypes.publishFeature) return;
      if (!Value.Check(PublishFeatureValuesSchema, message.data)) {
        this.#logger?.warn(
          { subject: message.subject },
          'Edge dropped a feature message that breaks its schema',
        );
        return;
      }
      for (const update of message.data.features) this.#onUpdate(update);
    });
    if (this.#refreshMs > 0) {
      const timer = setInterval(() => {
        if (this.#bus.isReady()) void this.refresh();
      }, this.#refreshMs);
      timer.unref();
      this.#timers.add(timer);
    }
    this.#watch = watchConnection(this.#bus, () => {
      this.#reconnectedAt = this.#now();
      this.#logger?.info({}, 'Edge reconnected to the bus; re-reading environments with open streams');
      // Everything cached may have missed messages: ask again on next use.
      this.#access.clear();
      for (const delay of this.#reconnectDelays) {
        const timer = setTimeout(() => {
          this.#timers.delete(timer);
          void this.refresh();
        }, delay);
        timer.unref();
        this.#timers.add(timer);
      }
    });
    return this;
  }

  /** Stops listening to the bus; answers from the mirror continue until the process ends. */
  close(): void {
    this.#subscription?.unsubscribe();
    this.#subscription = undefined;
    this.#watch?.stop();
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
  }

  async features(environmentId: string, apiKey: string): Promise<FeaturesLookup> {
    const now = this.#now();
    const cacheKey = `${environmentId}/${apiKey}`;
    this.#lastUsed.set(environmentId, now);
    const access = this.#access.get(cacheKey);
    // While the bus is down a request could only time out: what we hold is the best answer.
    if (access && (now - access.at < this.#ttlFor(access) || !this.#bus.isReady())) {
      const local = this.#answer(environmentId, access);
      if (local) return local;
    }
    let pending = this.#inFlight.get(cacheKey);
    if (!pending) {
      pending = this.#fetch(environmentId, apiKey).finally(() => this.#inFlight.delete(cacheKey));
      this.#inFlight.set(cacheKey, pending);
    }
    return pending;
  }

  async permission(environmentId: string, apiKey: string, featureKey: string): Promise<PermissionLookup> {
    const reply = await this.#ask({
      permissionRequest: { eId: environmentId, serviceAccountKey: apiKey, featureKey, excludeRetired: false },
    });
    if (reply === undefined) return { status: 'not_ready' };
    const p = reply.permissionResponse;
    if (reply.status !== 200 || !p) return { status: failure(reply.status) };
    return {
      status: 'found',
      permission: {
        environmentId,
        organizationId: p.organizationId ?? '',
        portfolioId: p.portfolioId ?? '',
        applicationId: p.applicationId ?? '',
        serviceAccountId: p.serviceKeyId ?? '',
        roles: p.roles,
        filters: p.filters ?? [],
        feature: p.feature,
      },
    };
  }

  subscribe(environmentId: string, listener: Listener): () => void {
    let entry = this.#listeners.get(environmentId);
    if (!entry) {
      const stop = this.#mirror.subscribe(environmentId, (change) => {
        if (!this.#muted.has(environmentId)) this.#emit(environmentId, change);
      });
      entry = { set: new Set<Listener>(), stop };
      this.#listeners.set(environmentId, entry);
    }
    entry.set.add(listener);
    return () => {
      const current = this.#listeners.get(environmentId);
      if (!current) return;
      current.set.delete(listener);
      if (current.set.size === 0) {
        current.stop();
        this.#listeners.delete(environmentId);
      }
    };
  }

  /** Environments held in the mirror (diagnostics, leak checks). */
  get environmentCount(): number {
    return this.#mirror.environmentCount;
  }

  /**
   * Re-reads every environment with open streams from Dacha (their streams get the differences) and
   * forgets environments nobody has asked about for a while. Runs periodically and after reconnections.
   */
  async refresh(): Promise<void> {
    // A refresh that began before the last reconnection may be stuck on requests lost with the old
    // connection: one after it must not wait for that.
    if (this.#refreshing !== undefined && this.#refreshing >= this.#reconnectedAt) return;
    const started = this.#now();
    this.#refreshing = started;
    try {
      const now = this.#now();
      for (const environmentId of [...this.#listeners.keys()]) {
        const key = this.#keyOf.get(environmentId);
        if (key !== undefined) await this.#fetch(environmentId, key, { refresh: true });
      }
      for (const snapshot of [...this.#mirror.environments()]) {
        const id = snapshot.environment.id;
        const idle = now - (this.#lastUsed.get(id) ?? 0) > Math.max(60_000, this.#ttlMs * 10);
        if (idle && !this.#listeners.has(id)) this.#forget(id);
      }
      for (const [key, entry] of this.#access) {
        if (now - entry.at > this.#ttlFor(entry) * 10) this.#access.delete(key);
      }
      for (const environmentId of [...this.#recent.keys()]) this.#recentOf(environmentId);
    } finally {
      if (this.#refreshing === started) this.#refreshing = undefined;
    }
  }

  // ---------------------------------------------------------------- internals

  #ttlFor(entry: AccessEntry): number {
    return entry.result.status === 'found' ? this.#ttlMs : Math.min(this.#ttlMs, MAX_NEGATIVE_TTL_MS);
  }

  #answer(environmentId: string, access: AccessEntry): FeaturesLookup | undefined {
    if (access.result.status !== 'found') return { status: access.result.status };
    const snapshot = this.#mirror.environment(environmentId);
    if (!snapshot) return undefined;
    return {
      status: 'found',
      environment: {
        environmentId,
        organizationId: snapshot.organizationId,
        portfolioId: snapshot.portfolioId,
        applicationId: snapshot.applicationId,
        serviceAccountId: access.result.serviceAccountId,
        roles: access.result.roles,
        filters: access.result.filters,
        environmentInfo: snapshot.environment.eInf ?? {},
        etag: snapshot.etag,
        features: snapshot.visible,
        payloads: snapshot,
      },
    };
  }

  async #fetch(
    environmentId: string,
    apiKey: string,
    options: { refresh?: boolean } = {},
  ): Promise<FeaturesLookup> {
    const cacheKey = `${environmentId}/${apiKey}`;
    const reply = await this.#ask({
      featuresRequest: { eId: environmentId, serviceAccountKey: apiKey, excludeRetired: false },
    });
    const stale = this.#access.get(cacheKey);
    if (reply === undefined || reply.status === 503) {
      // Dacha unreachable or not filled: the last known state beats no answer at all.
      const fallback = stale && this.#answer(environmentId, stale);
      return fallback ?? { status: 'not_ready' };
    }
    const details = reply.featuresResponse;
    if (reply.status !== 200 || !details) {
      const status = failure(reply.status);
      if (status === 'not_ready') return { status };
      this.#access.set(cacheKey, { at: this.#now(), result: { status } });
      if (options.refresh && stale?.result.status === 'found') {
        // The key lost access (or the environment went): streams must re-check.
        this.#emit(environmentId, {
          kind: 'service-account-changed',
          environmentId,
          serviceAccountId: stale.result.serviceAccountId,
        });
      }
      return { status };
    }
    const found: AccessEntry = {
      at: this.#now(),
      result: {
        status: 'found',
        serviceAccountId: details.serviceKeyId ?? '',
        roles: details.roles ?? (details.extendedDataAllowed ? ['READ', 'EXTENDED_DATA'] : ['READ']),
        filters: details.filters ?? [],
      },
    };
    if (
      stale?.result.status === 'found' &&
      found.result.status === 'found' &&
      !sameAccess(stale.result, found.result)
    ) {
      this.#emit(environmentId, {
        kind: 'service-account-changed',
        environmentId,
        serviceAccountId: stale.result.serviceAccountId,
      });
    }
    this.#access.set(cacheKey, found);
    this.#keyOf.set(environmentId, apiKey);
    this.#applyDetails(environmentId, details);
    return this.#answer(environmentId, found) ?? { status: 'not_ready' };
  }

  /** Sends a request to one Dacha; undefined when none answers (after one retry on timeout). */
  async #ask(request: object): Promise<DachaNATSResponse | undefined> {
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const reply = await this.#bus.request(this.#subjects.edgeRequests, request, {
          timeoutMs: this.#timeoutMs,
        });
        if (Value.Check(DachaNATSResponseSchema, reply.data)) return reply.data;
        this.#logger?.warn({}, 'Edge got a Dacha answer that breaks its schema');
        return undefined;
      } catch (err) {
        // A timeout may be a Dacha that died with our request; another member of the group may answer.
        if (err instanceof BusTimeoutError && attempt === 0) continue;
        this.#logger?.debug({ err }, 'no Dacha answered');
        return undefined;
      }
    }
    return undefined;
  }

  #applyDetails(environmentId: string, details: DachaKeyDetailsResponse): void {
    const features = replay(details.features ?? [], this.#recentOf(environmentId));
    // A first load is not a change: streams opening now get it as their `features` event.
    const isNew = this.#mirror.environment(environmentId) === undefined;
    if (isNew) this.#muted.add(environmentId);
    try {
      this.#mirror.applyEnvironment({
        environment: {
          id: environmentId,
          version: details.environmentVersion ?? 0,
          eInf: details.environmentInfo ?? {},
        },
        organizationId: details.organizationId ?? '',
        portfolioId: details.portfolioId ?? '',
        applicationId: details.applicationId ?? '',
        featureValues: features,
        serviceAccounts: [],
        action: 'UPDATE',
        count: 1,
      });
    } finally {
      this.#muted.delete(environmentId);
    }
  }

  #onUpdate(update: PublishFeatureValue): void {
    const list = this.#recent.get(update.environmentId) ?? [];
    list.push({ at: this.#now(), update });
    if (list.length > MAX_RECENT_PER_ENVIRONMENT) list.splice(0, list.length - MAX_RECENT_PER_ENVIRONMENT);
    this.#recent.set(update.environmentId, list);
    // Environments nobody asked about are ignored by the mirror; the next answer will carry it.
    this.#mirror.applyFeatureValue(update);
  }

  #recentOf(environmentId: string): PublishFeatureValue[] {
    const list = this.#recent.get(environmentId);
    if (!list) return [];
    const cutoff = this.#now() - RECENT_UPDATES_MS;
    const kept = list.filter((r) => r.at >= cutoff);
    if (kept.length === 0) this.#recent.delete(environmentId);
    else this.#recent.set(environmentId, kept);
    return kept.map((r) => r.update);
  }

  #emit(environmentId: string, change: EnvironmentChange): void {
    const entry = this.#listeners.get(environmentId);
    if (!entry) return;
    for (const l of [...entry.set]) {
      try {
        l(change);
      } catch (err) {
        this.#logger?.error({ err, environmentId }, 'Edge change listener failed');
      }
    }
  }

  #forget(environmentId: string): void {
    const snapshot = this.#mirror.environment(environmentId);
    if (!snapshot) return;
    this.#mirror.applyEnvironment({
      environment: { id: environmentId, version: Number.MAX_SAFE_INTEGER },
      organizationId: snapshot.organizationId,
      portfolioId: snapshot.portfolioId,
      applicationId: snapshot.applicationId,
      featureValues: [],
      serviceAccounts: [],
      action: 'DELETE',
      count: 0,
    });
    this.#keyOf.delete(environmentId);
    this.#lastUsed.delete(environmentId);
  }
}

function failure(status: number): LookupFailure {
  if (status === 404) return 'not_found';
  if (status === 403) return 'no_permission';
  return 'not_ready';
}

function sameAccess(
  a: { serviceAccountId: string; roles: readonly RoleType[]; filters: readonly string[] },
  b: { serviceAccountId: string; roles: readonly RoleType[]; filters: readonly string[] },
): boolean {
  return (
    a.serviceAccountId === b.serviceAccountId &&
    a.roles.join() === b.roles.join() &&
    a.filters.join() === b.filters.join()
  );
}

/** The answer's features with later updates applied in order, versions only moving forward. */
function replay(
  features: readonly CacheEnvironmentFeature[],
  updates: readonly PublishFeatureValue[],
): CacheEnvironmentFeature[] {
  if (updates.length === 0) return [...features];
  const byId = new Map(features.map((f) => [f.feature.id, f]));
  for (const u of updates) {
    const id = u.feature.feature.id;
    const held = byId.get(id);
    if (u.action === 'DELETE') byId.delete(id);
    else if (u.action !== 'EMPTY') byId.set(id, held ? mergeFeature(held, u.feature) : u.feature);
  }
  return [...byId.values()];
}
