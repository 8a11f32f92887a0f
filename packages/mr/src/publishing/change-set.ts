/**
 * What happened to an environment or service account: `create` and `upsert` both republish the whole
 * record (as CREATE or UPDATE), `delete` removes it from caches. A later `delete` wins over anything,
 * and `create` is kept when the same transaction also updates the record.
 */
export type RecordChange = 'create' | 'upsert' | 'delete';

/**
 * What a use case changed that caches must hear about. Services record into it inside the
 * transaction; the publisher turns it into cache messages after the commit, reading the committed state.
 */
export class ChangeSet {
  /** Environments whose whole cache entry must be republished (created, updated, or deleted). */
  readonly environments = new Map<string, RecordChange>();
  /** Feature values (per environment) to republish as `publish-feature-v1` UPDATEs. */
  readonly featureValues = new Map<string, { environmentId: string; featureId: string }>();
  /** Features created or changed (definition), republished in every environment of their application. */
  readonly features = new Map<
    string,
    { applicationId: string; featureId: string; action: 'upsert' | 'delete' }
  >();
  /** SDK service accounts to republish. */
  readonly serviceAccounts = new Map<string, RecordChange>();

  environmentChanged(environmentId: string, action: RecordChange = 'upsert'): void {
    this.environments.set(environmentId, merge(this.environments.get(environmentId), action));
  }

  featureValueChanged(environmentId: string, featureId: string): void {
    this.featureValues.set(`${environmentId}/${featureId}`, { environmentId, featureId });
  }

  featureChanged(applicationId: string, featureId: string, action: 'upsert' | 'delete' = 'upsert'): void {
    const prior = this.features.get(featureId);
    if (prior?.action === 'delete') return;
    this.features.set(featureId, { applicationId, featureId, action });
  }

  serviceAccountChanged(serviceAccountId: string, action: RecordChange = 'upsert'): void {
    this.serviceAccounts.set(serviceAccountId, merge(this.serviceAccounts.get(serviceAccountId), action));
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

function merge(prior: RecordChange | undefined, next: RecordChange): RecordChange {
  if (prior === 'delete' || next === 'delete') return 'delete';
  if (prior === 'create') return 'create';
  return next;
}

/** Turns committed changes into cache messages on the bus. */
export interface ChangePublisher {
  publish(changes: ChangeSet): Promise<void>;
}

/** For MR instances and tests with no cache to tell. */
export const noChangePublisher: ChangePublisher = { publish: async () => undefined };
