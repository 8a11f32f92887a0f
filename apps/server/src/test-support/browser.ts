// Chromium for the browser tests: Debian's /usr/bin/chromium driven by playwright-core (never a downloaded
// browser), with the flags this machine's closed network needs, and helpers that make a failing walk say
// where the page was and what it showed.
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';

export const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** For `describe(..., { skip })`: skipped with a notice locally when Chromium is missing; never in CI. */
export function skipWithoutChromium(): string | false {
  if (existsSync(CHROMIUM)) return false;
  if (process.env['CI'] === 'true') return false; // CI installs it: a missing browser must fail there
  const why = `${CHROMIUM} is not installed: the admin UI browser tests are skipped (apt-get install chromium)`;
  process.stderr.write(`\n*** ${why} ***\n\n`);
  return why;
}

/** Starts headless Chromium on a fresh temporary profile of its own (removed on close). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
}

export async function newContext(
  browser: Browser,
  baseUrl: string,
  width = 1280,
  height = 800,
): Promise<BrowserContext> {
  const context = await browser.newContext({
    baseURL: baseUrl,
    viewport: { width, height },
    deviceScaleFactor: 1,
    permissions: ['clipboard-read', 'clipboard-write'],
    reducedMotion: 'reduce',
  });
  context.setDefaultTimeout(15_000);
  return context;
}

/** Requests to anything but the FeatureHub server itself (the UI must fetch nothing from outside). */
export function watchOutsideRequests(page: Page, baseUrl: string): string[] {
  const origin = new URL(baseUrl).origin;
  const outside: string[] = [];
  page.on('request', (r) => {
    const url = r.url();
    if (url.startsWith('data:') || url.startsWith('blob:')) return;
    if (new URL(url).origin !== origin) outside.push(url);
  });
  return outside;
}

/** Reports uncaught page errors and failed API calls, so a broken screen fails with its cause. */
export function watchPageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
  page.on('response', (r) => {
    if (r.status() >= 400) errors.push(`${r.status()} from ${r.request().method()} ${r.url()}`);
  });
  return errors;
}

/** Runs a walk; when it fails, says where the page was and what it showed, and keeps a screenshot. */
export async function explained(page: Page, errors: string[], walk: () => Promise<void>): Promise<void> {
  try {
    await walk();
  } catch (e) {
    const file = join(tmpdir(), `fh-ui-e2e-failure-${Date.now()}.png`);
    await page.screenshot({ path: file, fullPage: true }).catch(() => undefined);
    // innerText (Playwright's, on the rendered page) keeps the line breaks a reader needs.
    const text = await page
      .locator('body')
      // biome-ignore lint/performance/useDomNodeTextContent: Playwright's method, not the DOM property
      .innerText({ timeout: 1000 })
      .catch(() => '(no page text)');
    const where = `at ${page.url()}; screenshot ${file}\n--- page errors ---\n${errors.join('\n')}\n--- page text ---\n${text.slice(0, 3000)}`;
    throw new Error(`${e instanceof Error ? e.message : String(e)}\n${where}`, { cause: e });
  }
}

/** Waits until every toast has faded (screenshots should not carry the previous action's toast). */
export async function closeToasts(page: Page): Promise<void> {
  await page.waitForFunction(
    `(document.querySelector('[data-testid="toasts"]')?.childElementCount ?? 0) === 0`,
    undefined,
    { timeout: 10_000 },
  );
}

/** Clicks the label around a checkbox, switch or radio, as a person does (the input itself is styled away). */
export async function clickLabelOf(page: Page, testId: string): Promise<void> {
  await page.locator('label', { has: page.getByTestId(testId) }).click();
}
