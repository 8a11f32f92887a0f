import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultMrSettings } from '../core/mr-context.ts';
import { manualClock } from '../db/store-support.ts';
import { createFakeStores } from '../db/stores.ts';
import { plainHasher } from '../testing/fake-world.ts';
import { ORGANISATION_ID, SetupService } from './setup-service.ts';

const input = {
  organizationName: ' Org ',
  portfolio: ' Web ',
  name: ' Ada ',
  emailAddress: 'Ada@Example.com',
  password: 'password123',
};

function service() {
  const clock = manualClock();
  return { clock, setup: new SetupService({ hasher: plainHasher, clock, settings: defaultMrSettings }) };
}

describe('SetupService', () => {
  it('trims names, lower-cases the email and hashes the password before any transaction', async () => {
    const prepared = await service().setup.prepare(input);
    assert.deepEqual(prepared, {
      organisationName: 'Org',
      portfolioName: 'Web',
      name: 'Ada',
      email: 'ada@example.com',
      passwordHash: 'plain:password123',
    });
  });

  it('refuses blank or over-long names and weak passwords with 400', async () => {
    const { setup } = service();
    for (const bad of [
      { organizationName: '' },
      { portfolio: ' ' },
      { name: null },
      { emailAddress: '' },
      { password: null },
      { password: 'abc' },
      { organizationName: 'x'.repeat(256) },
      { portfolio: 'x'.repeat(201) },
      { authProvider: 'saml' },
    ]) {
      await assert.rejects(setup.prepare({ ...input, ...bad }), { status: 400 }, JSON.stringify(bad));
    }
    assert.ok(await setup.prepare({ ...input, authProvider: 'local' }));
  });

  it('creates the organisation, superuser group, portfolio admin group and the first person in both', async () => {
    const { setup, clock } = service();
    const stores = createFakeStores({ clock });
    assert.equal(await setup.installed(stores), undefined);
    const done = await stores.transaction(async (tx) => setup.setUp(tx, await setup.prepare(input)));
    assert.equal(done.organisation.id, ORGANISATION_ID);
    assert.match(done.token, /^[A-Za-z0-9]{36}$/);
    assert.equal((await stores.sessions.findByToken(done.token))?.personId, done.person.id);
    assert.deepEqual(done.person.whenLastAuthenticated, clock.now());
    const installed = await setup.installed(stores);
    assert.equal(installed?.superuserGroup?.name, 'org_admin');
    assert.equal(installed?.organisation.groupId, installed?.superuserGroup?.id);
    const groups = await stores.groups.list({
      ids: await stores.groups.listGroupIdsForPerson(done.person.id),
    });
    assert.deepEqual(groups.map((g) => [g.name, g.admin, g.portfolioId === null]).sort(), [
      ['Web Administrators', true, false],
      ['org_admin', true, true],
    ]);
  });

  it('a second setup is a conflict and changes nothing', async () => {
    const { setup, clock } = service();
    const stores = createFakeStores({ clock });
    const prepared = await setup.prepare(input);
    await stores.transaction((tx) => setup.setUp(tx, prepared));
    await assert.rejects(
      stores.transaction((tx) => setup.setUp(tx, { ...prepared, email: 'b@example.com' })),
      { status: 409, code: 'already_initialized' },
    );
    assert.equal((await stores.persons.list({})).total, 1);
  });
});
