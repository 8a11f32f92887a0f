import { createHash } from 'node:crypto';
import type { CacheEnvironment, CacheEnvironmentFeature } from '@fh/contracts';
import type { PayloadMemo } from './types.ts';

/** Serialised variants kept per snapshot; past this many (odd filter sets) the memo starts over. */
const MAX_MEMO_ENTRIES = 64;

/** A retired value is kept (so versions stay monotonic) but is invisible to SDKs. */
export function isVisibleToSdks(feature: CacheEnvironmentFeature): boolean {
  return feature.value?.retired !== true;
}

/**
 * One immutable state of an environment. Every change builds a new snapshot, which is what makes the
 * payload memo and the etag safe to compute lazily and keep until the next change.
 */
export class EnvironmentSnapshot implements PayloadMemo {
  readonly environment: CacheEnvironment;
  readonly organizationId: string;
  readonly portfolioId: string;
  readonly applicationId: string;
  /** Ids of the service accounts MR says have access (informational; permissions decide). */
  readonly serviceAccountIds: readonly string[];
  /** Every feature, retired ones included, in publishing order. */
  readonly all: readonly CacheEnvironmentFeature[];
  readonly #byId: ReadonlyMap<string, CacheEnvironmentFeature>;
  #visible: readonly CacheEnvironmentFeature[] | undefined;
  #etag: string | undefined;
  readonly #memo = new Map<string, string>();

  constructor(init: {
    environment: CacheEnvironment;
    organizationId: string;
    portfolioId: string;
    applicationId: string;
    serviceAccountIds: readonly string[];
    features: readonly CacheEnvironmentFeature[];
  }) {
    this.environment = init.environment;
    this.organizationId = init.organizationId;
    this.portfolioId = init.portfolioId;
    this.applicationId = init.applicationId;
    this.serviceAccountIds = init.serviceAccountIds;
    this.all = init.features;
    this.#byId = new Map(init.features.map((f) => [f.feature.id, f]));
  }

  byId(featureId: string): CacheEnvironmentFeature | undefined {
    return this.#byId.get(featureId);
  }

  byKey(key: string): CacheEnvironmentFeature | undefined {
    return this.all.find((f) => f.feature.key === key);
  }

  /** The features SDKs may see (retired values left out). */
  get visible(): readonly CacheEnvironmentFeature[] {
    this.#visible ??= this.all.filter(isVisibleToSdks);
    return this.#visible;
  }

  /** A content hash of the visible features, so equal states give equal tags on every instance. */
  get etag(): string {
    this.#etag ??= createHash('sha256').update(JSON.stringify(this.visible)).digest('base64url').slice(0, 22);
    return this.#etag;
  }

  /** A copy with other features (and a fresh memo and etag). */
  withFeatures(features: readonly CacheEnvironmentFeature[]): EnvironmentSnapshot {
    return new EnvironmentSnapshot({
      environment: this.environment,
      organizationId: this.organizationId,
      portfolioId: this.portfolioId,
      applicationId: this.applicationId,
      serviceAccountIds: this.serviceAccountIds,
      features,
    });
  }

  get(key: string): string | undefined {
    return this.#memo.get(key);
  }

  set(key: string, payload: string): void {
    if (this.#memo.size >= MAX_MEMO_ENTRIES && !this.#memo.has(key)) this.#memo.clear();
    this.#memo.set(key, payload);
  }
}
