import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { serviceUrl, skipUnlessService } from '@fh/test-support';
import { openDatabase } from './open-database.ts';

for (const dialect of ['postgres', 'mysql'] as const) {
  describe(`openDatabase (${dialect})`, { skip: await skipUnlessService(dialect) }, () => {
    it('separate username and password win over those in the URL', async () => {
      const real = new URL(serviceUrl(dialect));
      const wrong = new URL(real);
      wrong.username = 'nobody';
      wrong.password = 'wrong';
      const database = await openDatabase({
        url: wrong.toString(),
        username: decodeURIComponent(real.username),
        password: decodeURIComponent(real.password),
      });
      try {
        assert.equal(database.dialect, dialect);
        assert.equal(await database.ping(), true);
      } finally {
        await database.close();
      }
    });

    it('ping answers false, without throwing, when the server cannot be reached', async () => {
      const url = new URL(serviceUrl(dialect));
      url.port = '1';
      const database = await openDatabase({ url: url.toString() });
      assert.equal(await database.ping(), false);
      assert.equal(await database.isMigrated(), false);
      await database.close();
    });
  });
}
