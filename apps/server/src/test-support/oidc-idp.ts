// A real OpenID Connect provider for tests: `oidc-provider` (the certified Node implementation) on a loopback
// port, with one confidential client for the MR under test. Instead of a login form it signs in whoever the
// test names next (or refuses, as a person pressing "deny" would); its id_tokens can be tampered with or
// re-signed already expired on their way out of the token endpoint, to show the MR refuses them.
import { createSign, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';

export interface IdpPerson {
  email: string;
  name: string;
}

/** What the next sign-in at the IdP does. */
export type IdpAnswer = IdpPerson | { deny: string };

/** How the token endpoint's id_token leaves the IdP. */
export type TokenMode = 'honest' | 'tampered' | 'expired';

export interface TestOidcIdp {
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** Who signs in (or that the person refuses) at the next authorization request. */
  next(answer: IdpAnswer): void;
  tokens(mode: TokenMode): void;
  close(): Promise<void>;
}

function b64url(data: Buffer | string): string {
  return Buffer.from(data).toString('base64url');
}

/** Signs a JWT with the IdP's own key, as the IdP would have. */
function signJwt(header: object, payload: object, key: KeyObject): string {
  const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}`;
  const signature = createSign('RSA-SHA256').update(input).sign(key);
  return `${input}.${b64url(signature)}`;
}

function decodePart(part: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>;
}

/** Starts the IdP on `host` (a loopback name) and a free port, for an MR whose callback is `redirectUri`. */
export async function startOidcIdp(options: { redirectUri: string; host?: string }): Promise<TestOidcIdp> {
  const host = options.host ?? 'localhost';
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const issuer = `http://${host}:${port}`;
  const clientId = 'featurehub-mr';
  const clientSecret = 'a-client-secret-for-tests-only';

  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = { ...privateKey.export({ format: 'jwk' }), kid: 'test-key-1', alg: 'RS256', use: 'sig' };
  const people = new Map<string, IdpPerson>();
  let answer: IdpAnswer = { deny: 'no one was named' };
  let mode: TokenMode = 'honest';

  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: [options.redirectUri],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_post',
      },
    ],
    jwks: { keys: [jwk as never] },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    conformIdTokenClaims: false,
    features: { devInteractions: { enabled: false } },
    pkce: { required: () => true },
    cookies: { keys: ['cookie-key-for-tests-only'] },
    async findAccount(_ctx, sub) {
      const person = people.get(sub);
      if (!person) return undefined;
      return {
        accountId: sub,
        claims: async () => ({ sub, email: person.email, email_verified: true, name: person.name }),
      };
    },
  });

  // The login and consent "pages": whoever the test named signs in and agrees, or refuses.
  provider.use(async (ctx, next) => {
    if (!ctx.path.startsWith('/interaction/')) {
      await next();
      if (ctx.path === '/token' && mode !== 'honest' && ctx.status === 200) {
        const body = ctx.body as Record<string, unknown>;
        const [header, payload] = String(body['id_token']).split('.') as [string, string, string];
        const claims = decodePart(payload);
        if (mode === 'tampered') {
          const signature = String(body['id_token']).split('.')[2];
          claims['email'] = 'someone-else@example.com';
          body['id_token'] = `${header}.${b64url(JSON.stringify(claims))}.${signature}`;
        } else {
          const hourAgo = Math.floor(Date.now() / 1000) - 3600;
          body['id_token'] = signJwt(
            decodePart(header),
            { ...claims, iat: hourAgo - 600, exp: hourAgo },
            privateKey,
          );
        }
        ctx.body = body;
      }
      return;
    }
    const details = await provider.interactionDetails(ctx.req, ctx.res);
    if ('deny' in answer) {
      ctx.redirect(
        await provider.interactionResult(ctx.req, ctx.res, {
          error: 'access_denied',
          error_description: answer.deny,
        }),
      );
      return;
    }
    const sub = answer.email;
    people.set(sub, answer);
    const grant = new provider.Grant({ accountId: sub, clientId: String(details.params['client_id']) });
    grant.addOIDCScope(String(details.params['scope']));
    const grantId = await grant.save();
    ctx.redirect(
      await provider.interactionResult(
        ctx.req,
        ctx.res,
        { login: { accountId: sub }, consent: { grantId } },
        { mergeWithLastSubmission: false },
      ),
    );
  });

  server.on('request', provider.callback());
  return {
    issuer,
    clientId,
    clientSecret,
    next(a) {
      answer = a;
    },
    tokens(m) {
      mode = m;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
