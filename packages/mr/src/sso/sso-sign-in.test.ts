import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findSuperuserGroup } from '../group/admin-groups.ts';
import { fakeWorld } from '../testing/fake-world.ts';
import { SsoRefusedError, SsoSignIn } from './sso-sign-in.ts';

async function world(userMustBeCreatedFirst = false) {
  const w = await fakeWorld();
  return { ...w, signIn: new SsoSignIn({ clock: w.clock, userMustBeCreatedFirst }) };
}

const refusedAs = (reason: string) => (err: unknown) =>
  err instanceof SsoRefusedError && err.reason === reason;

describe('finishing a single sign-on', () => {
  it('finds people by email whatever its case, takes the provider’s name and opens a session', async () => {
    const w = await world();
    const done = await w.stores.transaction((tx) =>
      w.signIn.complete(tx, { email: ' SUPER@Example.com ', name: 'The Super' }),
    );
    assert.equal(done.person.id, w.superuserId);
    assert.equal(done.person.name, 'The Super');
    assert.deepEqual(done.person.whenLastAuthenticated, w.clock.now());
    assert.equal((await w.stores.sessions.findByToken(done.token))?.personId, w.superuserId);
  });

  it('creates unknown people (not superusers on a site that has one), unless they must be created first', async () => {
    const w = await world();
    const done = await w.stores.transaction((tx) =>
      w.signIn.complete(tx, { email: 'new@example.com', name: '' }),
    );
    assert.equal(done.person.name, 'new@example.com', 'the email when the provider gives no name');
    const superusers = await findSuperuserGroup(w.stores, w.organisationId);
    assert.ok(!(await w.stores.groups.listMemberIds(superusers!.id)).includes(done.person.id));

    const strict = await world(true);
    await assert.rejects(
      strict.stores.transaction((tx) => strict.signIn.complete(tx, { email: 'new@example.com', name: 'N' })),
      refusedAs('unknown_user'),
    );
    assert.equal(await strict.stores.persons.findByEmail('new@example.com'), undefined);
  });

  it('a person created by an admin (registration token pending) is registered: the token is cleared', async () => {
    const w = await world(true);
    const pending = await w.person('pending@example.com');
    await w.stores.persons.update(pending.id, {
      registrationToken: 'reg-token-1',
      registrationTokenExpiry: new Date(w.clock.now().getTime() + 86_400_000),
    });
    const done = await w.stores.transaction((tx) =>
      w.signIn.complete(tx, { email: 'pending@example.com', name: 'Pen Ding' }),
    );
    assert.equal(done.person.id, pending.id);
    assert.deepEqual([done.person.registrationToken, done.person.registrationTokenExpiry], [null, null]);
    assert.equal(await w.stores.persons.findByRegistrationToken('reg-token-1'), undefined);
  });

  it('refuses deactivated people, service accounts and unusable emails', async () => {
    const w = await world();
    const gone = await w.person('gone@example.com');
    await w.stores.persons.archive(gone.id);
    await w.person('bot@example.com', [], 'serviceAccount');
    const attempt = (email: string) =>
      w.stores.transaction((tx) => w.signIn.complete(tx, { email, name: 'X' }));
    await assert.rejects(attempt('gone@example.com'), refusedAs('archived'));
    await assert.rejects(attempt('bot@example.com'), refusedAs('unknown_user'));
    await assert.rejects(attempt('not an email'), refusedAs('invalid'));
    await assert.rejects(attempt(`${'x'.repeat(100)}@example.com`), refusedAs('invalid'));
  });
});
