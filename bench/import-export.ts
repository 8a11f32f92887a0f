// `node --import tsx bench/import-export.ts [--apps 50] [--envs 100] [--features 10]`: flags as code at scale, through
// the built `featurehub` command on a SQLite file. A generated file of one portfolio with `apps` applications of
// `envs` environments each (5,000 environments by default) and `features` features with a value in every environment
// is imported into an empty database, imported again (changes nothing), and exported. Then (unless --no-server) a
// party server is started on that database and `featurehub import --from <its url>` reads it through the admin API
// into a fresh SQLite database (and PostgreSQL when it is up), and again (no change). Results:
// bench/results/import-export.json (`--only-server`: the first file import, then only the server part, into
// bench/results/import-from-server.json).
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { transfer } from '@fh/mr';
import { createTestDatabase, runRoleToExit, skipUnlessService, startRole } from '@fh/test-support';
import { registerAndLogin } from '../apps/server/src/test-support/transfer-world.ts';
import { benchRoot } from './lib/ipc.ts';
import { machineInfo } from './lib/machine.ts';

const args = process.argv.slice(2);
const arg = (name: string, fallback: number) => Number(args[args.indexOf(`--${name}`) + 1] ?? 0) || fallback;
const APPS = arg('apps', 50);
const ENVS = arg('envs', 100);
const FEATURES = arg('features', 10);
const FROM_SERVER = !args.includes('--no-server');
/** only what the server part needs: the first file import builds its source */
const ONLY_SERVER = args.includes('--only-server');

function generate(): transfer.TransferDocument {
  const root = randomUUID();
  const types = ['BOOLEAN', 'STRING', 'NUMBER', 'JSON'] as const;
  const sample = { BOOLEAN: 'true', STRING: 'blue', NUMBER: '42', JSON: '{"a":1}' };
  return {
    featurehub: transfer.TRANSFER_FORMAT,
    organisation: {
      id: randomUUID(),
      name: 'Bench Org',
      // a superuser to read the installation with (`import --from <url>`); registers with the import's link
      groups: [
        {
          id: randomUUID(),
          name: 'admins',
          admin: true,
          members: [root],
          applications: [],
          environments: [],
        },
      ],
    },
    people: [{ id: root, email: 'root@example.com', name: 'Root', type: 'person', deactivated: false }],
    portfolios: [
      {
        id: randomUUID(),
        name: 'Bench',
        description: null,
        featureFilters: [],
        serviceAccounts: [],
        applications: Array.from({ length: APPS }, (_, a) => {
          const features = Array.from({ length: FEATURES }, (_, f) => ({
            id: randomUUID(),
            key: `FEATURE_${f}`,
            name: `Feature ${f}`,
            alias: null,
            valueType: types[f % types.length]!,
            description: null,
            link: null,
            metadata: null,
            secret: false,
            featureFilters: [],
          }));
          const envIds = Array.from({ length: ENVS }, () => randomUUID());
          return {
            id: randomUUID(),
            name: `app-${String(a).padStart(3, '0')}`,
            description: null,
            strategies: [],
            features,
            environments: envIds.map((id, e) => ({
              id,
              name: `env-${String(e).padStart(3, '0')}`,
              description: null,
              priorEnvironment: e === 0 ? null : envIds[e - 1]!,
              production: e === ENVS - 1,
              info: {},
              managementInfo: {},
              values: features.map((f) => ({
                id: randomUUID(),
                feature: f.key,
                version: 1,
                value: sample[f.valueType],
                locked: false,
                retired: false,
                strategies: [
                  {
                    id: 'abcde',
                    name: 'half',
                    percentage: 500000,
                    percentageAttributes: [],
                    attributes: [],
                    value: sample[f.valueType],
                  },
                ],
                applicationStrategies: [],
              })),
              featureGroups: [],
            })),
          };
        }),
      },
    ],
  };
}

let lastStdout = '';
async function timed(
  what: string,
  fn: () => Promise<{ code: number | null; stderr: string; stdout: string }>,
): Promise<number> {
  const start = performance.now();
  const r = await fn();
  const ms = performance.now() - start;
  if (r.code !== 0) throw new Error(`${what} failed (${r.code}): ${r.stderr}`);
  lastStdout = r.stdout;
  console.log(`${what}: ${(ms / 1000).toFixed(1)} s`);
  // `import --from <url>` says how long reading and writing took
  for (const line of r.stderr.split('\n')) if (/ in \d+\.\d s$/.test(line)) console.log(`  ${line}`);
  return ms;
}

/** `featurehub import --from <url>` of the database just written, into fresh SQLite (and PostgreSQL) databases. */
async function fromServer(dir: string, sourceUrl: string, registrationUrl: string) {
  const started = performance.now();
  const server = await startRole('party', { env: { DB_URL: sourceUrl }, timeoutMs: 600_000 });
  try {
    await server.waitUntilReady(600_000);
    const startMs = performance.now() - started;
    console.log(`party server on the source ready: ${(startMs / 1000).toFixed(1)} s`);
    const token = await registerAndLogin(server.baseUrl, 'root@example.com', registrationUrl);
    const out: Record<string, { firstMs: number; secondMs: number } | number> = {
      sourceServerStartMs: Math.round(startMs),
    };
    const targets: [string, () => Promise<{ url: string; drop(): Promise<void> }>][] = [
      ['sqlite', async () => ({ url: `sqlite:${join(dir, 'target.db')}`, drop: async () => {} })],
    ];
    if (!(await skipUnlessService('postgres')))
      targets.push(['postgres', () => createTestDatabase('postgres')]);
    for (const [dialect, make] of targets) {
      const db = await make();
      try {
        const env = { DB_URL: db.url };
        const args = ['--from', server.baseUrl, '--token', token];
        const firstMs = await timed(`import --from <url> into ${dialect}`, () =>
          runRoleToExit('import', { args, env }),
        );
        const secondMs = await timed(`import --from <url> into ${dialect} again (no change)`, () =>
          runRoleToExit('import', { args, env }),
        );
        if (/[1-9]\d* (created|updated)/.test(lastStdout))
          throw new Error(`the re-run changed rows:\n${lastStdout}`);
        out[dialect] = { firstMs: Math.round(firstMs), secondMs: Math.round(secondMs) };
      } finally {
        await db.drop();
      }
    }
    return out;
  } finally {
    await server.stop('SIGTERM');
  }
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'fh-bench-transfer-'));
  try {
    const file = join(dir, 'bench.yaml');
    writeFileSync(file, transfer.formatTransferDocument(generate(), 'yaml'));
    const env = { DB_URL: `sqlite:${join(dir, 'fh.db')}` };
    const size = statSync(file).size;
    console.log(
      `${APPS * ENVS} environments, ${APPS * ENVS * FEATURES} values, file ${(size / 1e6).toFixed(1)} MB`,
    );
    const load = loadavg()[0];
    const first = await timed('first import', () => runRoleToExit('import', { args: ['--from', file], env }));
    const registration = /register-url\?token=\S+/.exec(lastStdout)?.[0];
    const second = ONLY_SERVER
      ? Number.NaN
      : await timed('second import (no change)', () =>
          runRoleToExit('import', { args: ['--from', file], env }),
        );
    const exported = ONLY_SERVER
      ? Number.NaN
      : await timed('export', () => runRoleToExit('export', { args: ['--to', join(dir, 'out.yaml')], env }));
    const server =
      FROM_SERVER && registration ? await fromServer(dir, env.DB_URL, `http://x/${registration}`) : undefined;
    const results = {
      when: new Date().toISOString(),
      machine: machineInfo(),
      loadAverage1m: load,
      environments: APPS * ENVS,
      values: APPS * ENVS * FEATURES,
      fileBytes: size,
      firstImportMs: Math.round(first),
      ...(ONLY_SERVER ? {} : { secondImportMs: Math.round(second), exportMs: Math.round(exported) }),
      ...(server ? { importFromServer: server } : {}),
    };
    const out = resolve(benchRoot, 'results');
    mkdirSync(out, { recursive: true });
    const name = ONLY_SERVER ? 'import-from-server.json' : 'import-export.json';
    writeFileSync(join(out, name), `${JSON.stringify(results, null, 2)}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
