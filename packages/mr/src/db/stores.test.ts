import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createSqliteTestDatabase } from '@fh/test-support';
import { storeContract } from '../testing/store-contract.ts';
import { schemaFingerprint } from './migrations.ts';
import { openDatabase } from './open-database.ts';
import { manualClock } from './store-support.ts';
import { createFakeStores, sqlStores } from './stores.ts';

storeContract('fake', async () => {
  const clock = manualClock();
  return { stores: createFakeStores({ clock }), advance: clock.advance, close: async () => {} };
});

async function migrate(url: string) {
  const database = await openDatabase({ url });
  await database.migrate();
  await database.close();
}

storeContract('sqlite', async () => {
  const file = await createSqliteTestDatabase({ prepare: migrate, templateKey: `mr_${schemaFingerprint()}` });
  const database = await openDatabase({ url: file.url });
  const clock = manualClock();
  return {
    stores: sqlStores(database, { clock }),
    advance: clock.advance,
    close: async () => {
      await database.close();
      await file.drop();
    },
  };
});

describe('sql session store', () => {
  it('stores only a hash of the session token', async () => {
    const database = await openDatabase({ url: 'sqlite::memory:' });
    await database.migrate();
    const stores = sqlStores(database);
    const person = await stores.persons.create({ email: 'a@b.c' });
    await stores.sessions.create('the-secret-token', person.id);
    const rows = await database.db.selectFrom('fh_session').selectAll().execute();
    assert.equal(rows.length, 1);
    assert.notEqual(rows[0]?.token_hash, 'the-secret-token');
    assert.match(rows[0]?.token_hash ?? '', /^[0-9a-f]{64}$/);
    await database.close();
  });
});
