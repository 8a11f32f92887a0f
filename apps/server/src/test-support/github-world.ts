// A fake GitHub and a `featurehub party` that signs in through it (oauth2-github at `oauth2.providers.github.url`),
// both on loopback ports: the MR's own address must be in its settings (GitHub sends browsers back there), so its
// port is chosen first.
import type { RunningRole } from '@fh/test-support';
import { FAKE_GITHUB_SECRET, type FakeGithub, startFakeGithub } from './fake-github.ts';
import { startProviderWorld, stopProviderWorld } from './sso-world.ts';

export interface GithubWorld {
  mr: RunningRole;
  gh: FakeGithub;
  dir: string;
}

/** `configure` gives the properties-file lines and environment variables for the MR at `base`. */
export async function startGithubWorld(
  configure: (gh: FakeGithub, base: string) => { properties?: string[]; env?: Record<string, string> },
): Promise<GithubWorld> {
  const w = await startProviderWorld((redirectUri) => startFakeGithub({ redirectUri }), configure);
  return { mr: w.mr, gh: w.provider, dir: w.dir };
}

export async function stopGithubWorld(w: GithubWorld | undefined): Promise<void> {
  await stopProviderWorld(w && { mr: w.mr, provider: w.gh, dir: w.dir });
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
