import type { Logger } from '@fh/service-kit';
import type { Stores, TransactionalStores } from '../db/stores.ts';
import { type ChangePublisher, ChangeSet } from '../publishing/change-set.ts';

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

  constructor(stores: TransactionalStores, publisher: ChangePublisher, logger?: Logger) {
    this.#stores = stores;
    this.#publisher = publisher;
    this.#logger = logger;
  }

  /** Stores outside any transaction, for reads. */
  get stores(): Stores {
    return this.#stores;
  }

  async run<T>(fn: (tx: Stores, changes: ChangeSet) => Promise<T>): Promise<T> {
    const changes = new ChangeSet();
    const result = await this.#stores.transaction((tx) => fn(tx, changes));
    if (!changes.isEmpty()) {
      try {
        await this.#publisher.publish(changes);
      } catch (err) {
        this.#logger?.error({ err }, 'publishing cache changes failed');
      }
    }
    return result;
  }
}
