// OpenFeature in Chromium against the built party server, from a page on another origin (so CORS is
// exercised): the real @openfeature/web-sdk with the real @openfeature/ofrep-web-provider, whose SSE
// change detection must pick up a change saved in MR without a reload, and our web provider
// (@featurehub-ts/openfeature-provider/web) with a hook and a context change evaluated in the page.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { skipUnlessNatsServerBinary, skipUnlessService } from '@fh/test-support';
import { build } from 'esbuild';
import type { Browser, Page } from 'playwright-core';
import {
  explained,
  launchChromium,
  newContext,
  skipWithoutChromium,
  watchPageErrors,
} from './test-support/browser.ts';
import { type OpenFeatureWorld, startOpenFeatureWorld } from './test-support/openfeature-world.ts';

const skip =
  skipWithoutChromium() || (await skipUnlessService('postgres')) || (await skipUnlessNatsServerBinary());

type PageValues = Record<string, unknown>;

describe('OpenFeature web SDK in Chromium against the party server', { skip }, () => {
  let world: OpenFeatureWorld;
  let browser: Browser;
  let pageServer: Server;
  let pageUrl = '';
  let page: Page;
  let errors: string[];
  const seen: string[] = [];

  before(async () => {
    world = await startOpenFeatureWorld(['party']);
    const bundle = await build({
      entryPoints: [fileURLToPath(new URL('./test-support/openfeature-page.ts', import.meta.url))],
      bundle: true,
      format: 'esm',
      platform: 'browser',
      target: 'es2022',
      write: false,
      logLevel: 'silent',
    });
    const script = bundle.outputFiles[0]!.text;
    // The page comes from its own origin: every call to FeatureHub is cross-origin.
    pageServer = createServer((req, res) => {
      if (req.url === '/app.js') {
        res.writeHead(200, { 'content-type': 'text/javascript' }).end(script);
      } else {
        res
          .writeHead(200, { 'content-type': 'text/html' })
          .end('<!doctype html><title>OpenFeature</title><script type="module" src="/app.js"></script>');
      }
    });
    await new Promise<void>((r) => pageServer.listen(0, '127.0.0.1', r));
    pageUrl = `http://127.0.0.1:${(pageServer.address() as { port: number }).port}`;
    browser = await launchChromium();
    const context = await newContext(browser, pageUrl);
    page = await context.newPage();
    errors = watchPageErrors(page);
    page.on('request', (r) => seen.push(`${r.method()} ${new URL(r.url()).pathname}`));
    await page.goto('/');
    await page.waitForFunction('globalThis.openFeatureTest !== undefined');
    await page.evaluate(
      `openFeatureTest.start(${JSON.stringify({
        server: world.roles.party!.baseUrl,
        serverKey: world.serverKey,
        clientKey: world.clientKey,
        context: { targetingKey: 'u1', country: 'new_zealand' },
      })})`,
    );
  });
  after(async () => {
    await browser?.close();
    pageServer?.close();
    await world?.close();
  });

  const values = (domain: 'ofrep' | 'ours') =>
    page.evaluate(`openFeatureTest.values('${domain}')`) as Promise<PageValues>;

  it('both providers serve FeatureHub values for the page context', async () => {
    await explained(page, errors, async () => {
      for (const domain of ['ofrep', 'ours'] as const) {
        const v = await values(domain);
        assert.equal(v['status'], 'READY', domain);
        assert.equal(v['FLAG'], true, domain);
        assert.equal(v['NUM'], 42.5, domain);
        assert.deepEqual(v['CONFIG'], { size: 3, tags: ['a'] }, domain);
        assert.equal(v['COLOUR'], 'nz', domain);
        assert.equal(v['colourReason'], 'TARGETING_MATCH', domain);
      }
      assert.deepEqual(errors, []);
    });
  });

  it('a change saved in MR reaches both without a reload: OFREP over its SSE refetchEvaluation, ours over the Edge stream', async () => {
    await explained(page, errors, async () => {
      const loadedAt = await page.evaluate('openFeatureTest.loadedAt');
      await world.setValue('BANNER', 'seen in the browser');
      await page.waitForFunction(
        `openFeatureTest.values('ofrep').BANNER === 'seen in the browser' && openFeatureTest.values('ours').BANNER === 'seen in the browser'`,
        undefined,
        { timeout: 10_000 },
      );
      const changes = (await page.evaluate('openFeatureTest.changes')) as Record<string, string[][]>;
      assert.ok(changes['ofrep']!.length > 0, 'OFREP provider emitted configuration-changed');
      assert.ok(
        changes['ours']!.some((keys) => keys.includes('BANNER')),
        'our provider named BANNER',
      );
      assert.equal(await page.evaluate('openFeatureTest.loadedAt'), loadedAt, 'the page was not reloaded');
      // The OFREP provider polls nothing (pollInterval 0): it heard of the change on the event stream
      // its bulk answer named, then re-fetched once.
      assert.ok(
        seen.some((r) => r.startsWith('GET /ofrep/v1/events/')),
        seen.join('\n'),
      );
      assert.ok(seen.filter((r) => r === 'POST /ofrep/v1/evaluate/flags').length >= 2);
    });
  });

  it('our provider evaluates a new context in the page, without a request, and the hook sees it', async () => {
    await explained(page, errors, async () => {
      const requests: string[] = [];
      page.on('request', (r) => {
        if (r.url().includes('/features')) requests.push(r.url());
      });
      await page.evaluate(`openFeatureTest.setContext({ targetingKey: 'u1', country: 'france' })`);
      const ours = await values('ours');
      const ofrep = await values('ofrep');
      assert.notEqual(ours['COLOUR'], 'nz');
      assert.equal(ours['COLOUR'], ofrep['COLOUR'], 'both agree for the new context');
      assert.deepEqual(requests, [], 'no request to the Edge for a context change');
      const evaluated = (await page.evaluate('openFeatureTest.evaluated')) as string[];
      assert.ok(evaluated.includes(`ours:COLOUR=${JSON.stringify(ours['COLOUR'])}`));
      assert.deepEqual(errors, []);
    });
  });
});
