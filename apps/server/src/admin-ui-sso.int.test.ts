// Single sign-on in the admin UI: headless Chromium against the built `featurehub party` command and a real
// local OpenID provider (and a local SAML IdP). The sign-in page shows the provider's button (and no password form when local login
// is off); the button goes to the IdP and back signed in; a refusal comes back as a message on the sign-in page.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { MrClient } from '@fh/mr/testing';
import { type RunningRole, startRole } from '@fh/test-support';
import type { Browser, BrowserContext } from 'playwright-core';
import {
  explained,
  launchChromium,
  newContext,
  skipWithoutChromium,
  watchPageErrors,
} from './test-support/browser.ts';
import { freePort } from './test-support/http-browser.ts';
import { pemBody, selfSigned, startSamlIdp, type TestSamlIdp } from './test-support/saml-idp.ts';
import {
  genericProvider,
  type SsoWorld,
  setUpForSso,
  startSsoWorld,
  stopSsoWorld,
} from './test-support/sso-world.ts';

const ADA = { email: 'ada@example.com', name: 'Ada Lovelace' };

describe('single sign-on in the admin UI (Chromium)', { skip: skipWithoutChromium() }, () => {
  let both: SsoWorld;
  let ssoOnly: SsoWorld;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  before(async () => {
    both = await startSsoWorld((idp, base) => ({
      properties: [
        ...genericProvider(idp),
        `oauth2.redirectUrl=${base}/oauth/auth`,
        `oauth2.adminUiUrlSuccess=${base}/`,
        `oauth2.adminUiUrlFailure=${base}/login`,
        'oauth2.providers.generic.icon.text=Sign in with Test IdP',
        'oauth2.providers.generic.icon.background-color=0xFF123456',
      ],
    }));
    ssoOnly = await startSsoWorld((idp, base) => ({
      properties: [...genericProvider(idp), 'auth.disable-login=true'],
      env: { SITE_URL: base },
    }));
    await setUpForSso(both);
    browser = await launchChromium();
  });

  after(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    await stopSsoWorld(both);
    await stopSsoWorld(ssoOnly);
  });

  it('the first person to press the button signs in at the IdP and comes back as the superuser', async () => {
    const context = await newContext(browser, both.mr.baseUrl);
    contexts.push(context);
    const page = await context.newPage();
    const errors = watchPageErrors(page);
    await explained(page, errors, async () => {
      await page.goto('/');
      await page.waitForURL(/\/login$/);
      assert.equal(await page.getByTestId('login-form').count(), 1, 'local login is on');
      const button = page.getByTestId('login-provider-oauth2-generic');
      assert.equal((await button.textContent())?.trim(), 'Sign in with Test IdP');

      both.idp.next(ADA);
      await button.click();
      await page.waitForURL(/\/applications$/);
      // The UI took the session from the hand-off cookie and deleted the cookie.
      assert.equal(await page.evaluate('document.cookie.includes("bearer-token")'), false);
      const token = (await page.evaluate('localStorage.getItem("fh.bearer")')) as string | null;
      assert.ok(token, 'the session is the UI’s own now');
      const self = await new MrClient(both.mr.baseUrl, token).get('/person/self?includeGroups=true');
      assert.equal(self.body.email, ADA.email);
      assert.ok((self.body.groups as Array<{ name: string }>).some((g) => g.name === 'org_admin'));
      await page.getByRole('link', { name: 'Portfolios' }).waitFor();

      await page.getByTestId('sign-out').click();
      await page.getByTestId('login-form').waitFor();
      assert.match(page.url(), /\/login$/);
    });
  });

  it('a refusal at the IdP comes back to the sign-in page with the reason, nobody signed in', async () => {
    const context = await newContext(browser, both.mr.baseUrl);
    contexts.push(context);
    const page = await context.newPage();
    const errors = watchPageErrors(page);
    await explained(page, errors, async () => {
      await page.goto('/login');
      both.idp.next({ deny: 'cancelled' });
      await page.getByTestId('login-provider-oauth2-generic').click();
      await page.getByTestId('login-sso-error').getByText('cancelled or refused').waitFor();
      assert.match(page.url(), /\/login\?sso-error=denied$/);
      assert.equal(await page.evaluate('localStorage.getItem("fh.bearer")'), null);
      assert.equal(await page.getByTestId('login-form').count(), 1);
    });
  });

  it('someone the site does not know yet is created and signed in (auth.userMustBeCreatedFirst is off)', async () => {
    const context = await newContext(browser, both.mr.baseUrl);
    contexts.push(context);
    const page = await context.newPage();
    const errors = watchPageErrors(page);
    await explained(page, errors, async () => {
      await page.goto('/login');
      both.idp.next({ email: 'grace@example.com', name: 'Grace Hopper' });
      await page.getByTestId('login-provider-oauth2-generic').click();
      await page.getByText('Grace Hopper').first().waitFor();
      assert.match(page.url(), /\/applications$/);
    });
  });

  it('SAML: the button goes to the IdP, whose signed answer is posted back, and the person is signed in', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fh-ui-saml-'));
    let mr: RunningRole | undefined;
    let idp: TestSamlIdp | undefined;
    try {
      const port = await freePort();
      const base = `http://127.0.0.1:${port}`;
      const sp = selfSigned('featurehub-sp');
      idp = await startSamlIdp({ spCert: sp.cert });
      writeFileSync(
        join(dir, 'application.properties'),
        [
          'saml.idp-providers=corp',
          `saml.corp.idp.entity-id=${idp.entityId}`,
          `saml.corp.idp.metadata-text=${idp.metadata.replace(/\n/g, ' ')}`,
          `saml.corp.sp.base-url=${base}`,
          `saml.corp.sp.x509-cert=${pemBody(sp.cert)}`,
          `saml.corp.sp.private-key=${pemBody(sp.key)}`,
          'saml.corp.login.button-text=Sign in with Corp SAML',
          '',
        ].join('\n'),
      );
      mr = await startRole('party', {
        env: {
          PORT: String(port),
          SITE_URL: base,
          DB_URL: `sqlite:${join(dir, 'fh.db')}`,
          FEATUREHUB_CONFIG: join(dir, 'application.properties'),
        },
      });
      await mr.waitUntilReady();
      const setup = await fetch(`${base}/mr-api/initialize`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ organizationName: 'SAML Org', portfolio: 'First', authProvider: 'corp' }),
      });
      assert.equal(setup.status, 200);

      const context = await newContext(browser, base);
      contexts.push(context);
      const page = await context.newPage();
      const errors = watchPageErrors(page);
      await explained(page, errors, async () => {
        await page.goto('/login');
        const button = page.getByTestId('login-provider-corp');
        assert.equal((await button.textContent())?.trim(), 'Sign in with Corp SAML');
        idp!.next({ email: 'ada@example.com', name: 'Ada Lovelace' });
        await button.click();
        await page.getByText('Ada Lovelace').first().waitFor();
        assert.match(page.url(), /\/applications$/);
        await page.getByRole('link', { name: 'Portfolios' }).waitFor();
      });
    } finally {
      await mr?.stop();
      await idp?.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('with local login off: the setup wizard offers the provider, whose first person becomes the superuser; the sign-in page has no password form', async () => {
    const context = await newContext(browser, ssoOnly.mr.baseUrl);
    contexts.push(context);
    const page = await context.newPage();
    const errors = watchPageErrors(page);
    await explained(page, errors, async () => {
      await page.goto('/');
      await page.waitForURL(/\/setup$/);
      await page.getByTestId('setup-org-name').fill('SSO Only Org');
      await page.getByTestId('setup-portfolio-name').fill('First');
      await page.getByTestId('setup-next').click();
      const provider = page.getByTestId('setup-provider-oauth2-generic');
      await provider.waitFor();
      assert.equal(await page.getByTestId('setup-name').count(), 0, 'no name, email or password to give');
      assert.equal(await page.getByTestId('setup-next').count(), 0);
      ssoOnly.idp.next(ADA);
      await provider.click();
      await page.getByRole('link', { name: 'Portfolios' }).waitFor();
      assert.match(page.url(), /\/applications$/);
      const token = (await page.evaluate('localStorage.getItem("fh.bearer")')) as string | null;
      const self = await new MrClient(ssoOnly.mr.baseUrl, token!).get('/person/self?includeGroups=true');
      assert.ok((self.body.groups as Array<{ name: string }>).some((g) => g.name === 'org_admin'));

      await page.getByTestId('sign-out').click();
      await page.getByTestId('login-provider-oauth2-generic').waitFor();
      assert.equal(await page.getByTestId('login-form').count(), 0);
      assert.equal(await page.getByTestId('login-password').count(), 0);
      await page.getByTestId('login-provider-oauth2-generic').click();
      await page.getByRole('link', { name: 'Portfolios' }).waitFor();

      // the account page has no password form (the server would refuse it): the identity provider keeps it
      await page.getByTestId('account-link').click();
      await page.getByTestId('password-managed-by-sso').waitFor();
      assert.equal(await page.getByTestId('change-password-form').count(), 0);
    });
  });
});
