// The admin web UI end to end: headless Chromium (Debian's, driven by playwright-core) against the built
// `featurehub party` command (what `npm start` runs, through startRole), through the UI only; then the real
// SDK connects with the key copied from the UI.
// FH_SCREENSHOTS=1 also writes the screenshots under docs/screenshots/ that the README shows.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { percentageBucket } from '@fh/evaluation';
import { MrClient } from '@fh/mr/testing';
import { type RunningRole, repoRoot, startRole, until } from '@fh/test-support';
import { EdgeFeatureHubConfig, FHLog, Readyness } from 'featurehub-javascript-node-sdk';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import {
  clickLabelOf,
  closeToasts,
  explained,
  launchChromium,
  newContext,
  skipWithoutChromium,
  watchOutsideRequests,
  watchPageErrors,
} from './test-support/browser.ts';

FHLog.fhLog.quiet();

const SCREENSHOTS = process.env['FH_SCREENSHOTS'] === '1' ? join(repoRoot, 'docs/screenshots') : undefined;
const ADMIN = { name: 'Ada Admin', email: 'ada@example.com', password: 'password123' };
const DEVELOPER = 'dev@example.com';

async function shot(page: Page, name: string): Promise<void> {
  if (!SCREENSHOTS) return;
  mkdirSync(SCREENSHOTS, { recursive: true });
  // Let transitions and the toast settle so the picture shows the screen, not an animation frame.
  await closeToasts(page);
  await page.evaluate('document.fonts.ready');
  // Actions scroll the page; the picture shows each screen from its top (dialogs are fixed anyway).
  await page.evaluate('window.scrollTo(0, 0)');
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), animations: 'disabled' });
}

async function signIn(page: Page, landsOn: RegExp = /\/applications$/): Promise<void> {
  await page.getByTestId('login-email').fill(ADMIN.email);
  await page.getByTestId('login-password').fill(ADMIN.password);
  await page.getByTestId('login-submit').click();
  await page.waitForURL(landsOn);
}

describe('the admin UI in Chromium against the party server', { skip: skipWithoutChromium() }, () => {
  let party: RunningRole;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const sdks: EdgeFeatureHubConfig[] = [];
  let dataDir = '';
  let appId = '';
  let ready = false;

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'fh-ui-e2e-'));
    party = await startRole('party', { env: { DB_URL: `sqlite:${join(dataDir, 'featurehub.db')}` } });
    await party.waitUntilReady();
    // launch() starts Chromium on a fresh temporary profile of its own and removes it on close.
    browser = await launchChromium();
  });

  after(async () => {
    for (const s of sdks) s.close();
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    await party?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('sets up FeatureHub, builds an application with values and strategies, and the SDK sees them', async () => {
    const context = await newContext(browser, party.baseUrl, 1280, 800);
    contexts.push(context);
    const page = await context.newPage();
    const outside = watchOutsideRequests(page, party.baseUrl);
    const errors = watchPageErrors(page);
    let prodClient = '';
    let stagingClient = '';
    let prodServer = '';
    await explained(page, errors, async () => {
      // --- first-run wizard -----------------------------------------------------------------------
      await page.goto('/');
      await page.waitForURL(/\/setup$/);
      await page.getByTestId('setup-org-name').fill('Acme');
      await page.getByTestId('setup-portfolio-name').fill('Shop');
      await shot(page, 'setup-wizard');
      await page.getByTestId('setup-next').click();
      await page.getByTestId('setup-name').fill(ADMIN.name);
      await page.getByTestId('setup-email').fill(ADMIN.email);
      await page.getByTestId('setup-next').click();
      await page.getByTestId('setup-password').fill(ADMIN.password);
      await page.getByTestId('setup-confirm').fill(ADMIN.password);
      await page.getByTestId('setup-submit').click();
      await page.waitForURL(/\/applications$/);

      // --- sign out and in again ------------------------------------------------------------------
      await page.getByTestId('sign-out').click();
      await page.waitForURL(/\/login/);
      await page.getByTestId('login-email').waitFor();
      await shot(page, 'login');
      await signIn(page);

      // --- application ----------------------------------------------------------------------------
      await page.getByTestId('create-application').first().click();
      // The dialog puts the cursor in its first field, not on its Close button.
      await page.waitForFunction(
        `document.activeElement?.getAttribute('data-testid') === 'application-name'`,
      );
      await page.getByTestId('application-name').fill('Web shop');
      await page.getByTestId('application-description').fill('The customer-facing shop');
      await page.getByTestId('application-save').click();
      await page.getByTestId('application-dialog').waitFor({ state: 'detached' });
      // A new application opens on its (empty) features console.
      await page.waitForURL(/\/apps\/[^/]+\/features$/);
      appId = new URL(page.url()).pathname.split('/')[2] ?? '';
      assert.ok(appId);

      // --- a second environment -------------------------------------------------------------------
      await page.getByTestId('nav-environments').click();
      await page.waitForURL(/\/environments$/);
      await page.getByTestId('environment-item').filter({ hasText: 'production' }).waitFor();
      await page.getByTestId('create-environment').click();
      await page.getByTestId('environment-name').fill('staging');
      await page.getByTestId('environment-description').fill('Where changes are tried first');
      await page.getByTestId('environment-save').click();
      await page.getByTestId('environment-dialog').waitFor({ state: 'detached' });
      await page.getByTestId('environment-item').filter({ hasText: 'staging' }).waitFor();
      // Promotion order: staging comes before production.
      await page
        .getByTestId('environment-item')
        .filter({ hasText: 'staging' })
        .getByTestId('environment-up')
        .click();
      await page.getByTestId('environment-order-save').click();
      await page.getByTestId('environment-order-save').waitFor({ state: 'detached' });
      await page.getByTestId('environment-item').first().filter({ hasText: 'staging' }).waitFor();
      await shot(page, 'environments');

      // --- features of each type ------------------------------------------------------------------
      await page.getByTestId('nav-features').click();
      await page.waitForURL(/\/features/);
      const features: Array<[string, string, string]> = [
        ['New checkout', 'NEW_CHECKOUT', 'BOOLEAN'],
        ['Banner text', 'BANNER', 'STRING'],
        ['Basket limit', 'BASKET_LIMIT', 'NUMBER'],
        ['Theme', 'THEME', 'JSON'],
      ];
      for (const [name, key, type] of features) {
        await page.getByTestId('create-feature').click();
        await page.getByTestId('feature-name').fill(name);
        await page.getByTestId('feature-key').fill(key);
        await page.getByTestId('feature-type').selectOption(type);
        await page.getByTestId('feature-save').click();
        await page.getByTestId('feature-dialog').waitFor({ state: 'detached' });
        await page.getByTestId(`feature-row-${key}`).waitFor();
      }

      // The server's refusal in plain words: a key that is taken.
      await page.getByTestId('create-feature').click();
      await page.getByTestId('feature-name').fill('Banner again');
      await page.getByTestId('feature-key').fill('BANNER');
      await page.getByTestId('feature-save').click();
      await page
        .getByTestId('feature-dialog')
        .getByRole('alert')
        .filter({ hasText: 'A feature with key "BANNER" already exists in the application.' })
        .waitFor();
      await page.getByTestId('feature-dialog').getByTestId('modal-close').click();
      await page.getByTestId('feature-dialog').waitFor({ state: 'detached' });

      async function editValue(key: string, env: string, change: () => Promise<void>): Promise<void> {
        await page.getByTestId(`cell-${key}-${env}`).click();
        const editor = page.getByTestId('value-editor');
        await editor.waitFor();
        await change();
        await page.getByTestId('value-save').click();
        await editor.waitFor({ state: 'detached' });
      }
      const cell = (key: string, env: string) => page.getByTestId(`cell-${key}-${env}`);

      // production
      // New flags start locked and off in every environment (as upstream): unlock, then switch on.
      await editValue('NEW_CHECKOUT', 'production', async () => {
        await clickLabelOf(page, 'value-locked');
        await clickLabelOf(page, 'value-default-on');
      });
      await cell('NEW_CHECKOUT', 'production').filter({ hasText: 'On' }).waitFor();
      await editValue('BANNER', 'production', async () => {
        await page.getByTestId('value-default').fill('Welcome');
        await page.getByTestId('add-strategy').click();
        await page.getByTestId('strategy-editor').waitFor();
        await page.getByTestId('strategy-name').fill('Kiwi half');
        await page.getByTestId('strategy-percentage').fill('50');
        await page.getByTestId('add-rule-country').click();
        await page.getByTestId('rule-0-values').fill('New Zealand');
        await page.getByTestId('rule-0-values').press('Enter');
        await page.getByTestId('strategy-value').fill('Kia ora');
        await page.getByTestId('strategy-done').click();
        await page.getByTestId('strategy-editor').waitFor({ state: 'detached' });
        await page.getByTestId('strategy-item').filter({ hasText: 'Kiwi half' }).waitFor();
      });
      await cell('BANNER', 'production').filter({ hasText: '1 strategy' }).waitFor();
      await editValue('BASKET_LIMIT', 'production', () => page.getByTestId('value-default').fill('42.5'));
      await editValue('THEME', 'production', () =>
        page.getByTestId('value-default').fill('{"colour":"blue"}'),
      );
      // staging: different values, one set from the keyboard alone
      await cell('NEW_CHECKOUT', 'staging').focus();
      await page.keyboard.press('Enter');
      await page.getByTestId('value-editor').waitFor();
      await page.getByTestId('value-locked').focus();
      await page.keyboard.press('Space');
      await page.getByTestId('value-default-on').focus();
      await page.keyboard.press('Space');
      await page.getByTestId('value-save').focus();
      await page.keyboard.press('Enter');
      await page.getByTestId('value-editor').waitFor({ state: 'detached' });
      await cell('NEW_CHECKOUT', 'staging').filter({ hasText: 'On' }).waitFor();
      await editValue('BANNER', 'staging', () => page.getByTestId('value-default').fill('Staging banner'));
      await editValue('BASKET_LIMIT', 'staging', () => page.getByTestId('value-default').fill('7'));
      await editValue('THEME', 'staging', () => page.getByTestId('value-default').fill('{"colour":"green"}'));

      // lock one value
      await editValue('BASKET_LIMIT', 'production', () => clickLabelOf(page, 'value-locked'));
      await cell('BASKET_LIMIT', 'production').locator('[title="Locked"]').waitFor();
      await shot(page, 'features-console');
      await cell('BANNER', 'production').click();
      await page.getByTestId('value-updated').waitFor();
      await page.getByTestId('strategy-item').filter({ hasText: 'Kiwi half' }).waitFor();
      await shot(page, 'value-editor');
      await page.keyboard.press('Escape');
      await page.getByTestId('value-editor').waitFor({ state: 'detached' });

      // --- an SDK service account with access to both environments ---------------------------------
      await page.getByTestId('nav-service-accounts').click();
      await page.waitForURL(/\/service-accounts$/);
      await page.getByTestId('create-service-account').click();
      await page.getByTestId('service-account-name').fill('shop-sdk');
      await page.getByTestId('service-account-description').fill('The shop front end');
      await page.getByTestId('service-account-save').click();
      await page.getByTestId('service-account-dialog').waitFor({ state: 'detached' });
      await page.getByTestId('service-account-title').filter({ hasText: 'shop-sdk' }).waitFor();
      for (const env of ['production', 'staging']) {
        await page.getByTestId(`role-${env}-READ`).check();
      }
      await page.getByTestId('service-account-permissions-save').click();
      // The button is disabled while busy too: the toast is what says the save went through.
      await page.getByTestId('toasts').getByText('Saved permissions of shop-sdk in Web shop').waitFor();
      await shot(page, 'service-accounts');

      await page.getByTestId('nav-api-keys').click();
      await page.waitForURL(/\/api-keys$/);
      async function copiedKey(testId: string): Promise<string> {
        await page.getByTestId(testId).waitFor();
        await page.getByTestId(`${testId}-copy`).click();
        await page.getByTestId(`${testId}-copy`).filter({ hasText: 'Copied' }).waitFor();
        const copied = await page.evaluate<string>('navigator.clipboard.readText()');
        assert.equal(
          copied,
          await page.getByTestId(testId).inputValue(),
          'the copy button copies the key shown',
        );
        return copied;
      }
      prodClient = await copiedKey('api-key-client-shop-sdk-production');
      stagingClient = await copiedKey('api-key-client-shop-sdk-staging');
      prodServer = await copiedKey('api-key-server-shop-sdk-production');

      // --- a group with permissions in one application -----------------------------------------------
      await page.getByTestId('nav-groups').click();
      await page.waitForURL(/\/groups/);
      await page.getByTestId('group-item').first().waitFor();
      await page.getByTestId('create-group').click();
      await page.getByTestId('group-name').fill('Developers');
      await page.getByTestId('group-save').click();
      await page.getByTestId('group-dialog').waitFor({ state: 'detached' });
      await page.getByTestId('group-title').filter({ hasText: 'Developers' }).waitFor();
      await page.getByTestId('group-feature-permission').selectOption('edit');
      for (const role of ['READ', 'CHANGE_VALUE', 'LOCK', 'UNLOCK']) {
        await page.getByTestId(`role-staging-${role}`).check();
      }
      await page.getByTestId('role-production-READ').check();
      await page.getByTestId('group-permissions-save').click();
      await page.getByTestId('toasts').getByText('Saved permissions of Developers in Web shop').waitFor();
      await shot(page, 'groups');
      // Unticking every role of an environment takes the group's roles there away (the server changes only the
      // environments a save lists): seen after a reload, then production READ is given back.
      const savePermissions = async () => {
        const saved = page.waitForResponse(
          (r) => r.request().method() === 'PUT' && /\/group\//.test(r.url()),
        );
        await page.getByTestId('group-permissions-save').click();
        assert.equal((await saved).status(), 200);
      };
      await page.getByTestId('role-production-READ').uncheck();
      await savePermissions();
      await page.reload();
      await page.locator('[data-testid="role-staging-CHANGE_VALUE"]:checked').waitFor();
      assert.equal(
        await page.getByTestId('role-production-READ').isChecked(),
        false,
        'production roles removed',
      );
      await page.getByTestId('role-production-READ').check();
      await savePermissions();

      // --- invite someone into that group ----------------------------------------------------------
      await page.getByTestId('nav-users').click();
      await page.waitForURL(/\/users$/);
      await page.getByTestId(`user-row-${ADMIN.email}`).waitFor();
      await page.getByTestId('invite-user').click();
      await page.getByTestId('invite-email').fill(DEVELOPER);
      await page.getByTestId('invite-groups').getByLabel('Developers').check();
      await page.getByTestId('invite-submit').click();
      const invitation = await page.getByTestId('invite-url').inputValue();
      assert.match(invitation, /\/register-url\?token=/);
      await page.getByTestId('invite-done').click();
      await page.getByTestId(`user-row-${DEVELOPER}`).waitFor();
      await shot(page, 'users');

      await page.getByTestId('nav-applications').click();
      await page.getByTestId('application-card').filter({ hasText: 'Web shop' }).waitFor();
      await shot(page, 'applications');

      // The only refusals are the two this walk asks for: /initialize before setup, the taken key.
      assert.deepEqual(
        errors.map((e) => e.replace(party.baseUrl, '').replace(appId, ':appId')),
        ['404 from GET /mr-api/initialize', '409 from POST /mr-api/application/:appId/features'],
        'no page errors and no other failed requests',
      );
      assert.deepEqual(outside, [], 'the UI fetched nothing from any other host');
    });

    // --- the real SDK with the copied keys ----------------------------------------------------------
    // Server-evaluated keys connect per context (one config each, so close() ends every stream);
    // init() would open an extra stream that SDK 1.4.0 never closes.
    function connect(apiKey: string, options: { init?: boolean } = {}): EdgeFeatureHubConfig {
      const config = new EdgeFeatureHubConfig(party.baseUrl, apiKey);
      sdks.push(config);
      if (options.init !== false) config.init();
      return config;
    }
    const prod = connect(prodClient).repository();
    await until(
      'production values',
      () => prod.readyness === Readyness.Ready && prod.feature('THEME').getRawJson(),
    );
    assert.equal(prod.feature('NEW_CHECKOUT').getBoolean(), true);
    assert.equal(prod.feature('BANNER').getString(), 'Welcome');
    assert.equal(prod.feature('BASKET_LIMIT').getNumber(), 42.5);
    assert.equal(prod.feature('BASKET_LIMIT').isLocked(), true);
    assert.deepEqual(JSON.parse(prod.feature('THEME').getRawJson()!), { colour: 'blue' });

    const staging = connect(stagingClient).repository();
    await until(
      'staging values',
      () => staging.readyness === Readyness.Ready && staging.feature('THEME').getRawJson(),
    );
    assert.equal(staging.feature('NEW_CHECKOUT').getBoolean(), true);
    assert.equal(staging.feature('BANNER').getString(), 'Staging banner');
    assert.equal(staging.feature('BASKET_LIMIT').getNumber(), 7);
    assert.equal(staging.feature('BASKET_LIMIT').isLocked(), false);
    assert.deepEqual(JSON.parse(staging.feature('THEME').getRawJson()!), { colour: 'green' });

    // The strategy (50 % of New Zealand) evaluated by the server: pick users either side of the split.
    const admin = await signedInAdmin(party.baseUrl);
    const banner = await admin.get(`/application/${appId}/features/BANNER`);
    assert.equal(banner.status, 200);
    const featureId = (banner.body as { id: string }).id;
    const users = Array.from({ length: 40 }, (_, i) => `user-${i}`);
    const inside = users.find((u) => percentageBucket(u, featureId) <= 500_000);
    const outsideUser = users.find((u) => percentageBucket(u, featureId) > 500_000);
    assert.ok(inside && outsideUser);
    const kiwi = await connect(prodServer, { init: false })
      .newContext()
      .userKey(inside)
      .country('new_zealand' as never)
      .build();
    await until('the strategy value', () => kiwi.feature('BANNER').getString() === 'Kia ora');
    const unlucky = await connect(prodServer, { init: false })
      .newContext()
      .userKey(outsideUser)
      .country('new_zealand' as never)
      .build();
    await until('the default for the other half', () => unlucky.feature('BANNER').getString() === 'Welcome');
    const aussie = await connect(prodServer, { init: false })
      .newContext()
      .userKey(inside)
      .country('australia' as never)
      .build();
    await until('the default outside New Zealand', () => aussie.feature('BANNER').getString() === 'Welcome');

    // What the UI saved, as the admin API reports it.
    const envs = (await admin.get(`/application/${appId}/environment`)).body as Array<{
      id: string;
      name: string;
      priorEnvironmentId?: string;
    }>;
    const stagingEnv = envs.find((e) => e.name === 'staging');
    const productionEnv = envs.find((e) => e.name === 'production');
    assert.ok(stagingEnv && productionEnv);
    assert.equal(productionEnv.priorEnvironmentId, stagingEnv.id, 'staging is promoted to production');
    const portfolioId = ((await admin.get('/portfolio')).body as Array<{ id: string }>)[0]?.id;
    const groups = (await admin.get(`/portfolio/${portfolioId}/group`)).body as Array<{
      id: string;
      name: string;
    }>;
    const developers = groups.find((g) => g.name === 'Developers');
    assert.ok(developers);
    const group = (
      await admin.get(
        `/group/${developers.id}?includeMembers=true&includeGroupRoles=true&byApplicationId=${appId}`,
      )
    ).body as {
      members?: Array<{ email?: string }>;
      applicationRoles?: Array<{ applicationId: string; roles: string[] }>;
      environmentRoles?: Array<{ environmentId: string; roles: string[] }>;
    };
    assert.deepEqual(
      group.members?.map((m) => m.email),
      [DEVELOPER],
    );
    assert.deepEqual(
      [...(group.applicationRoles?.find((r) => r.applicationId === appId)?.roles ?? [])].sort(),
      ['FEATURE_CREATE', 'FEATURE_EDIT'],
    );
    const rolesIn = (envId: string) =>
      [...(group.environmentRoles?.find((r) => r.environmentId === envId)?.roles ?? [])].sort();
    assert.deepEqual(rolesIn(stagingEnv.id), ['CHANGE_VALUE', 'LOCK', 'READ', 'UNLOCK']);
    assert.deepEqual(rolesIn(productionEnv.id), ['READ']);

    ready = true;
  });

  it('fits a 390-pixel phone: the features console and the value editor do not scroll sideways', async (t) => {
    if (!ready) {
      t.skip('needs the application the first test builds');
      return;
    }
    const context = await newContext(browser, party.baseUrl, 390, 844);
    contexts.push(context);
    const page = await context.newPage();
    const outside = watchOutsideRequests(page, party.baseUrl);
    const errors = watchPageErrors(page);
    await explained(page, errors, async () => {
      await page.goto(`/apps/${appId}/features`);
      await page.waitForURL(/\/login/);
      // Signing in returns to the page asked for (the next= parameter).
      await signIn(page, /\/features$/);
      await page.getByTestId('features-console').waitFor();
      await page.getByTestId('feature-row-BANNER').waitFor();
      const overflow = () =>
        page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');
      assert.equal(await overflow(), 0, 'the console page does not scroll sideways');
      await shot(page, 'features-console-phone');
      await page.getByTestId('cell-BANNER-production').click();
      await page.getByTestId('value-editor').waitFor();
      await page.getByTestId('strategy-item').first().waitFor();
      assert.equal(await overflow(), 0, 'the value editor does not scroll sideways');
      const editorBox = await page.getByTestId('value-editor').boundingBox();
      assert.ok(editorBox && editorBox.x >= 0 && editorBox.x + editorBox.width <= 390, 'the editor fits');
      await page.keyboard.press('Escape');
      await page.getByTestId('value-editor').waitFor({ state: 'detached' });
      // On a phone the menu is a drawer behind a button.
      await page.getByTestId('menu-button').click();
      await page.getByTestId('nav-environments').click();
      await page.waitForURL(/\/environments$/);
      await page.getByTestId('environment-item').first().waitFor();
      assert.equal(await overflow(), 0, 'the environments page does not scroll sideways');
      assert.deepEqual(errors, [], 'no page errors and no failed requests');
      assert.deepEqual(outside, [], 'the UI fetched nothing from any other host');
    });
  });
});

async function signedInAdmin(baseUrl: string): Promise<MrClient> {
  const anonymous = new MrClient(baseUrl);
  const res = await anonymous.post('/login', { email: ADMIN.email, password: ADMIN.password });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return anonymous.withToken((res.body as { accessToken: string }).accessToken);
}
