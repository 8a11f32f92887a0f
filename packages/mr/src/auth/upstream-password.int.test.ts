import assert from 'node:assert/strict';
import { pbkdf2Sync, randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { skipUnlessService } from '@fh/test-support';
import { startTestMr, type TestMr } from '../testing/index.ts';

/** A hash exactly as upstream FeatureHub stores it: `1000:<hex salt>:<hex key>`, 16-byte salt, 64-byte key. */
function upstreamHash(password: string, digest: 'sha512' | 'sha1'): string {
  const salt = randomBytes(16);
  const key = pbkdf2Sync(password, salt, 1000, 64, digest);
  return `1000:${salt.toString('hex')}:${key.toString('hex')}`;
}

for (const dialect of ['sqlite', 'postgres', 'mysql'] as const) {
  describe(`people who come across from upstream FeatureHub sign in with their password (${dialect})`, {
    skip: dialect === 'sqlite' ? false : await skipUnlessService(dialect),
  }, () => {
    let mr: TestMr;
    before(async () => {
      mr = await startTestMr({ dialect });
      await mr.initialize();
    });
    after(async () => {
      await mr?.close();
    });

    for (const [algorithm, digest] of [
      ['PBKDF2WithHmacSHA512', 'sha512'],
      ['PBKDF2WithHmacSHA1', 'sha1'],
    ] as const) {
      it(`a ${algorithm} hash signs in once and is then replaced by ours, nothing else changing`, async () => {
        const email = `${digest}-ünï@example.com`;
        const hash = upstreamHash('pässword-1', digest);
        const created = await mr.stores.persons.create({
          email,
          name: 'Came Across',
          personType: 'person',
          passwordHash: hash,
          passwordAlgorithm: algorithm,
        });

        const wrong = await mr.client.post('/login', { email, password: 'pässword-2' });
        assert.equal(wrong.status, 404);
        assert.equal(
          (await mr.stores.persons.findById(created.id))?.passwordHash,
          hash,
          'a failure keeps it',
        );

        const ok = await mr.client.post('/login', { email, password: 'pässword-1' });
        assert.equal(ok.status, 200, JSON.stringify(ok.body));
        assert.equal(ok.body.person.email, email);
        const self = await mr.client.withToken(ok.body.accessToken).get('/person/self');
        assert.equal(self.status, 200);

        const after = await mr.stores.persons.findById(created.id);
        assert.match(after!.passwordHash!, /^scrypt\$/);
        assert.equal(after!.passwordAlgorithm, 'scrypt');
        assert.equal(after!.name, 'Came Across');
        assert.equal(after!.email, email);
        assert.equal(after!.passwordRequiresReset, false);

        const again = await mr.client.post('/login', { email, password: 'pässword-1' });
        assert.equal(again.status, 200, 'the new hash holds the same password');
        assert.equal((await mr.client.post('/login', { email, password: 'pässword-2' })).status, 404);
      });
    }

    it('a hash in the SHA-1 form is not taken for SHA-512 (the stored algorithm decides)', async () => {
      const email = 'mixed@example.com';
      await mr.stores.persons.create({
        email,
        personType: 'person',
        passwordHash: upstreamHash('password-1', 'sha1'),
        passwordAlgorithm: 'PBKDF2WithHmacSHA512',
      });
      assert.equal((await mr.client.post('/login', { email, password: 'password-1' })).status, 404);
    });
  });
}
