import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { skipUnlessService } from '@fh/test-support';
import { type OpenApiDocument, validateResponse } from '../api/index.ts';
import { type MrClient, startTestMr, type TestMr } from '../testing/index.ts';
import { groupIdsOf, PASSWORD, registerUser, seedPortfolio, type TestUser } from '../testing/person-world.ts';

async function documentOf(mr: TestMr): Promise<OpenApiDocument> {
  return (await mr.client.get('//mr-api/openapi.json')).body as OpenApiDocument;
}

for (const dialect of ['sqlite', 'postgres', 'mysql'] as const) {
  describe(`people main flows (${dialect})`, {
    skip: dialect === 'sqlite' ? false : await skipUnlessService(dialect),
  }, () => {
    let mr: TestMr;
    let su: MrClient;
    let doc: OpenApiDocument;
    before(async () => {
      mr = await startTestMr({ dialect });
      su = (await mr.initialize()).client;
      doc = await documentOf(mr);
    });
    after(async () => {
      await mr?.close();
    });

    it('create, list, update, deactivate and re-create a person; every answer matches the document', async () => {
      const { adminGroup } = await seedPortfolio(mr, 'Flows');
      const created = await su.post('/person', {
        email: 'flow@example.com',
        name: 'Flow',
        personType: 'person',
        groupIds: [adminGroup.id],
      });
      assert.equal(created.status, 200);
      assert.deepEqual(validateResponse(doc, 'createPerson', 200, created.body), []);
      const id = created.body.personId as string;

      const list = await su.get('/person?filter=flow&includeGroups=true');
      assert.equal(list.status, 200);
      assert.deepEqual(validateResponse(doc, 'findPeople', 200, list.body), []);
      assert.equal(list.body.max, 1);
      assert.equal(list.body.people[0].groups[0].id, adminGroup.id);
      assert.deepEqual(list.body.outstandingRegistrations, [
        { id, token: created.body.token, expired: false },
      ]);

      const person = await su.get(`/person/${id}?includeGroups=true&includeAcls=true`);
      assert.equal(person.status, 200);
      assert.deepEqual(validateResponse(doc, 'getPerson', 200, person.body), []);
      const version = person.body.version as number;
      const update = await su.put(`/person/${id}/v2`, { name: 'Flow Two', version });
      assert.equal(update.status, 204);
      assert.equal((await su.put(`/person/${id}/v2`, { name: 'Stale', version })).status, 422);
      const after = await su.get(`/person/${id}`);
      assert.equal(after.body.name, 'Flow Two');
      assert.equal(after.body.version, version + 1);

      assert.equal((await su.delete(`/person/${id}`)).status, 200);
      assert.equal((await su.get('/person?filter=flow')).body.max, 0);
      assert.equal((await su.get('/person?filter=flow&includeDeactivated=true')).body.max, 1);
      const again = await su.post('/person', { email: 'flow@example.com', personType: 'person' });
      assert.equal(again.status, 200, 're-creating a deactivated email reactivates it');
      assert.equal(again.body.personId, id);
      assert.notEqual(again.body.token, created.body.token);
      assert.equal((await su.get('/person?filter=flow')).body.max, 1);
    });
  });
}

describe('people (sqlite)', () => {
  let mr: TestMr;
  let su: MrClient;
  let suId: string;
  let plain: TestUser;
  let padmin: TestUser;
  let portfolioGroupId: string;
  let otherPortfolioGroupId: string;

  before(async () => {
    mr = await startTestMr();
    const init = await mr.initialize();
    su = init.client;
    suId = init.personId;
    const p = await seedPortfolio(mr, 'Mine');
    const q = await seedPortfolio(mr, 'Theirs');
    const g = await su.post(`/portfolio/${p.portfolio.id}/group`, { name: 'Devs' });
    portfolioGroupId = g.body.id;
    const h = await su.post(`/portfolio/${q.portfolio.id}/group`, { name: 'Others' });
    otherPortfolioGroupId = h.body.id;
    plain = await registerUser(mr, su, 'plain@example.com', { name: 'Plain' });
    padmin = await registerUser(mr, su, 'padmin@example.com', { groupIds: [p.adminGroup.id] });
  });
  after(async () => {
    await mr?.close();
  });

  describe('GET /person', () => {
    it('needs a token and an admin', async () => {
      assert.equal((await mr.client.get('/person')).status, 401);
      assert.equal((await plain.client.get('/person')).status, 403);
      assert.equal((await padmin.client.get('/person')).status, 200);
    });

    it('lists people only by default, pages them and counts all matches', async () => {
      await su.post('/person', { name: 'robot', personType: 'serviceAccount' });
      const all = await su.get('/person');
      assert.equal(all.body.max, 3);
      assert.ok((all.body.people as { personType: string }[]).every((p) => p.personType === 'person'));
      const page = await su.get('/person?pageSize=1&startAt=1');
      assert.equal(page.body.max, 3);
      assert.equal(page.body.people.length, 1);
      const desc = await su.get('/person?order=DESC');
      assert.deepEqual(
        (desc.body.people as { name: string }[]).map((p) => p.name),
        (all.body.people as { name: string }[]).map((p) => p.name).reverse(),
      );
      const robots = await su.get('/person?personTypes=serviceAccount');
      assert.equal(robots.body.max, 1);
      assert.equal(robots.body.people[0].name, 'robot');
      const both = await su.get('/person?personTypes=serviceAccount&personTypes=person');
      assert.equal(both.body.max, 4);
    });

    it('never lists SDK service account people, even when asked', async () => {
      await mr.stores.persons.create({
        email: 'shadow@sdk.sa.featurehub.io',
        personType: 'sdkServiceAccount',
      });
      const res = await su.get('/person?personTypes=sdkServiceAccount');
      assert.equal(res.status, 200);
      assert.equal(res.body.max, 0);
    });

    it('counts groups into summarised people and says when people were last seen', async () => {
      const res = await su.get('/person?countGroups=true&includeLastLoggedIn=true&filter=padmin');
      assert.equal(res.body.people, undefined);
      const [p] = res.body.summarisedPeople;
      assert.equal(p.email, 'padmin@example.com');
      assert.equal(p.groupCount, 1);
      assert.ok(p.whenLastSeen);
    });

    it('sorts deactivated people last by activation status', async () => {
      const gone = await registerUser(mr, su, 'aaron@example.com', { name: 'Aaron' });
      await su.delete(`/person/${gone.personId}`);
      const res = await su.get('/person?includeDeactivated=true&sortBy=activationStatus&countGroups=true');
      const people = res.body.summarisedPeople as { email: string; whenDeactivated: string | null }[];
      assert.equal(people.at(-1)?.email, 'aaron@example.com');
      assert.ok(people.at(-1)?.whenDeactivated);
    });

    it('caps pages at 100 and refuses negative offsets and empty pages', async () => {
      assert.equal((await su.get('/person?pageSize=1000')).status, 200);
      assert.equal((await su.get('/person?startAt=-1')).status, 400);
      assert.equal((await su.get('/person?pageSize=0')).status, 400);
      assert.equal((await su.get('/person?pageSize=abc')).status, 400);
      assert.equal((await su.get('/person?personTypes=alien')).status, 400);
    });

    it('shows a portfolio admin only the registration links of people they may manage', async () => {
      const sup = await su.post('/person', { email: 'future-su@example.com', personType: 'person' });
      const org = await su.get('/initialize');
      await su.post(`/group/${org.body.organization.orgGroup.id}/person/${sup.body.personId}`);
      const mine = await padmin.client.post('/person', { email: 'newbie@example.com', personType: 'person' });
      const seen = (await padmin.client.get('/person?pageSize=100')).body.outstandingRegistrations as {
        id: string;
      }[];
      assert.ok(seen.some((r) => r.id === mine.body.personId));
      assert.ok(!seen.some((r) => r.id === sup.body.personId));
      const all = (await su.get('/person?pageSize=100')).body.outstandingRegistrations as { id: string }[];
      assert.ok(all.some((r) => r.id === sup.body.personId));
    });
  });

  describe('POST /person', () => {
    it('is for admins; 409 for a taken email; 400 for what is missing', async () => {
      assert.equal(
        (await plain.client.post('/person', { email: 'x@example.com', personType: 'person' })).status,
        403,
      );
      assert.equal(
        (await su.post('/person', { email: 'plain@example.com', personType: 'person' })).status,
        409,
      );
      assert.equal(
        (await su.post('/person', { email: 'PLAIN@example.com', personType: 'person' })).status,
        409,
      );
      assert.equal((await su.post('/person', { personType: 'person', name: 'no email' })).status, 400);
      assert.equal((await su.post('/person', { personType: 'serviceAccount' })).status, 400);
      assert.equal((await su.post('/person', { personType: 'serviceAccount', name: '  ' })).status, 400);
      assert.equal(
        (await su.post('/person', { email: 'sdk@example.com', personType: 'sdkServiceAccount' })).status,
        400,
      );
      assert.equal((await su.post('/person', { email: 'nope', personType: 'person' })).status, 400);
      const unknownGroup = { email: 'g@example.com', personType: 'person', groupIds: [crypto.randomUUID()] };
      assert.equal((await su.post('/person', unknownGroup)).status, 400);
      assert.equal((await su.get('/person?filter=g@example.com')).body.max, 0, 'nothing was created');
    });

    it('adds the new person only to groups the caller administers', async () => {
      const res = await padmin.client.post('/person', {
        email: 'joiner@example.com',
        personType: 'person',
        groupIds: [portfolioGroupId, otherPortfolioGroupId],
      });
      assert.equal(res.status, 200);
      const person = await su.get(`/person/${res.body.personId}?includeGroups=true`);
      assert.deepEqual(
        (person.body.groups as { id: string }[]).map((g) => g.id),
        [portfolioGroupId],
      );
    });

    it('an admin service account added to the superuser group by a superuser acts as a superuser', async () => {
      const org = await su.get('/initialize');
      const bot = await su.post('/person', {
        name: 'super-bot',
        personType: 'serviceAccount',
        groupIds: [org.body.organization.orgGroup.id],
      });
      const client = mr.client.withToken(bot.body.token);
      assert.equal((await client.get('/person')).status, 200);
      assert.equal((await padmin.client.post(`/person/${bot.body.personId}/token-reset`)).status, 403);
    });
  });

  describe('GET /person/{id}', () => {
    it('yourself (also as "self") or anyone for an admin', async () => {
      const me = await plain.client.get('/person/self');
      assert.equal(me.status, 200);
      assert.equal(me.body.id.id, plain.personId);
      assert.equal((await plain.client.get(`/person/${plain.personId}`)).status, 200);
      assert.equal((await plain.client.get(`/person/${suId}`)).status, 403);
      assert.equal((await padmin.client.get(`/person/${plain.personId}`)).status, 200);
      assert.equal((await su.get(`/person/${crypto.randomUUID()}`)).status, 404);
      assert.equal((await su.get('/person/not-an-id')).status, 404, 'neither an id, an email nor self');
      assert.equal((await mr.client.get('/person/self')).status, 401);
    });

    it('the id may be an email address, of an active person, for admins and the person themself', async () => {
      const byEmail = await padmin.client.get('/person/Plain@Example.com?includeGroups=true');
      assert.equal(byEmail.status, 200);
      assert.equal(byEmail.body.id.id, plain.personId);
      assert.equal((await plain.client.get('/person/plain@example.com')).body.id.id, plain.personId);
      assert.equal((await plain.client.get('/person/padmin@example.com')).status, 403);
      assert.equal(
        (await plain.client.get('/person/nobody@example.com')).status,
        403,
        'no probing of emails',
      );
      assert.equal((await plain.client.get('/person/not-an-id')).status, 403);
      assert.equal((await su.get('/person/nobody@example.com')).status, 404);
      const gone = await registerUser(mr, su, 'gone-by-email@example.com');
      assert.equal((await su.delete(`/person/${gone.personId}`)).status, 200);
      assert.equal((await su.get('/person/gone-by-email@example.com')).status, 404, 'deactivated');
    });

    it('includes groups and, on request, their roles', async () => {
      const res = await padmin.client.get('/person/self?includeAcls=true');
      const [group] = res.body.groups;
      assert.equal(group.name, 'Mine Administrators');
      assert.deepEqual(group.applicationRoles, []);
      assert.deepEqual(group.environmentRoles, []);
      // Without includeAcls the groups are not looked up, but the list is there (the schema default).
      assert.deepEqual((await padmin.client.get('/person/self')).body.groups, []);
    });
  });

  describe('PUT /person/{id}/v2 and the deprecated PUT /person/{id}', () => {
    it('you may rename yourself but not others unless you are an admin', async () => {
      const me = (await plain.client.get('/person/self')).body;
      assert.equal(
        (await plain.client.put(`/person/${plain.personId}/v2`, { name: 'Me', version: me.version })).status,
        204,
      );
      const su1 = (await su.get('/person/self')).body;
      assert.equal(
        (await plain.client.put(`/person/${suId}/v2`, { name: 'Hacked', version: su1.version })).status,
        403,
      );
      assert.equal(
        (await plain.client.put(`/person/${plain.personId}/v2`, { name: '  ', version: me.version + 1 }))
          .status,
        400,
      );
    });

    it('409 for a taken email, 422 for a stale version, 404 for an unknown person', async () => {
      const user = await registerUser(mr, su, 'mover@example.com');
      const v = (await su.get(`/person/${user.personId}`)).body.version;
      assert.equal(
        (await su.put(`/person/${user.personId}/v2`, { email: 'plain@example.com', version: v })).status,
        409,
      );
      assert.equal(
        (await su.put(`/person/${user.personId}/v2`, { email: 'moved@example.com', version: v - 1 })).status,
        422,
      );
      assert.equal((await su.put(`/person/${crypto.randomUUID()}/v2`, { version: 1 })).status, 404);
      assert.equal((await su.put(`/person/${user.personId}/v2`, { email: 'moved@example.com' })).status, 400);
      assert.equal(
        (await su.put(`/person/${user.personId}/v2`, { email: 'Moved@example.com', version: v })).status,
        204,
      );
      assert.equal(
        (await mr.client.post('/login', { email: 'moved@example.com', password: PASSWORD })).status,
        200,
      );
    });

    it('admin service accounts keep their email', async () => {
      const bot = await su.post('/person', { name: 'fixed', personType: 'serviceAccount' });
      const v = (await su.get(`/person/${bot.body.personId}`)).body.version;
      const res = await su.put(`/person/${bot.body.personId}/v2`, { email: 'bot@example.com', version: v });
      assert.equal(res.status, 400);
      assert.equal(
        (await su.put(`/person/${bot.body.personId}/v2`, { name: 'renamed', version: v })).status,
        204,
      );
    });

    it('groups is the full list, applied only within the groups the caller administers', async () => {
      const user = await registerUser(mr, su, 'grouped@example.com', {
        groupIds: [otherPortfolioGroupId],
      });
      let v = (await su.get(`/person/${user.personId}`)).body.version;
      const res = await padmin.client.put(`/person/${user.personId}/v2`, {
        groups: [portfolioGroupId],
        version: v,
      });
      assert.equal(res.status, 204);
      assert.deepEqual(await groupIdsOf(user.client), [portfolioGroupId, otherPortfolioGroupId].sort());
      v = (await su.get(`/person/${user.personId}`)).body.version;
      await padmin.client.put(`/person/${user.personId}/v2`, { groups: [], version: v });
      assert.deepEqual(await groupIdsOf(user.client), [otherPortfolioGroupId]);
      v = (await su.get(`/person/${user.personId}`)).body.version;
      await su.put(`/person/${user.personId}/v2`, { groups: [], version: v });
      assert.deepEqual(await groupIdsOf(user.client), []);
    });

    it('a portfolio admin cannot change the email of a superuser', async () => {
      const v = (await su.get('/person/self')).body.version;
      const res = await padmin.client.put(`/person/${suId}/v2`, { email: 'mine@example.com', version: v });
      assert.equal(res.status, 403);
    });

    it('unarchive reactivates a deactivated person', async () => {
      const user = await registerUser(mr, su, 'phoenix@example.com');
      await su.delete(`/person/${user.personId}`);
      const v = (await su.get(`/person/${user.personId}`)).body.version;
      assert.equal(
        (await su.put(`/person/${user.personId}/v2`, { unarchive: true, version: v })).status,
        204,
      );
      const back = await su.get(`/person/${user.personId}`);
      assert.equal(back.body.whenArchived, null);
      assert.equal((await mr.client.post('/login', { email: user.email, password: PASSWORD })).status, 200);
    });

    it('the deprecated update answers with the person and needs a version', async () => {
      const user = await registerUser(mr, su, 'legacy@example.com');
      const current = (await su.get(`/person/${user.personId}`)).body;
      const res = await su.put(`/person/${user.personId}?includeGroups=true`, { ...current, name: 'Legacy' });
      assert.equal(res.status, 200);
      assert.equal(res.body.name, 'Legacy');
      assert.equal(res.body.version, current.version + 1);
      assert.deepEqual(res.body.groups, []);
      assert.equal((await su.put(`/person/${user.personId}`, { name: 'No version' })).status, 400);
    });
  });

  describe('DELETE /person/{id}', () => {
    it('superusers deactivate others: sessions end, memberships stay unless includeGroups', async () => {
      const keep = await registerUser(mr, su, 'keep@example.com', { groupIds: [portfolioGroupId] });
      const drop = await registerUser(mr, su, 'drop@example.com', { groupIds: [portfolioGroupId] });
      assert.equal((await padmin.client.delete(`/person/${keep.personId}`)).status, 403);
      assert.equal((await su.delete(`/person/${suId}`)).status, 400);
      assert.equal((await su.delete(`/person/${crypto.randomUUID()}`)).status, 404);
      const res = await su.delete(`/person/${keep.personId}`);
      assert.equal(res.status, 200);
      assert.equal(res.body, true);
      assert.equal((await keep.client.get('/person/self')).status, 401);
      assert.equal((await su.delete(`/person/${keep.personId}`)).status, 404, 'already deactivated');
      assert.equal((await su.delete(`/person/${drop.personId}?includeGroups=true`)).status, 200);
      // Group answers list active members only, so the memberships are read from the store.
      const members = await mr.stores.groups.listMemberIds(portfolioGroupId);
      assert.ok(members.includes(keep.personId));
      assert.ok(!members.includes(drop.personId));
    });
  });

  describe('POST /person/{id}/token-reset', () => {
    it('only for admin service accounts, by admins', async () => {
      assert.equal((await su.post(`/person/${plain.personId}/token-reset`)).status, 404);
      const bot = await su.post('/person', { name: 'resettable', personType: 'serviceAccount' });
      assert.equal((await plain.client.post(`/person/${bot.body.personId}/token-reset`)).status, 403);
      assert.equal((await padmin.client.post(`/person/${bot.body.personId}/token-reset`)).status, 200);
    });
  });
});
