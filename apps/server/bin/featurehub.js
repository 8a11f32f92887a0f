#!/usr/bin/env node
// The `featurehub` command. Runs the bundle that `npm run build` (and `npm ci`, through `prepare`) produces.
import { existsSync } from 'node:fs';

const bundle = new URL('../dist/featurehub.js', import.meta.url);
if (!existsSync(bundle)) {
  process.stderr.write('featurehub: apps/server/dist/featurehub.js is missing; run `npm run build` first\n');
  process.exit(2);
}
await import(bundle.href);
