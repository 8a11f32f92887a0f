import { describe } from 'node:test';
import { createTestDatabase, skipUnlessService, type TestDialect } from '@fh/test-support';
import { storeContract } from '../testing/store-contract.ts';
import { schemaFingerprint } from './migrations.ts';
import { openDatabase } from './open-database.ts';
import { manualClock } from './store-support.ts';
import { sqlStores } from './stores.ts';

async function migrate(url: string) {
  const database = await openDatabase({ url });
  await database.migrate();
  await database.close();
}

for (const dialect of ['postgres', 'mysql'] as const satisfies readonly TestDialect[]) {
  describe(`${dialect} stores`, { skip: await skipUnlessService(dialect) }, () => {
    storeContract(dialect, async () => {
      const fresh = await createTestDatabase(dialect, {
        prepare: migrate,
        templateKey: `mr_${schemaFingerprint()}`,
      });
      const database = await openDatabase({ url: fresh.url });
      const clock = manualClock();
      return {
        stores: sqlStores(database, { clock }),
        advance: clock.advance,
        close: async () => {
          await database.close();
          await fresh.drop();
        },
      };
    });
  });
}
