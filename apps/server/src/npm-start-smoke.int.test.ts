// The README's promise, `npm ci && npm start`, taken literally: `npm start` in the repository root (flags after
// `--` reach the featurehub command), then what a first-time user does with it: open the admin UI (whose every
// asset must load: the built command once answered 500 for them, a blank page), set up, make a flag, read it
// with the real SDK; then SIGTERM, and nothing may be left running.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, describe, it } from 'node:test';
import { repoRoot, until } from '@fh/test-support';
import { EdgeFeatureHubConfig, FHLog, Readyness } from 'featurehub-javascript-node-sdk';
import { staleBuildReason } from '../../../scripts/lib/build-freshness.mjs';

FHLog.fhLog.quiet();

/** Whether any process of the group led by `pgid` is still running (npm, or the node it started). */
function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw e;
  }
}

interface Answer {
  status: number;
  body: any;
  contentType: string;
}

async function call(
  baseUrl: string,
  method: string,
  path: string,
  body?: unknown,
  token?: string,
): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (token) headers['authorization'] = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${baseUrl}${path}`, {
    method,
    headers,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const contentType = res.headers.get('content-type') ?? '';
  const text = await res.text();
  return {
    status: res.status,
    body: contentType.includes('json') && text ? JSON.parse(text) : text,
    contentType,
  };
}

function ok(answer: Answer, what: string): any {
  assert.ok(
    answer.status >= 200 && answer.status < 300,
    `${what}: ${answer.status} ${JSON.stringify(answer.body)}`,
  );
  return answer.body;
}

/** The content type a browser needs for each kind of reference in index.html. */
function expectedType(tag: string): RegExp {
  if (/^<script/i.test(tag)) return /^(text|application)\/javascript\b/;
  if (/\brel="stylesheet"/i.test(tag)) return /^text\/css\b/;
  const declared = /\btype="([^"]+)"/i.exec(tag)?.[1];
  if (declared) return new RegExp(`^${declared.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}\\b`);
  return /^image\//;
}

describe('npm start in the repository root', () => {
  let npm: ChildProcess;
  let dataDir = '';
  let dbFile = '';
  let baseUrl = '';
  let exited: Promise<unknown>;
  const output: string[] = [];
  const sdks: EdgeFeatureHubConfig[] = [];

  before(async () => {
    const stale = staleBuildReason(repoRoot);
    assert.equal(
      stale,
      undefined,
      `the built command is stale (${stale}): node scripts/test.mjs rebuilds it`,
    );
    dataDir = mkdtempSync(join(tmpdir(), 'fh-npm-start-'));
    dbFile = join(dataDir, 'fh.db');
    // detached: npm and the node it starts share a new process group, so one signal reaches both.
    npm = spawn('npm', ['start', '--', '--port', '0', '--db-url', `sqlite:${dbFile}`], {
      cwd: repoRoot,
      env: { ...process.env, LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    exited = once(npm, 'exit');
    createInterface({ input: npm.stderr! }).on('line', (l) => output.push(l));
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`npm start did not listen within 30 s:\n${output.join('\n')}`)),
        30_000,
      );
      createInterface({ input: npm.stdout! }).on('line', (line) => {
        output.push(line);
        try {
          const entry = JSON.parse(line) as { msg?: string; port?: number };
          if (entry.msg === 'listening' && typeof entry.port === 'number') {
            clearTimeout(timer);
            resolve(entry.port);
          }
        } catch {
          // npm's own lines
        }
      });
      void exited.then(([code]: any) => {
        clearTimeout(timer);
        reject(new Error(`npm start exited with ${code} before listening:\n${output.join('\n')}`));
      });
    });
    baseUrl = `http://127.0.0.1:${port}`;
  });

  after(async () => {
    for (const s of sdks) s.close();
    // Only if a test failed before stopping it: nothing of the group may outlive the suite.
    if (npm?.pid !== undefined && groupAlive(npm.pid)) process.kill(-npm.pid, 'SIGKILL');
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('passes the flags after -- to featurehub party, which creates the database where --db-url says', async () => {
    const banner = output.find((l) => l.includes('apps/server/bin/featurehub.js'));
    assert.ok(banner, `npm shows the command it runs:\n${output.join('\n')}`);
    assert.match(banner, /featurehub\.js party --port 0 --db-url sqlite:\S+fh\.db/);
    assert.ok(existsSync(dbFile), `the SQLite file ${dbFile} exists`);
    const deadline = Date.now() + 15_000;
    let readiness: Answer;
    do {
      readiness = await call(baseUrl, 'GET', '/health/readiness');
      if (readiness.status === 200) break;
      await new Promise((r) => setTimeout(r, 100));
    } while (Date.now() < deadline);
    assert.equal(readiness.status, 200, JSON.stringify(readiness.body));
    assert.equal(ok(await call(baseUrl, 'GET', '/info/version'), 'version').name, 'party-server');
  });

  it('serves the admin UI: index.html and every script, stylesheet and icon it references', async () => {
    const index = await call(baseUrl, 'GET', '/');
    assert.equal(index.status, 200);
    assert.match(index.contentType, /^text\/html\b/);
    assert.match(index.body, /<div id="root">/);
    const tags = [
      ...(index.body as string).matchAll(
        /<script\b[^>]*\bsrc="[^"]+"[^>]*>|<link\b[^>]*\bhref="[^"]+"[^>]*>/gi,
      ),
    ]
      .map((m) => m[0])
      .filter((tag) =>
        /^<script|\brel="(stylesheet|icon|apple-touch-icon|modulepreload|manifest)"/i.test(tag),
      );
    assert.ok(
      tags.some((t) => /^<script/i.test(t)),
      `a script: ${index.body}`,
    );
    assert.ok(
      tags.some((t) => /rel="stylesheet"/i.test(t)),
      `a stylesheet: ${index.body}`,
    );
    assert.ok(
      tags.some((t) => /rel="icon"/i.test(t)),
      `an icon: ${index.body}`,
    );
    const stylesheets: string[] = [];
    for (const tag of tags) {
      const ref = /\b(?:src|href)="([^"]+)"/i.exec(tag)![1]!;
      const url = new URL(ref, `${baseUrl}/`);
      assert.equal(url.origin, baseUrl, `the UI loads nothing from other hosts: ${tag}`);
      const res = await fetch(url);
      const body = await res.arrayBuffer();
      assert.equal(res.status, 200, `${url.pathname} (${tag})`);
      assert.ok(body.byteLength > 0, `${url.pathname} is not empty`);
      assert.match(res.headers.get('content-type') ?? '', expectedType(tag), `${url.pathname} content type`);
      if (/rel="stylesheet"/i.test(tag)) stylesheets.push(Buffer.from(body).toString('utf8'));
    }
    // Fonts and images the stylesheets pull in load too.
    for (const css of stylesheets) {
      for (const [, ref] of css.matchAll(/url\(\s*["']?([^"')]+)["']?\s*\)/g)) {
        if (ref!.startsWith('data:')) continue;
        const res = await fetch(new URL(ref!, `${baseUrl}/assets/`));
        await res.arrayBuffer();
        assert.equal(res.status, 200, `${ref} from a stylesheet`);
      }
    }
  });

  it('publishes the admin API document at /mr-api/openapi.json', async () => {
    const doc = ok(await call(baseUrl, 'GET', '/mr-api/openapi.json'), 'openapi.json');
    assert.match(doc.openapi, /^3\./);
    assert.ok(doc.paths['/mr-api/initialize'], 'the setup operation is documented');
  });

  it('sets up, creates a flag with plain fetch, and the SDK reads its value', async () => {
    const setup = ok(
      await call(baseUrl, 'POST', '/mr-api/initialize', {
        organizationName: 'Acme',
        portfolio: 'Shop',
        name: 'Ada Admin',
        emailAddress: 'ada@example.com',
        password: 'password123',
      }),
      'initialize',
    );
    const token: string = setup.accessToken;
    const api = (method: string, path: string, body?: unknown) =>
      call(baseUrl, method, `/mr-api${path}`, body, token);
    const portfolioId = ok(await api('GET', '/portfolio'), 'portfolios')[0].id;
    const appId = ok(
      await api('POST', `/portfolio/${portfolioId}/application`, { name: 'web', description: 'the shop' }),
      'application',
    ).id;
    const envId = ok(await api('GET', `/application/${appId}/environment`), 'environments')[0].id;
    ok(
      await api('POST', `/application/${appId}/features`, {
        key: 'NEW_CHECKOUT',
        name: 'New checkout',
        valueType: 'BOOLEAN',
      }),
      'feature',
    );
    const sa = ok(
      await api('POST', `/portfolio/${portfolioId}/service-account`, {
        name: 'web-sdk',
        permissions: [{ environmentId: envId, permissions: ['READ'] }],
      }),
      'service account',
    );
    const path = `/features/${envId}/feature/NEW_CHECKOUT`;
    const current = await api('GET', path);
    if (current.status === 200) {
      ok(await api('PUT', path, { ...current.body, locked: false, valueBoolean: true }), 'update value');
    } else {
      ok(await api('POST', path, { key: 'NEW_CHECKOUT', locked: false, valueBoolean: true }), 'create value');
    }

    const config = new EdgeFeatureHubConfig(baseUrl, `${envId}/${sa.apiKeyClientSide}`);
    sdks.push(config);
    config.init();
    const repo = config.repository();
    await until('the SDK ready', () => repo.readyness === Readyness.Ready);
    await until('the value', () => repo.feature('NEW_CHECKOUT').getBoolean() === true);
    assert.equal(repo.feature('NEW_CHECKOUT').getBoolean(), true);
  });

  it('stops on SIGTERM and leaves nothing running', async () => {
    for (const s of sdks.splice(0)) s.close();
    const pgid = npm.pid!;
    const started = Date.now();
    process.kill(-pgid, 'SIGTERM');
    await exited;
    await until('every process of npm start to exit', () => !groupAlive(pgid), 12_000);
    assert.ok(Date.now() - started < 12_000);
    assert.ok(
      output.some((l) => l.includes('"msg":"stopped"')),
      `the server shut down gracefully:\n${output.slice(-10).join('\n')}`,
    );
    const gone = await fetch(`${baseUrl}/health/liveness`).then(
      () => 'answered',
      () => 'refused',
    );
    assert.equal(gone, 'refused', 'the port is closed');
  });
});
