// Feature filters and extended data in the admin UI: headless Chromium against the built `featurehub party` command
// (with upstream's e2e `sdk.feature.properties`): a portfolio admin creates filters, tags a feature and an SDK service
// account, grants the extended-data permission; then the real SDK 1.4.0 with that account's key gets only the tagged
// features, with their `fp`.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { MrClient } from '@fh/mr/testing';
import { type RunningRole, startRole, until } from '@fh/test-support';
import type { Browser, BrowserContext } from 'playwright-core';
import { initializeOrganisation, ok } from './test-support/admin-setup.ts';
import {
  clickLabelOf,
  explained,
  launchChromium,
  newContext,
  skipWithoutChromium,
  watchOutsideRequests,
  watchPageErrors,
} from './test-support/browser.ts';
import { FEATURE_PROPERTIES, filteredClient } from './test-support/filters-world.ts';

const ADMIN = { email: 'ada@example.com', password: 'password123' };

describe('feature filters and extended data in the admin UI (Chromium)', {
  skip: skipWithoutChromium(),
}, () => {
  let party: RunningRole;
  let browser: Browser;
  let context: BrowserContext | undefined;
  let admin: MrClient;
  let dataDir = '';
  let appId = '';
  let envId = '';
  let portfolioId = '';

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'fh-ui-filters-'));
    party = await startRole('party', {
      env: { DB_URL: `sqlite:${join(dataDir, 'featurehub.db')}`, SDK_FEATURE_PROPERTIES: FEATURE_PROPERTIES },
    });
    await party.waitUntilReady();
    // The data the test is not about comes through the admin API.
    // The superuser's password is password123, as ADMIN's.
    admin = (
      await initializeOrganisation(party.baseUrl, {
        organizationName: 'Acme',
        portfolio: 'Retail',
        name: 'Ada Admin',
        emailAddress: ADMIN.email,
      })
    ).admin;
    portfolioId = ok(await admin.get('/portfolio'), 'portfolios')[0].id;
    const app = ok(
      await admin.post(`/portfolio/${portfolioId}/application?includeEnvironments=true`, {
        name: 'Shop',
        description: '',
      }),
      'application',
    );
    appId = app.id;
    envId = app.environments[0].id;
    for (const key of ['PHONE_BANNER', 'DESKTOP_BANNER']) {
      ok(await admin.post(`/application/${appId}/features`, { key, name: key, valueType: 'STRING' }), key);
      ok(
        await admin.put(`/features/${envId}/feature/${key}`, {
          key,
          locked: false,
          valueString: key.toLowerCase(),
        }),
        `${key} value`,
      );
    }
    browser = await launchChromium();
  });

  after(async () => {
    await context?.close().catch(() => undefined);
    await browser?.close();
    await party?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('an admin creates filters, tags a feature and a service account, grants extended data; the SDK gets only that feature, with fp', async () => {
    context = await newContext(browser, party.baseUrl, 1280, 800);
    const page = await context.newPage();
    const outside = watchOutsideRequests(page, party.baseUrl);
    const errors = watchPageErrors(page);
    await explained(page, errors, async () => {
      await page.goto('/login');
      await page.getByTestId('login-email').fill(ADMIN.email);
      await page.getByTestId('login-password').fill(ADMIN.password);
      await page.getByTestId('login-submit').click();
      await page.waitForURL(/\/applications$/);

      // --- filters of the portfolio -----------------------------------------------------------------
      await page.getByTestId('nav-feature-filters').click();
      await page.waitForURL(/\/feature-filters$/);
      for (const name of ['mobile', 'desktop']) {
        await page.getByTestId('create-feature-filter').click();
        await page.getByTestId('feature-filter-name').fill(name);
        await page.getByTestId('feature-filter-description').fill(`${name} clients`);
        await page.getByTestId('feature-filter-save').click();
        await page.getByTestId('feature-filter-dialog').waitFor({ state: 'detached' });
        await page.getByTestId('feature-filter-row').filter({ hasText: name }).waitFor();
      }
      // A second filter of the same name: the server's refusal in plain words.
      await page.getByTestId('create-feature-filter').click();
      await page.getByTestId('feature-filter-name').fill('mobile');
      await page.getByTestId('feature-filter-save').click();
      await page
        .getByTestId('feature-filter-dialog')
        .getByRole('alert')
        .filter({ hasText: 'already exists' })
        .waitFor();
      await page.getByTestId('feature-filter-dialog').getByTestId('modal-close').click();
      await page.getByTestId('feature-filter-dialog').waitFor({ state: 'detached' });

      // --- a feature tagged "mobile" ----------------------------------------------------------------
      await page.goto(`/apps/${appId}/features`);
      await page.getByTestId('edit-feature-PHONE_BANNER').click();
      await page.getByTestId('feature-dialog').waitFor();
      await clickLabelOf(page, 'feature-filters-mobile');
      await page.getByTestId('feature-metadata').fill('{"category":"phones"}');
      await page.getByTestId('feature-save').click();
      await page.getByTestId('feature-dialog').waitFor({ state: 'detached' });
      // The console shows only the features of a chosen filter, and the dialog shows a feature's filters again.
      await page.getByTestId('feature-filter-select').selectOption({ label: 'mobile' });
      await page.getByTestId('feature-row-DESKTOP_BANNER').waitFor({ state: 'detached' });
      await page.getByTestId('feature-row-PHONE_BANNER').waitFor();
      await page.getByTestId('edit-feature-PHONE_BANNER').click();
      assert.equal(await page.getByTestId('feature-filters-mobile').isChecked(), true);
      assert.equal(await page.getByTestId('feature-filters-desktop').isChecked(), false);
      await page.getByTestId('feature-dialog').getByTestId('modal-close').click();
      await page.getByTestId('feature-dialog').waitFor({ state: 'detached' });

      // --- a service account with the "mobile" filter and extended data -----------------------------
      await page.getByTestId('nav-service-accounts').click();
      await page.waitForURL(/\/service-accounts$/);
      await page.getByTestId('create-service-account').click();
      await page.getByTestId('service-account-name').fill('phone-sdk');
      await clickLabelOf(page, 'service-account-filters-mobile');
      await page.getByTestId('service-account-save').click();
      await page.getByTestId('service-account-dialog').waitFor({ state: 'detached' });
      await page.getByTestId('service-account-title').filter({ hasText: 'phone-sdk' }).waitFor();
      await page
        .getByTestId('service-account-filter-names')
        .filter({ hasText: 'Feature filters: mobile' })
        .waitFor();
      await page.getByTestId('role-production-READ').check();
      await page.getByTestId('role-production-EXTENDED_DATA').check();
      await page.getByTestId('service-account-permissions-save').click();
      await page.getByTestId('toasts').getByText('Saved permissions of phone-sdk in Shop').waitFor();

      // The filters page counts the uses.
      await page.getByTestId('nav-feature-filters').click();
      await page
        .getByTestId('feature-filter-row')
        .filter({ hasText: 'mobile' })
        .getByTestId('feature-filter-uses')
        .filter({ hasText: '1 feature, 1 service account' })
        .waitFor();
    });
    assert.deepEqual(outside, []);

    // --- what the SDK gets with the account's key ------------------------------------------------------
    const accounts = ok(await admin.get(`/portfolio/${portfolioId}/service-account`), 'accounts') as Array<{
      name: string;
      apiKeyClientSide: string;
      featureFilters: string[];
    }>;
    const phone = accounts.find((a) => a.name === 'phone-sdk')!;
    assert.equal(phone.featureFilters.length, 1);
    const sdk = filteredClient('phone sdk', party.baseUrl, `${envId}/${phone.apiKeyClientSide}`);
    try {
      await sdk.ready;
      await until(
        'the SDK to hold PHONE_BANNER only',
        () => JSON.stringify(sdk.keys()) === '["PHONE_BANNER"]',
      );
      assert.deepEqual(sdk.properties('PHONE_BANNER'), {
        appName: 'Shop',
        portfolio: 'Retail',
        category: 'phones',
      });
      assert.ok(!sdk.everHeld.has('DESKTOP_BANNER'));
    } finally {
      sdk.stop();
    }
  });
});
