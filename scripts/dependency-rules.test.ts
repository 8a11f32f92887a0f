import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  appendFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

// The import rules of dependency-cruiser.config.mjs (ADR 0007). Wrong-way imports are planted in a throw-away copy
// of packages/ and apps/ under the system temp folder, never in the work tree, and the copy is removed afterwards.

const root = fileURLToPath(new URL('..', import.meta.url));
const depcruise = join(root, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs');

interface Violation {
  from: string;
  to: string;
  rule: { name: string };
  via?: { name: string }[];
}

function cruise(cwd: string) {
  const r = spawnSync(
    process.execPath,
    [depcruise, '--config', 'dependency-cruiser.config.mjs', '--output-type', 'json', 'packages', 'apps'],
    { cwd, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 },
  );
  return { status: r.status, stderr: r.stderr, stdout: r.stdout };
}

function violationsOf(stdout: string): Violation[] {
  return JSON.parse(stdout).summary.violations;
}

function describeViolation(v: Violation): string {
  return `${v.rule.name}: ${v.from} → ${v.to}${v.via ? ` (via ${v.via.map((m) => m.name).join(' → ')})` : ''}`;
}

/** Fills `copy` with what the check reads: packages/, apps/, the config, node_modules linked as npm links them. */
function copyTheRepositoryTo(copy: string) {
  const skip = new Set(['node_modules', 'dist', 'data', '.tmp', 'coverage']);
  for (const dir of ['packages', 'apps', 'scripts/lib']) {
    cpSync(join(root, dir), join(copy, dir), {
      recursive: true,
      filter: (src) => !skip.has(src.slice(src.lastIndexOf('/') + 1)),
    });
  }
  for (const file of ['dependency-cruiser.config.mjs', 'package.json']) {
    cpSync(join(root, file), join(copy, file));
  }
  mkdirSync(join(copy, 'node_modules/@fh'), { recursive: true });
  for (const name of readdirSync(join(root, 'node_modules'))) {
    if (name.startsWith('.') || name === '@fh') continue;
    symlinkSync(join(root, 'node_modules', name), join(copy, 'node_modules', name));
  }
  // The workspace links are relative (../../packages/x), so in the copy they point into the copy.
  for (const name of readdirSync(join(root, 'node_modules/@fh'))) {
    symlinkSync(readlinkSync(join(root, 'node_modules/@fh', name)), join(copy, 'node_modules/@fh', name));
  }
}

function plant(copy: string, file: string, text: string) {
  mkdirSync(dirname(join(copy, file)), { recursive: true });
  writeFileSync(join(copy, file), text);
}

/** Makes a planted module production code: its package's entry re-exports it. */
function exportFromEntry(copy: string, pkg: string, module: string) {
  appendFileSync(join(copy, 'packages', pkg, 'src/index.ts'), `\nexport * from './${module}';\n`);
}

describe('the dependency rules', () => {
  it('pass on the repository', () => {
    const r = cruise(root);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(violationsOf(r.stdout).map(describeViolation), []);
  });

  describe('on a copy with wrong-way imports planted', () => {
    let copy = '';
    let found: Violation[] = [];

    before(() => {
      copy = mkdtempSync(join(tmpdir(), 'fh-dependency-rules-'));
      copyTheRepositoryTo(copy);
      // evaluation (production) → mr
      plant(copy, 'packages/evaluation/src/planted-mr.ts', "export { MrError } from '@fh/mr';\n");
      exportFromEntry(copy, 'evaluation', 'planted-mr.ts');
      // contracts (production) → a Node built-in, and an I/O library
      plant(
        copy,
        'packages/contracts/src/planted-io.ts',
        "import { readFileSync } from 'node:fs';\nimport { Kysely } from 'kysely';\n" +
          'export const planted = [readFileSync, Kysely];\n',
      );
      exportFromEntry(copy, 'contracts', 'planted-io.ts');
      // a relative import into another package's src/ (edge may use dacha, through its name)
      plant(
        copy,
        'packages/edge/src/planted-relative.ts',
        "export { DachaCache } from '../../dacha/src/dacha-cache.ts';\n",
      );
      // NATS outside messaging; SQL (a type import too) in edge and dacha
      plant(
        copy,
        'packages/dacha/src/planted-nats.ts',
        "export { connect } from '@nats-io/transport-node';\n",
      );
      plant(copy, 'packages/edge/src/planted-sql.ts', "export { Kysely } from 'kysely';\n");
      plant(copy, 'packages/dacha/src/planted-pg.ts', "export type { Pool } from 'pg';\n");
      // production → @fh/test-support, and production → a testing entry of a package it may use
      plant(
        copy,
        'packages/service-kit/src/planted-test-support.ts',
        "export { skipUnlessService } from '@fh/test-support';\n",
      );
      exportFromEntry(copy, 'service-kit', 'planted-test-support.ts');
      plant(
        copy,
        'packages/edge/src/planted-testing.ts',
        "export { cacheFeature } from '@fh/dacha/testing';\n",
      );
      exportFromEntry(copy, 'edge', 'planted-testing.ts');
      // mr production → dacha (allowed in mr's tests only), and an mr test → dacha (fine)
      plant(copy, 'packages/mr/src/planted-dacha.ts', "export { DachaCache } from '@fh/dacha';\n");
      exportFromEntry(copy, 'mr', 'planted-dacha.ts');
      plant(copy, 'packages/mr/src/planted-dacha.test.ts', "import '@fh/dacha';\n");
      // a dacha test → edge (not even tests may)
      plant(copy, 'packages/dacha/src/planted-edge.test.ts', "import '@fh/edge';\n");
      // a package → an app
      plant(copy, 'packages/dacha/src/planted-app.ts', "import '../../../apps/server/src/wiring.ts';\n");
      // the admin UI: a value from @fh/contracts beside a type import of it, another package, a type only (fine)
      plant(
        copy,
        'apps/admin-ui/src/planted-value.ts',
        "import type { FeatureState } from '@fh/contracts';\nimport { FeatureStateSchema } from '@fh/contracts';\n" +
          'export const planted: [FeatureState[], unknown] = [[], FeatureStateSchema];\n',
      );
      plant(
        copy,
        'apps/admin-ui/src/planted-evaluation.ts',
        "export { percentageBucket } from '@fh/evaluation';\n",
      );
      plant(
        copy,
        'apps/admin-ui/src/planted-type.ts',
        "export type { FeatureState } from '@fh/contracts';\n",
      );
      // an import that does not resolve
      plant(copy, 'packages/edge/src/planted-missing.ts', "import '@fh/no-such-package';\n");

      const r = cruise(copy);
      assert.equal(r.status, 0, r.stderr); // with JSON output the exit code does not count the violations
      found = violationsOf(r.stdout);
    });

    after(() => {
      if (copy !== '') rmSync(copy, { recursive: true, force: true });
    });

    const expected: [rule: string, from: string, to: string][] = [
      ['evaluation-production-arrows', 'packages/evaluation/src/index.ts', 'packages/mr/src/index.ts'],
      ['evaluation-file-arrows', 'packages/evaluation/src/planted-mr.ts', 'packages/mr/src/index.ts'],
      ['contracts-and-evaluation-without-node', 'packages/contracts/src/index.ts', 'fs'],
      ['contracts-and-evaluation-without-node', 'packages/evaluation/src/index.ts', 'fs'],
      ['contracts-and-evaluation-do-no-io', 'packages/contracts/src/index.ts', 'node_modules/kysely/'],
      ['only-mr-imports-sql', 'packages/contracts/src/planted-io.ts', 'node_modules/kysely/'],
      ['by-package-name', 'packages/edge/src/planted-relative.ts', 'packages/dacha/src/dacha-cache.ts'],
      [
        'only-messaging-imports-nats',
        'packages/dacha/src/planted-nats.ts',
        'node_modules/@nats-io/transport-node/',
      ],
      ['only-mr-imports-sql', 'packages/edge/src/planted-sql.ts', 'node_modules/kysely/'],
      ['only-mr-imports-sql', 'packages/dacha/src/planted-pg.ts', 'node_modules/pg/'],
      [
        'production-never-reaches-test-code',
        'packages/service-kit/src/index.ts',
        'packages/test-support/src/index.ts',
      ],
      [
        'service-kit-production-arrows',
        'packages/service-kit/src/index.ts',
        'packages/test-support/src/index.ts',
      ],
      ['production-never-reaches-test-code', 'packages/edge/src/index.ts', 'packages/dacha/src/testing.ts'],
      ['mr-production-arrows', 'packages/mr/src/index.ts', 'packages/dacha/src/index.ts'],
      ['dacha-file-arrows', 'packages/dacha/src/planted-edge.test.ts', 'packages/edge/src/index.ts'],
      ['packages-not-to-apps', 'packages/dacha/src/planted-app.ts', 'apps/server/src/wiring.ts'],
      ['by-package-name', 'packages/dacha/src/planted-app.ts', 'apps/server/src/wiring.ts'],
      [
        'admin-ui-contracts-types-only',
        'apps/admin-ui/src/planted-value.ts',
        'packages/contracts/src/index.ts',
      ],
      [
        'admin-ui-only-contracts',
        'apps/admin-ui/src/planted-evaluation.ts',
        'packages/evaluation/src/index.ts',
      ],
      ['not-to-unresolvable', 'packages/edge/src/planted-missing.ts', '@fh/no-such-package'],
    ];
    for (const [rule, from, to] of expected) {
      it(`${rule}: ${from} → ${to}`, () => {
        const hit = found.find((v) => v.rule.name === rule && v.from === from && v.to.includes(to));
        assert.ok(
          hit,
          `expected ${rule} for ${from} → ${to}; found:\n${found.map((v) => `  ${describeViolation(v)}`).join('\n')}`,
        );
      });
    }

    it('leaves allowed imports alone: type-only contracts in the UI, dacha in mr tests, Node in evaluation tests', () => {
      const from = (file: string) => found.filter((v) => v.from === file);
      assert.deepEqual(from('apps/admin-ui/src/planted-type.ts'), []);
      assert.deepEqual(from('apps/admin-ui/src/lib/well-known.ts'), []);
      assert.deepEqual(from('packages/mr/src/planted-dacha.test.ts'), []);
      assert.deepEqual(from('packages/evaluation/src/compiled.test.ts'), []);
      assert.deepEqual(from('packages/edge/src/sdk.int.test.ts'), []);
    });
  });

  it('refuses a package that has no row in the rules', () => {
    const copy = mkdtempSync(join(tmpdir(), 'fh-dependency-rules-'));
    try {
      cpSync(join(root, 'dependency-cruiser.config.mjs'), join(copy, 'dependency-cruiser.config.mjs'));
      for (const name of readdirSync(join(root, 'packages'))) {
        if (!existsSync(join(root, 'packages', name, 'package.json'))) continue;
        cpSync(join(root, 'packages', name, 'package.json'), join(copy, 'packages', name, 'package.json'));
      }
      plant(
        copy,
        'packages/newcomer/package.json',
        '{ "name": "@fh/newcomer", "exports": "./src/index.ts" }\n',
      );
      const r = cruise(copy);
      assert.notEqual(r.status, 0);
      assert.match(r.stderr + r.stdout, /packages\/newcomer has no row/);
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });
});
