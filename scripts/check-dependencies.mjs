#!/usr/bin/env node
// CI check (part of `npm run lint`): every package our workspaces import is installed in one major version only.
// Usage: node scripts/check-dependencies.mjs [path/to/package-lock.json]
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findSplitMajors } from './lib/dependency-majors.mjs';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
const file = resolve(root, process.argv[2] ?? 'package-lock.json');
const split = findSplitMajors(JSON.parse(readFileSync(file, 'utf8')));
if (split.length === 0) {
  process.stdout.write('dependencies: one major version of every directly used package\n');
  process.exit(0);
}
process.stderr.write('dependencies: these packages are installed in more than one major version:\n');
for (const { name, copies } of split) {
  process.stderr.write(`  ${name}\n`);
  for (const c of copies) process.stderr.write(`    ${c.version}  ${c.path}\n`);
}
process.stderr.write(
  'The bundled command and the sources can then load different majors. Align the ranges in the workspaces\n' +
    '(or pick a version of the package that pulls the other major in) so that `npm ls <name>` shows one.\n',
);
process.exit(1);
