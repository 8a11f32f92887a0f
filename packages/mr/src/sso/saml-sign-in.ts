import {
  type CacheItem,
  type CacheProvider,
  type Profile,
  SAML,
  SamlStatusError,
  ValidateInResponseTo,
} from '@node-saml/node-saml';
import type { SamlProviderConfig } from './sso-config.ts';
import { type SsoIdentity, SsoRefusedError } from './sso-sign-in.ts';

const DISPLAY_NAME = 'urn:oid:2.16.840.1.113730.3.1.241';
const GIVEN_NAME = 'urn:oid:2.5.4.42';
const SURNAME = 'urn:oid:2.5.4.4';
const EMAIL_FORMAT = 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress';

/**
 * The ids of AuthnRequests this MR sent and has not had an answer to: an answer must be `InResponseTo` one
 * of them, and each is removed when used, so a replayed response finds nothing. Bounded and ten minutes long.
 */
class OneTimeRequestIds implements CacheProvider {
  readonly #ids = new Map<string, CacheItem>();
  readonly #ttlMs = 10 * 60_000;

  async saveAsync(key: string, value: string): Promise<CacheItem | null> {
    const now = Date.now();
    for (const [k, item] of this.#ids) {
      if (item.createdAt + this.#ttlMs > now && this.#ids.size < 10_000) break;
      this.#ids.delete(k);
    }
    const item = { value, createdAt: now };
    this.#ids.set(key, item);
    return item;
  }

  async getAsync(key: string): Promise<string | null> {
    const item = this.#ids.get(key);
    return item && item.createdAt + this.#ttlMs > Date.now() ? item.value : null;
  }

  async removeAsync(key: string | null): Promise<string | null> {
    if (key === null) return null;
    const item = this.#ids.get(key);
    this.#ids.delete(key);
    return item?.value ?? null;
  }
}

/**
 * One SAML 2 identity provider through `@node-saml/node-saml`: SP-initiated, requests signed with this
 * server's key (HTTP-Redirect binding), responses accepted only when both the Response and its Assertion are
 * signed by the IdP's certificate from its metadata, addressed to this SP (audience), in time, and in answer
 * to a request this MR sent (each request id answered once).
 */
export class SamlProvider {
  readonly #config: SamlProviderConfig;
  readonly #saml: SAML;

  constructor(config: SamlProviderConfig) {
    this.#config = config;
    this.#saml = new SAML({
      entryPoint: config.idp.ssoUrl,
      idpIssuer: config.idp.entityId,
      idpCert: config.idp.certificates,
      issuer: this.entityId,
      audience: this.entityId,
      callbackUrl: this.acsUrl,
      privateKey: config.sp.privateKey,
      publicCert: config.sp.certificate,
      signatureAlgorithm: 'sha256',
      digestAlgorithm: 'sha256',
      identifierFormat: EMAIL_FORMAT,
      wantAssertionsSigned: true,
      wantAuthnResponseSigned: true,
      validateInResponseTo: ValidateInResponseTo.always,
      requestIdExpirationPeriodMs: 10 * 60_000,
      cacheProvider: new OneTimeRequestIds(),
      acceptedClockSkewMs: 30_000,
      disableRequestedAuthnContext: true,
    });
  }

  get code(): string {
    return this.#config.code;
  }

  get entityId(): string {
    return `${this.#config.sp.baseUrl}/saml/${encodeURIComponent(this.#config.code)}/metadata`;
  }

  get acsUrl(): string {
    return `${this.#config.sp.baseUrl}/saml/${encodeURIComponent(this.#config.code)}/sso`;
  }

  /** Where to send the browser: the IdP, with a signed AuthnRequest. */
  start(relayState: string): Promise<string> {
    return this.#saml.getAuthorizeUrlAsync(relayState, undefined, {});
  }

  /** This SP's metadata, for the IdP's administrators. */
  metadata(): string {
    const certs = [
      this.#config.sp.certificate,
      ...(this.#config.sp.newCertificate ? [this.#config.sp.newCertificate] : []),
    ];
    return this.#saml.generateServiceProviderMetadata(null, certs);
  }

  /** Checks the posted SAMLResponse and reads the person: NameID is the email, as upstream. */
  async finish(body: Record<string, string>): Promise<SsoIdentity> {
    let profile: Profile | null;
    try {
      ({ profile } = await this.#saml.validatePostResponseAsync(body));
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      if (err instanceof SamlStatusError) {
        throw new SsoRefusedError('denied', `The identity provider refused: ${message}`);
      }
      throw new SsoRefusedError('invalid', `The SAML response failed its checks: ${message}`);
    }
    if (!profile) throw new SsoRefusedError('invalid', 'The SAML response carried no assertion');
    const email = (profile.nameID ?? '').trim().toLowerCase();
    const domain = email.slice(email.lastIndexOf('@') + 1);
    if (this.#config.emailDomains.length > 0 && !this.#config.emailDomains.includes(domain)) {
      throw new SsoRefusedError('email_domain', `${email} is not in an email domain allowed to sign in here`);
    }
    const attr = (name: string): string => {
      const v = profile[name];
      return typeof v === 'string' ? v.trim() : '';
    };
    const name = attr(DISPLAY_NAME) || [attr(GIVEN_NAME), attr(SURNAME)].filter((s) => s !== '').join(' ');
    return { email, name };
  }
}
