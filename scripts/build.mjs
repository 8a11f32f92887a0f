#!/usr/bin/env node
// Bundles the `featurehub` command into apps/server/dist/featurehub.js: our workspace packages are
// bundled (they are TypeScript sources), every third-party package stays an external import.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
const manifests = [
  '.',
  ...['packages', 'apps'].flatMap((d) => readdirSync(join(root, d)).map((n) => `${d}/${n}`)),
]
  .map((p) => join(root, p, 'package.json'))
  .filter((p) => existsSync(p))
  .map((p) => JSON.parse(readFileSync(p, 'utf8')));
const external = new Set();
for (const m of manifests) {
  for (const dep of Object.keys({ ...m.dependencies, ...m.optionalDependencies })) {
    if (!dep.startsWith('@fh/')) external.add(dep);
  }
}

await build({
  entryPoints: [join(root, 'apps/server/src/main.ts')],
  outfile: join(root, 'apps/server/dist/featurehub.js'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  external: [...external].flatMap((d) => [d, `${d}/*`]),
  banner: {
    js: "import { createRequire as __fhCreateRequire } from 'node:module'; const require = __fhCreateRequire(import.meta.url);",
  },
  logLevel: 'warning',
});

const ui = join(root, 'apps/admin-ui/package.json');
if (existsSync(ui)) {
  const { spawnSync } = await import('node:child_process');
  const r = spawnSync('npm', ['run', 'build', '-w', '@fh/admin-ui'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
