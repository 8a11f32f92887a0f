// The upstream FeatureHub API contracts the compatibility tests compare against. They are not part of this
// repository: CI keeps them beside it (../shared/reference/featurehub-api). This file is the one place that
// knows where; production code never reads them.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import type { OpenApiDocument } from '../api/openapi-document.ts';

/** Names the folder that holds the upstream documents, when it is not the reference folder beside the repository. */
export const UPSTREAM_API_DIR_VARIABLE = 'FH_UPSTREAM_API_DIR';

/** The upstream admin API contract our `/mr-api` implements. */
export const UPSTREAM_MR_API_FILE = 'mr-api-1.2.5.yaml';

/** The folder of upstream API documents: $FH_UPSTREAM_API_DIR, else `../shared/reference/featurehub-api`. */
export function upstreamApiDir(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env[UPSTREAM_API_DIR_VARIABLE];
  if (fromEnv) return resolve(fromEnv);
  const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
  return resolve(repoRoot, '..', 'shared', 'reference', 'featurehub-api');
}

/** Where the upstream admin API contract is expected. */
export function upstreamMrApiPath(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(upstreamApiDir(env), UPSTREAM_MR_API_FILE);
}

/** The upstream admin API contract, or why a suite that needs it cannot run. */
export type UpstreamMrApi =
  | { document: OpenApiDocument; skip: false }
  | { document: undefined; skip: string };

/**
 * Reads the upstream admin API contract for a test that compares against it. When the file is missing the
 * answer is a skip reason naming the file and how to point at it, printed as a visible notice. Unlike a missing
 * database, this is not an error under CI=true: the contract is not ours to ship, and a CI checkout may not have the
 * reference folder beside it; our own OpenAPI document and the response checks still run everywhere.
 */
export function loadUpstreamMrApi(env: NodeJS.ProcessEnv = process.env): UpstreamMrApi {
  const path = upstreamMrApiPath(env);
  if (existsSync(path))
    return { document: parse(readFileSync(path, 'utf8')) as OpenApiDocument, skip: false };
  const reason =
    `the upstream admin API contract ${UPSTREAM_MR_API_FILE} is not at ${path}; ` +
    `set ${UPSTREAM_API_DIR_VARIABLE} to the folder that holds it`;
  process.stderr.write(`\n*** NOTICE: skipping the upstream API comparison: ${reason}\n`);
  return { document: undefined, skip: reason };
}

/**
 * Upstream's newest admin API (1.2.6, `head/`): `mr-api.yaml` with the paths and schemas of
 * `feature-filters.yaml` merged in, as upstream's build merges them. Skipped like {@link loadUpstreamMrApi}.
 */
export function loadUpstreamMrApi126(env: NodeJS.ProcessEnv = process.env): UpstreamMrApi {
  const dir = resolve(upstreamApiDir(env), 'head');
  const main = resolve(dir, 'mr-api.yaml');
  const filters = resolve(dir, 'feature-filters.yaml');
  if (!existsSync(main) || !existsSync(filters)) {
    const reason = `upstream's API 1.2.6 is not at ${dir}; set ${UPSTREAM_API_DIR_VARIABLE} to the folder that holds head/`;
    process.stderr.write(`\n*** NOTICE: skipping the upstream API 1.2.6 comparison: ${reason}\n`);
    return { document: undefined, skip: reason };
  }
  const doc = parse(readFileSync(main, 'utf8')) as OpenApiDocument;
  const extra = parse(readFileSync(filters, 'utf8')) as OpenApiDocument;
  doc.paths = { ...doc.paths, ...extra.paths };
  doc.components = {
    ...doc.components,
    schemas: { ...(doc.components?.schemas ?? {}), ...(extra.components?.schemas ?? {}) },
  };
  return { document: doc, skip: false };
}
