import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { skipUnlessService } from '@fh/test-support';
import { type MrClient, startTestMr, type TestMr } from '../testing/index.ts';
import { PASSWORD, registerUser, seedApplication, seedPortfolio } from '../testing/person-world.ts';

for (const dialect of ['sqlite', 'postgres', 'mysql'] as const) {
  describe(`auth main flows (${dialect})`, {
    skip: dialect === 'sqlite' ? false : await skipUnlessService(dialect),
  }, () => {
    let mr: TestMr;
    let su: MrClient;
    before(async () => {
      mr = await startTestMr({ dialect });
      su = (await mr.initialize()).client;
    });
    after(async () => {
      await mr?.close();
    });

    it('registration: link, lookup by token, checks, register once, then log in', async () => {
      const created = await su.post('/person', { email: 'Reg@Example.com', personType: 'person' });
      assert.equal(created.status, 200);
      const { token, personId, registrationUrl } = created.body;
      assert.equal(registrationUrl, `http://localhost:8085/register-url?token=${token}`);

      const lookup = await mr.client.get(`/authentication/${token}`);
      assert.equal(lookup.status, 200);
      assert.equal(lookup.body.email, 'reg@example.com');
      assert.equal(lookup.body.id.id, personId);

      const body = {
        registrationToken: token,
        email: 'reg@example.com',
        name: 'Reggie',
        password: 'longenough',
        confirmPassword: 'longenough',
      };
      for (const [bad, status] of [
        [{ confirmPassword: 'different1' }, 400],
        [{ password: 'short', confirmPassword: 'short' }, 400],
        [{ email: 'other@example.com' }, 400],
        [{ name: '   ' }, 400],
        [{ registrationToken: 'not-a-token' }, 404],
      ] as const) {
        const res = await mr.client.post('/authentication', { ...body, ...bad });
        assert.equal(res.status, status, JSON.stringify(bad));
      }
      const done = await mr.client.post('/authentication', body);
      assert.equal(done.status, 200);
      assert.equal(done.body.person.name, 'Reggie');
      const self = await mr.client.withToken(done.body.accessToken).get('/person/self');
      assert.equal(self.status, 200);
      assert.equal(self.body.id.id, personId);

      assert.equal((await mr.client.post('/authentication', body)).status, 404, 'a used token is gone');
      assert.equal((await mr.client.get(`/authentication/${token}`)).status, 404);
      const login = await mr.client.post('/login', { email: 'REG@example.com', password: 'longenough' });
      assert.equal(login.status, 200);
      assert.equal(login.body.person.passwordRequiresReset, false);
    });

    it('password reset: the temporary password only allows replacing it, then the new one works', async () => {
      const user = await registerUser(mr, su, 'forgetful@example.com');
      const reset = await su.put(`/authentication/${user.personId}/resetPassword`, {
        password: 'temporary1',
      });
      assert.equal(reset.status, 200);
      assert.equal(reset.body.passwordRequiresReset, true);
      assert.equal((await user.client.get('/person/self')).status, 401, 'old sessions end');
      assert.equal(
        (await mr.client.post('/login', { email: user.email, password: PASSWORD })).status,
        404,
        'the old password is gone',
      );

      const temp = await mr.client.post('/login', { email: user.email, password: 'temporary1' });
      assert.equal(temp.status, 200);
      assert.equal(temp.body.person.passwordRequiresReset, true);
      const tempClient = mr.client.withToken(temp.body.accessToken);
      assert.equal((await tempClient.get('/person/self')).status, 401, 'nothing else is allowed');

      const suId = (await su.get('/person/self')).body.id.id;
      const notMine = await tempClient.put(`/authentication/${suId}/replaceTempPassword`, {
        password: 'brandnew1',
      });
      assert.equal(notMine.status, 403);
      const weak = await tempClient.put(`/authentication/${user.personId}/replaceTempPassword`, {
        password: 'weak',
      });
      assert.equal(weak.status, 400);

      const replaced = await tempClient.put(`/authentication/${user.personId}/replaceTempPassword`, {
        password: 'brandnew1',
      });
      assert.equal(replaced.status, 200);
      assert.notEqual(replaced.body.accessToken, temp.body.accessToken);
      assert.equal(replaced.body.person.passwordRequiresReset, false);
      assert.equal((await tempClient.get('/person/self')).status, 401, 'the temporary session ended');
      const fresh = mr.client.withToken(replaced.body.accessToken);
      assert.equal((await fresh.get('/person/self')).status, 200);
      const again = await fresh.put(`/authentication/${user.personId}/replaceTempPassword`, {
        password: 'brandnew2',
      });
      assert.equal(again.status, 400, 'nothing left to replace');
      assert.equal(
        (await mr.client.post('/login', { email: user.email, password: 'brandnew1' })).status,
        200,
      );
    });

    it('an admin service account token works as a bearer token until it is reset', async () => {
      const created = await su.post('/person', { name: 'ci-bot', personType: 'serviceAccount' });
      assert.equal(created.status, 200);
      const { token, personId } = created.body;
      assert.match(token, /^[A-Za-z0-9]{48}$/);
      assert.equal(created.body.registrationUrl, undefined);
      const bot = mr.client.withToken(token);
      const self = await bot.get('/person/self');
      assert.equal(self.status, 200);
      assert.equal(self.body.personType, 'serviceAccount');
      assert.match(self.body.email, /^[0-9a-f-]{36}@admin\.sa\.featurehub\.io$/);
      assert.equal(
        (await mr.client.post('/login', { email: self.body.email, password: 'whatever1' })).status,
        404,
        'service accounts cannot log in',
      );

      const reset = await su.post(`/person/${personId}/token-reset`);
      assert.equal(reset.status, 200);
      assert.match(reset.body.token, /^[A-Za-z0-9]{48}$/);
      assert.equal((await bot.get('/person/self')).status, 401, 'the old token is gone');
      assert.equal((await mr.client.withToken(reset.body.token).get('/person/self')).status, 200);
    });
  });
}

describe('login, logout and passwords (sqlite)', () => {
  let mr: TestMr;
  let su: MrClient;
  let suId: string;
  before(async () => {
    mr = await startTestMr();
    const init = await mr.initialize();
    su = init.client;
    suId = init.personId;
  });
  after(async () => {
    await mr?.close();
  });

  it('wrong password, unknown email, deactivated people all get 404; a blank password 400', async () => {
    const user = await registerUser(mr, su, 'gone@example.com');
    assert.equal((await mr.client.post('/login', { email: user.email, password: 'wrongpass' })).status, 404);
    assert.equal(
      (await mr.client.post('/login', { email: 'nobody@example.com', password: 'x' })).status,
      404,
    );
    assert.equal((await mr.client.post('/login', { email: user.email, password: '' })).status, 400);
    assert.equal((await mr.client.post('/login', { email: 'not an email', password: 'x' })).status, 400);
    assert.equal((await su.delete(`/person/${user.personId}`)).status, 200);
    assert.equal((await mr.client.post('/login', { email: user.email, password: PASSWORD })).status, 404);
  });

  it('login and registration answer with the person’s groups and the groups’ application and environment roles', async () => {
    const { portfolio } = await seedPortfolio(mr, 'Roles');
    const { app, dev } = await seedApplication(mr, portfolio.id, 'Shop');
    const group = await su.post(`/portfolio/${portfolio.id}/group`, {
      name: 'Editors',
      applicationRoles: [{ applicationId: app.id, groupId: app.id, roles: ['FEATURE_EDIT'] }],
    });
    const gid = group.body.id as string;
    const withEnv = await su.put(`/group/${gid}?updateEnvironmentGroupRoles=true`, {
      ...group.body,
      environmentRoles: [{ environmentId: dev.id, groupId: gid, roles: ['READ', 'CHANGE_VALUE'] }],
    });
    assert.equal(withEnv.status, 200);
    interface ApiGroup {
      id: string;
      applicationRoles: { applicationId: string; groupId: string; roles: string[] }[];
      environmentRoles: { environmentId: string; roles: string[] }[];
    }
    const expectRoles = (person: { groups: ApiGroup[] }, what: string) => {
      assert.deepEqual(
        person.groups.map((g) => ({
          id: g.id,
          applicationRoles: g.applicationRoles,
          environmentRoles: g.environmentRoles.map((r) => [r.environmentId, [...r.roles].sort()]),
        })),
        [
          {
            id: gid,
            applicationRoles: [{ applicationId: app.id, groupId: gid, roles: ['FEATURE_EDIT'] }],
            environmentRoles: [[dev.id, ['CHANGE_VALUE', 'READ']]],
          },
        ],
        what,
      );
    };
    const created = await su.post('/person', {
      email: 'editor@example.com',
      personType: 'person',
      groupIds: [gid],
    });
    const registered = await mr.client.post('/authentication', {
      registrationToken: created.body.token,
      email: 'editor@example.com',
      name: 'Editor',
      password: PASSWORD,
      confirmPassword: PASSWORD,
    });
    assert.equal(registered.status, 200);
    expectRoles(registered.body.person, 'registration');
    const login = await mr.client.post('/login', { email: 'editor@example.com', password: PASSWORD });
    assert.equal(login.status, 200);
    expectRoles(login.body.person, 'login');
  });

  it('login records when the person last authenticated', async () => {
    const user = await registerUser(mr, su, 'when@example.com');
    const login = await mr.client.post('/login', { email: user.email, password: PASSWORD });
    const stored = await mr.stores.persons.findById(user.personId);
    assert.equal(login.body.person.whenLastAuthenticated, stored?.whenLastAuthenticated?.toISOString());
  });

  it('logout ends exactly this session', async () => {
    const user = await registerUser(mr, su, 'bye@example.com');
    const other = await mr.client.post('/login', { email: user.email, password: PASSWORD });
    const res = await user.client.get('/logout');
    assert.equal(res.status, 204);
    assert.equal((await user.client.get('/person/self')).status, 401);
    assert.equal((await mr.client.withToken(other.body.accessToken).get('/person/self')).status, 200);
    assert.equal((await mr.client.get('/logout')).status, 401);
  });

  it('change password: needs the old one, ends other sessions, and is yours unless you are a superuser', async () => {
    const user = await registerUser(mr, su, 'change@example.com');
    const second = await mr.client.post('/login', { email: user.email, password: PASSWORD });
    const url = `/authentication/${user.personId}/changePassword`;
    assert.equal(
      (await user.client.put(url, { oldPassword: 'wrongpass', newPassword: 'newpass12' })).status,
      400,
    );
    assert.equal((await user.client.put(url, { oldPassword: PASSWORD, newPassword: 'short' })).status, 400);
    const ok = await user.client.put(url, { oldPassword: PASSWORD, newPassword: 'newpass12' });
    assert.equal(ok.status, 200);
    assert.equal(ok.body.id.id, user.personId);
    assert.equal((await user.client.get('/person/self')).status, 200, 'this session stays');
    assert.equal((await mr.client.withToken(second.body.accessToken).get('/person/self')).status, 401);

    const other = await registerUser(mr, su, 'nosy@example.com');
    assert.equal(
      (await other.client.put(url, { oldPassword: 'newpass12', newPassword: 'hijacked1' })).status,
      403,
    );
    const bySuperuser = await su.put(url, { oldPassword: 'newpass12', newPassword: 'bysuper12' });
    assert.equal(bySuperuser.status, 200);
    assert.equal((await mr.client.post('/login', { email: user.email, password: 'bysuper12' })).status, 200);
  });

  it('reset password: admins only, not yourself, people only, reactivation on request', async () => {
    const user = await registerUser(mr, su, 'resetme@example.com');
    const other = await registerUser(mr, su, 'plain@example.com');
    const url = (id: string) => `/authentication/${id}/resetPassword`;
    assert.equal((await other.client.put(url(user.personId), { password: 'temporary1' })).status, 403);
    assert.equal((await su.put(url(suId), { password: 'temporary1' })).status, 400);
    assert.equal(
      (await su.put(url('00000000-0000-4000-8000-00000000abcd'), { password: 'temporary1' })).status,
      404,
    );
    assert.equal((await su.put(url(user.personId), { password: 'tiny' })).status, 400);
    const bot = await su.post('/person', { name: 'bot', personType: 'serviceAccount' });
    assert.equal((await su.put(url(bot.body.personId), { password: 'temporary1' })).status, 400);

    assert.equal((await su.delete(`/person/${user.personId}`)).status, 200);
    assert.equal((await su.put(url(user.personId), { password: 'temporary1' })).status, 400);
    const back = await su.put(url(user.personId), { password: 'temporary1', reactivate: true });
    assert.equal(back.status, 200);
    assert.equal(back.body.whenArchived, null);
    assert.equal((await mr.client.post('/login', { email: user.email, password: 'temporary1' })).status, 200);
  });

  it('a portfolio admin cannot take over a superuser account by resetting its password', async () => {
    const { adminGroup } = await seedPortfolio(mr, 'Takeover');
    const padmin = await registerUser(mr, su, 'padmin@example.com', { groupIds: [adminGroup.id] });
    const victim = await registerUser(mr, su, 'victim@example.com', { groupIds: [adminGroup.id] });
    const res = await padmin.client.put(`/authentication/${suId}/resetPassword`, { password: 'takeover1' });
    assert.equal(res.status, 403);
    const ok = await padmin.client.put(`/authentication/${victim.personId}/resetPassword`, {
      password: 'temporary1',
    });
    assert.equal(ok.status, 200, 'a fellow admin of the same portfolio is fine');
  });

  it('expired token reset: admins renew the link of someone who has not registered', async () => {
    const created = await su.post('/person', { email: 'late@example.com', personType: 'person' });
    const renewed = await su.post('/authentication/late@example.com/expiredTokenReset');
    assert.equal(renewed.status, 200);
    assert.equal(renewed.body.personId, created.body.personId);
    assert.notEqual(renewed.body.token, created.body.token);
    assert.match(renewed.body.registrationUrl, /register-url\?token=/);
    assert.equal((await mr.client.get(`/authentication/${created.body.token}`)).status, 404);
    assert.equal((await mr.client.get(`/authentication/${renewed.body.token}`)).status, 200);

    const user = await registerUser(mr, su, 'done@example.com');
    assert.equal((await su.post(`/authentication/${user.email}/expiredTokenReset`)).status, 400);
    assert.equal((await su.post('/authentication/who@example.com/expiredTokenReset')).status, 404);
    assert.equal((await user.client.post('/authentication/late@example.com/expiredTokenReset')).status, 403);
    assert.equal((await mr.client.post('/authentication/late@example.com/expiredTokenReset')).status, 401);
  });
});

describe('login rate limiting (sqlite)', () => {
  let mr: TestMr;
  before(async () => {
    mr = await startTestMr();
    await mr.initialize({ email: 'target@example.com', password: PASSWORD });
  });
  after(async () => {
    await mr?.close();
  });

  it('refuses an account with 429 and Retry-After after repeated failures, even with the right password', async () => {
    for (let i = 0; i < 10; i++) {
      const res = await mr.client.post('/login', { email: 'target@example.com', password: `wrong${i}xx` });
      assert.equal(res.status, 404);
    }
    const blocked = await mr.client.post('/login', { email: 'target@example.com', password: PASSWORD });
    assert.equal(blocked.status, 429);
    assert.ok(Number(blocked.headers.get('retry-after')) > 0);
    assert.equal(blocked.body.code, 'too_many_attempts');
  });

  it('refuses a client address that tries many accounts', async () => {
    let last = 0;
    for (let i = 0; i < 60 && last !== 429; i++) {
      last = (await mr.client.post('/login', { email: `spray${i}@example.com`, password: 'guessing1' }))
        .status;
    }
    assert.equal(last, 429);
  });
});
