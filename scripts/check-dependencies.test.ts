import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { findSplitMajors, majorOf } from './lib/dependency-majors.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const script = join(root, 'scripts/check-dependencies.mjs');

function runCheck(lockfile?: string) {
  return spawnSync(process.execPath, [script, ...(lockfile ? [lockfile] : [])], {
    cwd: root,
    encoding: 'utf8',
  });
}

describe('the one-major dependency check', () => {
  it('passes on the repository lockfile', () => {
    const r = runCheck();
    assert.equal(r.status, 0, r.stderr);
  });

  it('fails on a planted second major of a package a workspace uses, naming both copies', () => {
    const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8'));
    const hoisted = lock.packages['node_modules/@fastify/static'];
    assert.ok(hoisted, 'the lockfile installs @fastify/static at the root');
    assert.notEqual(majorOf(hoisted.version), '8');
    // What the blank admin UI came from: packages/mr got its own @fastify/static 8 beside the hoisted copy.
    lock.packages['packages/mr/node_modules/@fastify/static'] = { version: '8.3.0', license: 'MIT' };
    const file = join(mkdtempSync(join(tmpdir(), 'fh-lock-')), 'package-lock.json');
    writeFileSync(file, JSON.stringify(lock));
    const r = runCheck(file);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /@fastify\/static/);
    assert.match(r.stderr, /8\.3\.0 {2}packages\/mr\/node_modules\/@fastify\/static/);
    assert.match(
      r.stderr,
      new RegExp(`${hoisted.version.replaceAll('.', '\\.')} {2}node_modules/@fastify/static`),
    );
  });

  it('ignores two majors of a package that only other packages use', () => {
    const lock = {
      packages: {
        '': { dependencies: { a: '^1.0.0' } },
        'node_modules/a': { version: '1.2.0' },
        'node_modules/glob': { version: '14.0.0' },
        'node_modules/a/node_modules/glob': { version: '11.0.0' },
      },
    };
    assert.deepEqual(findSplitMajors(lock), []);
  });

  it('counts workspace dev dependencies, and treats 0.x minors as majors', () => {
    const lock = {
      packages: {
        '': {},
        'packages/x': { devDependencies: { kysely: '^0.28.0' } },
        'node_modules/@fh/x': { link: true, resolved: 'packages/x' },
        'node_modules/kysely': { version: '0.28.2' },
        'packages/x/node_modules/kysely': { version: '0.27.9' },
      },
    };
    assert.deepEqual(
      findSplitMajors(lock).map((s) => s.name),
      ['kysely'],
    );
    assert.equal(majorOf('0.28.2'), '0.28');
    assert.equal(majorOf('10.1.11'), '10');
  });
});
