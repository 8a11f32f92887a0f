// Single sign-on with GitHub (`oauth2-github`) through the built `featurehub party` command and a fake GitHub
// (test-support/fake-github.ts) at `oauth2.providers.github.url`, as a GitHub Enterprise Server would be: the
// code redeemed with the client secret and the PKCE verifier, the person read from /user and /user/emails with
// the primary verified email, and every forged or failed answer refused with nobody signed in and nothing created.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { MrClient } from '@fh/mr/testing';
import { runRoleToExit } from '@fh/test-support';
import { FAKE_GITHUB_SECRET, type GithubAccount } from './test-support/fake-github.ts';
import { type GithubWorld, startGithubWorld, stopGithubWorld } from './test-support/github-world.ts';
import { type Hop, HttpBrowser } from './test-support/http-browser.ts';
import { refusalLogged } from './test-support/sso-refusals.ts';

const startWorld = startGithubWorld;
const stopWorld = stopGithubWorld;

const ADA: GithubAccount = {
  login: 'ada',
  name: 'Ada Lovelace',
  email: null,
  emails: [
    { email: 'ada@old-job.example.com', primary: false, verified: true },
    { email: 'Ada@Example.com', primary: true, verified: true },
  ],
};

function account(login: string, name: string | null, email = `${login}@example.com`): GithubAccount {
  return { login, name, emails: [{ email, primary: true, verified: true }] };
}

/** From the MR's redirect to GitHub until the browser is about to leave the callback. */
async function throughGithub(browser: HttpBrowser, redirectUrl: string, mrBase: string): Promise<Hop[]> {
  return browser.navigate(redirectUrl, (next) => next.origin === mrBase && next.pathname !== '/oauth/auth');
}

async function signIn(browser: HttpBrowser, w: GithubWorld) {
  const start = await browser.request(`${w.mr.baseUrl}/mr-api/external-provider/oauth2-github`);
  assert.equal(start.res.status, 200, await start.res.clone().text());
  const { redirectUrl } = (await start.res.json()) as { redirectUrl: string };
  const hops = await throughGithub(browser, redirectUrl, w.mr.baseUrl);
  const last = hops.at(-1)!;
  return { hops, redirectUrl, landedOn: new URL(last.location!, last.url), last };
}

async function people(su: MrClient): Promise<string[]> {
  const res = await su.get('/person?pageSize=100&includeDeactivated=true');
  assert.equal(res.status, 200);
  return (res.body.people as Array<{ email: string }>).map((p) => p.email).sort();
}

describe("single sign-on with GitHub, upstream's keys in a properties file", () => {
  let w: GithubWorld;
  let su: MrClient;

  before(async () => {
    w = await startWorld((gh, base) => ({
      properties: [
        'oauth2.providers=oauth2-github',
        `oauth2.redirectUrl=${base}/oauth/auth`,
        `oauth2.adminUiUrlSuccess=${base}/`,
        `oauth2.adminUiUrlFailure=${base}/login`,
        `oauth2.providers.github.id=${gh.clientId}`,
        `oauth2.providers.github.secret=${FAKE_GITHUB_SECRET}`,
        `oauth2.providers.github.url=${gh.url}`,
      ],
    }));
  });
  after(() => stopWorld(w));

  /** A refusal: to the failure page with the reason, no session cookie, nobody new. */
  async function assertRefused(hop: Hop, reason: string, before: string[]): Promise<void> {
    assert.equal(hop.status, 302);
    assert.equal(hop.location, `${w.mr.baseUrl}/login?sso-error=${reason}`);
    assert.ok(!hop.setCookies.some((c) => c.startsWith('bearer-token=')), 'no session handed out');
    assert.deepEqual(await people(su), before, 'nobody created');
  }

  it('GET /initialize offers GitHub with its button', async () => {
    const res = await fetch(`${w.mr.baseUrl}/mr-api/initialize`);
    assert.equal(res.status, 404);
    const body = (await res.json()) as Record<string, unknown>;
    assert.deepEqual(body['providers'], ['local', 'oauth2-github']);
    assert.deepEqual(body['providerInfo'], {
      'oauth2-github': {
        buttonIcon: '',
        buttonBackgroundColor: '0xFF24292F',
        buttonText: 'Sign in with GitHub',
      },
    });
  });

  it('setup for single sign-on: the first person through GitHub becomes the superuser, by primary verified email', async () => {
    const browser = new HttpBrowser();
    const setup = await browser.request(`${w.mr.baseUrl}/mr-api/initialize`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ organizationName: 'GH Org', portfolio: 'First', authProvider: 'oauth2-github' }),
    });
    assert.equal(setup.res.status, 200);
    const { redirectUrl } = (await setup.res.json()) as Record<string, string>;
    assert.ok(redirectUrl?.startsWith(`${w.gh.url}/login/oauth/authorize?`), redirectUrl);
    const authorize = new URL(redirectUrl!);
    assert.equal(authorize.searchParams.get('client_id'), w.gh.clientId);
    assert.equal(authorize.searchParams.get('scope'), 'read:user user:email', "upstream's scopes");
    assert.equal(authorize.searchParams.get('code_challenge_method'), 'S256', 'PKCE');
    assert.match(authorize.searchParams.get('state') ?? '', /^oauth2-github;.{20,}$/);
    assert.equal(authorize.searchParams.get('redirect_uri'), `${w.mr.baseUrl}/oauth/auth`);

    w.gh.next(ADA);
    const seenBefore = w.gh.seen.length;
    const hops = await throughGithub(browser, redirectUrl!, w.mr.baseUrl);
    const last = hops.at(-1)!;
    assert.equal(last.status, 302);
    assert.equal(last.location, `${w.mr.baseUrl}/`);
    const token = browser.cookie(w.mr.baseUrl, 'bearer-token');
    assert.ok(token, 'the session comes in the bearer-token cookie');

    su = new MrClient(w.mr.baseUrl, token);
    const self = await su.get('/person/self?includeGroups=true');
    assert.equal(self.status, 200);
    assert.equal(self.body.email, 'ada@example.com', 'the primary verified address, lower-cased');
    assert.equal(self.body.name, 'Ada Lovelace');
    assert.ok(
      (self.body.groups as Array<{ name: string }>).some((g) => g.name === 'org_admin'),
      'superuser',
    );

    const calls = w.gh.seen.slice(seenBefore);
    const tokenCall = calls.find((c) => c.path === '/login/oauth/access_token');
    assert.equal(tokenCall?.outcome, 'ok', 'the code redeemed with the secret and the PKCE verifier');
    assert.equal(tokenCall?.form?.['client_secret'], FAKE_GITHUB_SECRET);
    assert.ok((tokenCall?.form?.['code_verifier'] ?? '').length >= 43);
    const api = calls.filter((c) => c.path.startsWith('/api/v3/'));
    assert.deepEqual(
      api.map((c) => c.path),
      ['/api/v3/user', '/api/v3/user/emails'],
    );
    for (const call of api) {
      assert.equal(call.headers.accept, 'application/vnd.github+json');
      assert.ok(call.headers['user-agent'], 'GitHub refuses API calls without a User-Agent');
    }
  });

  it('someone new signs in: created by primary email, not a superuser; no profile name means the login', async () => {
    w.gh.next(account('bobthebuilder', null, 'bob@example.com'));
    const browser = new HttpBrowser();
    const { landedOn } = await signIn(browser, w);
    assert.equal(landedOn.href, `${w.mr.baseUrl}/`);
    assert.deepEqual(await people(su), ['ada@example.com', 'bob@example.com']);
    const self = await new MrClient(w.mr.baseUrl, browser.cookie(w.mr.baseUrl, 'bearer-token')).get(
      '/person/self?includeGroups=true',
    );
    assert.equal(self.body.name, 'bobthebuilder');
    assert.ok(!(self.body.groups as Array<{ name: string }>).some((g) => g.name === 'org_admin'));
  });

  it('a forged state is refused, and a missing one', async () => {
    const before = await people(su);
    const browser = new HttpBrowser();
    await browser.request(`${w.mr.baseUrl}/mr-api/external-provider/oauth2-github`);
    const [hop] = await browser.navigate(
      `${w.mr.baseUrl}/oauth/auth?code=made-up&state=${encodeURIComponent('oauth2-github;forged')}`,
      () => true,
    );
    await assertRefused(hop!, 'invalid', before);
    const [noState] = await browser.navigate(`${w.mr.baseUrl}/oauth/auth?code=made-up`, () => true);
    await assertRefused(noState!, 'invalid', before);
  });

  it('a replayed callback is refused: each state works once', async () => {
    w.gh.next(account('carol', 'Carol'));
    const browser = new HttpBrowser();
    const first = await signIn(browser, w);
    assert.equal(first.landedOn.href, `${w.mr.baseUrl}/`);
    const before = await people(su);
    const callback = first.hops.find((h) => new URL(h.url).pathname === '/oauth/auth');
    assert.ok(callback);
    const [replay] = await browser.navigate(callback.url, () => true);
    await assertRefused(replay!, 'invalid', before);
  });

  it('a callback in another browser than the one that started the sign-in is refused', async () => {
    w.gh.next(account('dave', 'Dave'));
    const browser = new HttpBrowser();
    const start = await browser.request(`${w.mr.baseUrl}/mr-api/external-provider/oauth2-github`);
    const { redirectUrl } = (await start.res.json()) as { redirectUrl: string };
    const hops = await browser.navigate(redirectUrl, (next) => next.pathname === '/oauth/auth');
    const last = hops.at(-1)!;
    const before = await people(su);
    const [elsewhere] = await new HttpBrowser().navigate(new URL(last.location!, last.url).href, () => true);
    await assertRefused(elsewhere!, 'invalid', before);
  });

  it('the person pressing Cancel at GitHub (error=access_denied) is refused as denied', async () => {
    const before = await people(su);
    w.gh.next({ deny: true });
    const { last, hops } = await signIn(new HttpBrowser(), w);
    const callback = hops.find((h) => new URL(h.url).pathname === '/oauth/auth');
    assert.equal(new URL(callback!.url).searchParams.get('error'), 'access_denied');
    await assertRefused(last, 'denied', before);
  });

  it('a client secret GitHub no longer accepts is refused at the token endpoint', async () => {
    const before = await people(su);
    w.gh.setClientSecret('rotated-at-github');
    try {
      w.gh.next(account('eve', 'Eve'));
      const seenBefore = w.gh.seen.length;
      const { last } = await signIn(new HttpBrowser(), w);
      await assertRefused(last, 'invalid', before);
      await refusalLogged(w.mr, /incorrect_client_credentials/);
      const calls = w.gh.seen.slice(seenBefore);
      assert.equal(
        calls.find((c) => c.path === '/login/oauth/access_token')?.outcome,
        'incorrect_client_credentials',
      );
      assert.ok(!calls.some((c) => c.path.startsWith('/api/v3/')), 'no token, so no API call');
    } finally {
      w.gh.setClientSecret(FAKE_GITHUB_SECRET);
    }
  });

  it('an account without a primary verified email is refused', async () => {
    const before = await people(su);
    w.gh.next({
      login: 'mallory',
      name: 'Mallory',
      email: 'victim@example.com',
      emails: [
        { email: 'victim@example.com', primary: true, verified: false },
        { email: 'mallory@example.com', primary: false, verified: true },
      ],
    });
    const { last } = await signIn(new HttpBrowser(), w);
    await assertRefused(last, 'invalid', before);
    await refusalLogged(w.mr, /"mallory" has no primary email address GitHub has verified/);
  });
});

describe('GitHub only: auth.disable-login and auth.userMustBeCreatedFirst as environment variables', () => {
  let w: GithubWorld;
  let su: MrClient;

  before(async () => {
    w = await startWorld((gh, base) => ({
      env: {
        'auth.disable-login': 'true',
        'auth.userMustBeCreatedFirst': 'true',
        'oauth2.providers': 'oauth2-github',
        SITE_URL: base,
        'oauth2.providers.github.id': gh.clientId,
        'oauth2.providers.github.secret': FAKE_GITHUB_SECRET,
        'oauth2.providers.github.url': gh.url,
      },
    }));
  });
  after(() => stopWorld(w));

  it('sets up without a password; the first person becomes superuser', async () => {
    const init = (await (await fetch(`${w.mr.baseUrl}/mr-api/initialize`)).json()) as Record<string, unknown>;
    assert.deepEqual(init['providers'], ['oauth2-github']);
    const browser = new HttpBrowser();
    const setup = await browser.request(`${w.mr.baseUrl}/mr-api/initialize`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ organizationName: 'O', portfolio: 'P' }),
    });
    assert.equal(setup.res.status, 200, 'the only provider is used when setup names none');
    const { redirectUrl } = (await setup.res.json()) as { redirectUrl: string };
    w.gh.next(ADA);
    const hops = await throughGithub(browser, redirectUrl, w.mr.baseUrl);
    assert.equal(hops.at(-1)!.location, `${w.mr.baseUrl}/`);
    su = new MrClient(w.mr.baseUrl, browser.cookie(w.mr.baseUrl, 'bearer-token'));
    const self = await su.get('/person/self?includeGroups=true');
    assert.equal(self.body.email, 'ada@example.com');
    assert.ok((self.body.groups as Array<{ name: string }>).some((g) => g.name === 'org_admin'));
  });

  it('unknown people are refused; once an admin creates them they sign in', async () => {
    const before = await people(su);
    w.gh.next(account('frank', 'Frank'));
    const refused = await signIn(new HttpBrowser(), w);
    assert.equal(refused.landedOn.href, `${w.mr.baseUrl}/login?sso-error=unknown_user`);
    assert.deepEqual(await people(su), before, 'nobody created');

    assert.equal(
      (await su.post('/person', { email: 'frank@example.com', personType: 'person' })).status,
      200,
    );
    w.gh.next(account('frank', 'Frank'));
    const browser = new HttpBrowser();
    const ok = await signIn(browser, w);
    assert.equal(ok.landedOn.href, `${w.mr.baseUrl}/`);
    const self = await new MrClient(w.mr.baseUrl, browser.cookie(w.mr.baseUrl, 'bearer-token')).get(
      '/person/self',
    );
    assert.equal(self.body.email, 'frank@example.com');
    assert.equal(self.body.name, 'Frank');
  });
});

describe('GitHub settings that cannot work', () => {
  it('stop the command at start with one line naming the key, exit code 2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fh-sso-github-bad-'));
    try {
      const missing = await runRoleToExit('party', {
        env: {
          DB_URL: `sqlite:${join(dir, 'fh.db')}`,
          'oauth2.providers': 'oauth2-github',
          'oauth2.providers.github.id': 'x',
        },
      });
      assert.equal(missing.code, 2);
      assert.match(
        missing.stderr,
        /^featurehub: invalid configuration: oauth2\.providers\.github\.secret: is required/m,
      );
      const insecure = await runRoleToExit('party', {
        env: {
          DB_URL: `sqlite:${join(dir, 'fh.db')}`,
          'oauth2.providers': 'oauth2-github',
          'oauth2.providers.github.id': 'x',
          'oauth2.providers.github.secret': 'y',
          'oauth2.providers.github.url': 'http://ghe.example.com',
        },
      });
      assert.equal(insecure.code, 2);
      assert.match(insecure.stderr, /oauth2\.providers\.github\.url: .*must be https/m);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
