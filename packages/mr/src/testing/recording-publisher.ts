import type { ChangePublisher, ChangeSet, RecordChange } from '../publishing/change-set.ts';

/** A publisher that keeps every ChangeSet it is given, for tests to inspect. */
export class RecordingPublisher implements ChangePublisher {
  readonly published: ChangeSet[] = [];
  async publish(changes: ChangeSet): Promise<void> {
    this.published.push(changes);
  }
  /** Environment changes over everything published since the last clear(). */
  environments(): Map<string, RecordChange> {
    const out = new Map<string, RecordChange>();
    for (const c of this.published) for (const [id, action] of c.environments) out.set(id, action);
    return out;
  }
  serviceAccounts(): Map<string, RecordChange> {
    const out = new Map<string, RecordChange>();
    for (const c of this.published) for (const [id, action] of c.serviceAccounts) out.set(id, action);
    return out;
  }
  clear(): void {
    this.published.length = 0;
  }
}
