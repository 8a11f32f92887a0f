import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { skipUnlessService } from '@fh/test-support';
import { type MrClient, startTestMr, type TestMr } from '../testing/index.ts';
import { registerUser, seedPortfolio } from '../testing/person-world.ts';

// Garbage sent to every setup, auth, person and group operation: the answer is always a 4xx, never a
// 5xx, and nothing in the database changes.

const garbageBodies: { label: string; raw?: string; body?: unknown }[] = [
  { label: 'broken JSON', raw: '{"name": ' },
  { label: 'an array', body: [1, 2] },
  { label: 'null', raw: 'null' },
  { label: 'a string', raw: '"hello"' },
  { label: 'an empty object', body: {} },
  { label: 'wrong types', body: { name: 42, email: true, version: 'one', password: [], members: 'x' } },
  { label: 'huge strings', body: { name: 'x'.repeat(5000), email: `${'y'.repeat(5000)}@x.io`, version: 1 } },
  {
    label: 'nested nonsense',
    body: {
      id: { id: 'not-a-uuid' },
      applicationRoles: [{ applicationId: 'x', roles: ['GOD'] }],
      version: -1,
    },
  },
];

for (const dialect of ['sqlite', 'postgres', 'mysql'] as const)
  describe(`setup, auth, person and group operations refuse bad input without side effects (${dialect})`, {
    skip: dialect === 'sqlite' ? false : await skipUnlessService(dialect),
  }, () => {
    let mr: TestMr;
    let su: MrClient;
    let personId: string;
    let groupId: string;
    let portfolioId: string;

    before(async () => {
      mr = await startTestMr({ dialect });
      su = (await mr.initialize()).client;
      const seeded = await seedPortfolio(mr, 'Bad Input');
      portfolioId = seeded.portfolio.id;
      groupId = (await su.post(`/portfolio/${portfolioId}/group`, { name: 'Group' })).body.id;
      personId = (await registerUser(mr, su, 'victim@example.com')).personId;
    });
    after(async () => {
      await mr?.close();
    });

    async function snapshot() {
      const persons = await mr.stores.persons.list({ includeArchived: true });
      const groups = await mr.stores.groups.list({ includeArchived: true });
      const members = await Promise.all(groups.map((g) => mr.stores.groups.listMemberIds(g.id)));
      const acls = await mr.stores.groups.listApplicationAcls({});
      return JSON.stringify({
        persons: persons.persons.map((p) => [
          p.id,
          p.version,
          p.name,
          p.email,
          p.passwordHash,
          p.whenArchived,
        ]),
        groups: groups.map((g) => [g.id, g.version, g.name, g.whenArchived]),
        members,
        acls,
        orgs: await mr.stores.organisations.findFirst(),
      });
    }

    it('answers 4xx to garbage on every operation and changes nothing', async () => {
      const id = () => personId;
      const operations: [string, () => string][] = [
        ['POST', () => '/initialize'],
        ['POST', () => '/login'],
        ['POST', () => '/authentication'],
        ['PUT', () => `/authentication/${id()}/replaceTempPassword`],
        ['PUT', () => `/authentication/${id()}/changePassword`],
        ['PUT', () => `/authentication/${id()}/resetPassword`],
        ['PUT', () => '/authentication/not-a-uuid/resetPassword'],
        ['POST', () => '/person'],
        ['PUT', () => `/person/${id()}/v2`],
        ['PUT', () => `/person/${id()}`],
        ['PUT', () => '/person/not-a-uuid/v2'],
        ['POST', () => `/portfolio/${portfolioId}/group`],
        ['PUT', () => `/portfolio/${portfolioId}/group`],
        ['PUT', () => `/group/${groupId}`],
        ['PUT', () => `/group/${groupId}?updateMembers=true&updateApplicationGroupRoles=true`],
      ];
      const before = await snapshot();
      for (const [method, path] of operations) {
        for (const g of garbageBodies) {
          const res = await su.request(method, path(), g.body, g.raw !== undefined ? { rawBody: g.raw } : {});
          assert.ok(
            res.status >= 400 && res.status < 500,
            `${method} ${path()} with ${g.label}: ${res.status} ${JSON.stringify(res.body)}`,
          );
        }
      }
      assert.equal(await snapshot(), before);
    });

    it('answers 4xx to bad path and query parameters and changes nothing', async () => {
      const before = await snapshot();
      const requests: [string, string][] = [
        ['GET', '/person?startAt=-5'],
        ['GET', '/person?pageSize=-1'],
        ['GET', '/person?order=SIDEWAYS'],
        ['GET', '/person?sortBy=shoeSize'],
        ['GET', '/person?personTypes=robot'],
        ['GET', '/person/%00'],
        ['GET', `/person/${'9'.repeat(300)}`],
        ['DELETE', '/person/not-a-uuid'],
        ['DELETE', `/person/${randomUUID()}`],
        ['POST', '/person/not-a-uuid/token-reset'],
        ['POST', `/person/${randomUUID()}/token-reset`],
        ['GET', '/authentication/%20'],
        ['GET', `/authentication/${'t'.repeat(2000)}`],
        ['POST', `/authentication/${'e'.repeat(2000)}/expiredTokenReset`],
        ['GET', '/group/not-a-uuid'],
        ['GET', `/group/${groupId}?byApplicationId=nope`],
        ['DELETE', `/group/${randomUUID()}`],
        ['POST', `/group/${groupId}/person/not-a-uuid`],
        ['POST', `/group/${randomUUID()}/person/${personId}`],
        ['DELETE', `/group/${groupId}/person/${randomUUID()}`],
        ['GET', '/portfolio/not-a-uuid/group'],
        ['GET', `/portfolio/${portfolioId}/group?order=UP`],
        ['GET', '/organization/not-a-uuid/group'],
        ['GET', `/organization/${randomUUID()}/group`],
      ];
      for (const [method, path] of requests) {
        const res = await su.request(method, path);
        assert.ok(
          res.status >= 400 && res.status < 500,
          `${method} ${path}: ${res.status} ${JSON.stringify(res.body)}`,
        );
      }
      assert.equal(await snapshot(), before);
    });

    it('absurdly large page sizes are capped and impossible offsets refused, never a server error', async () => {
      for (const q of ['pageSize=1e99', 'pageSize=9007199254740993', 'startAt=9007199254740991']) {
        const res = await su.get(`/person?${q}`);
        assert.equal(res.status, 200, `${q}: ${JSON.stringify(res.body)}`);
      }
      for (const q of ['startAt=1e99', 'startAt=9007199254740993']) {
        assert.equal((await su.get(`/person?${q}`)).status, 400, q);
      }
    });
  });
