// GitHub single sign-on in the admin UI: headless Chromium against the built `featurehub party` command and a fake
// GitHub. The sign-in page shows the GitHub button; it goes to GitHub and back signed in as the person with the
// account's primary verified email; a person pressing Cancel at GitHub comes back to the sign-in page with the reason.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MrClient } from '@fh/mr/testing';
import type { Browser, BrowserContext } from 'playwright-core';
import {
  explained,
  launchChromium,
  newContext,
  skipWithoutChromium,
  watchPageErrors,
} from './test-support/browser.ts';
import {
  type GithubWorld,
  githubProvider,
  startGithubWorld,
  stopGithubWorld,
} from './test-support/github-world.ts';

describe('GitHub single sign-on in the admin UI (Chromium)', { skip: skipWithoutChromium() }, () => {
  let w: GithubWorld;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  before(async () => {
    w = await startGithubWorld((gh, base) => ({
      properties: [...githubProvider(gh)],
      env: { SITE_URL: base },
    }));
    const setup = await fetch(`${w.mr.baseUrl}/mr-api/initialize`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ organizationName: 'GH Org', portfolio: 'First', authProvider: 'oauth2-github' }),
    });
    assert.equal(setup.status, 200);
    browser = await launchChromium();
  });

  after(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    await stopGithubWorld(w);
  });

  it('the GitHub button signs the first person in as the superuser, by primary verified email', async () => {
    const context = await newContext(browser, w.mr.baseUrl);
    contexts.push(context);
    const page = await context.newPage();
    const errors = watchPageErrors(page);
    await explained(page, errors, async () => {
      await page.goto('/login');
      const button = page.getByTestId('login-provider-oauth2-github');
      assert.equal((await button.textContent())?.trim(), 'Sign in with GitHub');
      w.gh.next({
        login: 'ada',
        name: 'Ada Lovelace',
        emails: [
          { email: 'ada@noreply.example.com', primary: false, verified: true },
          { email: 'ada@example.com', primary: true, verified: true },
        ],
      });
      await button.click();
      await page.getByRole('link', { name: 'Portfolios' }).waitFor();
      assert.match(page.url(), /\/applications$/);
      const token = (await page.evaluate('localStorage.getItem("fh.bearer")')) as string | null;
      assert.ok(token);
      const self = await new MrClient(w.mr.baseUrl, token).get('/person/self?includeGroups=true');
      assert.equal(self.body.email, 'ada@example.com');
      assert.equal(self.body.name, 'Ada Lovelace');
      assert.ok((self.body.groups as Array<{ name: string }>).some((g) => g.name === 'org_admin'));
    });
  });

  it('Cancel at GitHub comes back to the sign-in page with the reason, nobody signed in', async () => {
    const context = await newContext(browser, w.mr.baseUrl);
    contexts.push(context);
    const page = await context.newPage();
    const errors = watchPageErrors(page);
    await explained(page, errors, async () => {
      await page.goto('/login');
      w.gh.next({ deny: true });
      await page.getByTestId('login-provider-oauth2-github').click();
      await page.getByTestId('login-sso-error').getByText('cancelled or refused').waitFor();
      assert.match(page.url(), /\/login\?sso-error=denied$/);
      assert.equal(await page.evaluate('localStorage.getItem("fh.bearer")'), null);
    });
  });
});
