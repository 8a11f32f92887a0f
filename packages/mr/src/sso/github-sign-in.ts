import * as oidc from 'openid-client';
import { describeError as describe } from './describe-error.ts';
import type { PendingSignIn } from './pending-sign-ins.ts';
import type { GithubProviderConfig } from './sso-config.ts';
import { type SsoIdentity, SsoRefusedError } from './sso-sign-in.ts';

/** What starting a GitHub sign-in gives: where to send the browser, and what its answer must match. */
export interface GithubStart {
  redirectUrl: string;
  state: string;
  pkceVerifier: string;
  /** GitHub has no id_token, so no nonce; empty, for the shape OIDC's pending sign-ins share. */
  nonce: '';
}

const API_TIMEOUT_MS = 10_000;

/**
 * GitHub (`oauth2-github`, docs/single-sign-on.md): OAuth 2 authorization code flow with `state` and PKCE
 * (S256). GitHub signs no id_token, so the person is read from GitHub's REST API (`/user`, `/user/emails`)
 * with the access token the code is redeemed for. That is safe without a signature because the token comes
 * straight from GitHub's token endpoint over TLS, in answer to a request carrying the client secret and the
 * PKCE verifier, and is only ever used against GitHub's own API. The person's email is the one GitHub marks
 * primary and verified; the access token is dropped once the person is read.
 *
 * The code is redeemed through `openid-client` with a hand-built Configuration (no discovery: GitHub publishes
 * no OpenID metadata). It sends `Accept: application/json`, so GitHub answers JSON, and with no id_token
 * expected it accepts GitHub's `{access_token, token_type: "bearer", scope}`. GitHub reports a bad code or
 * secret as HTTP 200 with an `error` body and no access_token; openid-client refuses that as well.
 */
export class GithubProvider {
  readonly #config: GithubProviderConfig;
  readonly #redirectUrl: string;
  readonly #client: oidc.Configuration;

  constructor(config: GithubProviderConfig, redirectUrl: string) {
    this.#config = config;
    this.#redirectUrl = redirectUrl;
    this.#client = new oidc.Configuration(
      {
        issuer: new URL(config.authorizationEndpoint).origin,
        authorization_endpoint: config.authorizationEndpoint,
        token_endpoint: config.tokenEndpoint,
      },
      config.clientId,
      { client_secret: config.clientSecret },
      oidc.ClientSecretPost(config.clientSecret),
    );
    // Plain http only reaches here for loopback addresses (sso-config.ts), i.e. tests.
    if (new URL(config.tokenEndpoint).protocol === 'http:') oidc.allowInsecureRequests(this.#client);
  }

  get code(): string {
    return this.#config.code;
  }

  async start(): Promise<GithubStart> {
    const pkceVerifier = oidc.randomPKCECodeVerifier();
    const state = `${this.#config.code};${oidc.randomState()}`;
    const url = oidc.buildAuthorizationUrl(this.#client, {
      redirect_uri: this.#redirectUrl,
      scope: this.#config.scope,
      state,
      code_challenge: await oidc.calculatePKCECodeChallenge(pkceVerifier),
      code_challenge_method: 'S256',
    });
    return { redirectUrl: url.href, state, pkceVerifier, nonce: '' };
  }

  /**
   * Redeems the code the browser brought back (`query` = the callback's query string) with the client secret
   * and PKCE verifier, then reads the person from GitHub's API. Throws SsoRefusedError on any failure.
   */
  async finish(pending: PendingSignIn, state: string, query: string): Promise<SsoIdentity> {
    const current = new URL(this.#redirectUrl);
    current.search = query;
    let accessToken: string;
    try {
      const tokens = await oidc.authorizationCodeGrant(this.#client, current, {
        pkceCodeVerifier: pending.secret,
        expectedState: state,
        idTokenExpected: false,
      });
      accessToken = tokens.access_token;
    } catch (err) {
      throw new SsoRefusedError('invalid', `GitHub did not redeem the sign-in code: ${describe(err)}`);
    }
    const profile = await this.#api<GithubUser>('/user', accessToken);
    const emails = await this.#api<GithubEmail[]>('/user/emails', accessToken);
    if (!Array.isArray(emails)) throw new SsoRefusedError('invalid', 'GitHub /user/emails is not a list');
    const primary = emails.find(
      (e) => e && e.primary === true && e.verified === true && typeof e.email === 'string',
    );
    const login = typeof profile.login === 'string' ? profile.login : '';
    if (!primary) {
      throw new SsoRefusedError(
        'invalid',
        `The GitHub account ${JSON.stringify(login)} has no primary email address GitHub has verified`,
      );
    }
    const name = typeof profile.name === 'string' && profile.name.trim() !== '' ? profile.name.trim() : login;
    return { email: primary.email, name };
  }

  async #api<T>(path: string, accessToken: string): Promise<T> {
    const url = `${this.#config.apiUrl}${path}`;
    let res: Response;
    try {
      res = await fetch(url, {
        headers: {
          accept: 'application/vnd.github+json',
          authorization: `Bearer ${accessToken}`,
          'user-agent': 'featurehub-mr',
          'x-github-api-version': '2022-11-28',
        },
        redirect: 'error',
        signal: AbortSignal.timeout(API_TIMEOUT_MS),
      });
    } catch (err) {
      throw new SsoRefusedError('unavailable', `GitHub's API at ${url} cannot be reached: ${describe(err)}`);
    }
    if (!res.ok) {
      await res.arrayBuffer().catch(() => undefined);
      throw new SsoRefusedError('invalid', `GitHub's API answered ${res.status} to GET ${path}`);
    }
    try {
      return (await res.json()) as T;
    } catch {
      throw new SsoRefusedError(
        'invalid',
        `GitHub's API answered GET ${path} with something other than JSON`,
      );
    }
  }
}

interface GithubUser {
  login?: unknown;
  name?: unknown;
}

interface GithubEmail {
  email: string;
  primary?: unknown;
  verified?: unknown;
}
