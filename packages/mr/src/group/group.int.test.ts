import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { skipUnlessService } from '@fh/test-support';
import { type OpenApiDocument, validateResponse } from '../api/index.ts';
import { type MrClient, startTestMr, type TestMr } from '../testing/index.ts';
import {
  groupIdsOf,
  registerUser,
  seedApplication,
  seedPortfolio,
  type TestUser,
} from '../testing/person-world.ts';

type Seeded = Awaited<ReturnType<typeof seedPortfolio>>;
type SeededApp = Awaited<ReturnType<typeof seedApplication>>;

for (const dialect of ['sqlite', 'postgres', 'mysql'] as const) {
  describe(`groups main flows (${dialect})`, {
    skip: dialect === 'sqlite' ? false : await skipUnlessService(dialect),
  }, () => {
    let mr: TestMr;
    let su: MrClient;
    let doc: OpenApiDocument;
    before(async () => {
      mr = await startTestMr({ dialect });
      su = (await mr.initialize()).client;
      doc = (await mr.client.get('//mr-api/openapi.json')).body as OpenApiDocument;
    });
    after(async () => {
      await mr?.close();
    });

    it('create a group with roles, add a member, read it back, update it, delete it', async () => {
      const { portfolio } = await seedPortfolio(mr, 'Shop');
      const { app, dev, prod } = await seedApplication(mr, portfolio.id, 'Checkout');
      const created = await su.post(`/portfolio/${portfolio.id}/group`, {
        name: 'Developers',
        applicationRoles: [{ applicationId: app.id, groupId: randomUUID(), roles: ['FEATURE_EDIT'] }],
      });
      assert.equal(created.status, 200);
      assert.deepEqual(validateResponse(doc, 'createGroup', 200, created.body), []);
      const gid = created.body.id as string;
      assert.deepEqual(created.body.applicationRoles, [
        { applicationId: app.id, groupId: gid, roles: ['FEATURE_EDIT'] },
      ]);

      const dev1 = await registerUser(mr, su, 'dev1@example.com');
      const added = await su.post(`/group/${gid}/person/${dev1.personId}?includeMembers=true`);
      assert.equal(added.status, 200);
      assert.deepEqual(validateResponse(doc, 'addPersonToGroup', 200, added.body), []);
      assert.equal(added.body.members[0].id.id, dev1.personId);

      const updated = await su.put(
        `/group/${gid}?updateEnvironmentGroupRoles=true&includeGroupRoles=true&includeMembers=true`,
        {
          ...created.body,
          name: 'Devs',
          environmentRoles: [
            { environmentId: dev.id, groupId: gid, roles: ['READ', 'CHANGE_VALUE'] },
            { environmentId: prod.id, groupId: gid, roles: ['READ'] },
          ],
        },
      );
      assert.equal(updated.status, 200);
      assert.deepEqual(validateResponse(doc, 'updateGroup', 200, updated.body), []);
      assert.equal(updated.body.name, 'Devs');
      assert.equal(updated.body.version, created.body.version + 1);
      assert.equal(updated.body.environmentRoles.length, 2);
      assert.equal(updated.body.applicationRoles.length, 1, 'application roles were not asked to change');

      const got = await dev1.client.get(`/group/${gid}?includeMembers=true&includeGroupRoles=true`);
      assert.equal(got.status, 200);
      assert.deepEqual(validateResponse(doc, 'getGroup', 200, got.body), []);
      const list = await dev1.client.get(`/portfolio/${portfolio.id}/group?includePeople=true`);
      assert.equal(list.status, 200);
      assert.deepEqual(validateResponse(doc, 'findGroups', 200, list.body), []);
      assert.deepEqual(
        (list.body as { name: string }[]).map((g) => g.name),
        ['Devs', 'Shop Administrators'],
      );

      assert.equal((await su.delete(`/group/${gid}`)).status, 200);
      assert.equal((await su.get(`/group/${gid}`)).status, 404);
      assert.deepEqual(await groupIdsOf(dev1.client), []);
    });
  });
}

describe('groups (sqlite)', () => {
  let mr: TestMr;
  let su: MrClient;
  let suId: string;
  let orgId: string;
  let superGroupId: string;
  let mine: Seeded;
  let theirs: Seeded;
  let mineApp: SeededApp;
  let theirApp: SeededApp;
  let padmin: TestUser;
  let member: TestUser;
  let outsider: TestUser;
  let devsId: string;

  before(async () => {
    mr = await startTestMr();
    const init = await mr.initialize();
    su = init.client;
    suId = init.personId;
    const setup = (await mr.client.get('/initialize')).body;
    orgId = setup.organization.id;
    superGroupId = setup.organization.orgGroup.id;
    mine = await seedPortfolio(mr, 'Mine');
    theirs = await seedPortfolio(mr, 'Theirs');
    mineApp = await seedApplication(mr, mine.portfolio.id, 'App');
    theirApp = await seedApplication(mr, theirs.portfolio.id, 'Other App');
    padmin = await registerUser(mr, su, 'padmin@example.com', { groupIds: [mine.adminGroup.id] });
    devsId = (await su.post(`/portfolio/${mine.portfolio.id}/group`, { name: 'Devs' })).body.id;
    member = await registerUser(mr, su, 'member@example.com', { groupIds: [devsId] });
    outsider = await registerUser(mr, su, 'outsider@example.com');
  });
  after(async () => {
    await mr?.close();
  });

  const version = async (gid: string) => (await su.get(`/group/${gid}`)).body.version as number;

  describe('listing and reading', () => {
    it('a portfolio’s groups are for superusers and members of its groups', async () => {
      assert.equal((await mr.client.get(`/portfolio/${mine.portfolio.id}/group`)).status, 401);
      assert.equal((await outsider.client.get(`/portfolio/${mine.portfolio.id}/group`)).status, 403);
      assert.equal((await member.client.get(`/portfolio/${mine.portfolio.id}/group`)).status, 200);
      assert.equal((await member.client.get(`/portfolio/${theirs.portfolio.id}/group`)).status, 403);
      assert.equal((await su.get(`/portfolio/${randomUUID()}/group`)).status, 404);
      assert.equal((await su.get('/portfolio/nope/group')).status, 400);
    });

    it('filters by name and orders either way', async () => {
      const asc = await su.get(`/portfolio/${mine.portfolio.id}/group?order=ASC`);
      const desc = await su.get(`/portfolio/${mine.portfolio.id}/group?order=DESC`);
      const names = (r: { body: { name: string }[] }) => r.body.map((g) => g.name);
      assert.deepEqual(names(desc), names(asc).reverse());
      const filtered = await su.get(`/portfolio/${mine.portfolio.id}/group?filter=DEV`);
      assert.deepEqual(names(filtered), ['Devs']);
    });

    it('a group is readable by its members, superusers and its portfolio’s admins; to others it does not exist', async () => {
      const neighboursId = (await su.post(`/portfolio/${mine.portfolio.id}/group`, { name: 'Neighbours' }))
        .body.id;
      const neighbour = await registerUser(mr, su, 'neighbour@example.com', { groupIds: [neighboursId] });
      const theirAdmin = await registerUser(mr, su, 'their-admin@example.com', {
        groupIds: [theirs.adminGroup.id],
      });
      for (const reader of [member.client, padmin.client, su]) {
        assert.equal((await reader.get(`/group/${devsId}`)).status, 200);
      }
      for (const stranger of [neighbour.client, theirAdmin.client, outsider.client]) {
        assert.equal((await stranger.get(`/group/${devsId}`)).status, 404);
      }
      assert.equal((await padmin.client.get(`/group/${superGroupId}`)).status, 404);
      assert.equal((await su.get(`/group/${superGroupId}`)).status, 200);
      assert.equal((await su.get(`/group/${randomUUID()}`)).status, 404);
      const noExtras = await su.get(`/group/${devsId}`);
      // Without the include flags the lists are empty, but present (the schema defaults), as upstream's are.
      assert.deepEqual(noExtras.body.members, []);
      assert.deepEqual(noExtras.body.applicationRoles, []);
      assert.deepEqual(noExtras.body.environmentRoles, []);
    });

    it('the superuser group is for admins and lists the superusers', async () => {
      const res = await padmin.client.get(`/organization/${orgId}/group`);
      assert.equal(res.status, 200);
      assert.equal(res.body.id, superGroupId);
      assert.equal(res.body.admin, true);
      assert.equal(res.body.portfolioId, null);
      assert.deepEqual(
        (res.body.members as { id: { id: string } }[]).map((m) => m.id.id),
        [suId],
      );
      assert.equal((await member.client.get(`/organization/${orgId}/group`)).status, 403);
      assert.equal((await su.get(`/organization/${randomUUID()}/group`)).status, 404);
    });
  });

  describe('creating and deleting', () => {
    it('portfolio admins create groups in their portfolios only', async () => {
      assert.equal(
        (await member.client.post(`/portfolio/${mine.portfolio.id}/group`, { name: 'X' })).status,
        403,
      );
      assert.equal(
        (await padmin.client.post(`/portfolio/${theirs.portfolio.id}/group`, { name: 'X' })).status,
        403,
      );
      assert.equal(
        (await padmin.client.post(`/portfolio/${mine.portfolio.id}/group`, { name: 'QA' })).status,
        200,
      );
      assert.equal(
        (await padmin.client.post(`/portfolio/${mine.portfolio.id}/group`, { name: 'QA' })).status,
        409,
      );
      assert.equal((await su.post(`/portfolio/${theirs.portfolio.id}/group`, { name: 'QA' })).status, 200);
      assert.equal((await su.post(`/portfolio/${randomUUID()}/group`, { name: 'QA' })).status, 404);
    });

    it('refuses a blank name, an admin group and roles on another portfolio’s application', async () => {
      const url = `/portfolio/${mine.portfolio.id}/group`;
      assert.equal((await su.post(url, { name: '  ' })).status, 400);
      assert.equal((await su.post(url, {})).status, 400);
      assert.equal((await su.post(url, { name: 'Admins 2', admin: true })).status, 400);
      const foreign = {
        name: 'Foreign',
        applicationRoles: [
          { applicationId: theirApp.app.id, groupId: randomUUID(), roles: ['FEATURE_EDIT'] },
        ],
      };
      assert.equal((await su.post(url, foreign)).status, 400);
      const badRole = {
        name: 'BadRole',
        applicationRoles: [{ applicationId: mineApp.app.id, groupId: randomUUID(), roles: ['GOD'] }],
      };
      assert.equal((await su.post(url, badRole)).status, 400);
      const names = (await su.get(url)).body.map((g: { name: string }) => g.name);
      assert.ok(!names.includes('Foreign') && !names.includes('BadRole'));
    });

    it('administrator groups cannot be deleted; others by their portfolio admins', async () => {
      assert.equal((await su.delete(`/group/${mine.adminGroup.id}`)).status, 403);
      assert.equal((await su.delete(`/group/${superGroupId}`)).status, 403);
      const gid = (await su.post(`/portfolio/${mine.portfolio.id}/group`, { name: 'Temp' })).body.id;
      assert.equal((await member.client.delete(`/group/${gid}`)).status, 403);
      assert.equal((await padmin.client.delete(`/group/${gid}`)).status, 200);
      assert.equal((await padmin.client.delete(`/group/${gid}`)).status, 404);
      assert.equal(
        (await su.post(`/portfolio/${mine.portfolio.id}/group`, { name: 'Temp' })).status,
        200,
        'name free again',
      );
    });
  });

  describe('updating', () => {
    it('needs the current version: 400 without, 422 when stale; 409 for a taken name', async () => {
      const gid = (await su.post(`/portfolio/${mine.portfolio.id}/group`, { name: 'Versioned' })).body.id;
      assert.equal((await su.put(`/group/${gid}`, { id: gid, name: 'V2' })).status, 400);
      assert.equal((await su.put(`/group/${gid}`, { id: gid, name: 'V2', version: 0 })).status, 422);
      assert.equal((await su.put(`/group/${gid}`, { id: gid, name: 'Devs', version: 1 })).status, 409);
      assert.equal((await su.put(`/group/${gid}`, { id: gid, name: ' ', version: 1 })).status, 400);
      assert.equal((await su.put(`/group/${gid}`, { id: gid, name: 'V2', version: 1 })).status, 200);
      assert.equal((await su.put(`/group/${randomUUID()}`, { id: gid, name: 'V3', version: 1 })).status, 404);
      assert.equal(
        (await member.client.put(`/group/${gid}`, { id: gid, name: 'V3', version: 2 })).status,
        403,
      );
    });

    it('administrator groups keep their names', async () => {
      const gid = mine.adminGroup.id;
      const res = await su.put(`/group/${gid}`, { id: gid, name: 'Renamed', version: await version(gid) });
      assert.equal(res.status, 400);
    });

    it('replaces application roles, only within one application when applicationId is given', async () => {
      const second = await seedApplication(mr, mine.portfolio.id, 'Second');
      const gid = (await su.post(`/portfolio/${mine.portfolio.id}/group`, { name: 'Roles' })).body.id;
      const role = (applicationId: string, roles: string[]) => ({ applicationId, groupId: gid, roles });
      const put = async (query: string, body: Record<string, unknown>) =>
        su.put(`/group/${gid}?includeGroupRoles=true&${query}`, {
          id: gid,
          name: 'Roles',
          version: await version(gid),
          ...body,
        });
      let res = await put('updateApplicationGroupRoles=true', {
        applicationRoles: [role(mineApp.app.id, ['FEATURE_CREATE']), role(second.app.id, ['FEATURE_EDIT'])],
      });
      assert.equal(res.status, 200);
      assert.equal(res.body.applicationRoles.length, 2);
      res = await put(`updateApplicationGroupRoles=true&applicationId=${second.app.id}`, {
        applicationRoles: [role(mineApp.app.id, []), role(second.app.id, ['APP_STRATEGY_CREATE'])],
      });
      assert.equal(res.status, 200);
      const byApp = Object.fromEntries(
        (res.body.applicationRoles as { applicationId: string; roles: string[] }[]).map((r) => [
          r.applicationId,
          r.roles,
        ]),
      );
      assert.deepEqual(byApp, {
        [mineApp.app.id]: ['FEATURE_CREATE'],
        [second.app.id]: ['APP_STRATEGY_CREATE'],
      });
      res = await put('updateApplicationGroupRoles=true', { applicationRoles: [] });
      assert.deepEqual(res.body.applicationRoles, []);
      res = await put(`updateApplicationGroupRoles=true&applicationId=${theirApp.app.id}`, {
        applicationRoles: [],
      });
      assert.equal(res.status, 400, 'the scope must be an application of the portfolio');
    });

    it('changes environment roles only in the environments listed; they must be of the portfolio and appear once', async () => {
      const gid = (await su.post(`/portfolio/${mine.portfolio.id}/group`, { name: 'Envs' })).body.id;
      const third = await seedApplication(mr, mine.portfolio.id, 'Third');
      const role = (environmentId: string, roles: string[]) => ({ environmentId, groupId: gid, roles });
      const put = async (body: Record<string, unknown>, query = '') =>
        su.put(`/group/${gid}?includeGroupRoles=true&updateEnvironmentGroupRoles=true${query}`, {
          id: gid,
          name: 'Envs',
          version: await version(gid),
          ...body,
        });
      const rolesByEnv = (res: {
        body: { environmentRoles: { environmentId: string; roles: string[] }[] };
      }) => Object.fromEntries(res.body.environmentRoles.map((r) => [r.environmentId, [...r.roles].sort()]));
      assert.equal((await put({ environmentRoles: [role(theirApp.dev.id, ['READ'])] })).status, 400);
      assert.equal((await put({ environmentRoles: [role(randomUUID(), ['READ'])] })).status, 400);
      assert.equal(
        (await put({ environmentRoles: [role(mineApp.dev.id, ['READ']), role(mineApp.dev.id, ['LOCK'])] }))
          .status,
        400,
      );
      const ok = await put({
        environmentRoles: [role(mineApp.dev.id, ['READ', 'CHANGE_VALUE']), role(mineApp.prod.id, ['READ'])],
      });
      assert.equal(ok.status, 200);
      assert.equal(ok.body.environmentRoles.length, 2);
      const scoped = await su.get(`/group/${gid}?includeGroupRoles=true&byApplicationId=${theirApp.app.id}`);
      assert.deepEqual(scoped.body.environmentRoles, []);
      // environments left out keep their roles
      const oneMore = await put({ environmentRoles: [role(third.dev.id, ['READ'])] });
      assert.deepEqual(rolesByEnv(oneMore), {
        [mineApp.dev.id]: ['CHANGE_VALUE', 'READ'],
        [mineApp.prod.id]: ['READ'],
        [third.dev.id]: ['READ'],
      });
      // an empty role list removes the roles of that environment only; applicationId does not scope them
      const cleared = await put(
        { environmentRoles: [role(mineApp.prod.id, []), role(third.dev.id, [])] },
        `&applicationId=${mineApp.app.id}`,
      );
      assert.deepEqual(rolesByEnv(cleared), { [mineApp.dev.id]: ['CHANGE_VALUE', 'READ'] });
    });

    it('a client that read the group without its roles and adds one environment keeps the others (upstream’s e2e step)', async () => {
      const gid = (await su.post(`/portfolio/${mine.portfolio.id}/group`, { name: 'Stepwise' })).body.id;
      const read = async () => (await su.get(`/group/${gid}`)).body;
      const assign = async (environmentId: string, roles: string[]) => {
        const group = await read();
        group.environmentRoles.push({ environmentId, groupId: gid, roles });
        const res = await su.put(
          `/portfolio/${mine.portfolio.id}/group?updateEnvironmentGroupRoles=true`,
          group,
        );
        assert.equal(res.status, 200);
      };
      await assign(mineApp.dev.id, ['READ', 'CHANGE_VALUE']);
      await assign(mineApp.prod.id, ['READ']);
      const got = await su.get(`/group/${gid}?includeGroupRoles=true`);
      assert.deepEqual(
        (got.body.environmentRoles as { environmentId: string }[]).map((r) => r.environmentId).sort(),
        [mineApp.dev.id, mineApp.prod.id].sort(),
      );
    });

    it('updateMembers sets the full member list; without it members are left alone', async () => {
      const gid = (await su.post(`/portfolio/${mine.portfolio.id}/group`, { name: 'Team' })).body.id;
      const m = (p: TestUser) => ({ id: { id: p.personId } });
      let res = await su.put(`/group/${gid}?updateMembers=true&includeMembers=true`, {
        id: gid,
        name: 'Team',
        version: await version(gid),
        members: [m(member), m(outsider)],
      });
      assert.equal(res.status, 200);
      assert.equal(res.body.members.length, 2);
      res = await su.put(`/group/${gid}?includeMembers=true`, {
        id: gid,
        name: 'Team',
        version: await version(gid),
        members: [],
      });
      assert.equal(res.body.members.length, 2);
      res = await su.put(`/group/${gid}?updateMembers=true&includeMembers=true`, {
        id: gid,
        name: 'Team',
        version: await version(gid),
        members: [m(outsider)],
      });
      assert.deepEqual(
        (res.body.members as { id: { id: string } }[]).map((x) => x.id.id),
        [outsider.personId],
      );
      const unknown = await su.put(`/group/${gid}?updateMembers=true`, {
        id: gid,
        name: 'Team',
        version: await version(gid),
        members: [{ id: { id: randomUUID() } }],
      });
      assert.equal(unknown.status, 400);
    });

    it('the deprecated portfolio-level update works on groups of that portfolio only', async () => {
      const gid = (await su.post(`/portfolio/${mine.portfolio.id}/group`, { name: 'Legacy' })).body.id;
      const v = await version(gid);
      const wrong = await su.put(`/portfolio/${theirs.portfolio.id}/group`, {
        id: gid,
        name: 'L2',
        version: v,
      });
      assert.equal(wrong.status, 404);
      const res = await su.put(`/portfolio/${mine.portfolio.id}/group?includePeople=true`, {
        id: gid,
        name: 'L2',
        version: v,
      });
      assert.equal(res.status, 200);
      assert.equal(res.body.name, 'L2');
      assert.deepEqual(res.body.members, []);
    });
  });

  describe('memberships', () => {
    it('portfolio admins manage memberships of their portfolios’ groups only', async () => {
      const theirGroup = (await su.post(`/portfolio/${theirs.portfolio.id}/group`, { name: 'Far' })).body.id;
      assert.equal(
        (await padmin.client.post(`/group/${theirGroup}/person/${outsider.personId}`)).status,
        403,
      );
      assert.equal((await member.client.post(`/group/${devsId}/person/${outsider.personId}`)).status, 403);
      assert.equal((await padmin.client.post(`/group/${devsId}/person/${outsider.personId}`)).status, 200);
      assert.equal(
        (await padmin.client.post(`/group/${devsId}/person/${outsider.personId}`)).status,
        200,
        'idempotent',
      );
      assert.equal((await padmin.client.post(`/group/${devsId}/person/${randomUUID()}`)).status, 404);
      assert.equal(
        (await padmin.client.post(`/group/${randomUUID()}/person/${outsider.personId}`)).status,
        404,
      );
      assert.equal((await padmin.client.delete(`/group/${devsId}/person/${outsider.personId}`)).status, 200);
      assert.ok(!(await groupIdsOf(outsider.client)).includes(devsId));
    });

    it('membership grants what the group may do', async () => {
      const newcomer = await registerUser(mr, su, 'newcomer@example.com');
      assert.equal((await newcomer.client.get(`/portfolio/${mine.portfolio.id}/group`)).status, 403);
      await padmin.client.post(`/group/${devsId}/person/${newcomer.personId}`);
      assert.equal((await newcomer.client.get(`/portfolio/${mine.portfolio.id}/group`)).status, 200);
    });

    it('only superusers change the superuser group, which is mirrored into every portfolio admin group', async () => {
      const promoted = await registerUser(mr, su, 'promoted@example.com');
      assert.equal(
        (await padmin.client.post(`/group/${superGroupId}/person/${promoted.personId}`)).status,
        403,
      );
      assert.equal((await su.post(`/group/${superGroupId}/person/${promoted.personId}`)).status, 200);
      const everyAdminGroup = await groupIdsOf(su);
      assert.ok(
        everyAdminGroup.includes(mine.adminGroup.id) && everyAdminGroup.includes(theirs.adminGroup.id),
      );
      assert.deepEqual(await groupIdsOf(promoted.client), everyAdminGroup);
      const fromPortfolio = await su.delete(`/group/${mine.adminGroup.id}/person/${promoted.personId}`);
      assert.equal(
        fromPortfolio.status,
        404,
        'a superuser stays in every portfolio admin group (404 as upstream)',
      );
      assert.match(fromPortfolio.body.message, /remove them from the superuser group instead/);
      assert.ok((await groupIdsOf(promoted.client)).includes(mine.adminGroup.id));
      const notMember = await su.delete(`/group/${devsId}/person/${promoted.personId}`);
      assert.equal(notMember.status, 404, 'removing someone who is not a member');
      assert.equal(
        (await padmin.client.delete(`/group/${superGroupId}/person/${promoted.personId}`)).status,
        403,
      );
      assert.equal((await su.delete(`/group/${superGroupId}/person/${promoted.personId}`)).status, 200);
      assert.deepEqual(await groupIdsOf(promoted.client), []);
    });

    it('group answers list active members only; a member list leaving out a deactivated member keeps them', async () => {
      const gid = (await su.post(`/portfolio/${mine.portfolio.id}/group`, { name: 'Mixed' })).body.id;
      const stayer = await registerUser(mr, su, 'stayer@example.com', { groupIds: [gid] });
      const leaver = await registerUser(mr, su, 'leaver@example.com', { groupIds: [gid] });
      const formerSu = await registerUser(mr, su, 'former-su@example.com', { groupIds: [superGroupId] });
      for (const p of [leaver, formerSu])
        assert.equal((await su.delete(`/person/${p.personId}`)).status, 200);
      const ids = (res: { body: { members: { id: { id: string } }[] } }) =>
        res.body.members.map((m) => m.id.id);
      assert.deepEqual(ids(await su.get(`/group/${gid}?includeMembers=true`)), [stayer.personId]);
      assert.deepEqual(ids(await su.get(`/organization/${orgId}/group`)), [suId]);
      const added = await su.post(`/group/${gid}/person/${outsider.personId}?includeMembers=true`);
      assert.deepEqual(ids(added).sort(), [outsider.personId, stayer.personId].sort());
      const saved = await su.put(`/group/${gid}?updateMembers=true&includeMembers=true`, {
        id: gid,
        name: 'Mixed',
        version: await version(gid),
        members: [{ id: { id: stayer.personId } }],
      });
      assert.deepEqual(ids(saved), [stayer.personId]);
      assert.ok(
        (await mr.stores.groups.listMemberIds(gid)).includes(leaver.personId),
        'the deactivated member keeps the membership for a reactivation',
      );
    });

    it('the last superuser cannot leave', async () => {
      const res = await su.delete(`/group/${superGroupId}/person/${suId}`);
      assert.equal(res.status, 400);
      assert.ok((await groupIdsOf(su)).includes(superGroupId));
    });
  });
});
