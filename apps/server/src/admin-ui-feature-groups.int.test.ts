// The admin UI's feature groups in headless Chromium against the built `featurehub party` command: a group is
// created with members and their values, given a strategy, edited and deleted through the UI only, and the real SDK
// (featurehub-javascript-node-sdk 1.4.0) sees each step.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { MrClient } from '@fh/mr/testing';
import { type RunningRole, startRole, until } from '@fh/test-support';
import { type ClientContext, EdgeFeatureHubConfig, FHLog } from 'featurehub-javascript-node-sdk';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import {
  clickLabelOf,
  explained,
  launchChromium,
  newContext,
  skipWithoutChromium,
  watchOutsideRequests,
  watchPageErrors,
} from './test-support/browser.ts';

FHLog.fhLog.quiet();

const ADMIN = { name: 'Ada Admin', email: 'ada@example.com', password: 'password123' };

function ok<T = any>(res: { status: number; body: unknown }, what: string): T {
  assert.ok(res.status >= 200 && res.status < 300, `${what}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as T;
}

describe('feature groups in the admin UI (Chromium, party server)', { skip: skipWithoutChromium() }, () => {
  let party: RunningRole;
  let browser: Browser;
  let context: BrowserContext;
  let dataDir = '';
  let appId = '';
  let envId = '';
  let admin: MrClient;
  const sdks: EdgeFeatureHubConfig[] = [];
  let premium: ClientContext;
  let basic: ClientContext;

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'fh-ui-groups-'));
    party = await startRole('party', { env: { DB_URL: `sqlite:${join(dataDir, 'featurehub.db')}` } });
    await party.waitUntilReady();
    // The application, its features and an SDK key come from the admin API; the groups from the UI.
    const anonymous = new MrClient(party.baseUrl);
    const init = ok<{ accessToken: string }>(
      await anonymous.post('/initialize', {
        organizationName: 'Acme',
        portfolio: 'Shop',
        name: ADMIN.name,
        emailAddress: ADMIN.email,
        password: ADMIN.password,
      }),
      'initialize',
    );
    admin = anonymous.withToken(init.accessToken);
    const portfolio = ok<any[]>(await admin.get('/portfolio'), 'portfolios')[0];
    const app = ok<any>(
      await admin.post(`/portfolio/${portfolio.id}/application?includeEnvironments=true`, {
        name: 'web',
        description: 'the shop',
      }),
      'application',
    );
    appId = app.id;
    envId = app.environments[0].id;
    for (const [key, valueType] of [
      ['BANNER', 'STRING'],
      ['NEW_CHECKOUT', 'BOOLEAN'],
      ['FROZEN', 'STRING'],
    ] as const) {
      ok(await admin.post(`/application/${appId}/features`, { key, name: key, valueType }), key);
    }
    const put = async (key: string, change: Record<string, unknown>) => {
      const current = await admin.get(`/features/${envId}/feature/${key}`);
      const res =
        current.status === 200
          ? await admin.put(`/features/${envId}/feature/${key}`, { ...(current.body as object), ...change })
          : await admin.post(`/features/${envId}/feature/${key}`, { key, ...change });
      ok(res, `${key} value`);
    };
    await put('BANNER', { locked: false, valueString: 'Welcome' });
    await put('NEW_CHECKOUT', { locked: false, valueBoolean: false });
    await put('FROZEN', { locked: true, valueString: 'ice' });
    const sa = ok<any>(
      await admin.post(`/portfolio/${portfolio.id}/service-account`, {
        name: 'web-sdk',
        description: 'the shop',
        permissions: [{ environmentId: envId, permissions: ['READ'] }],
      }),
      'service account',
    );
    const config = new EdgeFeatureHubConfig(party.baseUrl, `${envId}/${sa.apiKeyClientSide}`);
    sdks.push(config);
    premium = await config.newContext().attributeValue('plan', 'premium').build();
    basic = await config.newContext().attributeValue('plan', 'basic').build();
    browser = await launchChromium();
    context = await newContext(browser, party.baseUrl);
  });

  after(async () => {
    for (const s of sdks) s.close();
    await context?.close().catch(() => undefined);
    await browser?.close();
    await party?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  const sees = (ctx: ClientContext, banner: string, checkout: boolean) =>
    ctx.feature('BANNER').getString() === banner && ctx.feature('NEW_CHECKOUT').getBoolean() === checkout;

  it('creates a group with member values, gives it a strategy, edits, reorders, removes a strategy and deletes; the SDK follows', async () => {
    const page: Page = await context.newPage();
    const errors = watchPageErrors(page);
    const outside = watchOutsideRequests(page, party.baseUrl);
    await explained(page, errors, async () => {
      await page.goto('/login');
      await page.getByTestId('login-email').fill(ADMIN.email);
      await page.getByTestId('login-password').fill(ADMIN.password);
      await page.getByTestId('login-submit').click();
      await page.waitForURL(/\/applications$/);
      await page.goto(`/apps/${appId}/features`);
      await page.getByTestId('nav-feature-groups').click();
      await page.waitForURL(/\/feature-groups$/);
      await page.getByText('No feature groups in this environment yet').waitFor();

      // Create: two members with their values; the locked feature cannot be picked.
      await page.getByTestId('create-feature-group').click();
      const dialog = page.getByTestId('feature-group-dialog');
      await dialog.waitFor();
      await page.getByTestId('feature-group-name').fill('Premium');
      await page.getByTestId('feature-group-description').fill('what premium customers get');
      assert.equal(await page.getByTestId('feature-group-member-FROZEN').isDisabled(), true);
      await clickLabelOf(page, 'feature-group-member-BANNER');
      await page.getByTestId('feature-group-value-BANNER').fill('Welcome back, premium friend');
      await clickLabelOf(page, 'feature-group-member-NEW_CHECKOUT');
      await page.getByTestId('feature-group-value-NEW_CHECKOUT').selectOption('true');
      await page.getByTestId('feature-group-save').click();
      await dialog.waitFor({ state: 'detached' });
      const row = page.getByTestId('feature-group-row').filter({ hasText: 'Premium' });
      await row.waitFor();
      assert.equal(await row.getByTestId('feature-group-members').textContent(), 'BANNER, NEW_CHECKOUT');
      await row.getByText('none', { exact: true }).waitFor();

      // No strategy yet: nobody gets the group's values.
      await until(
        'the SDK to have the values',
        () => sees(premium, 'Welcome', false) && sees(basic, 'Welcome', false),
      );

      // The strategy: plan = premium.
      await row.getByTestId('feature-group-strategy').click();
      await page.getByTestId('strategy-editor').waitFor();
      await page.getByTestId('strategy-name').fill('Premium plan');
      await page.getByTestId('add-rule-custom').click();
      await page.getByTestId('rule-0-field').fill('plan');
      await page.getByTestId('rule-0-values').fill('premium');
      await page.getByTestId('rule-0-values').press('Enter');
      await page.getByTestId('strategy-done').click();
      await page.getByTestId('strategy-editor').waitFor({ state: 'detached' });
      await row.getByText('strategy set').waitFor();
      await until('premium users to get the group values', () =>
        sees(premium, 'Welcome back, premium friend', true),
      );
      assert.ok(sees(basic, 'Welcome', false), 'basic users keep the defaults');

      // Edit a member value.
      await row.getByTestId('feature-group-edit').click();
      await dialog.waitFor();
      const banner = page.getByTestId('feature-group-value-BANNER');
      await page.waitForFunction(
        `document.querySelector('[data-testid="feature-group-value-BANNER"]')?.value === 'Welcome back, premium friend'`,
      );
      await banner.fill('Gold service');
      await page.getByTestId('feature-group-save').click();
      await dialog.waitFor({ state: 'detached' });
      await until('premium users to get the new member value', () => sees(premium, 'Gold service', true));

      // The feature value shows what the group adds, read-only, in the admin API.
      const value = ok<any>(await admin.get(`/features/${envId}/feature/BANNER`), 'BANNER');
      assert.deepEqual(
        value.featureGroupStrategies.map((s: { name: string; value: unknown }) => [s.name, s.value]),
        [['Premium', 'Gold service']],
      );

      // The features console shows it too: a "group" badge, and the group's value in the value editor.
      await page.getByTestId('nav-features').click();
      await page.getByTestId('cell-BANNER-production').getByText('1 group').waitFor();
      await page.getByTestId('cell-BANNER-production').click();
      await page.getByText('From feature groups (read only)').waitFor();
      await page.locator('li', { hasText: 'Premium' }).filter({ hasText: 'Gold service' }).waitFor();
      await page.keyboard.press('Escape');
      await page.getByTestId('value-editor').waitFor({ state: 'detached' });
      await page.getByTestId('nav-feature-groups').click();
      await row.waitFor();

      // A second group for the same people: groups are evaluated in order, so the first one's value wins until
      // the second is moved up; removing its strategy gives the first one back.
      await page.getByTestId('create-feature-group').click();
      await dialog.waitFor();
      await page.getByTestId('feature-group-name').fill('Spring sale');
      await clickLabelOf(page, 'feature-group-member-BANNER');
      await page.getByTestId('feature-group-value-BANNER').fill('Spring sale banner');
      await page.getByTestId('feature-group-save').click();
      await dialog.waitFor({ state: 'detached' });
      const second = page.getByTestId('feature-group-row').filter({ hasText: 'Spring sale' });
      await second.getByTestId('feature-group-strategy').click();
      await page.getByTestId('strategy-editor').waitFor();
      await page.getByTestId('strategy-name').fill('Premium too');
      await page.getByTestId('add-rule-custom').click();
      await page.getByTestId('rule-0-field').fill('plan');
      await page.getByTestId('rule-0-values').fill('premium');
      await page.getByTestId('rule-0-values').press('Enter');
      await page.getByTestId('strategy-done').click();
      await page.getByTestId('strategy-editor').waitFor({ state: 'detached' });
      await second.getByText('strategy set').waitFor();
      const names = () => page.getByTestId('feature-group-row').locator('strong').allTextContents();
      assert.deepEqual(await names(), ['Premium', 'Spring sale']);
      assert.equal(
        await second.getByTestId('feature-group-down').isDisabled(),
        true,
        'the last cannot go down',
      );
      assert.ok(sees(premium, 'Gold service', true), 'the first group still wins');

      await second.getByTestId('feature-group-up').click();
      await page.getByText('Moved Spring sale up').waitFor();
      await until('the list in the new order', async () => (await names())[0] === 'Spring sale');
      await until('premium users to get the group now first', () =>
        sees(premium, 'Spring sale banner', true),
      );
      assert.equal(await second.getByTestId('feature-group-up').isDisabled(), true, 'the first cannot go up');

      await second.getByTestId('feature-group-remove-strategy').click();
      await page.getByRole('button', { name: 'Remove strategy' }).click();
      await second.getByText('none', { exact: true }).last().waitFor();
      assert.equal(await second.getByTestId('feature-group-remove-strategy').count(), 0);
      await until('the first group back for premium users', () => sees(premium, 'Gold service', true));
      assert.ok(sees(basic, 'Welcome', false), 'basic users keep the defaults');
      await second.getByTestId('feature-group-delete').click();
      await page.getByRole('button', { name: 'Delete group' }).click();
      await second.waitFor({ state: 'detached' });

      // Delete.
      await row.getByTestId('feature-group-delete').click();
      await page.getByRole('button', { name: 'Delete group' }).click();
      await page.getByText('No feature groups in this environment yet').waitFor();
      await until('everyone back on the defaults', () => sees(premium, 'Welcome', false));
    });
    assert.deepEqual(outside, []);
    assert.deepEqual(errors, []);
    await page.close();
  });
});
