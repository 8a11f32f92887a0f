// A fake GitHub for the oauth2-github sign-in: the OAuth app endpoints (authorize, access_token) and the two REST
// API calls the MR makes (/user, /user/emails), as GitHub Enterprise Server lays them out (`/api/v3`), on a
// loopback port. Instead of a login page it signs in whoever the test names next, or refuses as a person pressing
// "Cancel" would. The token endpoint checks what GitHub checks: client id and secret, the code (once, for the
// redirect_uri it was issued for) and the PKCE verifier against the challenge; like GitHub it reports failures as
// HTTP 200 with an `error` body.
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface GithubEmail {
  email: string;
  primary: boolean;
  verified: boolean;
  visibility?: 'public' | 'private' | null;
}

export interface GithubAccount {
  login: string;
  name: string | null;
  /** The profile's public email (GitHub's `/user` `email`), often null. */
  email?: string | null;
  emails: GithubEmail[];
}

export type GithubAnswer = GithubAccount | { deny: true };

/** One request the MR made, for the test to look at. */
export interface SeenRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  form?: Record<string, string>;
  /** For the token endpoint: what it answered (`ok` or GitHub's error code). */
  outcome?: string;
}

export interface FakeGithub {
  /** The server's address: `oauth2.providers.github.url`. */
  readonly url: string;
  readonly clientId: string;
  /** Who signs in (or that the person cancels) at the next authorization request. */
  next(answer: GithubAnswer): void;
  /** Replaces the client secret GitHub expects, as rotating it in GitHub's settings would. */
  setClientSecret(secret: string): void;
  readonly seen: SeenRequest[];
  close(): Promise<void>;
}

interface IssuedCode {
  account: GithubAccount;
  redirectUri: string;
  challenge: string;
  expiresAt: number;
}

export const FAKE_GITHUB_SECRET = 'a-github-client-secret-for-tests-only';

async function readForm(req: IncomingMessage): Promise<Record<string, string>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}

/** Starts the fake GitHub for an MR whose OAuth callback is `redirectUri`. */
export async function startFakeGithub(options: { redirectUri: string }): Promise<FakeGithub> {
  const clientId = 'Iv1.fakegithubclient';
  let clientSecret = FAKE_GITHUB_SECRET;
  let answer: GithubAnswer = { deny: true };
  const codes = new Map<string, IssuedCode>();
  const tokens = new Map<string, GithubAccount>();
  const seen: SeenRequest[] = [];

  const server: Server = createServer((req, res) => {
    void handle(req, res).catch((err: unknown) => {
      res.writeHead(500).end(String(err));
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake-github');
    const record: SeenRequest = { method: req.method ?? 'GET', path: url.pathname, headers: req.headers };

    if (req.method === 'GET' && url.pathname === '/login/oauth/authorize') {
      seen.push(record);
      const q = url.searchParams;
      const redirectUri = q.get('redirect_uri') ?? '';
      if (q.get('client_id') !== clientId || redirectUri !== options.redirectUri) {
        res.writeHead(400).end('unknown client or redirect_uri');
        return;
      }
      const back = new URL(redirectUri);
      const state = q.get('state');
      if (state !== null) back.searchParams.set('state', state);
      if ('deny' in answer) {
        back.searchParams.set('error', 'access_denied');
        back.searchParams.set('error_description', 'The user has denied your application access.');
      } else {
        const challenge = q.get('code_challenge') ?? '';
        if (q.get('code_challenge_method') !== 'S256' || challenge === '') {
          res.writeHead(400).end('PKCE S256 expected');
          return;
        }
        const code = randomBytes(10).toString('hex');
        codes.set(code, { account: answer, redirectUri, challenge, expiresAt: Date.now() + 600_000 });
        back.searchParams.set('code', code);
      }
      res.writeHead(302, { location: back.href }).end();
      return;
    }

    if (req.method === 'POST' && url.pathname === '/login/oauth/access_token') {
      const form = await readForm(req);
      record.form = form;
      seen.push(record);
      // GitHub answers errors with 200 and an error body.
      const refuse = (error: string) => {
        record.outcome = error;
        json(res, 200, { error, error_description: `fake GitHub: ${error}` });
      };
      if (form['client_id'] !== clientId || form['client_secret'] !== clientSecret) {
        return refuse('incorrect_client_credentials');
      }
      const issued = codes.get(form['code'] ?? '');
      codes.delete(form['code'] ?? '');
      if (!issued || issued.expiresAt < Date.now() || form['redirect_uri'] !== issued.redirectUri) {
        return refuse('bad_verification_code');
      }
      const verifier = form['code_verifier'] ?? '';
      const computed = createHash('sha256').update(verifier).digest('base64url');
      if (verifier === '' || computed !== issued.challenge) return refuse('bad_verification_code');
      const accessToken = `gho_${randomBytes(18).toString('hex')}`;
      tokens.set(accessToken, issued.account);
      record.outcome = 'ok';
      if (!/application\/json/.test(req.headers.accept ?? '')) {
        res.writeHead(200, { 'content-type': 'application/x-www-form-urlencoded' });
        res.end(new URLSearchParams({ access_token: accessToken, token_type: 'bearer' }).toString());
        return;
      }
      json(res, 200, { access_token: accessToken, token_type: 'bearer', scope: 'read:user,user:email' });
      return;
    }

    if (req.method === 'GET' && (url.pathname === '/api/v3/user' || url.pathname === '/api/v3/user/emails')) {
      seen.push(record);
      const token = /^Bearer (.+)$/i.exec(req.headers.authorization ?? '')?.[1];
      const account = token === undefined ? undefined : tokens.get(token);
      if (!account) return json(res, 401, { message: 'Bad credentials' });
      if (url.pathname === '/api/v3/user') {
        return json(res, 200, {
          login: account.login,
          id: 1,
          name: account.name,
          email: account.email ?? null,
          type: 'User',
        });
      }
      return json(res, 200, account.emails);
    }

    seen.push(record);
    res.writeHead(404).end('not found');
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://localhost:${port}`,
    clientId,
    next(a) {
      answer = a;
    },
    setClientSecret(secret) {
      clientSecret = secret;
    },
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
