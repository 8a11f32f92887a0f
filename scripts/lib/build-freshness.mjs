// Tells whether the built `featurehub` command (and the admin UI it serves) is older than the sources it is built
// from. The tests start the built command, the same entry `npm start` uses; a stale bundle would test old code.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** The files the build writes; the tests run these. */
export const builtOutputs = ['apps/server/dist/featurehub.js', 'apps/admin-ui/dist/index.html'];

function newestSource(dir) {
  let newest = 0;
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const e of entries) {
    if (e.name === 'node_modules' || e.name === 'dist' || e.name.startsWith('.')) continue;
    const full = join(dir, e.name);
    if (e.isDirectory()) newest = Math.max(newest, newestSource(full));
    // Tests are not part of the build: editing one must not force a rebuild.
    else if (!e.name.endsWith('.test.ts')) newest = Math.max(newest, statSync(full).mtimeMs);
  }
  return newest;
}

/**
 * @param {string} root the repository root
 * @returns {string | undefined} why the build is stale (a missing output, or a source newer than it), or undefined
 */
export function staleBuildReason(root) {
  let oldestOutput = Number.POSITIVE_INFINITY;
  for (const out of builtOutputs) {
    const full = join(root, out);
    if (!existsSync(full)) return `${out} is missing`;
    oldestOutput = Math.min(oldestOutput, statSync(full).mtimeMs);
  }
  const sourceDirs = [
    ...readdirSync(join(root, 'packages')).map((p) => join(root, 'packages', p, 'src')),
    join(root, 'apps/server/src'),
    join(root, 'apps/admin-ui/src'),
  ];
  const sourceFiles = ['package-lock.json', 'apps/admin-ui/index.html', 'scripts/build.mjs'].map((f) =>
    join(root, f),
  );
  const newest = Math.max(
    ...sourceDirs.map(newestSource),
    ...sourceFiles.filter((f) => existsSync(f)).map((f) => statSync(f).mtimeMs),
  );
  return newest > oldestOutput ? 'sources changed since the last build' : undefined;
}
