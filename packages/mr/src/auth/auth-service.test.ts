import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fakeWorld, plainHasher } from '../testing/fake-world.ts';
import { AuthService, registrationUrlFor, TooManyLoginAttemptsError } from './auth-service.ts';
import { LoginRateLimiter } from './login-rate-limiter.ts';
import type { Principal } from './principal.ts';

async function world() {
  const w = await fakeWorld();
  const limiter = new LoginRateLimiter({ perAccount: 3, perAddress: 100, windowMs: 60_000 }, () =>
    w.clock.now().getTime(),
  );
  const auth = new AuthService({
    hasher: plainHasher,
    loginLimiter: limiter,
    clock: w.clock,
    settings: w.settings,
  });
  return { ...w, auth };
}

const principalOf = (personId: string, token = 'tok'): Principal => ({
  personId,
  email: 'x',
  name: null,
  personType: 'person',
  passwordRequiresReset: false,
  token,
});

describe('AuthService', () => {
  it('logs a person in with the right password and counts failures per account', async () => {
    const w = await world();
    const login = (password: string) =>
      w.auth.checkLogin(w.stores, { email: 'SUPER@example.com', password, address: '10.0.0.1' });
    assert.equal((await login('password123')).email, 'super@example.com');
    for (let i = 0; i < 3; i++) await assert.rejects(login('nope'), { status: 404 });
    await assert.rejects(login('password123'), (err) => err instanceof TooManyLoginAttemptsError);
    w.clock.advance(60_001);
    assert.ok(await login('password123'), 'the window passes');
  });

  it('admin service accounts and deactivated people cannot log in', async () => {
    const w = await world();
    await w.person('bot@example.com', [], 'serviceAccount');
    const gone = await w.person('gone@example.com');
    await w.stores.persons.archive(gone.id);
    for (const email of ['bot@example.com', 'gone@example.com']) {
      await assert.rejects(w.auth.checkLogin(w.stores, { email, password: 'password123', address: 'a' }), {
        status: 404,
      });
    }
  });

  it('opening a session records the login', async () => {
    const w = await world();
    const person = await w.person('p@example.com');
    w.clock.advance(5000);
    const done = await w.stores.transaction((tx) => w.auth.openSession(tx, person));
    assert.deepEqual(done.person.whenLastAuthenticated, w.clock.now());
    assert.equal((await w.stores.sessions.findByToken(done.token))?.personId, person.id);
  });

  it('registration tokens stop working when they expire', async () => {
    const w = await world();
    const p = await w.stores.persons.create({
      email: 'new@example.com',
      registrationToken: 'tok-1',
      registrationTokenExpiry: new Date(w.clock.now().getTime() + 1000),
    });
    assert.equal((await w.auth.findRegistration(w.stores, 'tok-1')).id, p.id);
    w.clock.advance(1001);
    await assert.rejects(w.auth.findRegistration(w.stores, 'tok-1'), { status: 404 });
    await assert.rejects(w.auth.findRegistration(w.stores, ''), { status: 404 });
  });

  it('renewing a registration gives a new seven-day link and forgets the old one', async () => {
    const w = await world();
    await w.stores.persons.create({ email: 'late@example.com', registrationToken: 'old' });
    const access = await w.access(w.superuserId);
    const renewed = await w.stores.transaction((tx) =>
      w.auth.renewRegistration(tx, access, 'late@example.com'),
    );
    assert.equal(renewed.registrationUrl, registrationUrlFor(w.settings.siteUrl, renewed.token));
    const p = await w.auth.findRegistration(w.stores, renewed.token);
    assert.equal(p.registrationTokenExpiry?.getTime(), w.clock.now().getTime() + 7 * 24 * 3600 * 1000);
    await assert.rejects(w.auth.findRegistration(w.stores, 'old'), { status: 404 });
  });

  it('changing a password keeps only the caller’s session', async () => {
    const w = await world();
    const p = await w.person('p@example.com');
    await w.stores.sessions.create('mine', p.id);
    await w.stores.sessions.create('elsewhere', p.id);
    const access = await w.access(p.id);
    const checked = await w.auth.checkChangePassword(w.stores, access, p.id, 'password123');
    await w.stores.transaction((tx) =>
      w.auth.changePassword(tx, principalOf(p.id, 'mine'), checked, 'plain:new'),
    );
    assert.ok(await w.stores.sessions.findByToken('mine'));
    assert.equal(await w.stores.sessions.findByToken('elsewhere'), undefined);
    await assert.rejects(w.auth.checkChangePassword(w.stores, access, p.id, 'password123'), { status: 400 });
  });

  it('a reset password must be replaced, and a concurrent change makes the reset stale', async () => {
    const w = await world();
    const p = await w.person('p@example.com');
    const access = await w.access(w.superuserId);
    const checked = await w.auth.checkResetPassword(w.stores, access, p.id, false);
    await w.stores.persons.update(p.id, { name: 'changed meanwhile' });
    await assert.rejects(
      w.stores.transaction((tx) => w.auth.resetPassword(tx, access, checked, 'plain:temp')),
      { status: 422 },
    );
    const fresh = await w.auth.checkResetPassword(w.stores, access, p.id, false);
    const reset = await w.stores.transaction((tx) => w.auth.resetPassword(tx, access, fresh, 'plain:temp'));
    assert.equal(reset.passwordRequiresReset, true);
    const mine = await w.auth.checkReplaceTempPassword(w.stores, principalOf(p.id), p.id);
    const done = await w.stores.transaction((tx) => w.auth.replaceTempPassword(tx, mine, 'plain:final'));
    assert.equal(done.person.passwordRequiresReset, false);
    await assert.rejects(w.auth.checkReplaceTempPassword(w.stores, principalOf(p.id), p.id), { status: 400 });
  });

  it('only people whose groups the admin administers may have their password reset', async () => {
    const w = await world();
    const a = await w.portfolio('A');
    const b = await w.portfolio('B');
    const adminOfA = await w.person('a@example.com', [a.adminGroup.id]);
    const inB = await w.person('b@example.com', [b.adminGroup.id]);
    const nobody = await w.person('n@example.com');
    const access = await w.access(adminOfA.id);
    await assert.rejects(w.auth.checkResetPassword(w.stores, access, inB.id, false), { status: 403 });
    await assert.rejects(w.auth.checkResetPassword(w.stores, access, w.superuserId, false), { status: 403 });
    assert.ok(await w.auth.checkResetPassword(w.stores, access, nobody.id, false));
  });
});
