import type {
  CacheEnvironmentFeature,
  CacheServiceAccount,
  PublishEnvironment,
  PublishFeatureValue,
  PublishFeatureValues,
  PublishServiceAccount,
  RoleType,
} from '@fh/contracts';
import { EnvironmentSnapshot, isVisibleToSdks } from './environment-snapshot.ts';
import type {
  DachaLogger,
  EnvironmentChange,
  EnvironmentListener,
  FeaturesLookup,
  LookupFailure,
  PermissionLookup,
} from './types.ts';

/** What happened to one cache message. */
export type ApplyOutcome = 'applied' | 'unchanged' | 'stale' | 'ignored';

export interface DachaCacheOptions {
  /** Where listener failures and dropped messages are reported. */
  logger?: DachaLogger;
  /**
   * False when the cache is filled by a bulk publish at startup: until {@link DachaCache.markReady},
   * unknown keys and environments answer `not_ready` (Edge: 503 / SSE `bye`) rather than `not_found`.
   * Default true.
   */
  ready?: boolean;
}

const noopLogger: DachaLogger = { debug() {}, info() {}, warn() {}, error() {} };

/**
 * The in-memory Dacha: environment snapshots and service accounts, filled by MR's cache messages.
 *
 * Versions only move forward: an environment message older than the held one is dropped, and for
 * each feature the definition (`feature.version`) and the value (`value.version`) are compared
 * separately, so a late message can never undo a newer state. Every change that an SDK could see is
 * announced to the listeners of that environment.
 */
export class DachaCache {
  readonly #environments = new Map<string, EnvironmentSnapshot>();
  readonly #accounts = new Map<string, CacheServiceAccount>();
  readonly #accountIdByKey = new Map<string, string>();
  readonly #listeners = new Map<string, Set<EnvironmentListener>>();
  readonly #logger: DachaLogger;
  #ready: boolean;

  constructor(options: DachaCacheOptions = {}) {
    this.#logger = options.logger ?? noopLogger;
    this.#ready = options.ready ?? true;
  }

  isReady(): boolean {
    return this.#ready;
  }

  /** The startup fill is complete: unknown keys are now really unknown. */
  markReady(): void {
    this.#ready = true;
  }

  // ---------------------------------------------------------------- messages

  /** Stores, replaces or removes a whole environment. */
  applyEnvironment(message: PublishEnvironment): ApplyOutcome {
    const id = message.environment.id;
    const held = this.#environments.get(id);
    if (message.action === 'EMPTY') return 'ignored';
    if (message.action === 'DELETE') {
      if (held === undefined) return 'unchanged';
      this.#environments.delete(id);
      this.#emit(id, { kind: 'environment-deleted', environmentId: id });
      return 'applied';
    }
    if (held !== undefined && message.environment.version < held.environment.version) return 'stale';

    const changes: EnvironmentChange[] = [];
    const next: CacheEnvironmentFeature[] = [];
    const incomingIds = new Set<string>();
    for (const incoming of message.featureValues) {
      incomingIds.add(incoming.feature.id);
      const before = held?.byId(incoming.feature.id);
      const merged = before === undefined ? incoming : mergeFeature(before, incoming);
      next.push(merged);
      changes.push(...featureChanges(id, before, merged));
    }
    for (const before of held?.all ?? []) {
      if (!incomingIds.has(before.feature.id) && isVisibleToSdks(before)) {
        changes.push({ kind: 'feature-deleted', environmentId: id, feature: before });
      }
    }
    this.#environments.set(
      id,
      new EnvironmentSnapshot({
        environment: message.environment,
        organizationId: message.organizationId,
        portfolioId: message.portfolioId,
        applicationId: message.applicationId,
        serviceAccountIds: [...message.serviceAccounts],
        features: next,
      }),
    );
    for (const change of changes) this.#emit(id, change);
    return 'applied';
  }

  /** Applies each feature change; the outcome of each, in order. */
  applyFeatureValues(message: PublishFeatureValues): ApplyOutcome[] {
    return message.features.map((f) => this.applyFeatureValue(f));
  }

  /**
   * Creates, updates or deletes one feature in one environment. A feature of an environment that is
   * not cached is ignored: the environment message that creates it will carry the feature.
   */
  applyFeatureValue(message: PublishFeatureValue): ApplyOutcome {
    const envId = message.environmentId;
    const snapshot = this.#environments.get(envId);
    if (snapshot === undefined || message.action === 'EMPTY') return 'ignored';
    const incoming = message.feature;
    const before = snapshot.byId(incoming.feature.id);

    if (message.action === 'DELETE') {
      if (before === undefined) return 'unchanged';
      this.#environments.set(envId, snapshot.withFeatures(snapshot.all.filter((f) => f !== before)));
      if (isVisibleToSdks(before))
        this.#emit(envId, { kind: 'feature-deleted', environmentId: envId, feature: before });
      return 'applied';
    }

    if (before === undefined) {
      this.#environments.set(envId, snapshot.withFeatures([...snapshot.all, incoming]));
      for (const change of featureChanges(envId, undefined, incoming)) this.#emit(envId, change);
      return 'applied';
    }
    const merged = mergeFeature(before, incoming);
    if (merged === before) return isOlder(before, incoming) ? 'stale' : 'unchanged';
    this.#environments.set(
      envId,
      snapshot.withFeatures(snapshot.all.map((f) => (f === before ? merged : f))),
    );
    for (const change of featureChanges(envId, before, merged)) this.#emit(envId, change);
    return 'applied';
  }

  /** Stores, replaces or removes a service account and re-indexes its two API keys. */
  applyServiceAccount(message: PublishServiceAccount): ApplyOutcome {
    const incoming = message.serviceAccount;
    if (message.action === 'EMPTY' || incoming == null) return 'ignored';
    const held = this.#accounts.get(incoming.id);
    if (message.action === 'DELETE') {
      if (held === undefined) return 'unchanged';
      this.#unindex(held);
      this.#accounts.delete(held.id);
      this.#announceAccount(held, undefined);
      return 'applied';
    }
    if (held !== undefined && incoming.version < held.version) return 'stale';
    if (held !== undefined && JSON.stringify(held) === JSON.stringify(incoming)) return 'unchanged';
    if (held !== undefined) this.#unindex(held);
    this.#accounts.set(incoming.id, incoming);
    this.#accountIdByKey.set(incoming.apiKeyClientSide, incoming.id);
    this.#accountIdByKey.set(incoming.apiKeyServerSide, incoming.id);
    this.#announceAccount(held, incoming);
    return 'applied';
  }

  // ---------------------------------------------------------------- queries

  /** Features of an environment for an API key (the service-key part, without the environment id). */
  features(environmentId: string, apiKey: string): FeaturesLookup {
    const access = this.#access(environmentId, apiKey);
    if (typeof access === 'string') return { status: access };
    const { snapshot, account, roles } = access;
    return {
      status: 'found',
      environment: {
        environmentId,
        organizationId: snapshot.organizationId,
        portfolioId: snapshot.portfolioId,
        applicationId: snapshot.applicationId,
        serviceAccountId: account.id,
        roles,
        filters: account.filters ?? [],
        environmentInfo: snapshot.environment.eInf ?? {},
        etag: snapshot.etag,
        features: snapshot.visible,
        payloads: snapshot,
      },
    };
  }

  /** The API key's roles in an environment and one feature by key, retired or not (test API). */
  permission(environmentId: string, apiKey: string, featureKey: string): PermissionLookup {
    const access = this.#access(environmentId, apiKey);
    if (typeof access === 'string') return { status: access };
    const { snapshot, account, roles } = access;
    const feature = snapshot.byKey(featureKey);
    if (feature === undefined) return { status: 'not_found' };
    return {
      status: 'found',
      permission: {
        environmentId,
        organizationId: snapshot.organizationId,
        portfolioId: snapshot.portfolioId,
        applicationId: snapshot.applicationId,
        serviceAccountId: account.id,
        roles,
        filters: account.filters ?? [],
        feature,
      },
    };
  }

  /** The held state of one feature (by id), retired or not; what MR-like writers build on. */
  feature(environmentId: string, featureId: string): CacheEnvironmentFeature | undefined {
    return this.#environments.get(environmentId)?.byId(featureId);
  }

  /** The held environment message parts, for diagnostics and tests. */
  environment(environmentId: string): EnvironmentSnapshot | undefined {
    return this.#environments.get(environmentId);
  }

  serviceAccount(id: string): CacheServiceAccount | undefined {
    return this.#accounts.get(id);
  }

  /** Every held environment (what a peer streams to a filling Dacha). */
  environments(): IterableIterator<EnvironmentSnapshot> {
    return this.#environments.values();
  }

  /** Every held service account. */
  serviceAccounts(): IterableIterator<CacheServiceAccount> {
    return this.#accounts.values();
  }

  get environmentCount(): number {
    return this.#environments.size;
  }

  get serviceAccountCount(): number {
    return this.#accounts.size;
  }

  // ---------------------------------------------------------------- notifications

  /** Hears every later change of one environment; returns the unsubscribe function. */
  subscribe(environmentId: string, listener: EnvironmentListener): () => void {
    let set = this.#listeners.get(environmentId);
    if (set === undefined) {
      set = new Set();
      this.#listeners.set(environmentId, set);
    }
    set.add(listener);
    return () => {
      const current = this.#listeners.get(environmentId);
      if (current === undefined) return;
      current.delete(listener);
      if (current.size === 0) this.#listeners.delete(environmentId);
    };
  }

  /** Number of listeners, all environments together (a leak shows up here). */
  get listenerCount(): number {
    let n = 0;
    for (const set of this.#listeners.values()) n += set.size;
    return n;
  }

  // ---------------------------------------------------------------- internals

  #access(
    environmentId: string,
    apiKey: string,
  ): { snapshot: EnvironmentSnapshot; account: CacheServiceAccount; roles: RoleType[] } | LookupFailure {
    const accountId = this.#accountIdByKey.get(apiKey);
    const account = accountId === undefined ? undefined : this.#accounts.get(accountId);
    if (account === undefined) return this.#ready ? 'not_found' : 'not_ready';
    const snapshot = this.#environments.get(environmentId);
    if (snapshot === undefined) return this.#ready ? 'not_found' : 'not_ready';
    const roles = rolesIn(account, environmentId);
    if (roles.length === 0) return 'no_permission';
    return { snapshot, account, roles };
  }

  #unindex(account: CacheServiceAccount): void {
    for (const key of [account.apiKeyClientSide, account.apiKeyServerSide]) {
      if (this.#accountIdByKey.get(key) === account.id) this.#accountIdByKey.delete(key);
    }
  }

  #announceAccount(before: CacheServiceAccount | undefined, after: CacheServiceAccount | undefined): void {
    const id = (after ?? before)?.id;
    if (id === undefined) return;
    const envIds = new Set<string>();
    for (const p of before?.permissions ?? []) envIds.add(p.environmentId);
    for (const p of after?.permissions ?? []) envIds.add(p.environmentId);
    for (const environmentId of envIds) {
      this.#emit(environmentId, { kind: 'service-account-changed', environmentId, serviceAccountId: id });
    }
  }

  #emit(environmentId: string, change: EnvironmentChange): void {
    const set = this.#listeners.get(environmentId);
    if (set === undefined) return;
    // A copy: a listener may unsubscribe (close its stream) while we iterate.
    for (const listener of [...set]) {
      try {
        listener(change);
      } catch (err) {
        this.#logger.error({ err, environmentId, kind: change.kind }, 'Dacha change listener failed');
      }
    }
  }
}

/** Roles of an account in one environment; READ is implied by any role, as upstream does. */
function rolesIn(account: CacheServiceAccount, environmentId: string): RoleType[] {
  const perm = account.permissions.find((p) => p.environmentId === environmentId);
  const roles = perm?.permissions ?? [];
  if (roles.length === 0) return [];
  return roles.includes('READ') ? [...roles] : ['READ', ...roles];
}

function isOlder(held: CacheEnvironmentFeature, incoming: CacheEnvironmentFeature): boolean {
  const valueOlder =
    incoming.value != null && held.value != null && incoming.value.version < held.value.version;
  return incoming.feature.version < held.feature.version || valueOlder;
}

/**
 * The newer definition and the newer value of two states of one feature, compared separately.
 * A message without a value never removes a held value (values are never deleted, only retired).
 * Returns `held` itself when nothing changes.
 */
export function mergeFeature(
  held: CacheEnvironmentFeature,
  incoming: CacheEnvironmentFeature,
): CacheEnvironmentFeature {
  const takeDefinition = incoming.feature.version >= held.feature.version;
  const takeValue =
    incoming.value != null && (held.value == null || incoming.value.version >= held.value.version);
  const merged: CacheEnvironmentFeature = {
    feature: takeDefinition ? incoming.feature : held.feature,
    value: takeValue ? incoming.value : held.value,
    fp: takeDefinition || takeValue ? incoming.fp : held.fp,
  };
  if (merged.fp === undefined) delete merged.fp;
  if (merged.value === undefined) delete merged.value;
  return JSON.stringify(merged) === JSON.stringify(held) ? held : merged;
}

/** What SDK streams must be told when a feature goes from `before` to `after`. */
function featureChanges(
  environmentId: string,
  before: CacheEnvironmentFeature | undefined,
  after: CacheEnvironmentFeature,
): EnvironmentChange[] {
  if (before === after) return [];
  const wasVisible = before !== undefined && isVisibleToSdks(before);
  const isVisible = isVisibleToSdks(after);
  if (!isVisible) {
    return wasVisible ? [{ kind: 'feature-deleted', environmentId, feature: after }] : [];
  }
  const out: EnvironmentChange[] = [];
  // SDKs index by key: a rename must remove the old key, or clients would keep both.
  if (wasVisible && before.feature.key !== after.feature.key) {
    out.push({ kind: 'feature-deleted', environmentId, feature: before });
  }
  if (!wasVisible || JSON.stringify(before) !== JSON.stringify(after)) {
    out.push({ kind: 'feature-updated', environmentId, feature: after });
  }
  return out;
}
