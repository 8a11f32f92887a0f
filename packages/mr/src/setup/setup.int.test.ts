import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { skipUnlessService } from '@fh/test-support';
import { startTestMr, type TestMr } from '../testing/index.ts';

const setupBody = (over: Record<string, unknown> = {}) => ({
  organizationName: 'Acme',
  portfolio: 'Web',
  name: 'Ada Admin',
  emailAddress: 'Ada@Example.com',
  password: 'password123',
  ...over,
});

for (const dialect of ['sqlite', 'postgres', 'mysql'] as const) {
  describe(`setup over HTTP (${dialect})`, {
    skip: dialect === 'sqlite' ? false : await skipUnlessService(dialect),
  }, () => {
    let mr: TestMr;
    before(async () => {
      mr = await startTestMr({ dialect });
    });
    after(async () => {
      await mr?.close();
    });

    it('answers 404 with the login providers until FeatureHub is set up', async () => {
      const res = await mr.client.get('/initialize');
      assert.equal(res.status, 404);
      assert.deepEqual(res.body.providers, ['local']);
      assert.deepEqual(res.body.capabilityInfo, { trackingId: '' });
    });

    it('refuses blank names, email and password with 400 and sets nothing up', async () => {
      for (const over of [
        { organizationName: '  ' },
        { portfolio: '' },
        { name: ' ' },
        { name: null },
        { emailAddress: null },
        { password: '' },
        { password: 'short' },
        { authProvider: 'oauth2-google' },
      ]) {
        const res = await mr.client.post('/initialize', setupBody(over));
        assert.equal(res.status, 400, JSON.stringify(over));
      }
      assert.equal((await mr.client.get('/initialize')).status, 404);
    });

    it('of concurrent setups exactly one wins and the others get 409', async () => {
      const results = await Promise.all(
        Array.from({ length: 6 }, (_, i) =>
          mr.client.post('/initialize', setupBody({ emailAddress: `first${i}@example.com` })),
        ),
      );
      const statuses = results.map((r) => r.status).sort();
      assert.deepEqual(statuses, [200, 409, 409, 409, 409, 409]);
      const winner = results.find((r) => r.status === 200)!;
      assert.match(winner.body.accessToken, /^[A-Za-z0-9]{36}$/);
      assert.equal(winner.body.person.personType, 'person');
      const groups = winner.body.person.groups as {
        name: string;
        admin: boolean;
        portfolioId: string | null;
      }[];
      assert.deepEqual(groups.map((g) => [g.name, g.admin, g.portfolioId === null]).sort(), [
        ['Web Administrators', true, false],
        ['org_admin', true, true],
      ]);
      const people = await mr.client.withToken(winner.body.accessToken).get('/person');
      assert.equal(people.status, 200);
      assert.equal(people.body.max, 1);
    });

    it('once set up, GET /initialize names the organisation and its superuser group', async () => {
      const res = await mr.client.get('/initialize');
      assert.equal(res.status, 200);
      assert.equal(res.body.organization.name, 'Acme');
      assert.equal(res.body.organization.orgGroup.name, 'org_admin');
      assert.deepEqual(res.body.providers, ['local']);
      // Upstream's admin UI offers webhooks and feature groups only where these say "true"; both are served.
      assert.deepEqual(res.body.capabilityInfo, {
        'webhook.features': 'true',
        featureGroupsEnabled: 'true',
        dacha1Enabled: 'false',
        trackingId: '',
      });
    });

    it('a second setup is a 409', async () => {
      const res = await mr.client.post('/initialize', setupBody({ emailAddress: 'late@example.com' }));
      assert.equal(res.status, 409);
    });

    it('once set up, any setup request is a 409, before its body is checked or a password hashed', async () => {
      for (const body of [
        { organizationName: 'SSO', portfolio: 'SSO' },
        setupBody({ name: ' ', password: 'short' }),
      ]) {
        const res = await mr.client.post('/initialize', body);
        assert.equal(res.status, 409, JSON.stringify(res.body));
      }
    });
  });
}

describe('setup then login', () => {
  let mr: TestMr;
  before(async () => {
    mr = await startTestMr();
  });
  after(async () => {
    await mr?.close();
  });

  it('the first user can log in with the email in any case and gets a new session', async () => {
    const first = await mr.client.post('/initialize', setupBody());
    assert.equal(first.status, 200);
    assert.equal(first.body.person.email, 'ada@example.com');
    // the superuser group and the portfolio's administrators group, each with its (empty) role lists
    const groups = first.body.person.groups as {
      admin: boolean;
      applicationRoles: [];
      environmentRoles: [];
    }[];
    assert.equal(groups.length, 2);
    for (const g of groups)
      assert.deepEqual([g.admin, g.applicationRoles, g.environmentRoles], [true, [], []]);
    const login = await mr.client.post('/login', { email: 'ADA@example.com', password: 'password123' });
    assert.equal(login.status, 200);
    assert.notEqual(login.body.accessToken, first.body.accessToken);
    assert.equal(login.body.person.id.id, first.body.person.id.id);
    assert.ok(login.body.person.whenLastAuthenticated);
  });
});
