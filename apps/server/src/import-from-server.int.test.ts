import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { openDatabase, transfer } from '@fh/mr';
import { MrClient } from '@fh/mr/testing';
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
import { EdgeFeatureHubConfig } from 'featurehub-javascript-node-sdk';
import {
  featureStates,
  generatedSource,
  ok,
  type RichSource,
  registerAndLogin,
  seedRichSource,
  setValue,
  snapshot,
} from './test-support/transfer-world.ts';
import { runTransferCommand } from './transfer-command.ts';

// `featurehub import --from <url>` through the built command: a party server on SQLite is seeded through the admin
// API with every kind of object (several portfolios and applications, people, groups with roles and members, an
// admin service account, SDK service accounts, feature groups, filters, application strategies, locked and retired
// values, custom strategies) and read through its admin API into a fresh database (SQLite, and PostgreSQL when it is
// up; the importer's MySQL side is shown by import-export and import-people, which write through the same code). The real SDK 1.4.0 with the OLD keys reads identical feature states from both; a change made through the
// new server's admin API (by a person who registered with the link from the summary) reaches an SSE client;
// importing twice changes nothing; bad sources exit 2 and write nothing; --dry-run writes nothing.

const targets: { dialect: TestDialect; skip: () => Promise<string | false | undefined> }[] = [
  { dialect: 'sqlite', skip: async () => false },
  { dialect: 'postgres', skip: () => skipUnlessService('postgres') },
];

/** `  email url` lines of the summary. */
function registrations(stdout: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of stdout.matchAll(/^ {2}(\S+@\S+) (https?:\/\/\S+\/register-url\?token=(\S+))$/gm)) {
    out.set(m[1]!, m[3]!);
  }
  return out;
}

describe('featurehub import --from <url of a running FeatureHub> through the built command', () => {
  let source: RichSource;
  let sourceStates: Record<string, unknown>;
  const login = () => ['--email', source.admin.email, '--password', source.admin.password];

  before(async () => {
    source = await seedRichSource(4);
    sourceStates = await featureStates(source.server.baseUrl, source.keys);
  });
  after(async () => {
    await source?.server.stop('SIGKILL');
    await source?.database.drop();
  });

  for (const target of targets) {
    describe(`into a fresh ${target.dialect} database`, async () => {
      const skip = await target.skip();
      let database: TestDatabase;
      let server: RunningRole | undefined;
      let firstRun = '';
      const importFrom = (...flags: string[]) =>
        runRoleToExit('import', {
          args: ['--from', source.server.baseUrl, ...flags],
          env: { DB_URL: database.url },
        });

      before(async () => {
        if (skip) return;
        database = await createTestDatabase(target.dialect);
        // Migrated first, so "nothing written" compares rows (the command migrates a fresh database, even on a dry run).
        const migrated = await openDatabase({ url: database.url });
        await migrated.migrate();
        await migrated.close();
      });
      after(async () => {
        await server?.stop('SIGKILL');
        await database?.drop();
      });

      it('--dry-run reads everything, prints the plan and writes nothing', { skip }, async () => {
        const before = await snapshot(database.url);
        const dry = await importFrom(...login(), '--dry-run');
        assert.equal(dry.code, 0, dry.stderr);
        assert.match(dry.stdout, /^dry run: nothing was written/);
        assert.match(dry.stdout, /application\s+5 created/);
        assert.match(dry.stdout, /person\s+5 created/);
        assert.equal(await snapshot(database.url), before, 'a dry run writes nothing');
      });

      it('imports with the same ids and keys: the SDK with the old keys reads identical feature states', {
        skip,
      }, async () => {
        const run = await importFrom(...login());
        assert.equal(run.code, 0, run.stderr);
        firstRun = run.stdout;
        for (const [kind, n] of [
          ['organisation', 1],
          ['portfolio', 2],
          ['application', 5],
          ['environment', 10],
          ['feature', 16],
          ['featureValue', 31],
          ['applicationStrategy', 1],
          ['featureGroup', 1],
          ['featureFilter', 1],
          ['serviceAccount', 3],
          ['person', 5],
          ['group', 4],
        ] as const) {
          assert.match(run.stdout, new RegExp(`${kind}\\s+${n} created, 0 updated, 0 unchanged`), kind);
        }
        assert.match(run.stderr, /writing \d+\/\d+: application "Shop"/, 'progress, one line per step');
        server = await startRole('party', { env: { DB_URL: database.url }, timeoutMs: 30_000 });
        await server.waitUntilReady(20_000);
        assert.match(
          JSON.stringify(sourceStates),
          /"strategies":\[\{/,
          'client-evaluated keys carry the strategies compared',
        );
        assert.deepEqual(await featureStates(server.baseUrl, source.keys), sourceStates);
      });

      it('people arrive without passwords; a registration link works; groups, roles and members came along; SSE follows a change', {
        skip,
      }, async () => {
        const links = registrations(firstRun);
        assert.deepEqual([...links.keys()].sort(), [
          'ada@example.com',
          'bob@example.com',
          'carol@example.com',
        ]);
        const anonymous = new MrClient(server!.baseUrl);
        ok(
          await anonymous.post('/authentication', {
            name: 'Ada Admin',
            email: 'ada@example.com',
            password: 'newpassword1',
            confirmPassword: 'newpassword1',
            registrationToken: links.get('ada@example.com'),
          }),
          'ada registers on the new server',
        );
        const tokenized = ok(
          await anonymous.post('/login', { email: 'ada@example.com', password: 'newpassword1' }),
          'ada logs in',
        );
        const admin = anonymous.withToken(tokenized.accessToken);
        const self = ok(await admin.get('/person/self?includeGroups=true'), 'self');
        assert.ok(
          self.groups.some((g: any) => g.admin && !g.portfolioId),
          'ada is a superuser on the new server too',
        );
        const portfolios = ok<any[]>(await admin.get('/portfolio'), 'portfolios');
        const retail = portfolios.find((p) => p.name === 'Retail');
        const groups = ok<any[]>(await admin.get(`/portfolio/${retail.id}/group`), 'groups');
        const devs = ok(
          await admin.get(
            `/group/${groups.find((g) => g.name === 'Developers').id}?includeMembers=true&includeGroupRoles=true`,
          ),
          'developers',
        );
        assert.deepEqual(
          devs.members.map((m: any) => m.id.id),
          [source.member.id],
        );
        assert.deepEqual(
          devs.applicationRoles.map((r: any) => r.roles),
          [['FEATURE_EDIT']],
        );
        assert.deepEqual(
          devs.environmentRoles.map((r: any) => [r.environmentId, [...r.roles].sort()]).sort(),
          [
            [source.envIds[0], ['CHANGE_VALUE', 'LOCK', 'READ']],
            [source.envIds[1], ['READ']],
          ].sort(),
        );
        const people = ok(
          await admin.get('/person?includeDeactivated=true&personTypes=person&personTypes=serviceAccount'),
          'people',
        );
        const byEmail = new Map<string, any>(people.people.map((p: any) => [p.email, p]));
        assert.ok(byEmail.get('dave@example.com')?.whenArchived, 'a deactivated person stays deactivated');
        assert.ok(
          people.people.some((p: any) => p.personType === 'serviceAccount' && p.name === 'ci-bot'),
          'the admin service account',
        );

        const [dev] = source.envIds;
        const key = source.keys.find((k) => k.startsWith(`${dev}/`) && k.includes('*'))!;
        const config = new EdgeFeatureHubConfig(server!.baseUrl, key);
        try {
          const ctx = await config.newContext().attributeValue('plan', 'basic').build();
          await until('the SDK is ready', () => ctx.repository().readyness === 'Ready', 15_000);
          assert.equal(ctx.feature('LIMIT').getNumber(), 5);
          await setValue(admin, dev!, 'LIMIT', { valueNumber: 77 });
          await until(
            'the SSE client sees the change',
            () => ctx.feature('LIMIT').getNumber() === 77,
            15_000,
          );
        } finally {
          config.close();
        }
        // Back as the source has it, so the next test compares with an unchanged source.
        await setValue(admin, dev!, 'LIMIT', { valueNumber: 5 });
        await server?.stop('SIGTERM');
        server = undefined;
      });

      it('importing twice changes nothing: every row and version stays; the summary says so', {
        skip,
      }, async () => {
        const rerun = await importFrom(...login());
        assert.equal(rerun.code, 0, rerun.stderr);
        // The value changed on the target (and changed back) is put back to the source's state: one update.
        await importFrom(...login());
        const before = await snapshot(database.url);
        const again = await importFrom(...login());
        assert.equal(again.code, 0, again.stderr);
        assert.doesNotMatch(again.stdout, /[1-9]\d* (created|updated|archived)/, again.stdout);
        assert.match(again.stdout, /nothing changed/);
        assert.equal(await snapshot(database.url), before, 'no row and no version changed');
      });

      // Reading fails before anything is written, whatever the target: shown once, on SQLite.
      if (target.dialect === 'sqlite')
        it('bad sources exit 2 naming what and where, and write nothing', { skip }, async () => {
          const before = await snapshot(database.url);
          const closed = createServer();
          await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
          const closedPort = (closed.address() as AddressInfo).port;
          await new Promise((r) => closed.close(r));
          const hostile = await hostileSource();
          try {
            const cases: [string, string[], RegExp][] = [
              [
                'unreachable',
                ['--from', `http://127.0.0.1:${closedPort}`, ...login()],
                new RegExp(`cannot reach http://127\\.0\\.0\\.1:${closedPort}/mr-api/login: ECONNREFUSED`),
              ],
              [
                'unknown host',
                ['--from', 'http://no-such-host.invalid', ...login()],
                /cannot reach http:\/\/no-such-host\.invalid/,
              ],
              [
                'wrong token',
                ['--from', source.server.baseUrl, '--token', 'not-a-token'],
                /\/mr-api\/person\/self\?includeGroups=true: the source refused the token \(401/,
              ],
              [
                'wrong password',
                ['--from', source.server.baseUrl, '--email', source.admin.email, '--password', 'wrong'],
                /\/mr-api\/login: wrong email or password/,
              ],
              [
                'not a superuser',
                [
                  '--from',
                  source.server.baseUrl,
                  '--email',
                  source.member.email,
                  '--password',
                  source.member.password,
                ],
                /bob@example\.com is not a superuser/,
              ],
              [
                'a hostile answer',
                ['--from', hostile.url, '--token', 'anything'],
                /\/mr-api\/portfolio\?includeApplications=true: answer is not a list of portfolios: "\.\.\/\.\.\/etc" is not an id/,
              ],
              [
                'no credentials',
                ['--from', source.server.baseUrl],
                /needs --token, or --email and --password/,
              ],
            ];
            for (const [what, args, message] of cases) {
              const run = await runRoleToExit('import', { args, env: { DB_URL: database.url } });
              assert.equal(run.code, 2, `${what}: ${run.stdout}${run.stderr}`);
              assert.match(run.stderr, message, what);
              assert.ok(!run.stderr.includes(source.admin.password), `${what}: the password is not printed`);
            }
            assert.deepEqual(
              hostile.paths.filter((p) => p.includes('..')),
              [],
              'a hostile id is never put into a request',
            );
          } finally {
            await new Promise((r) => hostile.server.close(r));
          }
          assert.equal(await snapshot(database.url), before, 'nothing was written');
        });
    });
  }

  it('on a terminal the progress is a bar (requests read, steps written) on stderr; the summary stays on stdout', async () => {
    const database = await createTestDatabase('sqlite');
    try {
      const outs: string[] = [];
      const errs: string[] = [];
      const code = await runTransferCommand(
        'import',
        ['--from', source.server.baseUrl, ...login(), '--dry-run'],
        { DB_URL: database.url },
        { out: (t) => outs.push(t), err: (t) => errs.push(t), stdin: () => '', errIsTty: true },
      );
      const out = outs.join('');
      const err = errs.join('');
      assert.equal(code, 0, err);
      assert.match(err, /\rreading \[#+-*\] \d+\/\d+/);
      assert.match(err, /\rreading \[#{30}\] (\d+)\/\1 /, 'the reading bar ends full');
      assert.match(err, /\rwriting \[#{30}\] (\d+)\/\1 groups and service accounts/);
      assert.doesNotMatch(out, /\r|\[#/);
      assert.match(out, /^dry run: nothing was written/);
    } finally {
      await database.drop();
    }
  });

  it('a malformed answer from the source is rejected like a malformed file, naming the admin API path', async () => {
    const hostile = await hostileSource({ badType: true });
    const database = await createTestDatabase('sqlite');
    try {
      const run = await runRoleToExit('import', {
        args: ['--from', hostile.url, '--token', 't'],
        env: { DB_URL: database.url },
      });
      assert.equal(run.code, 2, run.stdout + run.stderr);
      assert.match(
        run.stderr,
        /\/mr-api\/application\/[0-9a-f-]+\/features: answer is not a valid FeatureHub object: .*allowed values \(at \/portfolios\/0\/applications\/0\/features\/0\/valueType/,
      );
    } finally {
      await new Promise((r) => hostile.server.close(r));
      await database.drop();
    }
  });
});

/**
 * A fake FeatureHub: a superuser's answers, then a portfolio with an id that would walk out of the path
 * (`badType`: a valid portfolio with a feature of a type that does not exist).
 */
async function hostileSource(options: { badType?: boolean } = {}) {
  const paths: string[] = [];
  const org = randomUUID();
  const portfolio = options.badType ? randomUUID() : '../../etc';
  const answers: [RegExp, unknown][] = [
    [
      /^\/mr-api\/person\/self/,
      {
        id: { id: randomUUID() },
        email: 'x@example.com',
        groups: [{ id: randomUUID(), admin: true, portfolioId: null }],
      },
    ],
    [/^\/mr-api\/initialize/, { organization: { id: org, name: 'Hostile' } }],
    [/^\/mr-api\/portfolio\?/, [{ id: portfolio, name: 'P', applications: [] }]],
    [/^\/mr-api\/person\?/, { max: 0, people: [] }],
    [/^\/mr-api\/organization\//, { id: randomUUID(), name: 'admins', admin: true, members: [] }],
    [/\/feature-filter/, { max: 0, filters: [] }],
    [
      /\/service-account/,
      [
        {
          id: randomUUID(),
          name: 'sdk',
          featureFilters: [],
          permissions: [],
          apiKeyServerSide: 'a',
          apiKeyClientSide: 'b*c',
        },
      ],
    ],
    [/\/group$/, []],
  ];
  if (options.badType) {
    const app = randomUUID();
    answers[2] = [
      /^\/mr-api\/portfolio\?/,
      [{ id: portfolio, name: 'P', applications: [{ id: app, name: 'A' }] }],
    ];
    answers.push(
      [/\/features\?includeMetaData/, [{ id: randomUUID(), key: 'K', name: 'K', valueType: 'COLOR' }]],
      [/\/environment\?includeDetails/, []],
    );
  }
  const server: Server = createServer((req, res) => {
    paths.push(req.url ?? '');
    const found = answers.find(([re]) => re.test(req.url ?? ''));
    res.writeHead(found ? 200 : 404, { 'content-type': 'application/json' });
    res.end(JSON.stringify(found ? found[1] : { message: 'not here' }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, paths, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

describe('an import from a running FeatureHub killed half-way keeps the finished applications; the re-run completes', () => {
  it('SIGKILL once some applications are written: they stay whole; the re-run ends where an uninterrupted import ends', async (t) => {
    // A source big enough that writing an application takes a while: built with the file import, served by a party server.
    const sourceDb = await createTestDatabase('sqlite');
    const killed = await createTestDatabase('sqlite');
    const whole = await createTestDatabase('sqlite');
    let server: RunningRole | undefined;
    try {
      const seeded = await openDatabase({ url: sourceDb.url });
      await seeded.migrate();
      const report = await transfer.importTransferDocument(seeded, generatedSource(6, 40, 20), {
        siteUrl: 'http://source.example',
      });
      await seeded.close();
      server = await startRole('party', { env: { DB_URL: sourceDb.url }, timeoutMs: 30_000 });
      await server.waitUntilReady(20_000);
      const token = await registerAndLogin(server.baseUrl, 'root@example.com', report.registrations[0]!.url);
      const migrated = await openDatabase({ url: killed.url });
      await migrated.migrate();
      await migrated.close();

      const child = spawn(
        process.execPath,
        [featurehubBin, 'import', '--from', server.baseUrl, '--token', token],
        { cwd: repoRoot, env: { ...process.env, DB_URL: killed.url }, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let stderr = '';
      let writtenWhenKilled = -1;
      const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
      child.stderr.setEncoding('utf8');
      child.stderr.on('data', (chunk: string) => {
        stderr += chunk;
        const steps = [...stderr.matchAll(/writing (\d+)\/(\d+): application/g)];
        if (writtenWhenKilled < 0 && steps.length >= 2) {
          writtenWhenKilled = steps.length;
          child.kill('SIGKILL');
        }
      });
      const code = await exited;
      t.diagnostic(`killed after ${writtenWhenKilled} application(s) were reported written (exit ${code})`);
      assert.notEqual(code, 0, `the import was killed before it finished:\n${stderr}`);

      const apps = async (url: string) => {
        const db = await openDatabase({ url });
        try {
          const rows = await db.db.selectFrom('fh_application').select(['id']).execute();
          const out: Record<string, [number, number]> = {};
          for (const r of rows) {
            const envs = await db.db
              .selectFrom('fh_environment')
              .select('id')
              .where('application_id', '=', r.id)
              .execute();
            const values =
              envs.length === 0
                ? []
                : await db.db
                    .selectFrom('fh_feature_value')
                    .select('id')
                    .where(
                      'environment_id',
                      'in',
                      envs.map((e) => e.id),
                    )
                    .execute();
            out[r.id] = [envs.length, values.length];
          }
          return out;
        } finally {
          await db.close();
        }
      };
      const afterKill = await apps(killed.url);
      const finished = Object.keys(afterKill).length;
      t.diagnostic(`applications in the target after the kill: ${finished} of 6`);
      assert.ok(finished >= 2 && finished < 6, `some but not all applications: ${finished}`);
      for (const [id, counts] of Object.entries(afterKill)) {
        assert.deepEqual(counts, [40, 800], `application ${id} is whole`);
      }

      const rerun = await runRoleToExit('import', {
        args: ['--from', server.baseUrl, '--token', token],
        env: { DB_URL: killed.url },
      });
      assert.equal(rerun.code, 0, rerun.stderr);
      assert.match(
        rerun.stdout,
        new RegExp(`application\\s+${6 - finished} created, 0 updated, ${finished} unchanged`),
      );
      const straight = await runRoleToExit('import', {
        args: ['--from', server.baseUrl, '--token', token],
        env: { DB_URL: whole.url },
      });
      assert.equal(straight.code, 0, straight.stderr);
      const exportOf = async (url: string) => {
        const out = await runRoleToExit('export', {
          args: ['--to', '-', '--include-keys', '--include-people'],
          env: { DB_URL: url },
        });
        assert.equal(out.code, 0, out.stderr);
        return out.stdout;
      };
      assert.equal(await exportOf(killed.url), await exportOf(whole.url), 'the same end state');
    } finally {
      await server?.stop('SIGKILL');
      await sourceDb.drop();
      await killed.drop();
      await whole.drop();
    }
  });
});
