import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openDatabase, transfer } from '@fh/mr';
import {
  createTestDatabase,
  featurehubBin,
  type RunningRole,
  repoRoot,
  runRoleToExit,
  skipUnlessService,
  startRole,
  type TestDatabase,
  type TestDialect,
  until,
} from '@fh/test-support';
import Ajv from 'ajv';
import axios from 'axios';
import { EdgeFeatureHubConfig } from 'featurehub-javascript-node-sdk';
import { parse, stringify } from 'yaml';
import {
  featureStates,
  generatedSource,
  type Source,
  seedSource,
  snapshot,
} from './test-support/transfer-world.ts';

// Flags as code through the built `featurehub` command: a party server on SQLite is seeded through the admin API
// with every kind of object the file carries, exported, and imported into a fresh database (SQLite, and
// PostgreSQL and MySQL when they are up). The real SDK 1.4.0 with the OLD keys reads the same feature states from both; the
// file validates against the published JSON Schema; a round trip is byte-identical; importing twice changes no
// row and no version; an edited file reaches the SDK; bad files exit 2 and write nothing.

const targets: { dialect: TestDialect; skip: () => Promise<string | false | undefined> }[] = [
  { dialect: 'sqlite', skip: async () => false },
  { dialect: 'postgres', skip: () => skipUnlessService('postgres') },
  { dialect: 'mysql', skip: () => skipUnlessService('mysql') },
];

describe('featurehub export / import (flags as code) through the built command', () => {
  let source: Source;
  let dir: string;
  let exported: string;
  let sourceStates: Record<string, unknown>;

  before(async () => {
    source = await seedSource();
    dir = mkdtempSync(join(tmpdir(), 'fh-transfer-'));
    sourceStates = await featureStates(source.server.baseUrl, source.keys);
  });

  after(async () => {
    await source?.server.stop('SIGKILL');
    await source?.database.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('exports every kind of object, validated by the published JSON Schema, without keys unless asked', async () => {
    const file = join(dir, 'source.yaml');
    const run = await runRoleToExit('export', {
      args: ['--to', file, '--include-keys'],
      env: { DB_URL: source.database.url },
    });
    assert.equal(run.code, 0, run.stderr);
    exported = readFileSync(file, 'utf8');
    const doc = parse(exported) as any;
    const schema = JSON.parse(readFileSync(join(repoRoot, 'docs/import-export.schema.json'), 'utf8'));
    assert.deepEqual(
      schema,
      JSON.parse(JSON.stringify(transfer.transferJsonSchema)),
      'the published schema is current',
    );
    const validate = new Ajv({ strict: false }).compile(schema);
    assert.ok(validate(parse(exported)), JSON.stringify(validate.errors));
    const app = doc.portfolios.flatMap((p: any) => p.applications).find((a: any) => a.name === 'Shop');
    assert.deepEqual(
      app.features.map((f: any) => f.key),
      ['COLOUR', 'CONFIG', 'FLAG', 'LIMIT'],
    );
    assert.equal(app.strategies.length, 1);
    const prod = app.environments.find((e: any) => e.name === 'production');
    assert.equal(prod.production, true);
    assert.equal(prod.featureGroups[0].features[0].value, 'platinum');
    assert.equal(prod.values.find((v: any) => v.feature === 'LIMIT').retired, true);
    const sa = doc.portfolios.flatMap((p: any) => p.serviceAccounts).find((s: any) => s.name === 'sdk');
    assert.ok(sa.apiKeys.clientEvaluated.includes('*'));

    const withoutKeys = await runRoleToExit('export', {
      args: ['--to', '-'],
      env: { DB_URL: source.database.url },
    });
    assert.equal(withoutKeys.code, 0, withoutKeys.stderr);
    assert.ok(!withoutKeys.stdout.includes(sa.apiKeys.serverEvaluated), 'no keys without --include-keys');
    assert.ok(!withoutKeys.stdout.includes('apiKeys'));
    const json = await runRoleToExit('export', {
      args: ['--to', '-', '--format', 'json', '--include-keys'],
      env: { DB_URL: source.database.url },
    });
    assert.deepEqual(JSON.parse(json.stdout), doc, 'JSON carries the same document');
  });

  for (const target of targets) {
    describe(`into a fresh ${target.dialect} database`, async () => {
      const skip = await target.skip();
      let database: TestDatabase;
      let server: RunningRole | undefined;
      const env = () => ({ DB_URL: database.url });
      const importFile = (file: string, ...flags: string[]) =>
        runRoleToExit('import', { args: ['--from', file, ...flags], env: env() });

      before(async () => {
        if (skip) return;
        database = await createTestDatabase(target.dialect);
      });
      after(async () => {
        await server?.stop('SIGKILL');
        await database?.drop();
      });

      it('imports with the same ids and keys; the SDK with the old keys reads identical feature states', {
        skip,
      }, async () => {
        const file = join(dir, 'source.yaml');
        const run = await importFile(file);
        assert.equal(run.code, 0, run.stderr);
        assert.match(run.stdout, /featureValue\s+7 created/);
        server = await startRole('party', { env: env(), timeoutMs: 30_000 });
        await server.waitUntilReady(20_000);
        assert.deepEqual(await featureStates(server.baseUrl, source.keys), sourceStates);
      });

      it('importing the same file twice changes no row and no version; export after import is byte-identical', {
        skip,
      }, async () => {
        const before = await snapshot(database.url);
        const run = await importFile(join(dir, 'source.yaml'));
        assert.equal(run.code, 0, run.stderr);
        assert.doesNotMatch(run.stdout, /[1-9]\d* (created|updated)/, run.stdout);
        assert.equal(await snapshot(database.url), before);
        const again = join(dir, `again-${target.dialect}.yaml`);
        const out = await runRoleToExit('export', { args: ['--to', again, '--include-keys'], env: env() });
        assert.equal(out.code, 0, out.stderr);
        assert.equal(readFileSync(again, 'utf8'), exported, 'export → import → export is byte-identical');
      });

      it('a malformed, hostile or conflicting file exits 2 naming what and where, and writes nothing', {
        skip,
      }, async () => {
        const before = await snapshot(database.url);
        // Files refused before the database is touched are shown once (SQLite); the clash on every database.
        const fileCases: [string, string, RegExp][] = [
          ['broken.yaml', 'featurehub: [unclosed\n', /broken\.yaml line \d+ column \d+: not valid YAML/],
          [
            'unknown.yaml',
            exported.replace('organisation:', 'extra: 1\norganisation:'),
            /unknown field "extra"/,
          ],
          [
            'wrongref.yaml',
            exported.replace(/feature: FLAG/, 'feature: NOPE'),
            /values\/\d+\/feature: no feature with key NOPE/,
          ],
          [
            'bomb.yaml',
            `a: &a [x, x, x, x, x, x, x, x, x, x]\n${Array.from(
              { length: 12 },
              (_, i) =>
                `b${i}: &b${i} [${Array(10)
                  .fill(i === 0 ? '*a' : `*b${i - 1}`)
                  .join(', ')}]`,
            ).join('\n')}\n`,
            /bomb\.yaml/,
          ],
        ];
        const cases = target.dialect === 'sqlite' ? fileCases : [];
        const doc = parse(exported) as any;
        const app = doc.portfolios.flatMap((p: any) => p.applications)[0];
        // Written first (the application's description), then a feature that takes another feature's key.
        app.description = 'changed before the clash';
        app.features.find((f: any) => f.key === 'FLAG').id = randomUUID();
        cases.push(['clash.yaml', stringify(doc), /features\/2: cannot write feature FLAG/]);
        for (const [name, text, message] of cases) {
          const file = join(dir, name);
          writeFileSync(file, text);
          const run = await importFile(file);
          assert.equal(run.code, 2, `${name}: ${run.stdout}${run.stderr}`);
          assert.match(run.stderr, message, name);
        }
        assert.equal(await snapshot(database.url), before, 'nothing was written');
      });

      it('an edited file reaches the SDK; --dry-run changes nothing; --prune archives what the file dropped', {
        skip,
      }, async () => {
        const doc = parse(exported) as any;
        const app = doc.portfolios.flatMap((p: any) => p.applications)[0];
        const prod = app.environments.find((e: any) => e.name === 'production');
        prod.values.find((v: any) => v.feature === 'COLOUR').value = 'green';
        const edited = join(dir, `edited-${target.dialect}.yaml`);
        writeFileSync(edited, stringify(doc));

        const before = await snapshot(database.url);
        const dry = await importFile(edited, '--dry-run');
        assert.equal(dry.code, 0, dry.stderr);
        assert.match(dry.stdout, /featureValue\s+0 created, 1 updated/);
        assert.equal(await snapshot(database.url), before, 'a dry run writes nothing');

        const run = await importFile(edited);
        assert.equal(run.code, 0, run.stderr);
        // The party server's cache is filled at start: a restart publishes the imported state.
        await server?.stop('SIGTERM');
        server = await startRole('party', { env: env(), timeoutMs: 30_000 });
        await server.waitUntilReady(20_000);
        const key = source.keys.find((k) => k.startsWith(prod.id) && k.includes('*'))!;
        const states = (await featureStates(server.baseUrl, [key]))[`${key} plain`] as any;
        assert.equal(states.COLOUR.value, 'green');

        app.features = app.features.filter((f: any) => f.key !== 'CONFIG');
        for (const e of app.environments) e.values = e.values.filter((v: any) => v.feature !== 'CONFIG');
        const pruned = join(dir, `pruned-${target.dialect}.yaml`);
        writeFileSync(pruned, stringify(doc));
        const withoutPrune = await importFile(pruned);
        assert.equal(withoutPrune.code, 0, withoutPrune.stderr);
        assert.doesNotMatch(withoutPrune.stdout, /archived/);
        const prune = await importFile(pruned, '--prune');
        assert.equal(prune.code, 0, prune.stderr);
        assert.match(prune.stdout, /feature\s+0 created, 0 updated, 3 unchanged, 1 archived/);
        const out = await runRoleToExit('export', { args: ['--to', '-'], env: env() });
        assert.ok(!out.stdout.includes('key: CONFIG'));
      });
    });
  }
  describe('the same on the admin API (superusers)', () => {
    it('exports the same file, imports an edited one that SSE clients see at once, refuses bad files with 400', async () => {
      const api = axios.create({
        baseURL: source.server.baseUrl,
        headers: { Authorization: `Bearer ${source.token}` },
        validateStatus: () => true,
        transformResponse: (data) => data,
      });
      const file = await api.get('/mr-api/transfer/export', { params: { includeKeys: true } });
      assert.equal(file.status, 200, file.data);
      assert.match(String(file.headers['content-type']), /application\/yaml/);
      assert.equal(file.data, exported, 'the admin API exports what the command exports');
      const anonymous = await axios.get(`${source.server.baseUrl}/mr-api/transfer/export`, {
        validateStatus: () => true,
      });
      assert.equal(anonymous.status, 401);

      const doc = parse(exported) as any;
      const app = doc.portfolios.flatMap((p: any) => p.applications)[0];
      const prod = app.environments.find((e: any) => e.name === 'production');
      const key = source.keys.find((k) => k.startsWith(prod.id) && k.includes('*'))!;
      const config = new EdgeFeatureHubConfig(source.server.baseUrl, key);
      try {
        const ctx = await config.newContext().attributeValue('plan', 'basic').build();
        await until('the SDK is ready', () => ctx.repository().readyness === 'Ready', 15_000);
        assert.equal(ctx.feature('COLOUR').getString(), 'blue');
        prod.values.find((v: any) => v.feature === 'COLOUR').value = 'purple';
        const yamlBody = stringify(doc);
        const headers = { 'content-type': 'application/yaml' };

        const dry = await api.post('/mr-api/transfer/import', yamlBody, {
          headers,
          params: { dryRun: true },
        });
        assert.equal(dry.status, 200, dry.data);
        assert.deepEqual(JSON.parse(dry.data).counts.featureValue, {
          created: 0,
          updated: 1,
          unchanged: 6,
          archived: 0,
        });

        const imported = await api.post('/mr-api/transfer/import', yamlBody, { headers });
        assert.equal(imported.status, 200, imported.data);
        await until(
          'the SSE client sees the imported value',
          () => ctx.feature('COLOUR').getString() === 'purple',
          15_000,
        );

        const again = await api.post('/mr-api/transfer/import', JSON.stringify(doc), {
          headers: { 'content-type': 'application/json' },
        });
        assert.equal(again.status, 200, again.data);
        assert.deepEqual(JSON.parse(again.data).counts.featureValue, {
          created: 0,
          updated: 0,
          unchanged: 7,
          archived: 0,
        });

        const bad = await api.post(
          '/mr-api/transfer/import',
          yamlBody.replace('feature: COLOUR', 'feature: NOPE'),
          { headers },
        );
        assert.equal(bad.status, 400, bad.data);
        assert.match(
          JSON.parse(bad.data).message,
          /^body#\/portfolios\/0\/applications\/0\/environments\/\d+\/values\/\d+\/feature: no feature with key NOPE/,
        );
      } finally {
        config.close();
      }
    });
  });
});

describe('an import killed half-way leaves nothing, and a re-run completes', () => {
  it('SIGKILL during a large import: never a partial application; the re-run imports everything', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'fh-transfer-kill-'));
    const database = await createTestDatabase('sqlite');
    try {
      const envCount = 40;
      // Without people and groups: the export compared below is made without --include-people.
      const { people: _people, ...generated } = generatedSource(10, envCount, 10);
      const doc = {
        ...generated,
        organisation: { id: generated.organisation.id, name: generated.organisation.name },
      };
      const file = join(dir, 'big.yaml');
      const text = transfer.formatTransferDocument(doc, 'yaml');
      writeFileSync(file, text);
      // Migrated first, so the kill lands in the import's transaction rather than in the migrations.
      const migrated = await openDatabase({ url: database.url });
      await migrated.migrate();
      await migrated.close();

      const child = spawn(process.execPath, [featurehubBin, 'import', '--from', file], {
        cwd: repoRoot,
        env: { ...process.env, DB_URL: database.url },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const exited = new Promise((resolveExit) => child.on('exit', resolveExit));
      // Killed once it is writing: the first rows of the transaction are in the WAL (a second process sees none).
      await new Promise((r) => setTimeout(r, 1_500));
      child.kill('SIGKILL');
      await exited;

      const counts = async () => {
        const db = await openDatabase({ url: database.url });
        try {
          const n = async (table: 'fh_application' | 'fh_environment' | 'fh_feature_value') =>
            Number(
              (
                await db.db
                  .selectFrom(table)
                  .select((eb) => eb.fn.countAll().as('n'))
                  .executeTakeFirstOrThrow()
              ).n,
            );
          return [await n('fh_application'), await n('fh_environment'), await n('fh_feature_value')];
        } finally {
          await db.close();
        }
      };
      const afterKill = await counts();
      t.diagnostic(`rows after the kill (applications, environments, values): ${afterKill.join(', ')}`);
      assert.ok(
        afterKill.join() === '0,0,0' || afterKill.join() === `10,${10 * envCount},${10 * envCount * 10}`,
        `never a partial import: ${afterKill.join()}`,
      );
      const rerun = await runRoleToExit('import', { args: ['--from', file], env: { DB_URL: database.url } });
      assert.equal(rerun.code, 0, rerun.stderr);
      assert.deepEqual(await counts(), [10, 10 * envCount, 10 * envCount * 10]);
      const out = await runRoleToExit('export', { args: ['--to', '-'], env: { DB_URL: database.url } });
      assert.equal(out.code, 0, out.stderr);
      assert.equal(out.stdout, text, 'the re-run left exactly what the file holds');
    } finally {
      await database.drop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
