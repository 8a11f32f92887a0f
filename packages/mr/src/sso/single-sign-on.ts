import { randomBytes } from 'node:crypto';
import { NotFoundError } from '@fh/service-kit';
import type { LoggedIn } from '../auth/auth-service.ts';
import type { UnitOfWork } from '../core/unit-of-work.ts';
import type { Clock } from '../db/store-support.ts';
import { GithubProvider } from './github-sign-in.ts';
import { OidcProvider } from './oidc-sign-in.ts';
import { bindingMatches, newBinding, PendingSignIns } from './pending-sign-ins.ts';
import { SamlProvider } from './saml-sign-in.ts';
import type { ProviderButton, SsoConfig } from './sso-config.ts';
import { SsoRefusedError, SsoSignIn } from './sso-sign-in.ts';

/** A sign-in sent to a provider: where the browser goes, and the binding cookie's value for that browser. */
export interface StartedSignIn {
  redirectUrl: string;
  binding: string;
}

/**
 * Single sign-on for the MR (docs/single-sign-on.md): which providers there are, starting a sign-in, and
 * finishing one from the provider's answer. HTTP stays in sso-controller.ts.
 */
export class SingleSignOn {
  readonly config: SsoConfig;
  /** The `oauth2.providers`: OpenID Connect ones and GitHub, all finishing at the OAuth callback. */
  readonly #oidc: Map<string, OidcProvider | GithubProvider>;
  readonly #saml: Map<string, SamlProvider>;
  readonly #pending = new PendingSignIns();
  readonly #signIn: SsoSignIn;

  constructor(config: SsoConfig, clock: Clock) {
    this.config = config;
    this.#oidc = new Map(
      config.oauth2.providers.map((p) => [
        p.code,
        p.kind === 'github'
          ? new GithubProvider(p, config.oauth2.redirectUrl)
          : new OidcProvider(p, config.oauth2.redirectUrl),
      ]),
    );
    this.#saml = new Map(config.saml.providers.map((p) => [p.code, new SamlProvider(p)]));
    this.#signIn = new SsoSignIn({ clock, userMustBeCreatedFirst: config.userMustBeCreatedFirst });
  }

  /** What GET /initialize advertises: `local` unless switched off, then every provider, with button info. */
  providers(): { providers: string[]; providerInfo: Record<string, ProviderButton> } {
    const providerInfo: Record<string, ProviderButton> = {};
    for (const p of this.config.oauth2.providers) providerInfo[p.code] = p.button;
    for (const p of this.config.saml.providers) providerInfo[p.code] = p.button;
    return {
      providers: [...(this.config.disableLocalLogin ? [] : ['local']), ...Object.keys(providerInfo)],
      providerInfo,
    };
  }

  get localLoginEnabled(): boolean {
    return !this.config.disableLocalLogin;
  }

  isProvider(code: string): boolean {
    return this.#oidc.has(code) || this.#saml.has(code);
  }

  /** The provider a site set up for single sign-on uses when setup names none: the only one, if one. */
  onlyProvider(): string | undefined {
    const all = [...this.#oidc.keys(), ...this.#saml.keys()];
    return all.length === 1 && this.config.disableLocalLogin ? all[0] : undefined;
  }

  /** A SAML provider by code, for its metadata and assertion consumer routes. */
  samlProvider(code: string): SamlProvider | undefined {
    return this.#saml.get(code);
  }

  async start(provider: string): Promise<StartedSignIn> {
    const saml = this.#saml.get(provider);
    if (saml) {
      const binding = newBinding();
      const relayState = randomBytes(24).toString('base64url');
      const redirectUrl = await saml.start(relayState);
      this.#pending.add(`saml:${relayState}`, { provider, secret: '', nonce: '', bindingHash: binding.hash });
      return { redirectUrl, binding: binding.value };
    }
    const p = this.#oidc.get(provider);
    if (!p) throw new NotFoundError(`No sign-in provider ${JSON.stringify(provider)} on this server`);
    const started = await p.start();
    const binding = newBinding();
    this.#pending.add(started.state, {
      provider,
      secret: started.pkceVerifier,
      nonce: started.nonce,
      bindingHash: binding.hash,
    });
    return { redirectUrl: started.redirectUrl, binding: binding.value };
  }

  /**
   * Finishes an OIDC sign-in from the callback's query: the state must be one this MR issued, unused, recent
   * and started by the browser holding `binding`; then the provider's answer is verified and the person
   * signed in. Throws SsoRefusedError with nothing written otherwise.
   */
  async finishOidc(
    uow: Pick<UnitOfWork, 'run'>,
    query: Record<string, unknown>,
    rawQuery: string,
    binding: string | undefined,
  ): Promise<LoggedIn & { provider: string }> {
    const state = typeof query['state'] === 'string' ? query['state'] : undefined;
    const started = state === undefined ? undefined : this.#pending.take(state);
    if (!state || !started || !bindingMatches(started, binding)) {
      throw new SsoRefusedError(
        'invalid',
        'The sign-in could not be matched to one started in this browser (unknown, used or expired state)',
      );
    }
    if (query['error'] !== undefined) {
      throw new SsoRefusedError('denied', `The identity provider refused: ${String(query['error'])}`);
    }
    const provider = this.#oidc.get(started.provider);
    if (!provider) throw new SsoRefusedError('invalid', 'The provider of this sign-in is gone');
    const identity = await provider.finish(started, state, rawQuery);
    const loggedIn = await uow.run((tx) => this.#signIn.complete(tx, identity));
    return { ...loggedIn, provider: started.provider };
  }

  /**
   * Finishes a SAML sign-in from the form the IdP posted to `/saml/<provider>/sso`. The RelayState must be one
   * this MR issued for that provider and is used up; node-saml checks signatures, audience, times and that
   * the response answers a request this MR sent (once). The browser binding cookie cannot be checked here:
   * the IdP's cross-site POST does not carry SameSite=Lax cookies.
   */
  async finishSaml(
    uow: Pick<UnitOfWork, 'run'>,
    provider: string,
    form: Record<string, string>,
  ): Promise<LoggedIn & { provider: string }> {
    const saml = this.#saml.get(provider);
    const relayState = form['RelayState'];
    const started = relayState ? this.#pending.take(`saml:${relayState}`) : undefined;
    if (!saml || !started || started.provider !== provider || typeof form['SAMLResponse'] !== 'string') {
      throw new SsoRefusedError(
        'invalid',
        'The SAML response does not answer a sign-in this server started (unknown, used or expired RelayState)',
      );
    }
    const identity = await saml.finish({ SAMLResponse: form['SAMLResponse'], RelayState: relayState! });
    const loggedIn = await uow.run((tx) => this.#signIn.complete(tx, identity));
    return { ...loggedIn, provider };
  }
}
