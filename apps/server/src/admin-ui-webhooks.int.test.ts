// The admin UI's integrations in Chromium against the built party-ish server: the system config's Slack settings,
// an environment's webhook and Slack settings (an encrypted header), the delivery history and its details, the
// test event, and the warning when MR has switched a failing webhook off. A local receiver and a fake Slack answer.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { until } from '@fh/test-support';
import type { Browser, Page } from 'playwright-core';
import {
  clickLabelOf,
  explained,
  launchChromium,
  newContext,
  skipWithoutChromium,
  watchPageErrors,
} from './test-support/browser.ts';
import { WebhookReceiver } from './test-support/webhook-receiver.ts';
import {
  everythingStored,
  FLAG,
  ok,
  startWebhookWorld,
  type WebhookWorld,
} from './test-support/webhook-world.ts';

const TOKEN = 'xoxb-typed-in-the-browser';
const SECRET = 'Bearer typed-in-the-browser';

describe('the admin UI: webhooks, Slack and the system config in Chromium', {
  skip: skipWithoutChromium(),
}, () => {
  let world: WebhookWorld;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  const receiver = new WebhookReceiver();
  const slack = new WebhookReceiver();

  before(async () => {
    await receiver.up();
    await slack.up();
    world = await startWebhookWorld('sqlite', {
      env: { SLACK_API_URL: `${slack.url}/api`, WEBHOOK_MAX_FAILURES: '2', WEBHOOK_RETRY_MAX_MS: '200' },
    });
    browser = await launchChromium();
    const context = await newContext(browser, world.servers[0]!.baseUrl);
    page = await context.newPage();
    errors = watchPageErrors(page);
    await page.goto('/login');
    await page.getByTestId('login-email').fill('sam@example.com');
    await page.getByTestId('login-password').fill('password123');
    await page.getByTestId('login-submit').click();
    await page.waitForURL(/\/applications$/);
  });
  after(async () => {
    await browser?.close();
    await world?.close();
    await receiver.down();
    await slack.down();
  });

  const setFlag = async (value: boolean) => {
    const path = `/features/${world.environmentId}/feature/${FLAG}`;
    const current = ok(await world.admin.get(path), 'current');
    ok(await world.admin.put(path, { ...current, locked: false, valueBoolean: value }), 'set flag');
  };

  it('a superuser sets up Slack on the system config page; the token is stored encrypted', async () => {
    await explained(page, errors, async () => {
      await page.getByTestId('nav-system-config').click();
      await page.waitForURL(/\/system-config$/);
      await clickLabelOf(page, 'slack-system-enabled');
      await page.getByTestId('slack-token').fill(TOKEN);
      await page.getByTestId('slack-default-channel').fill('C0DEFAULT');
      await page.getByTestId('slack-config-save').click();
      await page.getByText('Saved the Slack settings').waitFor();
      await page.reload();
      await page.getByTestId('slack-token').waitFor();
      assert.equal(await page.getByTestId('slack-token').inputValue(), '');
      assert.match(
        (await page.getByTestId('slack-token').getAttribute('placeholder')) ?? '',
        /stored encrypted/,
      );
      assert.equal(await page.getByTestId('slack-default-channel').inputValue(), 'C0DEFAULT');
    });
    const decrypted = ok(await world.admin.get('/system-api/slack.bearerToken/decrypt'), 'decrypt');
    assert.equal(decrypted.result, TOKEN);
    assert.ok(!(await everythingStored(await world.db())).includes(TOKEN));
  });

  it("an admin turns on the environment's webhook with an encrypted header and Slack; changes arrive", async () => {
    await explained(page, errors, async () => {
      await page.goto(`/apps/${world.applicationId}/integrations`);
      await page.getByTestId('webhook-endpoint').waitFor();
      await clickLabelOf(page, 'webhook-enabled');
      await page.getByTestId('webhook-endpoint').fill(`${receiver.url}/hook`);
      await page.getByTestId('webhook-add-header').click();
      await page.getByTestId('webhook-header-name').nth(0).fill('X-Tenant');
      await page.getByTestId('webhook-header-value').nth(0).fill('shop-1');
      await page.getByTestId('webhook-add-header').click();
      await page.getByTestId('webhook-header-name').nth(1).fill('Authorization');
      await page.getByTestId('webhook-header-value').nth(1).fill(SECRET);
      await page
        .locator('label', { has: page.getByTestId('webhook-header-encrypt') })
        .nth(1)
        .click();
      await clickLabelOf(page, 'slack-enabled');
      await page.getByTestId('slack-channel').fill('C0CHANNEL');
      await page.getByTestId('integrations-save').click();
      await page.getByText('Saved the integrations of production').waitFor();
      // Saved encrypted: once the environment is read back, the form shows it stored, not its value.
      await page.locator('[data-testid="webhook-header-value"][placeholder="stored encrypted"]').waitFor();
      const placeholders = await page
        .getByTestId('webhook-header-value')
        .evaluateAll((els) => els.map((e) => e.getAttribute('placeholder')));
      assert.ok(placeholders.includes('stored encrypted'), JSON.stringify(placeholders));
    });
    assert.ok(!(await everythingStored(await world.db())).includes(SECRET));

    await setFlag(true);
    const hook = await until('the change at the receiver', () =>
      receiver.at('/hook').find((h) => h.json?.featureKeys?.includes(FLAG)),
    );
    assert.equal(hook.headers['x-tenant'], 'shop-1');
    assert.equal(hook.headers.authorization, SECRET);
    const message = await until('the Slack message', () => slack.at('/api/chat.postMessage')[0]);
    assert.equal(message.json.channel, 'C0CHANNEL');
    assert.equal(message.headers.authorization, `Bearer ${TOKEN}`);
  });

  it('the history lists the deliveries; the details show the call without its secrets; the test event and a Slack test message are sent', async () => {
    await explained(page, errors, async () => {
      await page.getByRole('button', { name: 'Reload deliveries' }).click();
      await page.getByTestId('delivery-row').first().waitFor();
      await page
        .getByTestId('delivery-row')
        .filter({ hasText: 'enriched-feature-v1' })
        .first()
        .getByTestId('delivery-open')
        .click();
      const dialog = page.getByTestId('delivery-detail');
      await dialog.getByTestId('delivery-body').waitFor();
      const sent = await dialog.getByTestId('delivery-headers').first().textContent();
      assert.ok(sent?.includes('ce-type:'), sent ?? '');
      assert.ok(!sent?.includes('typed-in-the-browser'), 'no secret in the details');
      await page.keyboard.press('Escape');
      const before = receiver.at('/hook').length;
      await page.getByTestId('webhook-test').click();
      await page.getByText('Sent a test event').waitFor();
      await until('the test event', () => receiver.at('/hook').length > before);
      assert.ok((await page.getByTestId('delivery-row').count()) >= 2);

      const messages = slack.at('/api/chat.postMessage').length;
      await page.getByTestId('slack-test').click();
      await page.getByText('Sent a Slack test message').waitFor();
      const test = await until('the Slack test message', () => slack.at('/api/chat.postMessage')[messages]);
      assert.equal(test.json.channel, 'C0CHANNEL');
      assert.match(test.json.text, /FeatureHub test message/);
      await page.getByTestId('delivery-row').filter({ hasText: 'integration/slack-v1' }).first().waitFor();
    });
  });

  it('a webhook MR switched off after failures shows the reason', async () => {
    receiver.status = 500;
    await setFlag(false);
    for (let i = 0; i < 100; i++) {
      const env = ok(await world.admin.get(`/environment/${world.environmentId}?includeDetails=true`), 'env');
      if (env.webhookEnvironmentInfo['webhook.features.enabled'] === 'false') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    await explained(page, errors, async () => {
      await page.reload();
      const banner = page.getByTestId('webhook-disabled');
      await banner.waitFor();
      assert.match((await banner.textContent()) ?? '', /failed deliveries/);
      assert.equal(await page.getByTestId('webhook-enabled').isChecked(), false);
    });
  });
});
