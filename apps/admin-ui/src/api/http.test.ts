import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApiError } from './errors.ts';
import { buildQuery, type FetchLike, HttpClient, type KeyValueStorage, storageTokenStore } from './http.ts';
import { MrApi } from './mr-api.ts';

interface Seen {
  url: string;
  init: RequestInit;
}

function fakeFetch(status: number, body: string, seen: Seen[] = []): FetchLike {
  return async (url, init) => {
    seen.push({ url, init });
    return new Response(status === 204 ? null : body, { status });
  };
}

function memoryStorage(): KeyValueStorage & { data: Map<string, string> } {
  const data = new Map<string, string>();
  return {
    data,
    getItem: (k) => data.get(k) ?? null,
    setItem: (k, v) => void data.set(k, v),
    removeItem: (k) => void data.delete(k),
  };
}

describe('HttpClient', () => {
  it('sends the stored bearer token and JSON body', async () => {
    const seen: Seen[] = [];
    const tokens = storageTokenStore(memoryStorage());
    tokens.set('tok-1');
    const http = new HttpClient({ fetch: fakeFetch(200, '{"ok":true}', seen), baseUrl: '/mr-api/', tokens });
    const out = await http.post<{ ok: boolean }>('/portfolio', { name: 'p' });
    assert.deepEqual(out, { ok: true });
    assert.equal(seen[0]?.url, '/mr-api/portfolio');
    const headers = seen[0]?.init.headers as Record<string, string>;
    assert.equal(headers['Authorization'], 'Bearer tok-1');
    assert.equal(headers['Content-Type'], 'application/json');
    assert.equal(seen[0]?.init.body, '{"name":"p"}');
  });

  it('leaves the token off anonymous calls', async () => {
    const seen: Seen[] = [];
    const tokens = storageTokenStore(memoryStorage());
    tokens.set('tok-1');
    const http = new HttpClient({ fetch: fakeFetch(200, '{}', seen), baseUrl: '/mr-api', tokens });
    await http.get('/initialize', { anonymous: true });
    const headers = seen[0]?.init.headers as Record<string, string> | undefined;
    assert.equal(headers?.['Authorization'], undefined);
  });

  it('clears the token and signals sign-out on a 401 of an authenticated call', async () => {
    const storage = memoryStorage();
    const tokens = storageTokenStore(storage);
    tokens.set('tok-1');
    let signedOut = 0;
    const http = new HttpClient({
      fetch: fakeFetch(401, 'Please login.'),
      baseUrl: '/mr-api',
      tokens,
      onUnauthorized: () => signedOut++,
    });
    await assert.rejects(http.get('/portfolio'), (e: unknown) => e instanceof ApiError && e.status === 401);
    assert.equal(signedOut, 1);
    assert.equal(tokens.get(), undefined);
    assert.equal(storage.data.size, 0);
  });

  it('does not sign out when an anonymous call answers 401', async () => {
    let signedOut = 0;
    const http = new HttpClient({
      fetch: fakeFetch(401, ''),
      baseUrl: '/mr-api',
      tokens: storageTokenStore(undefined),
      onUnauthorized: () => signedOut++,
    });
    await assert.rejects(http.post('/login', {}, { anonymous: true }));
    assert.equal(signedOut, 0);
  });

  it('turns a network failure into a plain-words error with status 0', async () => {
    const http = new HttpClient({
      fetch: async () => {
        throw new TypeError('fetch failed');
      },
      baseUrl: '/mr-api',
      tokens: storageTokenStore(undefined),
    });
    await assert.rejects(http.get('/portfolio'), (e: unknown) => {
      assert.ok(e instanceof ApiError);
      assert.equal(e.status, 0);
      assert.match(e.message, /Cannot reach the FeatureHub server/);
      return true;
    });
  });

  it('returns undefined for an empty success body', async () => {
    const http = new HttpClient({
      fetch: fakeFetch(204, ''),
      baseUrl: '',
      tokens: storageTokenStore(undefined),
    });
    assert.equal(await http.get('/logout'), undefined);
  });

  it('keeps the token in memory when storage throws', () => {
    const tokens = storageTokenStore({
      getItem: () => {
        throw new Error('denied');
      },
      setItem: () => {
        throw new Error('denied');
      },
      removeItem: () => {
        throw new Error('denied');
      },
    });
    tokens.set('abc');
    assert.equal(tokens.get(), 'abc');
    tokens.clear();
    assert.equal(tokens.get(), undefined);
  });
});

describe('buildQuery', () => {
  it('repeats array parameters and skips absent ones', () => {
    assert.equal(
      buildQuery({ environmentIds: ['a', 'b'], filter: undefined, max: 10, page: 0, x: null, flag: false }),
      '?environmentIds=a&environmentIds=b&max=10&page=0&flag=false',
    );
    assert.equal(buildQuery({}), '');
  });
});

describe('MrApi', () => {
  it('reports an uninitialised server from the 404 of GET /initialize', async () => {
    const api = new MrApi(
      new HttpClient({
        fetch: fakeFetch(404, '{"providers":["local"]}'),
        baseUrl: '/mr-api',
        tokens: storageTokenStore(undefined),
      }),
    );
    assert.deepEqual(await api.setupState(), { installed: false, providers: ['local'], providerInfo: {} });
  });

  it('says the credentials are wrong when login answers 404 with no body', async () => {
    const api = new MrApi(
      new HttpClient({ fetch: fakeFetch(404, ''), baseUrl: '/mr-api', tokens: storageTokenStore(undefined) }),
    );
    await assert.rejects(api.login('a@b.c', 'x'), /email or password is not right/);
  });

  it('escapes feature keys and chooses POST to create a missing value', async () => {
    const seen: Seen[] = [];
    const api = new MrApi(
      new HttpClient({
        fetch: fakeFetch(200, '{}', seen),
        baseUrl: '/mr-api',
        tokens: storageTokenStore(undefined),
      }),
    );
    await api.saveFeatureValue('env-1', { key: 'a/b c', locked: false }, false);
    await api.saveFeatureValue('env-1', { key: 'k', locked: false }, true);
    assert.equal(seen[0]?.init.method, 'POST');
    assert.equal(seen[0]?.url, '/mr-api/features/env-1/feature/a%2Fb%20c');
    assert.equal(seen[1]?.init.method, 'PUT');
  });

  it('treats a false answer to an environment delete as refused', async () => {
    const api = new MrApi(
      new HttpClient({
        fetch: fakeFetch(200, 'false'),
        baseUrl: '/mr-api',
        tokens: storageTokenStore(undefined),
      }),
    );
    await assert.rejects(api.deleteEnvironment('e1'), /permission/);
  });
});
