// The dependency arrows of docs/architecture.md, checked by dependency-cruiser in `npm run lint` (ADR 0007).
//
// Paths are resolved files relative to the repository root: `@fh/edge` resolves through the workspace link in
// node_modules to `packages/edge/src/index.ts`, so one rule sees an import by package name and a relative import
// alike. Production code is what a package's entries (its package.json `exports`, less `./testing`) and the apps'
// mains reach; everything else in a package (tests, `testing` entries, fixtures and other helpers) is test code.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';

/** Which of our packages each package's production code may reach, and what its tests may import on top. */
const MAY_DEPEND_ON = {
  contracts: { production: [], tests: [] },
  evaluation: { production: ['contracts'], tests: [] },
  'service-kit': { production: [], tests: [] },
  messaging: { production: [], tests: ['test-support'] },
  dacha: { production: ['contracts', 'messaging'], tests: ['test-support'] },
  edge: {
    production: ['contracts', 'dacha', 'evaluation', 'messaging', 'service-kit'],
    tests: ['test-support'],
  },
  mr: { production: ['contracts', 'messaging', 'service-kit'], tests: ['dacha', 'test-support'] },
  // Published on its own with @fh/evaluation bundled in (docs/openfeature.md); contracts are types only.
  'openfeature-provider': { production: ['contracts', 'evaluation'], tests: ['edge', 'test-support'] },
};

const root = new URL('./', import.meta.url);
const escapeRegExp = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const oneOf = (paths) => `^(${paths.map(escapeRegExp).join('|')})$`;
/** The files an `exports` target names: a path, or conditions (`types`, `import`, …) that name paths. */
const targetsOf = (target) =>
  typeof target === 'string' ? [target] : Object.values(target ?? {}).flatMap(targetsOf);

/** The files each package's `exports` map points at, split into production entries and `./testing` entries. */
function entriesOf(name) {
  const dir = `packages/${name}`;
  const { exports = {} } = JSON.parse(readFileSync(new URL(`${dir}/package.json`, root), 'utf8'));
  const entries = typeof exports === 'string' ? { '.': exports } : exports;
  const files = (keep) =>
    Object.entries(entries)
      .filter(([key]) => keep(key === './testing' || key.startsWith('./testing/')))
      .flatMap(([, target]) => targetsOf(target))
      .map((target) => `${dir}/${target.replace(/^\.\//, '')}`);
  return { production: files((testing) => !testing), testing: files((testing) => testing) };
}

const names = Object.keys(MAY_DEPEND_ON);
for (const dir of readdirSync(new URL('packages/', root))) {
  const isPackage = existsSync(new URL(`packages/${dir}/package.json`, root));
  if (isPackage && dir !== 'test-support' && !names.includes(dir)) {
    throw new Error(`dependency-cruiser.config.mjs: packages/${dir} has no row in MAY_DEPEND_ON`);
  }
}
const entries = Object.fromEntries(names.map((n) => [n, entriesOf(n)]));
const TEST_SUPPORT_ENTRIES = entriesOf('test-support').production;
const APP_MAINS = ['apps/server/src/main.ts', 'apps/admin-ui/src/main.tsx'];
const PRODUCTION_ENTRIES = oneOf([...names.flatMap((n) => entries[n].production), ...APP_MAINS]);

/** Code that production must never reach: tests, test-support, `testing` entries and folders. */
const TESTING_ENTRIES = names.flatMap((n) => entries[n].testing);
const TEST_CODE = [
  '^packages/test-support/',
  '\\.test\\.tsx?$',
  '/src/testing(/|\\.ts$)',
  '/src/test-support/',
  ...(TESTING_ENTRIES.length > 0 ? [oneOf(TESTING_ENTRIES)] : []),
];

/** Node's built-in modules as dependency-cruiser names them (`node:crypto` → `crypto`). */
const NODE_BUILTINS = `^(node:)?(${builtinModules
  .filter((m) => !m.startsWith('_'))
  .map(escapeRegExp)
  .join('|')})(/|$)`;
const npmPackage = (pattern) => `(^|node_modules/)(@types/)?(${pattern})(/|$)`;
const NATS = npmPackage('@nats-io/[^/]+|nats');
const SQL = npmPackage('better-sqlite3|pg|pg-[a-z-]+|mysql2?|kysely|sqlite3|postgres');

const list = (xs) => (xs.length === 0 ? 'nothing of ours' : xs.join(', '));
const notOurs = (name, allowed) => `^packages/(?!(${[name, ...allowed].join('|')})/)`;
/** The entries (exports targets) of our packages other than these: where a cross-package import lands. */
const entriesBesides = (allowed) =>
  oneOf([
    ...names
      .filter((n) => !allowed.includes(n))
      .flatMap((n) => [...entries[n].production, ...entries[n].testing]),
    ...TEST_SUPPORT_ENTRIES.filter(() => !allowed.includes('test-support')),
  ]);

const packageRules = names.flatMap((name) => {
  const { production, tests } = MAY_DEPEND_ON[name];
  return [
    {
      name: `${name}-production-arrows`,
      severity: 'error',
      comment: `production code of packages/${name} may reach ${list(production)} (docs/architecture.md, Folders)`,
      from: { path: oneOf(entries[name].production) },
      to: { path: entriesBesides([name, ...production]), reachable: true },
    },
    {
      name: `${name}-file-arrows`,
      severity: 'error',
      comment: `no file of packages/${name}, tests included, imports other than ${list([...production, ...tests])}`,
      from: { path: `^packages/${name}/` },
      to: { path: notOurs(name, [...production, ...tests]) },
    },
  ];
});

export default {
  forbidden: [
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      comment: 'every import resolves (a rule cannot tell where an unresolved import goes)',
      from: {},
      to: { couldNotResolve: true },
    },
    {
      name: 'packages-not-to-apps',
      severity: 'error',
      comment: 'dependencies point one way: apps → packages, never back',
      from: { path: '^packages/' },
      to: { path: '^apps/' },
    },
    {
      name: 'apps-not-to-apps',
      severity: 'error',
      comment: 'an app imports packages, not another app',
      from: { path: '^apps/([^/]+)/' },
      to: { path: '^apps/', pathNot: '^apps/$1/' },
    },
    {
      name: 'by-package-name',
      severity: 'error',
      comment:
        "cross-package imports go through the package name and its exports map, never a relative path into another package's files",
      from: { path: '^(packages|apps)/([^/]+)/' },
      to: { path: '^(packages|apps)/', pathNot: '^$1/$2/', dependencyTypes: ['local'] },
    },
    ...packageRules,
    {
      name: 'contracts-and-evaluation-without-node',
      severity: 'error',
      comment:
        'contracts and evaluation run anywhere (the admin UI bundle too): their production code reaches no Node built-in',
      from: { path: oneOf(['contracts', 'evaluation'].flatMap((n) => entries[n].production)) },
      to: { path: NODE_BUILTINS, reachable: true },
    },
    {
      name: 'contracts-and-evaluation-do-no-io',
      severity: 'error',
      comment:
        'contracts and evaluation do no I/O: of third-party packages their production code reaches only typebox',
      from: { path: oneOf(['contracts', 'evaluation'].flatMap((n) => entries[n].production)) },
      to: { path: '(^|/)node_modules/', pathNot: npmPackage('typebox'), reachable: true },
    },
    {
      name: 'openfeature-provider-runs-anywhere',
      severity: 'error',
      comment:
        'our OpenFeature provider runs in Node and in browsers: its production code reaches no Node built-in and, ' +
        'of third-party packages, only the OpenFeature SDKs (its peer dependencies) and typebox (contracts types)',
      from: { path: oneOf(entries['openfeature-provider'].production) },
      to: {
        path: `${NODE_BUILTINS}|(^|/)node_modules/`,
        pathNot: npmPackage('@openfeature/[^/]+|typebox'),
        reachable: true,
      },
    },
    {
      name: 'well-known-names-imports-nothing',
      severity: 'error',
      comment: 'the admin UI bundles @fh/contracts/well-known-names: plain constants, no schema library',
      from: { path: '^packages/contracts/src/well-known-names\\.ts$' },
      to: {},
    },
    {
      name: 'only-messaging-imports-nats',
      severity: 'error',
      comment: 'only packages/messaging talks to NATS; everything else goes through the Bus port',
      from: { pathNot: '^packages/messaging/' },
      to: { path: NATS },
    },
    {
      name: 'only-mr-imports-sql',
      severity: 'error',
      comment:
        'only packages/mr imports SQL drivers and Kysely (and test-support, which creates test databases); ' +
        'Edge-REST reaches the database through a port that mr implements',
      from: { pathNot: '^packages/(mr|test-support)/' },
      to: { path: SQL },
    },
    {
      name: 'production-never-reaches-test-code',
      severity: 'error',
      comment: 'production code never imports @fh/test-support, a testing entry or a test',
      from: { path: PRODUCTION_ENTRIES },
      to: { path: TEST_CODE, reachable: true },
    },
    {
      name: 'admin-ui-only-contracts',
      severity: 'error',
      comment: 'the admin UI talks to the server over /mr-api; of our packages it imports only @fh/contracts',
      from: { path: '^apps/admin-ui/' },
      to: { path: '^packages/(?!contracts/)' },
    },
    {
      name: 'admin-ui-contracts-types-only',
      severity: 'error',
      comment:
        'the admin UI takes only types from @fh/contracts (`import type`), and values only from the ' +
        'schema-free @fh/contracts/well-known-names',
      from: { path: '^apps/admin-ui/' },
      to: {
        path: '^packages/contracts/',
        pathNot: '^packages/contracts/src/well-known-names\\.ts$',
        dependencyTypesNot: ['type-only'],
      },
    },
  ],
  options: {
    doNotFollow: { path: '(^|/)node_modules/' },
    exclude: { path: '^(packages|apps)/[^/]+/dist/' },
    tsPreCompilationDeps: true,
    // Reruns on unchanged files take about a second; CI starts from a clean node_modules, so it always cruises.
    cache: { folder: 'node_modules/.cache/dependency-cruiser', strategy: 'content' },
    skipAnalysisNotInRules: true,
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['types', 'import', 'node', 'default', 'require'],
      mainFields: ['types', 'typings', 'module', 'main'],
      extensions: ['.ts', '.tsx', '.d.ts', '.js', '.mjs', '.cjs', '.json'],
    },
  },
};
