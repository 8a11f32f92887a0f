import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '@fh/service-kit';
import { type OAuthProviderConfig, type OidcProviderConfig, ssoConfigFrom } from './sso-config.ts';

function oidcOf(p: OAuthProviderConfig | undefined): OidcProviderConfig {
  assert.equal(p?.kind, 'oidc');
  return p as OidcProviderConfig;
}

const SITE = 'https://fh.example.com';
const generic = {
  'oauth2.providers': 'oauth2-generic',
  'oauth2.providers.generic.issuer': 'https://idp.example.com/',
  'oauth2.providers.generic.id': 'client',
  'oauth2.providers.generic.secret': 'secret',
};

const github = {
  'oauth2.providers': 'oauth2-github',
  'oauth2.providers.github.id': 'gh-client',
  'oauth2.providers.github.secret': 'gh-secret',
};

function refusedAt(props: Record<string, string>, key: string, message: RegExp) {
  assert.throws(
    () => ssoConfigFrom(props, SITE),
    (err) => err instanceof ConfigError && err.setting === key && message.test(err.message),
  );
}

describe("single sign-on settings with upstream's keys", () => {
  it('without any: local login only, upstream-shaped defaults from the site address', () => {
    const c = ssoConfigFrom({}, `${SITE}/`);
    assert.equal(c.disableLocalLogin, false);
    assert.equal(c.userMustBeCreatedFirst, false);
    assert.deepEqual(c.oauth2.providers, []);
    assert.equal(c.oauth2.redirectUrl, `${SITE}/oauth/auth`);
    assert.equal(c.oauth2.successUrl, `${SITE}/`);
    assert.equal(c.oauth2.failureUrl, `${SITE}/login`);
    assert.deepEqual(c.saml.providers, []);
  });

  it('the generic provider: openid always in the scope, name fields, email field, button, secret in header', () => {
    const c = ssoConfigFrom(
      {
        ...generic,
        'oauth2.providers.generic.scope': 'profile+email',
        'oauth2.providers.generic.name-fields': 'given_name, family_name',
        'oauth2.providers.generic.email-field': 'upn',
        'oauth2.providers.generic.secret-in-header': 'TRUE',
        'oauth2.providers.generic.icon.text': 'Corp',
        'auth.disable-login': 'true',
        'auth.userMustBeCreatedFirst': 'true',
        'oauth2.cookie.https-only': 'true',
        'oauth2.cookie.domain': 'example.com',
      },
      SITE,
    );
    const p = oidcOf(c.oauth2.providers[0]);
    assert.equal(p.issuer, 'https://idp.example.com');
    assert.equal(p.scope, 'openid profile email');
    assert.deepEqual(p.nameClaims, ['given_name', 'family_name']);
    assert.equal(p.emailClaim, 'upn');
    assert.equal(p.secretInHeader, true);
    assert.equal(p.button.buttonText, 'Corp');
    assert.equal(c.disableLocalLogin, true);
    assert.equal(c.userMustBeCreatedFirst, true);
    assert.equal(c.oauth2.cookieSecure, true);
    assert.equal(c.oauth2.cookieDomain, 'example.com');
  });

  it('the built-in providers know their issuers', () => {
    const c = ssoConfigFrom(
      {
        'oauth2.providers': 'oauth2-google, oauth2-azure,oauth2-keycloak',
        'oauth2.providers.google.id': 'g',
        'oauth2.providers.google.secret': 's',
        'oauth2.providers.azure.id': 'a',
        'oauth2.providers.azure.secret': 's',
        'oauth2.providers.azure.tenant': 'tenant-1',
        'oauth2.providers.keycloak.id': 'k',
        'oauth2.providers.keycloak.secret': 's',
        'oauth2.providers.keycloak.url': 'https://kc.example.com/',
        'oauth2.providers.keycloak.realm': 'main',
      },
      SITE,
    );
    assert.deepEqual(
      c.oauth2.providers.map((p) => [p.code, oidcOf(p).issuer]),
      [
        ['oauth2-google', 'https://accounts.google.com'],
        ['oauth2-azure', 'https://login.microsoftonline.com/tenant-1/v2.0'],
        ['oauth2-keycloak', 'https://kc.example.com/realms/main'],
      ],
    );
  });

  it("GitHub with upstream's keys: github.com's endpoints, its API, upstream's scopes, a button", () => {
    const c = ssoConfigFrom(github, SITE);
    assert.deepEqual(c.oauth2.providers, [
      {
        kind: 'github',
        code: 'oauth2-github',
        clientId: 'gh-client',
        clientSecret: 'gh-secret',
        authorizationEndpoint: 'https://github.com/login/oauth/authorize',
        tokenEndpoint: 'https://github.com/login/oauth/access_token',
        apiUrl: 'https://api.github.com',
        scope: 'read:user user:email',
        button: { buttonIcon: '', buttonBackgroundColor: '0xFF24292F', buttonText: 'Sign in with GitHub' },
      },
    ]);
  });

  it('GitHub Enterprise Server: url gives the endpoints and <url>/api/v3; api-url and the button keys override', () => {
    const enterprise = ssoConfigFrom(
      { ...github, 'oauth2.providers.github.url': 'https://ghe.example.com/' },
      SITE,
    ).oauth2.providers[0];
    assert.equal(enterprise?.kind, 'github');
    if (enterprise?.kind !== 'github') return;
    assert.equal(enterprise.authorizationEndpoint, 'https://ghe.example.com/login/oauth/authorize');
    assert.equal(enterprise.tokenEndpoint, 'https://ghe.example.com/login/oauth/access_token');
    assert.equal(enterprise.apiUrl, 'https://ghe.example.com/api/v3');

    const local = ssoConfigFrom(
      {
        ...github,
        'oauth2.providers.github.url': 'http://127.0.0.1:9999',
        'oauth2.providers.github.api-url': 'http://localhost:9998/api/',
        'oauth2.providers.github.icon.text': 'GitHub (work)',
        'oauth2.providers.github.icon.background-color': '0xFF000000',
        'oauth2.providers.github.icon.url': 'https://example.com/gh.png',
      },
      SITE,
    ).oauth2.providers[0];
    if (local?.kind !== 'github') return assert.fail('a GitHub provider');
    assert.equal(local.tokenEndpoint, 'http://127.0.0.1:9999/login/oauth/access_token', 'http on loopback');
    assert.equal(local.apiUrl, 'http://localhost:9998/api');
    assert.deepEqual(local.button, {
      buttonIcon: 'https://example.com/gh.png',
      buttonBackgroundColor: '0xFF000000',
      buttonText: 'GitHub (work)',
    });
  });

  it('refuses, naming the key, what cannot work', () => {
    refusedAt({ 'oauth2.providers': 'oauth2-nope' }, 'oauth2.providers', /unknown provider/);
    refusedAt({ 'oauth2.providers': 'oauth2-github' }, 'oauth2.providers.github.id', /required/);
    refusedAt(
      { 'oauth2.providers': 'oauth2-github', 'oauth2.providers.github.id': 'i' },
      'oauth2.providers.github.secret',
      /required/,
    );
    refusedAt(
      { ...github, 'oauth2.providers.github.url': 'http://ghe.example.com' },
      'oauth2.providers.github.url',
      /must be https/,
    );
    refusedAt(
      { ...github, 'oauth2.providers.github.api-url': 'ftp://ghe.example.com' },
      'oauth2.providers.github.api-url',
      /http/,
    );
    refusedAt(
      { ...generic, 'oauth2.providers.generic.issuer': '' },
      'oauth2.providers.generic.issuer',
      /required/,
    );
    refusedAt(
      { ...generic, 'oauth2.providers.generic.issuer': 'http://idp.example.com' },
      'oauth2.providers.generic.issuer',
      /must be https/,
    );
    refusedAt(
      { ...generic, 'oauth2.providers.generic.secret': '' },
      'oauth2.providers.generic.secret',
      /required/,
    );
    refusedAt(
      { ...generic, 'oauth2.providers.generic.use-access-token': 'true' },
      'oauth2.providers.generic.use-access-token',
      /verified id_token/,
    );
    refusedAt({ 'auth.disable-login': 'yes' }, 'auth.disable-login', /true or false/);
    refusedAt({ 'oauth2.adminUiUrlSuccess': 'javascript:alert(1)' }, 'oauth2.adminUiUrlSuccess', /http/);
    refusedAt({ 'saml.idp-providers': 'corp' }, 'saml.corp.idp.entity-id', /required/);
    refusedAt(
      { 'saml.idp-providers': 'corp', 'saml.corp.idp.entity-id': 'https://idp' },
      'saml.corp.idp.metadata-file',
      /metadata/,
    );
    refusedAt(
      {
        'saml.idp-providers': 'corp',
        'saml.corp.idp.entity-id': 'https://idp',
        'saml.corp.idp.metadata-text':
          '<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://other"/>',
      },
      'saml.corp.idp.metadata-file',
      /no EntityDescriptor for https:\/\/idp/,
    );
  });
});
