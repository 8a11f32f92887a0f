// Finds packages that the workspaces use directly but that the lockfile installs in more than one major version.
// Node resolves a bare import from the importing file's folder upwards, so the bundled `featurehub` command
// (apps/server/dist) and a workspace's sources (packages/*/src) can load different copies of one package; with two
// majors that is two APIs (the blank admin UI of @fastify/static 8 vs 10). One major per package closes that class.

/** The major of a version: `1.4.3` → `1`, `0.28.2` → `0.28` (before 1.0 the minor is the breaking part). */
export function majorOf(version) {
  const [major = '', minor = ''] = String(version)
    .replace(/^[^\d]*/, '')
    .split('.');
  return major === '0' ? `0.${minor}` : major;
}

/** The package name an installed lockfile path holds: `node_modules/a/node_modules/@s/b` → `@s/b`. */
function installedName(path) {
  const at = path.lastIndexOf('node_modules/');
  return at < 0 ? undefined : path.slice(at + 'node_modules/'.length);
}

/**
 * @param {{ packages?: Record<string, { version?: string, link?: boolean, name?: string,
 *   dependencies?: Record<string,string>, devDependencies?: Record<string,string>,
 *   optionalDependencies?: Record<string,string>, peerDependencies?: Record<string,string> }> }} lock
 *   a package-lock.json (lockfileVersion 2 or 3)
 * @returns {{ name: string, copies: { path: string, version: string }[] }[]} every directly used package
 *   installed in more than one major, with where each copy sits
 */
export function findSplitMajors(lock) {
  const packages = lock.packages ?? {};
  const direct = new Set();
  for (const [path, entry] of Object.entries(packages)) {
    // The root ('') and the workspaces (paths outside node_modules) are ours; their dependencies are direct.
    if (path.includes('node_modules/')) continue;
    for (const field of ['dependencies', 'devDependencies', 'optionalDependencies', 'peerDependencies']) {
      for (const name of Object.keys(entry[field] ?? {})) direct.add(name);
    }
  }
  const copies = new Map();
  for (const [path, entry] of Object.entries(packages)) {
    const name = installedName(path);
    if (!name || !direct.has(name) || entry.link || !entry.version) continue;
    const list = copies.get(name) ?? [];
    list.push({ path, version: entry.version });
    copies.set(name, list);
  }
  const split = [];
  for (const [name, list] of [...copies].sort(([a], [b]) => a.localeCompare(b))) {
    if (new Set(list.map((c) => majorOf(c.version))).size > 1) split.push({ name, copies: list });
  }
  return split;
}
