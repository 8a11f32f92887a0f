import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { clientApiKey, type EdgeFixture, startEdge } from '@fh/edge/testing';
import { OpenFeature } from '@openfeature/server-sdk';

// What `npm publish packages/openfeature-provider/dist` would ship, built by build.mjs: it must
// stand alone (no private @fh/ package in its code, declarations or package.json), name the
// OpenFeature SDKs as peers, and work when an application imports it.

const here = fileURLToPath(new URL('..', import.meta.url));
// Inside the package (git- and lint-ignored .tmp/), so the built files resolve the SDKs from node_modules.
mkdirSync(join(here, '.tmp'), { recursive: true });
const out = mkdtempSync(join(here, '.tmp', 'dist-'));
let edge: EdgeFixture | undefined;
after(async () => {
  await OpenFeature.close();
  await edge?.close();
  rmSync(out, { recursive: true, force: true });
});

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? filesUnder(join(dir, e.name)).map((f) => `${e.name}/${f}`) : [e.name],
  );
}

describe('the published @featurehub-ts/openfeature-provider', () => {
  it('builds into a self-contained package with the SDKs as peers, and works as an application imports it', async () => {
    const built = spawnSync(process.execPath, [join(here, 'build.mjs'), '--out', out], { encoding: 'utf8' });
    assert.equal(built.status, 0, built.stderr);
    const files = filesUnder(out);
    for (const f of ['package.json', 'index.js', 'web.js', 'types/index.d.ts', 'types/web.d.ts', 'README.md'])
      assert.ok(files.includes(f), `${f} in ${files.join(', ')}`);
    for (const f of files) {
      const text = readFileSync(join(out, f), 'utf8');
      if (f.endsWith('.js') || f.endsWith('.d.ts'))
        assert.doesNotMatch(text, /from\s+['"]@fh\//, `${f} imports a private package`);
    }
    const manifest = JSON.parse(readFileSync(join(out, 'package.json'), 'utf8'));
    assert.equal(manifest.name, '@featurehub-ts/openfeature-provider');
    assert.equal(manifest.dependencies, undefined, 'everything else is bundled');
    assert.deepEqual(Object.keys(manifest.peerDependencies).sort(), [
      '@openfeature/server-sdk',
      '@openfeature/web-sdk',
    ]);
    assert.deepEqual(Object.keys(manifest.exports), ['.', './web']);

    const { FeatureHubProvider } = (await import(
      pathToFileURL(join(out, 'index.js')).href
    )) as typeof import('./index.ts');
    edge = await startEdge();
    await OpenFeature.setProviderAndWait(
      'built',
      new FeatureHubProvider({ edgeUrl: edge.url, apiKey: clientApiKey() }),
    );
    const client = OpenFeature.getClient('built');
    assert.equal(await client.getBooleanValue('FLAG', false), true);
    assert.equal(
      await client.getStringValue('COLOUR', 'x', { targetingKey: 'u', country: 'new_zealand' }),
      'nz',
    );
    const web = (await import(pathToFileURL(join(out, 'web.js')).href)) as typeof import('./web.ts');
    assert.equal(typeof web.FeatureHubWebProvider, 'function');
  });
});
