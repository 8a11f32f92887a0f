#!/usr/bin/env node
// Runs every *.test.ts under the given workspace folders (default: all) with node's test runner,
// TypeScript loaded through tsx. Integration suites decide for themselves whether their service is up.
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { staleBuildReason } from './lib/build-freshness.mjs';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
const args = process.argv.slice(2);
const filters = args.filter((a) => !a.startsWith('--'));
const passThrough = args.filter((a) => a.startsWith('--'));
const roots =
  filters.length > 0
    ? filters.map((f) => resolve(root, f))
    : ['packages', 'apps', 'scripts'].map((d) => join(root, d));

function collect(dir, out) {
  let entries;
  try {
    entries = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of entries) {
    if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) continue;
    const full = join(dir, name);
    if (statSync(full).isDirectory()) collect(full, out);
    else if (name.endsWith('.test.ts')) out.push(full);
  }
  return out;
}

const files = roots.flatMap((r) => (r.endsWith('.test.ts') ? [r] : collect(r, []))).sort();
if (files.length === 0) {
  console.error('no test files found under', roots.map((r) => relative(root, r)).join(', '));
  process.exit(1);
}
// Tests start the built `featurehub` command (what `npm start` runs), so build first when it is stale.
const stale = staleBuildReason(root);
if (stale) {
  process.stderr.write(`test: building the featurehub command first (${stale})\n`);
  const built = spawnSync(process.execPath, [join(root, 'scripts/build.mjs')], {
    cwd: root,
    stdio: 'inherit',
  });
  if (built.status !== 0) process.exit(built.status ?? 1);
}

const nodeArgs = [
  '--import',
  'tsx',
  '--test',
  '--test-reporter=spec',
  '--test-concurrency=2',
  '--test-timeout=360000',
  ...passThrough,
  ...files.map((f) => relative(root, f)),
];
const child = spawn(process.execPath, nodeArgs, { cwd: root, stdio: 'inherit', env: process.env });
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
