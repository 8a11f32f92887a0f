import { ApiError, errorFromResponse, type StatusMessages } from './errors.ts';

/** Where the bearer token lives between page loads. */
export interface TokenStore {
  get(): string | undefined;
  set(token: string): void;
  clear(): void;
}

/** The subset of the Web Storage API the token store needs (so tests can pass a Map-backed fake). */
export interface KeyValueStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export const TOKEN_KEY = 'fh.bearer';

export function storageTokenStore(storage: KeyValueStorage | undefined, key = TOKEN_KEY): TokenStore {
  let memory: string | undefined;
  return {
    get() {
      try {
        return storage?.getItem(key) ?? memory;
      } catch {
        return memory;
      }
    },
    set(token) {
      memory = token;
      try {
        storage?.setItem(key, token);
      } catch {
        // private mode or storage disabled: the token lives for this page only
      }
    },
    clear() {
      memory = undefined;
      try {
        storage?.removeItem(key);
      } catch {
        // nothing to clear
      }
    },
  };
}

export type QueryValue = string | number | boolean | undefined | null | ReadonlyArray<string | number>;

export interface RequestOptions {
  query?: Record<string, QueryValue>;
  body?: unknown;
  /** Public endpoints (login, setup, registration) neither send the token nor trigger the sign-out on 401. */
  anonymous?: boolean;
  /** Plain words for statuses that mean something specific for this request. */
  messages?: StatusMessages;
  signal?: AbortSignal;
}

export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

/** Array parameters are repeated (`environmentIds=a&environmentIds=b`), OpenAPI's default form style. */
export function buildQuery(query: Record<string, QueryValue> | undefined): string {
  if (query === undefined) return '';
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined || v === null) continue;
    if (Array.isArray(v)) for (const item of v) params.append(k, String(item));
    else params.append(k, String(v));
  }
  const s = params.toString();
  return s === '' ? '' : `?${s}`;
}

/** A path segment such as a feature key or an e-mail, escaped so it cannot change the path. */
export function seg(value: string): string {
  return encodeURIComponent(value);
}

/**
 * JSON over fetch with the session's bearer token. Failures become ApiError with a sentence a person
 * can act on; a 401 on an authenticated call also tells the app the session is gone.
 */
export class HttpClient {
  readonly #fetch: FetchLike;
  readonly #base: string;
  readonly #tokens: TokenStore;
  #onUnauthorized: (() => void) | undefined;

  constructor(options: {
    fetch: FetchLike;
    baseUrl: string;
    tokens: TokenStore;
    onUnauthorized?: () => void;
  }) {
    this.#fetch = options.fetch;
    this.#base = options.baseUrl.replace(/\/$/, '');
    this.#tokens = options.tokens;
    this.#onUnauthorized = options.onUnauthorized;
  }

  get tokens(): TokenStore {
    return this.#tokens;
  }

  set onUnauthorized(handler: (() => void) | undefined) {
    this.#onUnauthorized = handler;
  }

  async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const headers: Record<string, string> = { Accept: 'application/json' };
    const token = options.anonymous ? undefined : this.#tokens.get();
    if (token !== undefined) headers['Authorization'] = `Bearer ${token}`;
    const init: RequestInit = { method, headers, cache: 'no-store' };
    if (options.body !== undefined) {
      headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(options.body);
    }
    if (options.signal !== undefined) init.signal = options.signal;
    let res: Response;
    try {
      res = await this.#fetch(`${this.#base}${path}${buildQuery(options.query)}`, init);
    } catch (e) {
      if (e instanceof Error && e.name === 'AbortError') throw e;
      throw new ApiError(0, 'Cannot reach the FeatureHub server. Check your connection and try again.');
    }
    const text = await res.text().catch(() => '');
    if (!res.ok) {
      if (res.status === 401 && !options.anonymous) {
        this.#tokens.clear();
        this.#onUnauthorized?.();
      }
      throw errorFromResponse(res.status, text, options.messages);
    }
    if (text.trim() === '') return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new ApiError(res.status, 'The server sent a reply the admin UI cannot read.');
    }
  }

  get<T>(path: string, options?: RequestOptions): Promise<T> {
    return this.request<T>('GET', path, options);
  }
  post<T>(path: string, body?: unknown, options?: RequestOptions): Promise<T> {
    return this.request<T>('POST', path, { ...options, body });
  }
  put<T>(path: string, body?: unknown, options?: RequestOptions): Promise<T> {
    return this.request<T>('PUT', path, { ...options, body });
  }
  delete<T>(path: string, options?: RequestOptions): Promise<T> {
    return this.request<T>('DELETE', path, options);
  }
}
