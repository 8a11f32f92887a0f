// Single sign-on with SAML 2 through the built `featurehub party` command and a local SAML IdP: upstream's
// `saml.*` keys (IdP metadata file, SP certificate and key as bare base64), signed requests, signed responses,
// and a bad signature, another audience, a replay, a refusal and a foreign email domain refused with nobody
// signed in and nothing created.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { MrClient } from '@fh/mr/testing';
import { type RunningRole, startRole } from '@fh/test-support';
import { freePort, HttpBrowser } from './test-support/http-browser.ts';
import {
  pemBody,
  type SamlAnswer,
  selfSigned,
  startSamlIdp,
  type TestSamlIdp,
} from './test-support/saml-idp.ts';
import { refusalLogged } from './test-support/sso-refusals.ts';

describe('single sign-on with SAML 2, upstream keys in a properties file', () => {
  let mr: RunningRole;
  let idp: TestSamlIdp;
  let dir = '';
  let su: MrClient;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'fh-saml-'));
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const sp = selfSigned('featurehub-sp');
    idp = await startSamlIdp({ spCert: sp.cert });
    writeFileSync(join(dir, 'idp-metadata.xml'), idp.metadata);
    writeFileSync(
      join(dir, 'application.properties'),
      [
        'saml.idp-providers=corp',
        `saml.corp.idp.entity-id=${idp.entityId}`,
        `saml.corp.idp.metadata-file=${join(dir, 'idp-metadata.xml')}`,
        `saml.corp.sp.base-url=${base}`,
        `saml.corp.sp.x509-cert=${pemBody(sp.cert)}`,
        `saml.corp.sp.private-key=${pemBody(sp.key)}`,
        'saml.corp.email-domains=example.com, Example.org',
        'saml.corp.login.button-text=Sign in with Corp',
        'saml.corp.login.button-background-color=0xFF00AA00',
        `saml.adminUiUrlSuccess=${base}/`,
        `saml.adminUiUrlFailure=${base}/login`,
        '',
      ].join('\n'),
    );
    mr = await startRole('party', {
      env: {
        PORT: String(port),
        DB_URL: `sqlite:${join(dir, 'fh.db')}`,
        FEATUREHUB_CONFIG: join(dir, 'application.properties'),
      },
    });
    await mr.waitUntilReady();
  });

  after(async () => {
    await mr?.stop();
    await idp?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** Starts at `startUrl` (an MR endpoint answering {redirectUrl}), through the IdP, and posts its answer. */
  async function signIn(
    answer: SamlAnswer,
    browser = new HttpBrowser(),
    startRequest?: () => Promise<Response>,
  ) {
    idp.next(answer);
    const start = startRequest
      ? await startRequest()
      : (await browser.request(`${mr.baseUrl}/mr-api/external-provider/corp`)).res;
    assert.equal(start.status, 200);
    const { redirectUrl } = (await start.json()) as { redirectUrl: string };
    const [atIdp] = await browser.navigate(redirectUrl);
    assert.equal(atIdp!.status, 200, 'the IdP accepted the signed AuthnRequest and answers with a form');
    const posted = idp.lastPosted!;
    const { res, setCookies } = await browser.request(posted.acs, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        SAMLResponse: posted.SAMLResponse,
        RelayState: posted.RelayState,
      }).toString(),
    });
    return { res, setCookies, browser, posted, location: res.headers.get('location') };
  }

  async function people(): Promise<string[]> {
    const res = await su.get('/person?pageSize=100&includeDeactivated=true');
    return (res.body.people as Array<{ email: string }>).map((p) => p.email).sort();
  }

  async function assertRefused(
    outcome: { res: Response; setCookies: string[]; location: string | null },
    reason: string,
    before: string[],
  ) {
    assert.equal(outcome.res.status, 302);
    assert.equal(outcome.location, `${mr.baseUrl}/login?sso-error=${reason}`);
    assert.ok(!outcome.setCookies.some((c) => c.startsWith('bearer-token=')), 'no session handed out');
    assert.deepEqual(await people(), before, 'nobody created');
  }

  it('GET /initialize offers the SAML provider and its button', async () => {
    const body = (await (await fetch(`${mr.baseUrl}/mr-api/initialize`)).json()) as Record<string, unknown>;
    assert.deepEqual(body['providers'], ['local', 'corp']);
    assert.deepEqual(body['providerInfo'], {
      corp: { buttonIcon: '', buttonBackgroundColor: '0xFF00AA00', buttonText: 'Sign in with Corp' },
    });
  });

  it('publishes this SP’s metadata with its entity id, assertion consumer service and certificate', async () => {
    const res = await fetch(`${mr.baseUrl}/saml/corp/metadata`);
    assert.equal(res.status, 200);
    const xml = await res.text();
    assert.match(xml, new RegExp(`entityID="${mr.baseUrl}/saml/corp/metadata"`));
    assert.match(xml, new RegExp(`Location="${mr.baseUrl}/saml/corp/sso"`));
    assert.match(xml, /X509Certificate/);
    assert.equal((await fetch(`${mr.baseUrl}/saml/other/metadata`)).status, 404);
  });

  it('setup for SAML: the first person through the IdP becomes the superuser, by a signed request', async () => {
    const browser = new HttpBrowser();
    const done = await signIn({ email: 'Ada@Example.com', name: 'Ada Lovelace' }, browser, () =>
      fetch(`${mr.baseUrl}/mr-api/initialize`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ organizationName: 'SAML Org', portfolio: 'First', authProvider: 'corp' }),
      }),
    );
    assert.equal(done.res.status, 302, await done.res.text());
    assert.equal(done.location, `${mr.baseUrl}/`);
    const handoff = done.setCookies.find((c) => c.startsWith('bearer-token='));
    assert.match(handoff ?? '', /Max-Age=60/);
    su = new MrClient(mr.baseUrl, browser.cookie(mr.baseUrl, 'bearer-token'));
    const self = await su.get('/person/self?includeGroups=true');
    assert.equal(self.status, 200);
    assert.equal(self.body.email, 'ada@example.com');
    assert.equal(self.body.name, 'Ada Lovelace');
    assert.ok((self.body.groups as Array<{ name: string }>).some((g) => g.name === 'org_admin'));
    assert.deepEqual(idp.requests, { signed: 1, unsigned: 0 });
  });

  it('someone else signs in and is created, not a superuser', async () => {
    const done = await signIn({ email: 'bob@example.org', name: 'Bob Builder' });
    assert.equal(done.location, `${mr.baseUrl}/`);
    assert.deepEqual(await people(), ['ada@example.com', 'bob@example.org']);
  });

  it('a response signed by another key is refused', async () => {
    const before = await people();
    const done = await signIn({ email: 'eve@example.com', name: 'Eve', mode: 'bad-signature' });
    await assertRefused(done, 'invalid', before);
    await refusalLogged(mr, /signature/i);
  });

  it('a response for another audience is refused', async () => {
    const before = await people();
    const done = await signIn({ email: 'eve@example.com', name: 'Eve', mode: 'other-audience' });
    await assertRefused(done, 'invalid', before);
    await refusalLogged(mr, /audience/i);
  });

  it('a replayed response is refused, with its RelayState or a fresh one', async () => {
    const first = await signIn({ email: 'carol@example.com', name: 'Carol' });
    assert.equal(first.location, `${mr.baseUrl}/`);
    const before = await people();
    const post = async (relayState: string) => {
      const { res, setCookies } = await new HttpBrowser().request(first.posted.acs, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          SAMLResponse: first.posted.SAMLResponse,
          RelayState: relayState,
        }).toString(),
      });
      return { res, setCookies, location: res.headers.get('location') };
    };
    await assertRefused(await post(first.posted.RelayState), 'invalid', before);
    // A fresh sign-in's RelayState does not make the old response (answering an old request) acceptable.
    const fresh = await (await fetch(`${mr.baseUrl}/mr-api/external-provider/corp`)).json();
    const relayState = new URL((fresh as { redirectUrl: string }).redirectUrl).searchParams.get(
      'RelayState',
    )!;
    await assertRefused(await post(relayState), 'invalid', before);
    await refusalLogged(mr, /InResponseTo/i);
    await assertRefused(await post('made-up'), 'invalid', before);
  });

  it('a refusal at the IdP is refused as denied; a foreign email domain as email_domain', async () => {
    const before = await people();
    await assertRefused(await signIn({ deny: true }), 'denied', before);
    await assertRefused(
      await signIn({ email: 'mallory@elsewhere.net', name: 'Mallory' }),
      'email_domain',
      before,
    );
  });
});
