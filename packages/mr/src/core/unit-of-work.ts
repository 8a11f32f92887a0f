import type { Logger } from '@fh/service-kit';
import type { Stores, TransactionalStores } from '../db/stores.ts';
import { type ChangePublisher, ChangeSet } from '../publishing/change-set.ts';

/**
 * Hears of every use case's changes: `inTransaction` runs inside its transaction, after the use case
 * (so what it writes commits or rolls back with the change: the webhook outbox), `afterCommit` once it
 * has committed and been published. A failing `inTransaction` fails the use case.
 */
export interface ChangeListener {
  inTransaction(tx: Stores, changes: ChangeSet): Promise<void>;
  afterCommit?(changes: ChangeSet): void;
}

/**
 * Runs a use case in one transaction and, once it has committed, publishes what it changed. The
 * caller (a controller) owns the transaction; services receive the transaction's stores and the
 * ChangeSet and never open transactions themselves. A publishing failure is logged, not returned: the
 * change is committed, and caches catch up from MR.
 */
export class UnitOfWork {
  readonly #stores: TransactionalStores;
  readonly #publisher: ChangePublisher;
  readonly #logger: Logger | undefined;
  readonly #listener: ChangeListener | undefined;

  constructor(
    stores: TransactionalStores,
    publisher: ChangePublisher,
    logger?: Logger,
    listener?: ChangeListener,
  ) {
    this.#stores = stores;
    this.#publisher = publisher;
    this.#logger = logger;
    this.#listener = listener;
  }

  /** Stores outside any transaction, for reads. */
  get stores(): Stores {
    return this.#stores;
  }

  async run<T>(fn: (tx: Stores, changes: ChangeSet) => Promise<T>): Promise<T> {
    const changes = new ChangeSet();
    const listener = this.#listener;
    const result = await this.#stores.transaction(async (tx) => {
      const out = await fn(tx, changes);
      if (listener && !changes.isEmpty()) await listener.inTransaction(tx, changes);
      return out;
    });
    if (!changes.isEmpty()) {
      try {
        await this.#publisher.publish(changes);
      } catch (err) {
        this.#logger?.error({ err }, 'publishing cache changes failed');
      }
      listener?.afterCommit?.(changes);
    }
    return result;
  }
}
