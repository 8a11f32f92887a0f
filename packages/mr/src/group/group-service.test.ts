import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fakeWorld } from '../testing/fake-world.ts';
import { type EnvironmentRolesInput, GroupService } from './group-service.ts';

async function world() {
  const w = await fakeWorld();
  const p = await w.portfolio('P');
  const app = await w.stores.applications.create({ portfolioId: p.portfolio.id, name: 'App' });
  const env = await w.stores.environments.create({ applicationId: app.id, name: 'dev' });
  const prod = await w.stores.environments.create({ applicationId: app.id, name: 'prod' });
  const q = await w.portfolio('Q');
  const otherApp = await w.stores.applications.create({ portfolioId: q.portfolio.id, name: 'Other' });
  return { ...w, p, q, app, env, prod, otherApp, groups: new GroupService() };
}

describe('GroupService', () => {
  it('creates a group with application roles, refusing applications of other portfolios', async () => {
    const w = await world();
    const access = await w.access(w.superuserId);
    await assert.rejects(
      w.stores.transaction((tx) =>
        w.groups.create(tx, access, w.p.portfolio.id, {
          name: 'G',
          applicationRoles: [{ applicationId: w.otherApp.id, roles: ['FEATURE_EDIT'] }],
        }),
      ),
      { status: 400 },
    );
    const g = await w.stores.transaction((tx) =>
      w.groups.create(tx, access, w.p.portfolio.id, {
        name: ' G ',
        applicationRoles: [{ applicationId: w.app.id, roles: ['FEATURE_EDIT'] }],
      }),
    );
    assert.equal(g.name, 'G');
    const roles = await w.groups.roles(w.stores, g);
    assert.deepEqual(roles.applicationAcls, [
      { groupId: g.id, applicationId: w.app.id, roles: ['FEATURE_EDIT'] },
    ]);
  });

  it('a member of a group with an environment role gains it', async () => {
    const w = await world();
    const su = await w.access(w.superuserId);
    const g = await w.stores.transaction((tx) => w.groups.create(tx, su, w.p.portfolio.id, { name: 'G' }));
    const p = await w.person('p@example.com');
    await w.stores.transaction(async (tx) => {
      await w.groups.addMember(tx, su, g.id, p.id);
      await w.groups.update(tx, su, g.id, {
        version: g.version,
        environmentRoles: [{ environmentId: w.env.id, roles: ['CHANGE_VALUE'] }],
      });
    });
    const access = await w.access(p.id);
    const ref = { id: w.env.id, applicationId: w.app.id, portfolioId: w.p.portfolio.id };
    assert.deepEqual([...access.environmentRoles(ref)].sort(), ['CHANGE_VALUE', 'READ']);
  });

  it('an environment role update changes only the environments listed; an empty list removes the roles', async () => {
    const w = await world();
    const su = await w.access(w.superuserId);
    const g = await w.stores.transaction((tx) => w.groups.create(tx, su, w.p.portfolio.id, { name: 'G' }));
    const update = (version: number, environmentRoles: EnvironmentRolesInput[]) =>
      w.stores.transaction((tx) => w.groups.update(tx, su, g.id, { version, environmentRoles }));
    const rolesByEnv = async () =>
      Object.fromEntries(
        (await w.groups.roles(w.stores, g)).environmentAcls.map((a) => [
          a.environmentId,
          [...a.roles].sort(),
        ]),
      );
    let v = (
      await update(g.version, [
        { environmentId: w.env.id, roles: ['READ', 'CHANGE_VALUE'] },
        { environmentId: w.prod.id, roles: ['READ'] },
      ])
    ).version;
    v = (await update(v, [{ environmentId: w.prod.id, roles: ['READ', 'LOCK'] }])).version;
    assert.deepEqual(await rolesByEnv(), {
      [w.env.id]: ['CHANGE_VALUE', 'READ'],
      [w.prod.id]: ['LOCK', 'READ'],
    });
    v = (await update(v, [])).version;
    assert.equal(Object.keys(await rolesByEnv()).length, 2, 'an empty list changes nothing');
    await update(v, [{ environmentId: w.env.id, roles: [] }]);
    assert.deepEqual(await rolesByEnv(), { [w.prod.id]: ['LOCK', 'READ'] });
  });

  it('applicationId scopes the application roles of an update, not its environment roles', async () => {
    const w = await world();
    const su = await w.access(w.superuserId);
    const second = await w.stores.applications.create({ portfolioId: w.p.portfolio.id, name: 'Second' });
    const g = await w.stores.transaction((tx) =>
      w.groups.create(tx, su, w.p.portfolio.id, {
        name: 'G',
        applicationRoles: [{ applicationId: w.app.id, roles: ['FEATURE_EDIT'] }],
      }),
    );
    await w.stores.transaction((tx) =>
      w.groups.update(tx, su, g.id, {
        version: g.version,
        applicationId: second.id,
        applicationRoles: [],
        environmentRoles: [{ environmentId: w.env.id, roles: ['READ'] }],
      }),
    );
    const roles = await w.groups.roles(w.stores, g);
    assert.deepEqual(
      roles.applicationAcls.map((a) => a.applicationId),
      [w.app.id],
      'another application’s roles stay',
    );
    assert.deepEqual(
      roles.environmentAcls.map((a) => a.environmentId),
      [w.env.id],
      'an environment of an application other than applicationId still changes',
    );
  });

  it('a group is visible to its members, superusers and its portfolio’s admins; to anyone else it is not found', async () => {
    const w = await world();
    const su = await w.access(w.superuserId);
    const g = await w.stores.transaction((tx) => w.groups.create(tx, su, w.p.portfolio.id, { name: 'G' }));
    const neighbours = await w.stores.transaction((tx) =>
      w.groups.create(tx, su, w.p.portfolio.id, { name: 'Neighbours' }),
    );
    const member = await w.person('member@example.com', [g.id]);
    const neighbour = await w.person('neighbour@example.com', [neighbours.id]);
    const padmin = await w.person('padmin@example.com', [w.p.adminGroup.id]);
    const otherAdmin = await w.person('qadmin@example.com', [w.q.adminGroup.id]);
    for (const id of [member.id, padmin.id, w.superuserId]) {
      assert.equal((await w.groups.get(w.stores, await w.access(id), g.id)).id, g.id);
    }
    for (const id of [neighbour.id, otherAdmin.id]) {
      await assert.rejects(w.groups.get(w.stores, await w.access(id), g.id), { status: 404 });
    }
    await assert.rejects(w.groups.get(w.stores, await w.access(padmin.id), w.superuserGroupId), {
      status: 404,
    });
    assert.equal((await w.groups.get(w.stores, su, w.superuserGroupId)).id, w.superuserGroupId);
  });

  it('a member list that leaves out a deactivated member keeps them in the group', async () => {
    const w = await world();
    const su = await w.access(w.superuserId);
    const g = await w.stores.transaction((tx) => w.groups.create(tx, su, w.p.portfolio.id, { name: 'G' }));
    await w.person('active@example.com', [g.id]);
    const away = await w.person('away@example.com', [g.id]);
    await w.stores.persons.archive(away.id, { keepGroups: true });
    await w.stores.transaction((tx) => w.groups.update(tx, su, g.id, { version: g.version, members: [] }));
    assert.deepEqual(await w.stores.groups.listMemberIds(g.id), [away.id], 'the active member left');
  });

  it('a failed update changes nothing (roles, members and version roll back together)', async () => {
    const w = await world();
    const su = await w.access(w.superuserId);
    const g = await w.stores.transaction((tx) => w.groups.create(tx, su, w.p.portfolio.id, { name: 'G' }));
    await assert.rejects(
      w.stores.transaction((tx) =>
        w.groups.update(tx, su, g.id, {
          version: g.version,
          name: 'Renamed',
          environmentRoles: [{ environmentId: w.env.id, roles: ['READ'] }],
          members: ['00000000-0000-4000-8000-0000000000ff'],
        }),
      ),
      { status: 400 },
    );
    const after = await w.stores.groups.findById(g.id);
    assert.equal(after?.name, 'G');
    assert.equal(after?.version, g.version);
    assert.deepEqual((await w.groups.roles(w.stores, g)).environmentAcls, []);
  });

  it('portfolio admins manage their own portfolio’s groups only; the superuser group is for superusers', async () => {
    const w = await world();
    const padmin = await w.person('pa@example.com', [w.p.adminGroup.id]);
    const access = await w.access(padmin.id);
    const target = await w.person('t@example.com');
    await assert.rejects(
      w.stores.transaction((tx) => w.groups.addMember(tx, access, w.q.adminGroup.id, target.id)),
      { status: 403 },
    );
    await assert.rejects(
      w.stores.transaction((tx) => w.groups.addMember(tx, access, w.superuserGroupId, target.id)),
      { status: 403 },
    );
    await w.stores.transaction((tx) => w.groups.addMember(tx, access, w.p.adminGroup.id, target.id));
    assert.ok((await w.stores.groups.listMemberIds(w.p.adminGroup.id)).includes(target.id));
  });

  it('the last active superuser cannot leave, even if deactivated superusers remain members', async () => {
    const w = await world();
    const su = await w.access(w.superuserId);
    const old = await w.person('old@example.com', [w.superuserGroupId]);
    await w.stores.persons.archive(old.id, { keepGroups: true });
    await assert.rejects(
      w.stores.transaction((tx) => w.groups.removeMember(tx, su, w.superuserGroupId, w.superuserId)),
      { status: 400 },
    );
  });
});
