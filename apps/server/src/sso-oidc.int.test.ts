// Single sign-on with OpenID Connect through the built `featurehub party` command and a real local OpenID
// provider (oidc-provider): configured with upstream's keys, set up for SSO, people signed in and created by
// email, and every forged or failed answer refused with nobody signed in and nothing created.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { MrClient } from '@fh/mr/testing';
import { runRoleToExit } from '@fh/test-support';
import { type Hop, HttpBrowser } from './test-support/http-browser.ts';
import { refusalLogged } from './test-support/sso-refusals.ts';
import {
  type SsoWorld,
  startSsoWorld as startWorld,
  stopSsoWorld as stopWorld,
} from './test-support/sso-world.ts';

const ADA = { email: 'ada@example.com', name: 'Ada Lovelace' };
const BOB = { email: 'Bob@Example.com', name: 'Bob Builder' };

/** From the MR's redirect to the IdP until the browser is about to leave the callback. */
async function throughIdp(browser: HttpBrowser, redirectUrl: string, mrBase: string): Promise<Hop[]> {
  return browser.navigate(redirectUrl, (next) => next.origin === mrBase && next.pathname !== '/oauth/auth');
}

/** Signs in at the provider's button (GET /external-provider) and returns the hops and where it ended. */
async function signIn(browser: HttpBrowser, w: SsoWorld, provider = 'oauth2-generic') {
  const start = await browser.request(`${w.mr.baseUrl}/mr-api/external-provider/${provider}`);
  assert.equal(start.res.status, 200, await start.res.clone().text());
  const { redirectUrl } = (await start.res.json()) as { redirectUrl: string };
  const hops = await throughIdp(browser, redirectUrl, w.mr.baseUrl);
  const last = hops.at(-1)!;
  return { hops, start, landedOn: new URL(last.location!, last.url), last };
}

function callbackOf(hops: Hop[]): string {
  const hop = hops.find((h) => new URL(h.url).pathname === '/oauth/auth');
  assert.ok(hop, 'the IdP sent the browser back to /oauth/auth');
  return hop.url;
}

/** What the MR logged about the latest refusal. */
async function people(su: MrClient): Promise<string[]> {
  const res = await su.get('/person?pageSize=100&includeDeactivated=true');
  assert.equal(res.status, 200);
  return (res.body.people as Array<{ email: string }>).map((p) => p.email).sort();
}

describe('single sign-on with OpenID Connect, upstream keys in a properties file', () => {
  let w: SsoWorld;
  let su: MrClient;
  let bobId = '';

  before(async () => {
    w = await startWorld((idp, base) => ({
      properties: [
        'oauth2.providers=oauth2-generic',
        `oauth2.redirectUrl=${base}/oauth/auth`,
        `oauth2.adminUiUrlSuccess=${base}/`,
        `oauth2.adminUiUrlFailure=${base}/login`,
        `oauth2.providers.generic.issuer=${idp.issuer}`,
        `oauth2.providers.generic.id=${idp.clientId}`,
        `oauth2.providers.generic.secret=${idp.clientSecret}`,
        'oauth2.providers.generic.scope=profile email',
        'oauth2.providers.generic.icon.url=https://example.com/idp.png',
        'oauth2.providers.generic.icon.background-color=0xFF123456',
        'oauth2.providers.generic.icon.text=Sign in with Test IdP',
      ],
    }));
  });
  after(() => stopWorld(w));

  it('GET /initialize offers the provider and its button before and after setup', async () => {
    const res = await fetch(`${w.mr.baseUrl}/mr-api/initialize`);
    assert.equal(res.status, 404);
    const body = (await res.json()) as Record<string, unknown>;
    assert.deepEqual(body['providers'], ['local', 'oauth2-generic']);
    assert.deepEqual(body['providerInfo'], {
      'oauth2-generic': {
        buttonIcon: 'https://example.com/idp.png',
        buttonBackgroundColor: '0xFF123456',
        buttonText: 'Sign in with Test IdP',
      },
    });
  });

  it('setup for single sign-on: the first person through the IdP becomes the superuser', async () => {
    const browser = new HttpBrowser();
    const setup = await browser.request(`${w.mr.baseUrl}/mr-api/initialize`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        organizationName: 'SSO Org',
        portfolio: 'First',
        authProvider: 'oauth2-generic',
      }),
    });
    assert.equal(setup.res.status, 200);
    const { redirectUrl, accessToken } = (await setup.res.json()) as Record<string, string>;
    assert.equal(accessToken, undefined, 'no one is signed in by setup itself');
    assert.ok(redirectUrl?.startsWith(`${w.idp.issuer}/auth?`), redirectUrl);
    const authorize = new URL(redirectUrl!);
    assert.equal(authorize.searchParams.get('code_challenge_method'), 'S256', 'PKCE');
    assert.match(authorize.searchParams.get('state') ?? '', /^oauth2-generic;.{20,}$/);
    assert.ok(authorize.searchParams.get('nonce'));
    assert.match(authorize.searchParams.get('scope') ?? '', /\bopenid\b/);
    const binding = setup.setCookies.find((c) => c.startsWith('fh-sso-binding='));
    assert.match(binding ?? '', /HttpOnly/i, 'the browser binding is not readable by scripts');

    w.idp.next(ADA);
    const hops = await throughIdp(browser, redirectUrl!, w.mr.baseUrl);
    const last = hops.at(-1)!;
    assert.equal(last.status, 302);
    assert.equal(last.location, `${w.mr.baseUrl}/`);
    const handoff = last.setCookies.find((c) => c.startsWith('bearer-token='));
    assert.ok(handoff, 'the session comes in the bearer-token cookie, as upstream');
    assert.match(handoff, /Max-Age=60/);
    assert.match(handoff, /SameSite=Lax/);
    assert.doesNotMatch(handoff, /HttpOnly/i, "upstream's admin UI reads it");
    const token = browser.cookie(w.mr.baseUrl, 'bearer-token')!;
    assert.equal(browser.cookie(w.mr.baseUrl, 'fh-sso-binding'), undefined, 'the binding is spent');

    su = new MrClient(w.mr.baseUrl, token);
    const self = await su.get('/person/self?includeGroups=true');
    assert.equal(self.status, 200);
    assert.equal(self.body.email, ADA.email);
    assert.equal(self.body.name, ADA.name);
    assert.ok(
      (self.body.groups as Array<{ name: string }>).some((g) => g.name === 'org_admin'),
      'superuser',
    );
    const portfolios = await su.get('/portfolio');
    assert.deepEqual(
      (portfolios.body as Array<{ name: string }>).map((p) => p.name),
      ['First'],
    );
  });

  it('someone new signs in: created by (lower-cased) email, not a superuser; the provider updates the name', async () => {
    w.idp.next(BOB);
    const { landedOn } = await signIn(new HttpBrowser(), w);
    assert.equal(landedOn.href, `${w.mr.baseUrl}/`);
    assert.deepEqual(await people(su), ['ada@example.com', 'bob@example.com']);
    const bob = (await su.get('/person?pageSize=100')).body.people.find(
      (p: { email: string }) => p.email === 'bob@example.com',
    );
    bobId = bob.id.id;
    const groups = (await su.get(`/person/${bobId}?includeGroups=true`)).body.groups as Array<{
      name: string;
    }>;
    assert.ok(!groups.some((g) => g.name === 'org_admin'));

    w.idp.next({ email: BOB.email, name: 'Robert Builder' });
    const browser = new HttpBrowser();
    const again = await signIn(browser, w);
    assert.equal(again.landedOn.href, `${w.mr.baseUrl}/`);
    const token = browser.cookie(w.mr.baseUrl, 'bearer-token')!;
    const self = await new MrClient(w.mr.baseUrl, token).get('/person/self');
    assert.equal(self.body.id.id, bobId, 'the same person');
    assert.equal(self.body.name, 'Robert Builder');
  });

  /** A refusal: to the failure page with the reason, no session cookie, nobody new. */
  async function assertRefused(hop: Hop, reason: string, before: string[]): Promise<void> {
    assert.equal(hop.status, 302);
    assert.equal(hop.location, `${w.mr.baseUrl}/login?sso-error=${reason}`);
    assert.ok(!hop.setCookies.some((c) => c.startsWith('bearer-token=')), 'no session handed out');
    assert.deepEqual(await people(su), before, 'nobody created');
  }

  it('a forged state is refused', async () => {
    const before = await people(su);
    const browser = new HttpBrowser();
    await browser.request(`${w.mr.baseUrl}/mr-api/external-provider/oauth2-generic`);
    const [hop] = await browser.navigate(
      `${w.mr.baseUrl}/oauth/auth?code=made-up&state=${encodeURIComponent('oauth2-generic;forged')}`,
      () => true,
    );
    await assertRefused(hop!, 'invalid', before);
    const [noState] = await browser.navigate(`${w.mr.baseUrl}/oauth/auth?code=made-up`, () => true);
    await assertRefused(noState!, 'invalid', before);
  });

  it('a replayed callback is refused: each state works once', async () => {
    w.idp.next({ email: 'carol@example.com', name: 'Carol' });
    const browser = new HttpBrowser();
    const first = await signIn(browser, w);
    assert.equal(first.landedOn.href, `${w.mr.baseUrl}/`);
    const before = await people(su);
    const [replay] = await browser.navigate(callbackOf(first.hops), () => true);
    await assertRefused(replay!, 'invalid', before);
  });

  it('a callback in another browser than the one that started the sign-in is refused (state bound to the browser)', async () => {
    w.idp.next({ email: 'dave@example.com', name: 'Dave' });
    const browser = new HttpBrowser();
    const start = await browser.request(`${w.mr.baseUrl}/mr-api/external-provider/oauth2-generic`);
    const { redirectUrl } = (await start.res.json()) as { redirectUrl: string };
    const hops = await browser.navigate(redirectUrl, (next) => next.pathname === '/oauth/auth');
    const last = hops.at(-1)!;
    const callback = new URL(last.location!, last.url).href;
    const before = await people(su);
    const [elsewhere] = await new HttpBrowser().navigate(callback, () => true);
    await assertRefused(elsewhere!, 'invalid', before);
  });

  it('the person refusing at the IdP (an IdP error) is refused as denied', async () => {
    const before = await people(su);
    w.idp.next({ deny: 'the person pressed cancel' });
    const { last } = await signIn(new HttpBrowser(), w);
    await assertRefused(last, 'denied', before);
  });

  it('a tampered id_token (claims changed after signing) is refused', async () => {
    const before = await people(su);
    w.idp.next({ email: 'eve@example.com', name: 'Eve' });
    w.idp.tokens('tampered');
    try {
      const { last } = await signIn(new HttpBrowser(), w);
      await assertRefused(last, 'invalid', before);
      await refusalLogged(w.mr, /signature/i);
    } finally {
      w.idp.tokens('honest');
    }
  });

  it('an expired id_token, signed by the IdP, is refused', async () => {
    const before = await people(su);
    w.idp.next({ email: 'eve@example.com', name: 'Eve' });
    w.idp.tokens('expired');
    try {
      const { last } = await signIn(new HttpBrowser(), w);
      await assertRefused(last, 'invalid', before);
      await refusalLogged(w.mr, /exp/i);
    } finally {
      w.idp.tokens('honest');
    }
  });

  it('a deactivated person is refused as archived; an unknown provider is a 404', async () => {
    assert.equal((await su.delete(`/person/${bobId}`)).status, 200);
    const before = await people(su);
    w.idp.next(BOB);
    const { last } = await signIn(new HttpBrowser(), w);
    await assertRefused(last, 'archived', before);
    const unknown = await fetch(`${w.mr.baseUrl}/mr-api/external-provider/oauth2-nope`);
    assert.equal(unknown.status, 404);
  });
});

describe('single sign-on only: auth.disable-login and auth.userMustBeCreatedFirst as environment variables', () => {
  let w: SsoWorld;
  let su: MrClient;

  before(async () => {
    w = await startWorld((idp, base) => ({
      env: {
        'auth.disable-login': 'true',
        'auth.userMustBeCreatedFirst': 'true',
        'oauth2.providers': 'oauth2-generic',
        SITE_URL: base,
        'oauth2.providers.generic.issuer': idp.issuer,
        'oauth2.providers.generic.id': idp.clientId,
        'oauth2.providers.generic.secret': idp.clientSecret,
      },
    }));
  });
  after(() => stopWorld(w));

  it('offers only the provider, sets up without a password, and the first person becomes superuser', async () => {
    const init = (await (await fetch(`${w.mr.baseUrl}/mr-api/initialize`)).json()) as Record<string, unknown>;
    assert.deepEqual(init['providers'], ['oauth2-generic']);
    const withPassword = await fetch(`${w.mr.baseUrl}/mr-api/initialize`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        organizationName: 'O',
        portfolio: 'P',
        name: 'N',
        emailAddress: 'n@example.com',
        password: 'password123',
        authProvider: 'local',
      }),
    });
    assert.equal(withPassword.status, 400, 'no password setup when local login is off');

    const browser = new HttpBrowser();
    const setup = await browser.request(`${w.mr.baseUrl}/mr-api/initialize`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ organizationName: 'O', portfolio: 'P' }),
    });
    assert.equal(setup.res.status, 200, 'the only provider is used when setup names none');
    const { redirectUrl } = (await setup.res.json()) as { redirectUrl: string };
    w.idp.next(ADA);
    const hops = await throughIdp(browser, redirectUrl, w.mr.baseUrl);
    assert.equal(hops.at(-1)!.location, `${w.mr.baseUrl}/`);
    su = new MrClient(w.mr.baseUrl, browser.cookie(w.mr.baseUrl, 'bearer-token'));
    const self = await su.get('/person/self?includeGroups=true');
    assert.ok((self.body.groups as Array<{ name: string }>).some((g) => g.name === 'org_admin'));
  });

  it('POST /login is refused while local login is off', async () => {
    const res = await fetch(`${w.mr.baseUrl}/mr-api/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: ADA.email, password: 'anything1' }),
    });
    assert.equal(res.status, 403);
    assert.match(((await res.json()) as { message: string }).message, /switched off/);
  });

  it('every other password path is refused too: registration, setting, changing and resetting a password', async () => {
    const created = await su.post('/person', {
      email: 'grace@example.com',
      name: 'Grace',
      personType: 'person',
    });
    assert.equal(created.status, 200);
    const token = String(created.body.token);
    const graceId = String(created.body.personId);
    const register = await fetch(`${w.mr.baseUrl}/mr-api/authentication`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        registrationToken: token,
        email: 'grace@example.com',
        name: 'Grace',
        password: 'password123',
        confirmPassword: 'password123',
      }),
    });
    assert.equal(register.status, 403);
    assert.match(
      ((await register.json()) as { message: string }).message,
      /Registering with a password is switched off/,
    );
    const self = await su.get('/person/self');
    const selfId = String((self.body.id as { id: string }).id);
    const refusals = [
      await su.put(`/authentication/${selfId}/changePassword`, {
        oldPassword: 'x',
        newPassword: 'password123',
      }),
      await su.put(`/authentication/${graceId}/resetPassword`, { password: 'password123' }),
      await su.put(`/authentication/${selfId}/replaceTempPassword`, { password: 'password123' }),
    ];
    for (const res of refusals) {
      assert.equal(res.status, 403, JSON.stringify(res.body));
      assert.match(String(res.body.message), /switched off on this server \(auth\.disable-login\)/);
    }
    const stillPending = await fetch(`${w.mr.baseUrl}/mr-api/authentication/${encodeURIComponent(token)}`);
    assert.equal(stillPending.status, 200, 'the refused registration registered nobody');
  });

  it('unknown people are refused; once an admin creates them they sign in', async () => {
    const before = await people(su);
    w.idp.next({ email: 'frank@example.com', name: 'Frank' });
    const refused = await signIn(new HttpBrowser(), w);
    assert.equal(refused.landedOn.href, `${w.mr.baseUrl}/login?sso-error=unknown_user`);
    assert.deepEqual(await people(su), before, 'nobody created');

    assert.equal(
      (await su.post('/person', { email: 'frank@example.com', personType: 'person' })).status,
      200,
    );
    w.idp.next({ email: 'frank@example.com', name: 'Frank' });
    const browser = new HttpBrowser();
    const ok = await signIn(browser, w);
    assert.equal(ok.landedOn.href, `${w.mr.baseUrl}/`);
    const self = await new MrClient(w.mr.baseUrl, browser.cookie(w.mr.baseUrl, 'bearer-token')).get(
      '/person/self',
    );
    assert.equal(self.body.email, 'frank@example.com');
    assert.equal(self.body.name, 'Frank');
  });

  it('a person an admin created is registered by signing in: their registration token stops working', async () => {
    const created = await su.post('/person', { email: 'hedy@example.com', personType: 'person' });
    assert.equal(created.status, 200);
    const token = String(created.body.token);
    const pending = await fetch(`${w.mr.baseUrl}/mr-api/authentication/${encodeURIComponent(token)}`);
    assert.equal(pending.status, 200, 'the registration link works before the sign-in');

    w.idp.next({ email: 'hedy@example.com', name: 'Hedy Lamarr' });
    const ok = await signIn(new HttpBrowser(), w);
    assert.equal(ok.landedOn.href, `${w.mr.baseUrl}/`);

    const after = await fetch(`${w.mr.baseUrl}/mr-api/authentication/${encodeURIComponent(token)}`);
    assert.equal(after.status, 404, 'the registration link no longer finds anyone');
    const id = String(created.body.personId);
    const hedy = await su.get(`/person/${id}`);
    assert.equal(hedy.status, 200);
    assert.equal(hedy.body.name, 'Hedy Lamarr');
  });
});

describe('single sign-on settings that cannot work', () => {
  it('stop the command at start with one line naming the key, exit code 2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fh-sso-bad-'));
    try {
      const { code, stderr } = await runRoleToExit('party', {
        env: {
          DB_URL: `sqlite:${join(dir, 'fh.db')}`,
          'oauth2.providers': 'oauth2-generic',
          'oauth2.providers.generic.id': 'x',
          'oauth2.providers.generic.secret': 'y',
        },
      });
      assert.equal(code, 2);
      assert.match(
        stderr,
        /^featurehub: invalid configuration: oauth2\.providers\.generic\.issuer: is required/m,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
