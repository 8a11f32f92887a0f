// Import and export in the admin UI: headless Chromium against the built `featurehub party` command. A superuser
// downloads an application's YAML, edits it, uploads it: the check shows the plan, the import applies it, and the
// real SDK 1.4.0 (connected over SSE throughout) sees the change. A broken file is refused in plain words.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type RunningRole, startRole, until } from '@fh/test-support';
import { EdgeFeatureHubConfig, FHLog } from 'featurehub-javascript-node-sdk';
import type { Browser, BrowserContext } from 'playwright-core';
import { initializeOrganisation, ok } from './test-support/admin-setup.ts';
import {
  explained,
  launchChromium,
  newContext,
  skipWithoutChromium,
  watchOutsideRequests,
  watchPageErrors,
} from './test-support/browser.ts';

FHLog.fhLog.quiet();

const ADMIN = { email: 'ada@example.com', password: 'password123' };

describe('import and export in the admin UI (Chromium)', { skip: skipWithoutChromium() }, () => {
  let party: RunningRole;
  let browser: Browser;
  let context: BrowserContext | undefined;
  let sdk: EdgeFeatureHubConfig | undefined;
  let dataDir = '';
  let appId = '';
  let clientKey = '';

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'fh-ui-transfer-'));
    party = await startRole('party', { env: { DB_URL: `sqlite:${join(dataDir, 'featurehub.db')}` } });
    await party.waitUntilReady();
    // The superuser's password is password123, as ADMIN's.
    const admin = (
      await initializeOrganisation(party.baseUrl, {
        organizationName: 'Acme',
        portfolio: 'Retail',
        name: 'Ada Admin',
        emailAddress: ADMIN.email,
      })
    ).admin;
    const portfolioId = ok(await admin.get('/portfolio'), 'portfolios')[0].id;
    const app = ok(
      await admin.post(`/portfolio/${portfolioId}/application?includeEnvironments=true`, {
        name: 'Shop',
        description: '',
      }),
      'application',
    );
    appId = app.id;
    const envId = app.environments[0].id;
    ok(
      await admin.post(`/application/${appId}/features`, {
        key: 'COLOUR',
        name: 'Colour',
        valueType: 'STRING',
      }),
      'COLOUR',
    );
    ok(
      await admin.put(`/features/${envId}/feature/COLOUR`, {
        key: 'COLOUR',
        locked: false,
        valueString: 'red',
      }),
      'value',
    );
    const sa = ok(
      await admin.post(`/portfolio/${portfolioId}/service-account?includePermissions=true`, {
        name: 'sdk',
        description: 'sdk',
        permissions: [{ environmentId: envId, permissions: ['READ'] }],
      }),
      'service account',
    );
    clientKey = `${envId}/${sa.apiKeyClientSide}`;
    browser = await launchChromium();
  });

  after(async () => {
    sdk?.close();
    await context?.close().catch(() => undefined);
    await browser?.close();
    await party?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('a superuser downloads the YAML, uploads an edited one, checks the plan, imports; the SDK sees it', async () => {
    sdk = new EdgeFeatureHubConfig(party.baseUrl, clientKey);
    const ctx = await sdk.newContext().build();
    await until('the SDK has the value', () => ctx.feature('COLOUR').getString() === 'red', 15_000);

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
      await page.goto(`/apps/${appId}/features`);
      await page.getByTestId('nav-import-export').click();
      await page.waitForURL(/\/import-export$/);

      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.getByTestId('download').click(),
      ]);
      assert.equal(download.suggestedFilename(), 'Shop.yaml');
      const yaml = readFileSync((await download.path())!, 'utf8');
      assert.match(yaml, /featurehub: featurehub\/transfer-v1/);
      assert.match(yaml, /key: COLOUR/);
      assert.match(yaml, /value: red/);
      assert.doesNotMatch(yaml, /apiKeys/, 'no keys unless asked');

      const broken = join(dataDir, 'broken.yaml');
      writeFileSync(broken, 'featurehub: [unclosed\n');
      await page.getByTestId('upload-file').setInputFiles(broken);
      await page.getByTestId('check-import').click();
      await page.getByTestId('import-error').filter({ hasText: 'not valid YAML' }).waitFor();

      const edited = join(dataDir, 'Shop.yaml');
      writeFileSync(edited, yaml.replace('value: red', 'value: teal'));
      await page.getByTestId('upload-file').setInputFiles(edited);
      await page.getByTestId('check-import').click();
      await page
        .getByTestId('import-plan')
        .filter({ hasText: 'featureValue: 0 created, 1 updated' })
        .waitFor();
      assert.equal(ctx.feature('COLOUR').getString(), 'red', 'a check writes nothing');
      await page.getByTestId('apply-import').click();
      await page.getByTestId('import-plan').waitFor({ state: 'detached' });
    });
    await until(
      'the SDK sees the uploaded value',
      () => ctx.feature('COLOUR').getString() === 'teal',
      15_000,
    );
    assert.deepEqual(outside, [], 'the admin UI loads nothing from other hosts');
  });
});
