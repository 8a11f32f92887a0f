/**
 * What a use case changed that caches must hear about. Services record into it inside the
 * transaction; the publisher turns it into cache messages after the commit, reading the committed state.
 */
export class ChangeSet {
  /** Environments whose whole cache entry must be republished (created, updated, or deleted). */
  readonly environments = new Map<string, 'upsert' | 'delete'>();
  /** Feature values (per environment) to republish as `publish-feature-v1` UPDATEs. */
  readonly featureValues = new Map<string, { environmentId: string; featureId: string }>();
  /** Features created or changed (definition), republished in every environment of their application. */
  readonly features = new Map<
    string,
    { applicationId: string; featureId: string; action: 'upsert' | 'delete' }
  >();
  /** SDK service accounts to republish. */
  readonly serviceAccounts = new Map<string, 'upsert' | 'delete'>();

  environmentChanged(environmentId: string, action: 'upsert' | 'delete' = 'upsert'): void {
    if (this.environments.get(environmentId) === 'delete') return;
    this.environments.set(environmentId, action);
  }

  featureValueChanged(environmentId: string, featureId: string): void {
    this.featureValues.set(`${environmentId}/${featureId}`, { environmentId, featureId });
  }

  featureChanged(applicationId: string, featureId: string, action: 'upsert' | 'delete' = 'upsert'): void {
    const prior = this.features.get(featureId);
    if (prior?.action === 'delete') return;
    this.features.set(featureId, { applicationId, featureId, action });
  }

  serviceAccountChanged(serviceAccountId: string, action: 'upsert' | 'delete' = 'upsert'): void {
    if (this.serviceAccounts.get(serviceAccountId) === 'delete') return;
    this.serviceAccounts.set(serviceAccountId, action);
  }

  isEmpty(): boolean {
    return (
      this.environments.size === 0 &&
      this.featureValues.size === 0 &&
      this.features.size === 0 &&
      this.serviceAccounts.size === 0
    );
  }
}

/** Turns committed changes into cache messages on the bus. */
export interface ChangePublisher {
  publish(changes: ChangeSet): Promise<void>;
}

/** For MR instances and tests with no cache to tell. */
export const noChangePublisher: ChangePublisher = { publish: async () => undefined };
