// A fake GitHub and a `featurehub party` that signs in through it (oauth2-github at `oauth2.providers.github.url`),
// both on loopback ports: the MR's own address must be in its settings (GitHub sends browsers back there), so its
// port is chosen first.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RunningRole, startRole } from '@fh/test-support';
import { FAKE_GITHUB_SECRET, type FakeGithub, startFakeGithub } from './fake-github.ts';
import { freePort } from './http-browser.ts';

export interface GithubWorld {
  mr: RunningRole;
  gh: FakeGithub;
  dir: string;
}

/** `configure` gives the properties-file lines and environment variables for the MR at `base`. */
export async function startGithubWorld(
  configure: (gh: FakeGithub, base: string) => { properties?: string[]; env?: Record<string, string> },
): Promise<GithubWorld> {
  const dir = mkdtempSync(join(tmpdir(), 'fh-sso-github-'));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const gh = await startFakeGithub({ redirectUri: `${base}/oauth/auth` });
  const { properties = [], env = {} } = configure(gh, base);
  const configFile = join(dir, 'application.properties');
  writeFileSync(configFile, `${properties.join('\n')}\n`);
  const mr = await startRole('party', {
    env: {
      PORT: String(port),
      DB_URL: `sqlite:${join(dir, 'fh.db')}`,
      FEATUREHUB_CONFIG: configFile,
      ...env,
    },
  });
  await mr.waitUntilReady();
  return { mr, gh, dir };
}

export async function stopGithubWorld(w: GithubWorld | undefined): Promise<void> {
  if (!w) return;
  await w.mr.stop();
  await w.gh.close();
  rmSync(w.dir, { recursive: true, force: true });
}

/** upstream's GitHub keys for this fake GitHub, plus ours pointing at it. */
export function githubProvider(gh: FakeGithub): string[] {
  return [
    'oauth2.providers=oauth2-github',
    `oauth2.providers.github.id=${gh.clientId}`,
    `oauth2.providers.github.secret=${FAKE_GITHUB_SECRET}`,
    `oauth2.providers.github.url=${gh.url}`,
  ];
}
