// A local identity provider and a `featurehub party` that knows it, both on loopback ports: the MR's own
// address must be in its SSO settings (the IdP sends browsers back there), so its port is chosen first.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RunningRole, startRole } from '@fh/test-support';
import { freePort } from './http-browser.ts';
import { startOidcIdp, type TestOidcIdp } from './oidc-idp.ts';

/** A party server that signs in through a local provider (an OIDC IdP, a fake GitHub), and the provider. */
export interface ProviderWorld<P> {
  mr: RunningRole;
  provider: P;
  dir: string;
}

/**
 * Starts the provider (told where the MR's callback will be) and then the party server with the properties
 * `configure` gives for it.
 */
export async function startProviderWorld<P extends { close(): Promise<void> }>(
  startProvider: (redirectUri: string) => Promise<P>,
  configure: (provider: P, base: string) => { properties?: string[]; env?: Record<string, string> },
): Promise<ProviderWorld<P>> {
  const dir = mkdtempSync(join(tmpdir(), 'fh-sso-'));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const provider = await startProvider(`${base}/oauth/auth`);
  const { properties = [], env = {} } = configure(provider, base);
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
  return { mr, provider, dir };
}

export async function stopProviderWorld<P extends { close(): Promise<void> }>(
  w: ProviderWorld<P> | undefined,
): Promise<void> {
  if (!w) return;
  await w.mr.stop();
  await w.provider.close();
  rmSync(w.dir, { recursive: true, force: true });
}

export interface SsoWorld {
  mr: RunningRole;
  idp: TestOidcIdp;
  dir: string;
}

/** `configure` gives the properties-file lines and environment variables for the MR at `base`. */
export async function startSsoWorld(
  configure: (idp: TestOidcIdp, base: string) => { properties?: string[]; env?: Record<string, string> },
): Promise<SsoWorld> {
  const w = await startProviderWorld((redirectUri) => startOidcIdp({ redirectUri }), configure);
  return { mr: w.mr, idp: w.provider, dir: w.dir };
}

export async function stopSsoWorld(w: SsoWorld | undefined): Promise<void> {
  await stopProviderWorld(w && { mr: w.mr, provider: w.idp, dir: w.dir });
}

/** The generic-provider lines of a properties file for this IdP. */
export function genericProvider(idp: TestOidcIdp): string[] {
  return [
    'oauth2.providers=oauth2-generic',
    `oauth2.providers.generic.issuer=${idp.issuer}`,
    `oauth2.providers.generic.id=${idp.clientId}`,
    `oauth2.providers.generic.secret=${idp.clientSecret}`,
  ];
}

/** Sets the site up for single sign-on over the API (the first person to sign in becomes its superuser). */
export async function setUpForSso(w: SsoWorld, provider = 'oauth2-generic'): Promise<void> {
  const res = await fetch(`${w.mr.baseUrl}/mr-api/initialize`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ organizationName: 'SSO Org', portfolio: 'First', authProvider: provider }),
  });
  if (res.status !== 200) throw new Error(`setup failed: ${res.status} ${await res.text()}`);
}
