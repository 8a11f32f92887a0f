import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { GithubProvider } from './github-sign-in.ts';
import type { PendingSignIn } from './pending-sign-ins.ts';
import type { GithubProviderConfig } from './sso-config.ts';
import { SsoRefusedError } from './sso-sign-in.ts';

const REDIRECT = 'https://fh.example.com/oauth/auth';

/** What the stub GitHub answers; each test sets the parts it is about. */
interface Script {
  token: (form: URLSearchParams) => { status: number; body: unknown };
  user: { status: number; body: unknown };
  emails: { status: number; body: unknown };
}

describe('GitHub sign-in (oauth2-github) against a stub GitHub', () => {
  let server: Server;
  let base = '';
  let script: Script;
  const seen: Array<{ path: string; headers: IncomingMessage['headers']; form?: URLSearchParams }> = [];

  const answer = (res: ServerResponse, a: { status: number; body: unknown }) => {
    res.writeHead(a.status, { 'content-type': 'application/json' });
    res.end(typeof a.body === 'string' ? a.body : JSON.stringify(a.body));
  };

  before(async () => {
    server = createServer(async (req, res) => {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      if (path === '/login/oauth/access_token') {
        let raw = '';
        for await (const chunk of req) raw += String(chunk);
        const form = new URLSearchParams(raw);
        seen.push({ path, headers: req.headers, form });
        return answer(res, script.token(form));
      }
      seen.push({ path, headers: req.headers });
      if (path === '/api/user') return answer(res, script.user);
      if (path === '/api/user/emails') return answer(res, script.emails);
      res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const config = (): GithubProviderConfig => ({
    kind: 'github',
    code: 'oauth2-github',
    clientId: 'cid',
    clientSecret: 'csecret',
    authorizationEndpoint: `${base}/login/oauth/authorize`,
    tokenEndpoint: `${base}/login/oauth/access_token`,
    apiUrl: `${base}/api`,
    scope: 'read:user user:email',
    button: { buttonIcon: '', buttonBackgroundColor: '', buttonText: '' },
  });

  const honest = (): Script => ({
    token: () => ({
      status: 200,
      body: { access_token: 'gho_abc', token_type: 'bearer', scope: 'user:email' },
    }),
    user: { status: 200, body: { login: 'octo', name: 'Octo Cat', email: 'public@example.com' } },
    emails: {
      status: 200,
      body: [
        { email: 'other@example.com', primary: false, verified: true },
        { email: 'octo@example.com', primary: true, verified: true },
      ],
    },
  });

  /** Starts a sign-in and finishes it as GitHub's redirect back would. */
  async function signIn(p: GithubProvider) {
    const started = await p.start();
    const pending: PendingSignIn = {
      provider: p.code,
      secret: started.pkceVerifier,
      nonce: '',
      bindingHash: '',
      expiresAt: 0,
    };
    const query = `?code=the-code&state=${encodeURIComponent(started.state)}`;
    return { started, result: p.finish(pending, started.state, query) };
  }

  async function refused(p: GithubProvider, reason: string, message: RegExp): Promise<void> {
    const { result } = await signIn(p);
    await assert.rejects(
      result,
      (err) => err instanceof SsoRefusedError && err.reason === reason && message.test(err.message),
    );
  }

  it('start: GitHub authorize URL with client id, callback, scopes, state and PKCE S256, no nonce', async () => {
    script = honest();
    const { started, result } = await signIn(new GithubProvider(config(), REDIRECT));
    await result;
    const url = new URL(started.redirectUrl);
    assert.equal(`${url.origin}${url.pathname}`, `${base}/login/oauth/authorize`);
    assert.equal(url.searchParams.get('client_id'), 'cid');
    assert.equal(url.searchParams.get('redirect_uri'), REDIRECT);
    assert.equal(url.searchParams.get('scope'), 'read:user user:email');
    assert.equal(url.searchParams.get('state'), started.state);
    assert.match(started.state, /^oauth2-github;.{20,}$/);
    assert.equal(url.searchParams.get('code_challenge_method'), 'S256');
    assert.equal(
      url.searchParams.get('code_challenge'),
      createHash('sha256').update(started.pkceVerifier).digest('base64url'),
    );
    assert.equal(url.searchParams.get('nonce'), null);
  });

  it('finish: the code redeemed with secret and verifier; the primary verified email and the profile name', async () => {
    script = honest();
    seen.length = 0;
    const { started, result } = await signIn(new GithubProvider(config(), REDIRECT));
    assert.deepEqual(await result, { email: 'octo@example.com', name: 'Octo Cat' });
    const token = seen.find((s) => s.path === '/login/oauth/access_token');
    assert.equal(token?.form?.get('client_secret'), 'csecret');
    assert.equal(token?.form?.get('code'), 'the-code');
    assert.equal(token?.form?.get('code_verifier'), started.pkceVerifier);
    assert.equal(token?.form?.get('redirect_uri'), REDIRECT);
    assert.match(String(token?.headers.accept), /application\/json/, 'else GitHub answers form-encoded');
    for (const call of seen.filter((s) => s.path.startsWith('/api/'))) {
      assert.equal(call.headers.authorization, 'Bearer gho_abc');
      assert.equal(call.headers.accept, 'application/vnd.github+json');
      assert.ok(call.headers['user-agent']);
    }
  });

  it('a profile without a name gives the login', async () => {
    script = { ...honest(), user: { status: 200, body: { login: 'octo', name: null } } };
    const { result } = await signIn(new GithubProvider(config(), REDIRECT));
    assert.equal((await result).name, 'octo');
  });

  it("refuses GitHub's token-endpoint errors (HTTP 200 with an error body), naming them", async () => {
    script = {
      ...honest(),
      token: () => ({
        status: 200,
        body: {
          error: 'bad_verification_code',
          error_description: 'The code passed is incorrect or expired.',
        },
      }),
    };
    await refused(new GithubProvider(config(), REDIRECT), 'invalid', /bad_verification_code/);
  });

  it('refuses an account whose primary email is unverified, or with only non-primary verified ones', async () => {
    script = {
      ...honest(),
      emails: {
        status: 200,
        body: [
          { email: 'octo@example.com', primary: true, verified: false },
          { email: 'other@example.com', primary: false, verified: true },
        ],
      },
    };
    await refused(new GithubProvider(config(), REDIRECT), 'invalid', /"octo" has no primary email/);
    script = { ...honest(), emails: { status: 200, body: [] } };
    await refused(new GithubProvider(config(), REDIRECT), 'invalid', /no primary email/);
  });

  it("refuses when GitHub's API says no or answers nonsense", async () => {
    script = { ...honest(), user: { status: 401, body: { message: 'Bad credentials' } } };
    await refused(new GithubProvider(config(), REDIRECT), 'invalid', /401 to GET \/user$/);
    script = { ...honest(), emails: { status: 200, body: { not: 'a list' } } };
    await refused(new GithubProvider(config(), REDIRECT), 'invalid', /not a list/);
    script = { ...honest(), emails: { status: 200, body: '<html>' } };
    await refused(new GithubProvider(config(), REDIRECT), 'invalid', /other than JSON/);
  });

  it("refuses as unavailable when GitHub's API cannot be reached", async () => {
    script = honest();
    await refused(
      new GithubProvider({ ...config(), apiUrl: 'http://127.0.0.1:1/api' }, REDIRECT),
      'unavailable',
      /cannot be reached/,
    );
  });
});
