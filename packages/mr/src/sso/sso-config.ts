import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { ConfigError } from '@fh/service-kit';

/** What the sign-in page shows for a provider (upstream's IdentityProviderInfo). */
export interface ProviderButton {
  buttonIcon: string;
  buttonBackgroundColor: string;
  buttonText: string;
}

/** One OpenID Connect provider: discovery, client and the claims that name the person. */
export interface OidcProviderConfig {
  kind: 'oidc';
  /** Upstream's provider code: `oauth2-google`, `oauth2-azure`, `oauth2-keycloak`, `oauth2-generic`. */
  code: string;
  /** The issuer; its `/.well-known/openid-configuration` gives the endpoints and the signing keys. */
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Always includes `openid`. */
  scope: string;
  /** Overrides of the discovered endpoints (upstream's generic `auth-url`/`token-url`). */
  authorizationEndpoint?: string;
  tokenEndpoint?: string;
  /** client_secret_basic when true (upstream `secret-in-header`), client_secret_post otherwise. */
  secretInHeader: boolean;
  emailClaim: string;
  /** Claims joined with spaces to make the person's name (upstream `name-fields`). */
  nameClaims: string[];
  button: ProviderButton;
}

/**
 * GitHub (`oauth2-github`), plain OAuth 2 without OpenID Connect: the person is read from GitHub's API with the
 * access token the code is redeemed for (github-sign-in.ts).
 */
export interface GithubProviderConfig {
  kind: 'github';
  code: 'oauth2-github';
  clientId: string;
  clientSecret: string;
  /** `<url>/login/oauth/authorize` (`oauth2.providers.github.url`, default https://github.com). */
  authorizationEndpoint: string;
  /** `<url>/login/oauth/access_token`. */
  tokenEndpoint: string;
  /** The REST API: https://api.github.com, `<url>/api/v3` on GitHub Enterprise Server, or `api-url`. */
  apiUrl: string;
  /** As upstream: `read:user user:email` (the emails API needs `user:email`). */
  scope: string;
  button: ProviderButton;
}

/** A provider under `oauth2.providers`. */
export type OAuthProviderConfig = OidcProviderConfig | GithubProviderConfig;

/** One SAML 2 identity provider (`saml.<name>.*`). */
export interface SamlProviderConfig {
  /** The provider's name in `saml.idp-providers`; its code on the wire is the same. */
  code: string;
  idp: {
    entityId: string;
    /** The IdP's single sign-on URL (from its metadata). */
    ssoUrl: string;
    /** PEM certificates the IdP signs with (from its metadata). */
    certificates: string[];
  };
  sp: {
    /** This server's address: the entity id is `<base-url>/saml/<code>/metadata`, the ACS `<base-url>/saml/<code>/sso`. */
    baseUrl: string;
    privateKey: string;
    certificate: string;
    /** A certificate for a key roll-over, published in the metadata beside the current one. */
    newCertificate?: string;
  };
  /** Lower-case email domains allowed to sign in; empty = any. */
  emailDomains: string[];
  button: ProviderButton;
}

/** Single sign-on and local-login settings, with upstream's keys. */
export interface SsoConfig {
  /** `auth.disable-login`: no password sign-in at all. */
  disableLocalLogin: boolean;
  /** `auth.userMustBeCreatedFirst`: SSO signs in only people an admin has created. */
  userMustBeCreatedFirst: boolean;
  oauth2: {
    providers: OAuthProviderConfig[];
    /** `oauth2.redirectUrl`: the callback the IdP sends the browser back to (`.../oauth/auth`). */
    redirectUrl: string;
    successUrl: string;
    failureUrl: string;
    cookieDomain?: string;
    cookieSecure: boolean;
  };
  saml: {
    providers: SamlProviderConfig[];
    successUrl: string;
    failureUrl: string;
  };
}

/** Only local login: what a server without SSO settings runs with. */
export function noSso(siteUrl = 'http://localhost:8085'): SsoConfig {
  return ssoConfigFrom({}, siteUrl);
}

type Props = Readonly<Record<string, string>>;

const BUILT_IN: Record<string, { label: string; colour: string }> = {
  'oauth2-google': { label: 'Google', colour: '0xFFFFFFFF' },
  'oauth2-github': { label: 'GitHub', colour: '0xFF24292F' },
  'oauth2-azure': { label: 'Microsoft', colour: '0xFF2F2F2F' },
  'oauth2-keycloak': { label: 'Keycloak', colour: '0xFF4D4D4D' },
  'oauth2-generic': { label: 'single sign-on', colour: '0xFF1565C0' },
};

/**
 * Reads upstream's SSO keys (docs/single-sign-on.md). Throws ConfigError naming the key when a provider is
 * listed but cannot work, so a bad setting stops the server at start rather than at someone's sign-in.
 */
export function ssoConfigFrom(props: Props, siteUrl: string): SsoConfig {
  const get = (key: string): string | undefined => {
    const v = props[key]?.trim();
    return v === undefined || v === '' ? undefined : v;
  };
  const need = (key: string, what: string): string => {
    const v = get(key);
    if (v === undefined) throw new ConfigError(key, `is required: ${what}`);
    return v;
  };
  const bool = (key: string, fallback: boolean): boolean => {
    const v = get(key);
    if (v === undefined) return fallback;
    if (/^true$/i.test(v)) return true;
    if (/^false$/i.test(v)) return false;
    throw new ConfigError(key, `${JSON.stringify(v)} is not true or false`);
  };
  const list = (key: string): string[] =>
    (get(key) ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');
  const site = siteUrl.replace(/\/+$/, '');

  const oauthCodes = list('oauth2.providers');
  const providers = oauthCodes.map((code) => oauthProvider(code, get, need, bool, list));
  const saml = list('saml.idp-providers').map((name) => samlProvider(name, get, need, list, site));

  return {
    disableLocalLogin: bool('auth.disable-login', false),
    userMustBeCreatedFirst: bool('auth.userMustBeCreatedFirst', false),
    oauth2: {
      providers,
      redirectUrl: httpUrl('oauth2.redirectUrl', get('oauth2.redirectUrl') ?? `${site}/oauth/auth`),
      successUrl: httpUrl('oauth2.adminUiUrlSuccess', get('oauth2.adminUiUrlSuccess') ?? `${site}/`),
      failureUrl: httpUrl('oauth2.adminUiUrlFailure', get('oauth2.adminUiUrlFailure') ?? `${site}/login`),
      ...(get('oauth2.cookie.domain') ? { cookieDomain: get('oauth2.cookie.domain')! } : {}),
      cookieSecure: bool('oauth2.cookie.https-only', false),
    },
    saml: {
      providers: saml,
      successUrl: httpUrl('saml.adminUiUrlSuccess', get('saml.adminUiUrlSuccess') ?? `${site}/`),
      failureUrl: httpUrl('saml.adminUiUrlFailure', get('saml.adminUiUrlFailure') ?? `${site}/login`),
    },
  };
}

function httpUrl(key: string, value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(key, `${JSON.stringify(value)} is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError(key, `${JSON.stringify(value)} is not an http(s) URL`);
  }
  return value;
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/** Issuers must be https; plain http only on this machine (tests, a local Keycloak). */
function issuerUrl(key: string, value: string): string {
  httpUrl(key, value);
  const url = new URL(value);
  if (url.protocol === 'http:' && !LOOPBACK.has(url.hostname)) {
    throw new ConfigError(key, `${JSON.stringify(value)} must be https (plain http only on localhost)`);
  }
  return value.replace(/\/+$/, '');
}

function withOpenId(scope: string): string {
  const parts = scope.split(/[\s+,]+/).filter((s) => s !== '');
  return [...new Set(['openid', ...parts])].join(' ');
}

function oauthProvider(
  code: string,
  get: (key: string) => string | undefined,
  need: (key: string, what: string) => string,
  bool: (key: string, fallback: boolean) => boolean,
  list: (key: string) => string[],
): OAuthProviderConfig {
  const builtIn = BUILT_IN[code];
  if (!builtIn) {
    throw new ConfigError(
      'oauth2.providers',
      `unknown provider ${JSON.stringify(code)}; known: ${Object.keys(BUILT_IN).join(', ')}`,
    );
  }
  const short = code.replace(/^oauth2-/, '');
  const p = (k: string) => `oauth2.providers.${short}.${k}`;
  const button = (): ProviderButton => ({
    buttonIcon: get(p('icon.url')) ?? '',
    buttonBackgroundColor: get(p('icon.background-color')) ?? builtIn.colour,
    buttonText: get(p('icon.text')) ?? `Sign in with ${builtIn.label}`,
  });
  if (code === 'oauth2-github') {
    // Our extension: GitHub Enterprise Server (and a fake GitHub in tests) at another address.
    const url = issuerUrl(p('url'), get(p('url')) ?? 'https://github.com');
    const apiOverride = get(p('api-url'));
    const apiUrl =
      apiOverride !== undefined
        ? issuerUrl(p('api-url'), apiOverride)
        : url === 'https://github.com'
          ? 'https://api.github.com'
          : `${url}/api/v3`;
    return {
      kind: 'github',
      code,
      clientId: need(p('id'), 'the client id of the OAuth app registered with GitHub'),
      clientSecret: need(p('secret'), 'the client secret of the OAuth app registered with GitHub'),
      authorizationEndpoint: `${url}/login/oauth/authorize`,
      tokenEndpoint: `${url}/login/oauth/access_token`,
      apiUrl,
      scope: 'read:user user:email',
      button: button(),
    };
  }
  const common = {
    kind: 'oidc' as const,
    code,
    clientId: need(p('id'), `the client id registered with ${builtIn.label}`),
    clientSecret: need(p('secret'), `the client secret registered with ${builtIn.label}`),
    secretInHeader: false,
    emailClaim: 'email',
    nameClaims: ['name'],
  };
  switch (code) {
    case 'oauth2-google':
      return {
        ...common,
        issuer: 'https://accounts.google.com',
        scope: 'openid profile email',
        button: button(),
      };
    case 'oauth2-azure': {
      const tenant = need(p('tenant'), 'the Azure AD tenant id');
      return {
        ...common,
        issuer: `https://login.microsoftonline.com/${encodeURIComponent(tenant)}/v2.0`,
        scope: withOpenId(get(p('scopes')) ?? 'openid email profile'),
        button: button(),
      };
    }
    case 'oauth2-keycloak': {
      const base = need(p('url'), 'the Keycloak address, e.g. https://keycloak.example.com');
      const realm = need(p('realm'), 'the Keycloak realm');
      return {
        ...common,
        issuer: issuerUrl(p('url'), `${base.replace(/\/+$/, '')}/realms/${encodeURIComponent(realm)}`),
        scope: 'openid profile email',
        button: button(),
      };
    }
    default: {
      for (const unsupported of ['token-form-pairs', 'token-header-pairs']) {
        if (get(p(unsupported)) !== undefined) {
          throw new ConfigError(p(unsupported), 'is not supported; the token request is plain OAuth 2');
        }
      }
      if (bool(p('use-access-token'), false)) {
        throw new ConfigError(
          p('use-access-token'),
          'is not supported: the person is read from the verified id_token only',
        );
      }
      const authUrl = get(p('auth-url'));
      const tokenUrl = get(p('token-url'));
      const nameClaims = list(p('name-fields'));
      return {
        ...common,
        issuer: issuerUrl(
          p('issuer'),
          need(
            p('issuer'),
            "the provider's OpenID issuer, whose discovery document and keys verify the id_token",
          ),
        ),
        scope: withOpenId(get(p('scope')) ?? 'profile email'),
        ...(authUrl ? { authorizationEndpoint: httpUrl(p('auth-url'), authUrl) } : {}),
        ...(tokenUrl ? { tokenEndpoint: httpUrl(p('token-url'), tokenUrl) } : {}),
        secretInHeader: bool(p('secret-in-header'), false),
        emailClaim: get(p('email-field')) ?? 'email',
        nameClaims: nameClaims.length > 0 ? nameClaims : ['name'],
        button: button(),
      };
    }
  }
}

function samlProvider(
  name: string,
  get: (key: string) => string | undefined,
  need: (key: string, what: string) => string,
  list: (key: string) => string[],
  site: string,
): SamlProviderConfig {
  if (!/^[A-Za-z0-9_-]{1,40}$/.test(name)) {
    throw new ConfigError(
      'saml.idp-providers',
      `${JSON.stringify(name)} must be 1-40 letters, digits, - or _`,
    );
  }
  const p = (k: string) => `saml.${name}.${k}`;
  const entityId = need(p('idp.entity-id'), "the IdP's entity id");
  const file = get(p('idp.metadata-file'));
  let metadata = get(p('idp.metadata-text'));
  if (file !== undefined) {
    try {
      metadata = readFileSync(file, 'utf8');
    } catch (e) {
      throw new ConfigError(p('idp.metadata-file'), `cannot read ${file}: ${(e as Error).message}`);
    }
  }
  if (metadata === undefined) {
    throw new ConfigError(
      p('idp.metadata-file'),
      "or saml.<name>.idp.metadata-text is required: the IdP's metadata (it is not fetched from the entity id)",
    );
  }
  const idp = parseIdpMetadata(metadata, entityId, p('idp.metadata-file'));
  const newCertificate = get(p('sp.x509-cert-new'));
  return {
    code: name,
    idp,
    sp: {
      baseUrl: httpUrl(p('sp.base-url'), get(p('sp.base-url')) ?? site).replace(/\/+$/, ''),
      privateKey: pem(
        need(p('sp.private-key'), 'the key this server signs its requests with'),
        'PRIVATE KEY',
      ),
      certificate: pem(need(p('sp.x509-cert'), "this server's certificate"), 'CERTIFICATE'),
      ...(newCertificate ? { newCertificate: pem(newCertificate, 'CERTIFICATE') } : {}),
    },
    emailDomains: list(p('email-domains')).map((d) => d.toLowerCase().replace(/^@/, '')),
    button: {
      buttonIcon: get(p('login.icon-url')) ?? '',
      buttonBackgroundColor: get(p('login.button-background-color')) ?? '0xFF1565C0',
      buttonText: get(p('login.button-text')) ?? `Sign in with ${name}`,
    },
  };
}

const MD = 'urn:oasis:names:tc:SAML:2.0:metadata';
const DS = 'http://www.w3.org/2000/09/xmldsig#';
const REDIRECT_BINDING = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect';

interface XmlElement {
  getAttribute(name: string): string | null;
  getElementsByTagNameNS(ns: string, name: string): ArrayLike<XmlElement>;
  textContent: string | null;
}
// Loaded without its typings: they pull the DOM library into every package's types.
const { DOMParser } = createRequire(import.meta.url)('@xmldom/xmldom') as {
  DOMParser: new (options: {
    errorHandler: (level: string, message: string) => void;
  }) => { parseFromString(xml: string, type: string): XmlElement };
};

/** The IdP's entity, sign-on URL (HTTP-Redirect binding) and signing certificates, from its metadata. */
function parseIdpMetadata(xml: string, entityId: string, key: string): SamlProviderConfig['idp'] {
  const errors: string[] = [];
  const doc = new DOMParser({
    errorHandler: (level, message) => {
      if (level !== 'warning') errors.push(message);
    },
  }).parseFromString(xml, 'text/xml');
  if (errors.length > 0) throw new ConfigError(key, `the IdP metadata is not XML: ${errors[0]}`);
  const entities = Array.from(doc.getElementsByTagNameNS(MD, 'EntityDescriptor'));
  const entity = entities.find((e) => e.getAttribute('entityID') === entityId);
  if (!entity) throw new ConfigError(key, `the IdP metadata has no EntityDescriptor for ${entityId}`);
  const descriptor = entity.getElementsByTagNameNS(MD, 'IDPSSODescriptor')[0];
  if (!descriptor) throw new ConfigError(key, 'the IdP metadata has no IDPSSODescriptor');
  const sso = Array.from(descriptor.getElementsByTagNameNS(MD, 'SingleSignOnService')).find(
    (s) => s.getAttribute('Binding') === REDIRECT_BINDING,
  );
  const ssoUrl = sso?.getAttribute('Location');
  if (!ssoUrl) throw new ConfigError(key, 'the IdP metadata has no HTTP-Redirect SingleSignOnService');
  const certificates = Array.from(descriptor.getElementsByTagNameNS(MD, 'KeyDescriptor'))
    .filter((k) => (k.getAttribute('use') ?? 'signing') === 'signing')
    .flatMap((k) => Array.from(k.getElementsByTagNameNS(DS, 'X509Certificate')))
    .map((c) => pem(c.textContent ?? '', 'CERTIFICATE'));
  if (certificates.length === 0) throw new ConfigError(key, 'the IdP metadata has no signing certificate');
  return { entityId, ssoUrl: httpUrl(key, ssoUrl), certificates };
}

/**
 * Keys and certificates as PEM: properties files hold them with `\\n` escapes, or as bare base64 (upstream's
 * form, and metadata's); both are accepted.
 */
function pem(value: string, label: 'CERTIFICATE' | 'PRIVATE KEY'): string {
  const text = value.replace(/\\n/g, '\n').trim();
  if (text.includes('-----BEGIN')) return text;
  const body = text.replace(/\s+/g, '');
  return `-----BEGIN ${label}-----\n${body.match(/.{1,64}/g)?.join('\n') ?? ''}\n-----END ${label}-----`;
}
