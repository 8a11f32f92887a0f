import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LoginRateLimiter } from './login-rate-limiter.ts';
import { ScryptPasswordHasher } from './password-hasher.ts';
import { constantTimeEquals, hashToken, randomAlphanumeric } from './tokens.ts';

describe('ScryptPasswordHasher', () => {
  const hasher = new ScryptPasswordHasher({ N: 1024 });

  it('verifies the password it hashed and nothing else', async () => {
    const stored = await hasher.hash('correct horse');
    assert.match(stored, /^scrypt\$1024\$8\$1\$/);
    assert.equal(await hasher.verify('correct horse', stored), true);
    assert.equal(await hasher.verify('correct hors', stored), false);
  });

  it('salts every hash', async () => {
    assert.notEqual(await hasher.hash('same'), await hasher.hash('same'));
  });

  it('rejects malformed stored hashes instead of throwing', async () => {
    for (const bad of ['', 'plain', 'scrypt$x$8$1$AAAA$AAAA', 'pbkdf2$1$2$3$4$5', 'scrypt$1024$8$1$AAAA$']) {
      assert.equal(await hasher.verify('pw', bad), false);
    }
  });
});

describe('tokens', () => {
  it('makes alphanumeric tokens of the asked length', () => {
    const t = randomAlphanumeric(48);
    assert.match(t, /^[A-Za-z0-9]{48}$/);
    assert.notEqual(t, randomAlphanumeric(48));
  });

  it('hashes tokens for storage and compares secrets exactly', () => {
    assert.equal(hashToken('abc'), hashToken('abc'));
    assert.notEqual(hashToken('abc'), 'abc');
    assert.equal(constantTimeEquals('secret', 'secret'), true);
    assert.equal(constantTimeEquals('secret', 'secreT'), false);
    assert.equal(constantTimeEquals('secret', 'secret2'), false);
  });
});

describe('LoginRateLimiter', () => {
  it('refuses an account after too many failures until the window passes', () => {
    let now = 0;
    const limiter = new LoginRateLimiter({ perAccount: 3, perAddress: 100, windowMs: 60_000 }, () => now);
    for (let i = 0; i < 3; i++) {
      assert.equal(limiter.retryAfterSeconds('A@x.io', '1.1.1.1'), 0);
      limiter.recordFailure('a@x.io', '1.1.1.1');
    }
    assert.equal(limiter.retryAfterSeconds('a@x.io', '2.2.2.2'), 60);
    now = 30_000;
    assert.equal(limiter.retryAfterSeconds('a@x.io', '2.2.2.2'), 30);
    now = 60_001;
    assert.equal(limiter.retryAfterSeconds('a@x.io', '2.2.2.2'), 0);
  });

  it('refuses a client address that tries many accounts', () => {
    const limiter = new LoginRateLimiter({ perAccount: 100, perAddress: 2, windowMs: 60_000 }, () => 0);
    limiter.recordFailure('a@x.io', '9.9.9.9');
    limiter.recordFailure('b@x.io', '9.9.9.9');
    assert.ok(limiter.retryAfterSeconds('c@x.io', '9.9.9.9') > 0);
    assert.equal(limiter.retryAfterSeconds('c@x.io', '8.8.8.8'), 0);
  });

  it('forgets an account’s failures after a successful login', () => {
    const limiter = new LoginRateLimiter({ perAccount: 1, perAddress: 100, windowMs: 60_000 }, () => 0);
    limiter.recordFailure('a@x.io', '1.1.1.1');
    assert.ok(limiter.retryAfterSeconds('a@x.io', '1.1.1.1') > 0);
    limiter.recordSuccess('a@x.io');
    assert.equal(limiter.retryAfterSeconds('a@x.io', '1.1.1.1'), 0);
  });
});
