import * as oidc from 'openid-client';
import { describeError as describe } from './describe-error.ts';
import type { PendingSignIn } from './pending-sign-ins.ts';
import type { OidcProviderConfig } from './sso-config.ts';
import { type SsoIdentity, SsoRefusedError } from './sso-sign-in.ts';

/** What starting an OIDC sign-in gives: where to send the browser, and what its answer must match. */
export interface OidcStart {
  redirectUrl: string;
  state: string;
  pkceVerifier: string;
  nonce: string;
}

/**
 * One OpenID Connect provider through `openid-client`: authorization code flow with PKCE (S256), `state` and
 * `nonce`; the id_token's signature (non-repudiation checks against the provider's JWKS), issuer, audience,
 * expiry and nonce are verified before its claims are read. The discovery document is fetched on first use
 * and again after a failure.
 */
export class OidcProvider {
  readonly #config: OidcProviderConfig;
  readonly #redirectUrl: string;
  #client: Promise<oidc.Configuration> | undefined;

  constructor(config: OidcProviderConfig, redirectUrl: string) {
    this.#config = config;
    this.#redirectUrl = redirectUrl;
  }

  get code(): string {
    return this.#config.code;
  }

  async start(): Promise<OidcStart> {
    const client = await this.#discovered();
    const pkceVerifier = oidc.randomPKCECodeVerifier();
    const nonce = oidc.randomNonce();
    const state = `${this.#config.code};${oidc.randomState()}`;
    const url = oidc.buildAuthorizationUrl(client, {
      redirect_uri: this.#redirectUrl,
      scope: this.#config.scope,
      state,
      nonce,
      code_challenge: await oidc.calculatePKCECodeChallenge(pkceVerifier),
      code_challenge_method: 'S256',
    });
    return { redirectUrl: url.href, state, pkceVerifier, nonce };
  }

  /**
   * Redeems the code the browser brought back (`query` = the callback's query string) and reads the person
   * from the verified id_token. Throws SsoRefusedError('invalid') on any failed check.
   */
  async finish(pending: PendingSignIn, state: string, query: string): Promise<SsoIdentity> {
    const client = await this.#discovered();
    const current = new URL(this.#redirectUrl);
    current.search = query;
    let claims: Record<string, unknown> | undefined;
    try {
      const tokens = await oidc.authorizationCodeGrant(client, current, {
        pkceCodeVerifier: pending.secret,
        expectedNonce: pending.nonce,
        expectedState: state,
        idTokenExpected: true,
      });
      claims = tokens.claims() as Record<string, unknown> | undefined;
    } catch (err) {
      throw new SsoRefusedError(
        'invalid',
        `The identity provider's answer failed its checks: ${describe(err)}`,
      );
    }
    if (!claims) throw new SsoRefusedError('invalid', 'The identity provider sent no id_token');
    const email = claims[this.#config.emailClaim];
    if (typeof email !== 'string' || email === '') {
      throw new SsoRefusedError('invalid', `The id_token has no ${this.#config.emailClaim} claim`);
    }
    if (claims['email_verified'] === false) {
      throw new SsoRefusedError('invalid', `The identity provider has not verified ${email}`);
    }
    const name = this.#config.nameClaims
      .map((c) => claims[c])
      .filter((v): v is string => typeof v === 'string' && v.trim() !== '')
      .join(' ');
    return { email, name };
  }

  #discovered(): Promise<oidc.Configuration> {
    this.#client ??= this.#discover().catch((err: unknown) => {
      this.#client = undefined;
      throw new SsoRefusedError(
        'unavailable',
        `The identity provider ${this.#config.code} cannot be reached: ${describe(err)}`,
      );
    });
    return this.#client;
  }

  async #discover(): Promise<oidc.Configuration> {
    const c = this.#config;
    const issuer = new URL(c.issuer);
    const insecure = issuer.protocol === 'http:';
    const auth = c.secretInHeader
      ? oidc.ClientSecretBasic(c.clientSecret)
      : oidc.ClientSecretPost(c.clientSecret);
    let client = await oidc.discovery(
      issuer,
      c.clientId,
      { client_secret: c.clientSecret },
      auth,
      insecure ? { execute: [oidc.allowInsecureRequests] } : undefined,
    );
    if (c.authorizationEndpoint || c.tokenEndpoint) {
      client = new oidc.Configuration(
        {
          ...(JSON.parse(JSON.stringify(client.serverMetadata())) as oidc.ServerMetadata),
          ...(c.authorizationEndpoint ? { authorization_endpoint: c.authorizationEndpoint } : {}),
          ...(c.tokenEndpoint ? { token_endpoint: c.tokenEndpoint } : {}),
        },
        c.clientId,
        { client_secret: c.clientSecret },
        auth,
      );
      if (insecure) oidc.allowInsecureRequests(client);
    }
    oidc.enableNonRepudiationChecks(client);
    return client;
  }
}
