// A test MR over real HTTP whose changes are published by a BusChangePublisher on an in-process bus to a
// Dacha, so integration tests can check what SDKs would get.
import { connectDachaToBus, DachaCache } from '@fh/dacha';
import { type Bus, createInProcessBus, featureHubSubjects } from '@fh/messaging';
import type { TestDialect } from '@fh/test-support';
import { BusChangePublisher } from '../publishing/bus-change-publisher.ts';
import type { ChangePublisher } from '../publishing/change-set.ts';
import { startTestMr, type TestMr } from './test-mr.ts';

export interface MrWithDacha {
  mr: TestMr;
  bus: Bus;
  publisher: BusChangePublisher;
  dacha: DachaCache;
  /** Waits until everything committed so far has reached the Dacha. */
  settle(): Promise<void>;
  close(): Promise<void>;
}

export async function startMrWithDacha(dialect: TestDialect): Promise<MrWithDacha> {
  // The harness creates the stores, so the real publisher can only be made once it has started.
  let target: ChangePublisher | undefined;
  const lazy: ChangePublisher = { publish: (changes) => target?.publish(changes) ?? Promise.resolve() };
  const mr = await startTestMr({ dialect, publisher: lazy });
  const bus = createInProcessBus();
  const subjects = featureHubSubjects('int');
  const publisher = new BusChangePublisher({ bus, stores: mr.stores, subjects });
  target = publisher;
  const dacha = new DachaCache();
  const subscription = connectDachaToBus(dacha, bus, { subjects });
  return {
    mr,
    bus,
    publisher,
    dacha,
    async settle() {
      await publisher.idle();
      await bus.flush();
    },
    async close() {
      subscription.stop();
      await bus.close();
      await mr.close();
    },
  };
}
