import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import {
  createTestDatabase,
  type RunningRole,
  runRoleToExit,
  serviceUrl,
  skipUnlessService,
  startRole,
  type TestDatabase,
} from '@fh/test-support';

const running: RunningRole[] = [];
const databases: TestDatabase[] = [];
after(async () => {
  await Promise.all(running.map((r) => r.stop('SIGKILL')));
  await Promise.all(databases.map((d) => d.drop()));
});

async function start(role: string, env: Record<string, string>, args: string[] = []): Promise<RunningRole> {
  const r = await startRole(role, { env: { LOG_LEVEL: 'info', ...env }, args });
  running.push(r);
  return r;
}

function tempSqliteUrl(): { url: string; file: string } {
  const file = join(mkdtempSync(join(tmpdir(), 'fh-cmd-')), 'featurehub.db');
  return { url: `sqlite:${file}`, file };
}

describe('featurehub party on the embedded database', () => {
  it('creates the database, becomes ready, serves health, metrics and version, and stops cleanly on SIGTERM', async () => {
    const { url, file } = tempSqliteUrl();
    const party = await start('party', { DB_URL: url });
    await party.waitUntilReady();
    assert.ok(existsSync(file), 'the SQLite file exists');

    const live = await fetch(`${party.baseUrl}/health/liveness`);
    assert.equal(live.status, 200);
    const ready = (await (await fetch(`${party.baseUrl}/health/readiness`)).json()) as any;
    assert.deepEqual(ready, {
      status: 'UP',
      checks: { database: 'UP', migrations: 'UP', bus: 'UP', cache: 'UP' },
    });
    const version = (await (await fetch(`${party.baseUrl}/info/version`)).json()) as any;
    assert.equal(version.name, 'party-server', 'the name upstream uses');
    assert.match(version.version, /^\d+\.\d+\.\d+/);
    const metrics = await (await fetch(`${party.baseUrl}/metrics`)).text();
    assert.match(metrics, /http_request_duration_seconds_bucket/);
    assert.match(metrics, /process_resident_memory_bytes/);

    const started = Date.now();
    const code = await party.stop('SIGTERM');
    assert.equal(code, 0);
    assert.ok(Date.now() - started < 10_000, 'stopped within 10 s');
    assert.ok(party.output.some((l) => l.includes('"msg":"stopped"')));
  });

  it('reads a Java-style properties file given with --config', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fh-props-'));
    const props = join(dir, 'party.properties');
    writeFileSync(props, `db.url=jdbc:sqlite:${join(dir, 'db.sqlite')}\ncache.name=props-cache\n`);
    const party = await start('party', {}, ['--config', props]);
    await party.waitUntilReady();
    assert.ok(existsSync(join(dir, 'db.sqlite')));
    await party.stop();
  });
});

describe('bad configuration', () => {
  const cases: Array<[string, string[], Record<string, string>, RegExp]> = [
    [
      'a port that is not a number',
      ['party'],
      { PORT: 'abc' },
      /^featurehub: invalid configuration: PORT: "abc" is not a port number/,
    ],
    [
      'an unsupported database',
      ['mr'],
      { DB_URL: 'oracle://x' },
      /^featurehub: invalid configuration: DB_URL: unsupported database/,
    ],
    ['an unknown role', ['kitchen'], {}, /^featurehub: unknown role "kitchen"/],
    [
      'an unknown flag',
      ['party', '--colour', 'blue'],
      {},
      /^featurehub: invalid configuration: --colour: unknown flag/,
    ],
  ];
  for (const [what, argv, env, message] of cases) {
    it(`stops with one line naming the problem and exit code 2 for ${what}`, async () => {
      const [role, ...args] = argv;
      const result = await runRoleToExit(role!, { env, args });
      assert.equal(result.code, 2);
      const lines = result.stderr.trim().split('\n');
      assert.equal(lines.length, 1, result.stderr);
      assert.match(lines[0]!, message);
    });
  }
});

for (const dialect of ['postgres', 'mysql'] as const) {
  describe(`featurehub mr on an empty ${dialect} database`, {
    skip: await skipUnlessService(dialect),
  }, () => {
    it('migrates it and becomes ready, even when two processes start against it at the same moment', async () => {
      const db = await createTestDatabase(dialect);
      databases.push(db);
      const [a, b] = await Promise.all([
        start('mr', { DB_URL: db.url, NATS_URL: serviceUrl('nats') }),
        start('mr', { DB_URL: db.url, NATS_URL: serviceUrl('nats') }),
      ]);
      await Promise.all([a.waitUntilReady(), b.waitUntilReady()]);
      const ready = (await (await fetch(`${a.baseUrl}/health/readiness`)).json()) as any;
      assert.deepEqual(ready.checks, { database: 'UP', migrations: 'UP', bus: 'UP' });
      assert.equal(await a.stop(), 0);
      assert.equal(await b.stop(), 0);
    });
  });
}

describe('the NATS roles', { skip: await skipUnlessService('nats') }, () => {
  it('edge connects to NATS, becomes ready and stops cleanly', async () => {
    const edge = await start('edge', { NATS_URL: serviceUrl('nats'), CACHE_NAME: `cmd-${process.pid}-edge` });
    await edge.waitUntilReady();
    const version = (await (await fetch(`${edge.baseUrl}/info/version`)).json()) as any;
    assert.equal(version.name, 'edge-full', 'the name upstream uses');
    assert.equal(await edge.stop(), 0);
  });

  it('dacha becomes ready once it has filled its cache from MR, and stops cleanly', async () => {
    const cache = { NATS_URL: serviceUrl('nats'), CACHE_NAME: `cmd-${process.pid}-dacha` };
    const mr = await start('mr', { ...cache, DB_URL: tempSqliteUrl().url });
    const dacha = await start('dacha', cache);
    await mr.waitUntilReady();
    await dacha.waitUntilReady();
    const version = (await (await fetch(`${dacha.baseUrl}/info/version`)).json()) as any;
    assert.equal(version.name, 'featurehub-dacha');
    const mrVersion = (await (await fetch(`${mr.baseUrl}/info/version`)).json()) as any;
    assert.equal(mrVersion.name, 'management-repository', 'the name upstream uses');
    assert.equal(await dacha.stop(), 0);
    assert.equal(await mr.stop(), 0);
  });
});

describe('edge-rest', () => {
  it('is not ready until MR has migrated the database, then becomes ready', async () => {
    const { url } = tempSqliteUrl();
    const edgeRest = await start('edge-rest', { DB_URL: url });
    const before = await fetch(`${edgeRest.baseUrl}/health/readiness`);
    assert.equal(before.status, 503);
    assert.equal(((await before.json()) as any).checks.migrations, 'DOWN');
    const mr = await start('party-ish', { DB_URL: url });
    await mr.waitUntilReady();
    await edgeRest.waitUntilReady();
    // The names upstream's tools read to choose polling over SSE.
    const names = await Promise.all(
      [edgeRest, mr].map(
        async (r) => ((await (await fetch(`${r.baseUrl}/info/version`)).json()) as any).name,
      ),
    );
    assert.deepEqual(names, ['edge-rest', 'party-server-ish']);
    assert.equal(await edgeRest.stop(), 0);
    assert.equal(await mr.stop(), 0);
  });
});
