import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fakeWorld } from '../testing/fake-world.ts';
import { PersonService } from './person-service.ts';

async function world() {
  const w = await fakeWorld();
  return { ...w, people: new PersonService({ clock: w.clock, settings: w.settings }) };
}

describe('PersonService', () => {
  it('creates a person with a registration link that expires after the configured days', async () => {
    const w = await world();
    const access = await w.access(w.superuserId);
    const created = await w.stores.transaction((tx) =>
      w.people.create(tx, access, { email: ' New@Example.com ', personType: 'person' }),
    );
    assert.equal(created.person.email, 'new@example.com');
    assert.equal(created.registrationUrl, `${w.settings.siteUrl}/register-url?token=${created.token}`);
    assert.equal(
      created.person.registrationTokenExpiry?.getTime(),
      w.clock.now().getTime() + w.settings.registrationTokenDays * 86_400_000,
    );
    w.clock.advance(w.settings.registrationTokenDays * 86_400_000 + 1);
    const [reg] = await w.people.outstandingRegistrations(w.stores, access, [created.person]);
    assert.deepEqual(reg, { id: created.person.id, token: created.token, expired: true });
  });

  it('creates an admin service account with a synthetic email and a hashed 48-character session', async () => {
    const w = await world();
    const access = await w.access(w.superuserId);
    const created = await w.stores.transaction((tx) =>
      w.people.create(tx, access, { name: 'bot', personType: 'serviceAccount' }),
    );
    assert.match(created.person.email, /^[0-9a-f-]{36}@admin\.sa\.featurehub\.io$/);
    assert.match(created.token, /^[A-Za-z0-9]{48}$/);
    assert.equal((await w.stores.sessions.findByToken(created.token))?.personId, created.person.id);
    assert.equal(created.registrationUrl, undefined);
  });

  it('a failed create leaves nothing behind', async () => {
    const w = await world();
    const access = await w.access(w.superuserId);
    await assert.rejects(
      w.stores.transaction((tx) =>
        w.people.create(tx, access, {
          email: 'x@example.com',
          personType: 'person',
          groupIds: ['00000000-0000-4000-8000-0000000000ff'],
        }),
      ),
      { status: 400 },
    );
    assert.equal(await w.stores.persons.findByEmail('x@example.com'), undefined);
  });

  it('finds a person by email for an admin or the person themself; other ids are not found', async () => {
    const w = await world();
    const plain = await w.person('plain@example.com');
    const principal = (p: { id: string; email: string }) => ({
      personId: p.id,
      email: p.email,
      name: null,
      personType: 'person' as const,
      passwordRequiresReset: false,
      token: 't',
    });
    const su = await w.access(w.superuserId);
    const suPrincipal = principal({ id: w.superuserId, email: 'super@example.com' });
    assert.equal((await w.people.get(w.stores, su, suPrincipal, 'PLAIN@example.com')).id, plain.id);
    await assert.rejects(w.people.get(w.stores, su, suPrincipal, 'nobody@example.com'), { status: 404 });
    await assert.rejects(w.people.get(w.stores, su, suPrincipal, 'not-an-id'), { status: 404 });
    const own = await w.access(plain.id);
    assert.equal((await w.people.get(w.stores, own, principal(plain), 'plain@example.com')).id, plain.id);
    await assert.rejects(w.people.get(w.stores, own, principal(plain), 'super@example.com'), { status: 403 });
  });

  it('only admins list people; pages are capped at 100 and SDK people never show', async () => {
    const w = await world();
    const plain = await w.person('plain@example.com');
    await w.stores.persons.create({ email: 'sdk@sdk.io', personType: 'sdkServiceAccount' });
    await assert.rejects(w.people.find(w.stores, await w.access(plain.id), {}), { status: 403 });
    const access = await w.access(w.superuserId);
    const page = await w.people.find(w.stores, access, {
      pageSize: 500,
      personTypes: ['person', 'sdkServiceAccount'],
    });
    assert.equal(page.total, 2);
    for (let i = 0; i < 120; i++) await w.person(`p${i}@example.com`);
    assert.equal((await w.people.find(w.stores, access, { pageSize: 500 })).persons.length, 100);
    assert.equal((await w.people.find(w.stores, access, {})).persons.length, 20);
  });

  it('an update with groups leaves the superuser group first, so the portfolio admin mirror holds', async () => {
    const w = await world();
    const { adminGroup } = await w.portfolio('P');
    const p = await w.person('p@example.com');
    const access = await w.access(w.superuserId);
    const superGroup = (await w.stores.groups.findById(w.superuserGroupId))!;
    await w.stores.transaction((tx) =>
      w.people.update(tx, access, p.id, { version: p.version, groups: [superGroup.id] }),
    );
    assert.ok((await w.stores.groups.listMemberIds(adminGroup.id)).includes(p.id), 'mirrored in');
    const v = (await w.stores.persons.findById(p.id))!.version;
    await w.stores.transaction((tx) =>
      w.people.update(tx, access, p.id, { version: v, groups: [adminGroup.id] }),
    );
    assert.deepEqual(await w.stores.groups.listGroupIdsForPerson(p.id), [adminGroup.id]);
  });

  it('deactivation is for superusers, never of yourself, and ends sessions', async () => {
    const w = await world();
    const p = await w.person('p@example.com');
    await w.stores.sessions.create('s', p.id);
    const access = await w.access(w.superuserId);
    await assert.rejects(
      w.stores.transaction((tx) =>
        w.people.deactivate(tx, access, w.superuserId, { removeFromGroups: false }),
      ),
      { status: 400 },
    );
    await w.stores.transaction((tx) => w.people.deactivate(tx, access, p.id, { removeFromGroups: false }));
    assert.equal(await w.stores.sessions.findByToken('s'), undefined);
    const pAccess = await w.access(p.id);
    await assert.rejects(
      w.stores.transaction((tx) =>
        w.people.deactivate(tx, pAccess, w.superuserId, { removeFromGroups: false }),
      ),
      { status: 403 },
    );
  });

  it('resetting an admin token ends the old sessions', async () => {
    const w = await world();
    const bot = await w.person('bot@admin.sa.featurehub.io', [], 'serviceAccount');
    await w.stores.sessions.create('old', bot.id);
    const access = await w.access(w.superuserId);
    const token = await w.stores.transaction((tx) => w.people.resetToken(tx, access, bot.id));
    assert.equal(await w.stores.sessions.findByToken('old'), undefined);
    assert.equal((await w.stores.sessions.findByToken(token))?.personId, bot.id);
  });
});
