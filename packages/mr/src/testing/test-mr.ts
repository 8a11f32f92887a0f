import { createHttpServer, HealthRegistry, type Logger, Metrics, silentLogger } from '@fh/service-kit';
import { createTestDatabase, type TestDatabase, type TestDialect } from '@fh/test-support';
import type { FastifyInstance } from 'fastify';
import { ScryptPasswordHasher } from '../auth/password-hasher.ts';
import type { MrSettings } from '../core/mr-context.ts';
import { schemaFingerprint } from '../db/migrations.ts';
import { type Database, openDatabase } from '../db/open-database.ts';
import { sqlStores, type TransactionalStores } from '../db/stores.ts';
import { type ManagementRepository, registerManagementRepository } from '../mr.ts';
import type { ChangePublisher } from '../publishing/change-set.ts';

/** An answer from the admin API: the status and the parsed JSON body (or text). */
export interface ApiResponse<T = unknown> {
  status: number;
  body: T;
  headers: Headers;
}

/** A small HTTP client for the admin API, holding one bearer token. */
export class MrClient {
  constructor(
    readonly baseUrl: string,
    readonly token?: string,
  ) {}

  withToken(token: string | undefined): MrClient {
    return new MrClient(this.baseUrl, token);
  }

  /** `path` is below `/mr-api` unless it starts with `//` (then it is taken from the server root). */
  async request<T = any>(
    method: string,
    path: string,
    body?: unknown,
    options: { headers?: Record<string, string>; rawBody?: string } = {},
  ): Promise<ApiResponse<T>> {
    const url = path.startsWith('//') ? `${this.baseUrl}${path.slice(1)}` : `${this.baseUrl}/mr-api${path}`;
    const headers: Record<string, string> = { ...options.headers };
    if (this.token && !('authorization' in headers)) headers.authorization = `Bearer ${this.token}`;
    let payload: string | undefined;
    if (options.rawBody !== undefined) {
      payload = options.rawBody;
      headers['content-type'] ??= 'application/json';
    } else if (body !== undefined) {
      payload = JSON.stringify(body);
      headers['content-type'] = 'application/json';
    }
    const res = await fetch(url, { method, headers, body: payload });
    const text = await res.text();
    let parsed: unknown = text;
    if (text !== '' && (res.headers.get('content-type') ?? '').includes('json')) {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = text;
      }
    }
    return { status: res.status, body: parsed as T, headers: res.headers };
  }

  get<T = any>(path: string) {
    return this.request<T>('GET', path);
  }
  post<T = any>(path: string, body?: unknown) {
    return this.request<T>('POST', path, body);
  }
  put<T = any>(path: string, body?: unknown) {
    return this.request<T>('PUT', path, body);
  }
  delete<T = any>(path: string) {
    return this.request<T>('DELETE', path);
  }
}

export interface TestMr {
  readonly baseUrl: string;
  readonly app: FastifyInstance;
  readonly database: Database;
  readonly stores: TransactionalStores;
  readonly mr: ManagementRepository;
  /** A client without a token. */
  readonly client: MrClient;
  /** Runs `POST /initialize` and returns a client logged in as the first superuser. */
  initialize(options?: { email?: string; password?: string; portfolio?: string }): Promise<{
    client: MrClient;
    personId: string;
    email: string;
    password: string;
  }>;
  close(): Promise<void>;
}

/**
 * Starts the Management Repository on a fresh database of `dialect` (a copy of a migrated template),
 * listening on a random loopback port, for tests over real HTTP.
 */
export async function startTestMr(
  options: {
    dialect?: TestDialect;
    publisher?: ChangePublisher;
    logger?: Logger;
    /** Settings beyond the defaults (e.g. single sign-on providers). */
    settings?: Partial<MrSettings>;
    /** Run after the server and database close (for helpers the test started with it). */
    onClose?: () => Promise<void>;
  } = {},
): Promise<TestMr> {
  const testDb: TestDatabase = await createTestDatabase(options.dialect ?? 'sqlite', {
    templateKey: `mr_${schemaFingerprint()}`,
    prepare: async (url) => {
      const db = await openDatabase({ url });
      await db.migrate();
      await db.close();
    },
  });
  const database = await openDatabase({ url: testDb.url });
  const stores = sqlStores(database);
  const logger = options.logger ?? silentLogger();
  const app = createHttpServer({
    logger,
    metrics: new Metrics(),
    health: new HealthRegistry(),
    version: { name: 'featurehub-test', version: '0.0.0' },
  });
  const mr = await registerManagementRepository(app, {
    stores,
    logger,
    hasher: new ScryptPasswordHasher({ N: 1024 }),
    ...(options.publisher ? { publisher: options.publisher } : {}),
    ...(options.settings ? { settings: options.settings } : {}),
    // Secret settings need a key; the outbox worker is not started (tests that deliver start the command).
    integrations: { encryptionKey: 'test-mr-encryption-key' },
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const baseUrl = `http://127.0.0.1:${port}`;
  const client = new MrClient(baseUrl);
  return {
    baseUrl,
    app,
    database,
    stores,
    mr,
    client,
    async initialize(init = {}) {
      const email = init.email ?? 'superuser@example.com';
      const password = init.password ?? 'password123';
      const res = await client.post('/initialize', {
        organizationName: 'Test Organisation',
        portfolio: init.portfolio ?? 'First Portfolio',
        name: 'Super User',
        emailAddress: email,
        password,
      });
      if (res.status !== 200) throw new Error(`initialize failed: ${res.status} ${JSON.stringify(res.body)}`);
      const body = res.body as { accessToken: string; person: { id: { id: string } } };
      return { client: client.withToken(body.accessToken), personId: body.person.id.id, email, password };
    },
    async close() {
      await app.close();
      await database.close();
      await testDb.drop();
      await options.onClose?.();
    },
  };
}
