#!/usr/bin/env node
// Builds the publishable package into dist/ (or `--out <dir>`): ES modules bundled by esbuild with
// @fh/evaluation inside (it is private to this repository) and the OpenFeature SDKs left to the
// application (peer dependencies), declarations by tsc, and a package.json naming only those.
// Publish with `npm publish packages/openfeature-provider/dist`.
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
const outArg = process.argv.indexOf('--out');
const out = resolve(outArg >= 0 ? process.argv[outArg + 1] : join(here, 'dist'));
const source = JSON.parse(readFileSync(join(here, 'package.json'), 'utf8'));

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

await build({
  entryPoints: { index: join(here, 'src/index.ts'), web: join(here, 'src/web.ts') },
  outdir: out,
  bundle: true,
  format: 'esm',
  platform: 'neutral',
  target: 'es2022',
  splitting: true,
  chunkNames: 'shared-[hash]',
  external: ['@openfeature/*'],
  logLevel: 'warning',
});

// Declarations of the public surface (the entries reach no @fh/ type).
const tsc = spawnSync(
  process.execPath,
  [
    join(root, 'node_modules/typescript/bin/tsc'),
    join(here, 'src/index.ts'),
    join(here, 'src/web.ts'),
    '--declaration',
    '--emitDeclarationOnly',
    '--rewriteRelativeImportExtensions',
    '--allowImportingTsExtensions',
    '--skipLibCheck',
    '--strict',
    '--target',
    'es2022',
    '--module',
    'esnext',
    '--moduleResolution',
    'bundler',
    '--verbatimModuleSyntax',
    '--types',
    'node',
    '--declarationDir',
    join(out, 'types'),
    '--rootDir',
    join(here, 'src'),
  ],
  { stdio: 'inherit', cwd: root },
);
if (tsc.status !== 0) process.exit(tsc.status ?? 1);

// Keep the declarations the entries reach, with `.js` specifiers; tsc also wrote internal ones.
const types = join(out, 'types');
const reached = new Set();
const visit = (name) => {
  if (reached.has(name)) return;
  reached.add(name);
  const file = join(types, `${name}.d.ts`);
  const text = readFileSync(file, 'utf8').replace(/(from\s+['"]\.\/[^'"]+)\.ts(['"])/g, '$1.js$2');
  if (text.includes('@fh/')) throw new Error(`${name}.d.ts refers to a private @fh/ package`);
  writeFileSync(file, text);
  for (const [, next] of text.matchAll(/from\s+['"]\.\/([^'"]+)\.js['"]/g)) visit(next);
};
visit('index');
visit('web');
for (const file of readdirSync(types)) {
  if (!reached.has(file.replace(/\.d\.ts$/, ''))) rmSync(join(types, file));
}

const published = {
  name: source.name,
  version: source.version,
  description: source.description,
  license: source.license,
  keywords: source.keywords,
  type: 'module',
  exports: {
    '.': { types: './types/index.d.ts', default: './index.js' },
    './web': { types: './types/web.d.ts', default: './web.js' },
  },
  sideEffects: false,
  peerDependencies: source.peerDependencies,
  peerDependenciesMeta: source.peerDependenciesMeta,
};
writeFileSync(join(out, 'package.json'), `${JSON.stringify(published, null, 2)}\n`);
for (const file of ['README.md', 'LICENSE']) {
  const from = existsSync(join(here, file)) ? join(here, file) : join(root, file);
  if (existsSync(from)) copyFileSync(from, join(out, file));
}
process.stdout.write(`built ${published.name}@${published.version} into ${out}\n`);
