import { setTimeout as sleep } from 'node:timers/promises';
import { ConflictError, StaleVersionError } from '@fh/service-kit';

// A feature-value save reads the current row, merges, then writes `WHERE version = <read version>`.
// When another transaction commits in between, the write misses (the store's StaleVersionError), a
// concurrent first save of the same value hits the unique key, or the database reports a deadlock
// or busy lock. None of those says the update itself is wrong: running the whole transaction again
// re-reads and re-merges, and then the merge decides (success, or a real 409 conflict).

/** True for failures that running the transaction again can cure. */
export function isConcurrentWriteFailure(err: unknown): boolean {
  if (err instanceof StaleVersionError) return true;
  if (err instanceof ConflictError) return err.code === 'duplicate_feature_value';
  if (typeof err !== 'object' || err === null) return false;
  const e = err as { code?: unknown; errno?: unknown };
  return (
    e.code === '40001' || // PostgreSQL serialization failure
    e.code === '40P01' || // PostgreSQL deadlock
    e.code === 'ER_LOCK_DEADLOCK' ||
    e.errno === 1213 ||
    e.code === 'ER_LOCK_WAIT_TIMEOUT' ||
    e.errno === 1205 ||
    e.code === 'SQLITE_BUSY' ||
    e.code === 'SQLITE_BUSY_SNAPSHOT' ||
    e.code === 'SQLITE_LOCKED'
  );
}

/**
 * Runs `attempt` (one whole transaction) up to `attempts` times while it fails with a concurrent-write
 * failure, with a short random pause between tries; the last failure is rethrown (a stale version is
 * then a 409).
 */
export async function retryConcurrentWrites<T>(attempt: () => Promise<T>, attempts = 5): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (err) {
      if (n >= attempts || !isConcurrentWriteFailure(err)) throw err;
      await sleep(Math.floor(Math.random() * 5 * n));
    }
  }
}
