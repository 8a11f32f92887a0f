// The environment as a client-evaluated FeatureHub key sees it, kept current over the Edge stream
// (SSE read with fetch, so Node and browsers alike) with polling where a server has no stream. It
// speaks the FeatureHub Edge protocol (docs/edge-protocol.md), so upstream FeatureHub servers serve
// it too. No OpenFeature types here: the providers translate its signals into provider events.
import { type CompiledFeature, compileFeature } from '@fh/evaluation';
import type { FeedOptions } from './options.ts';

/** One feature as Edge sends it for a client-evaluated key (`FeatureState`). */
export interface WireFeature {
  readonly id: string;
  readonly key: string;
  readonly l?: boolean;
  readonly version?: number;
  readonly type?: 'BOOLEAN' | 'STRING' | 'NUMBER' | 'JSON';
  readonly value?: unknown;
  readonly strategies?: readonly unknown[];
}

/** A feature held by the feed with its compiled form. */
export interface HeldFeature {
  readonly state: WireFeature;
  readonly compiled: CompiledFeature;
}

/** What the feed tells its provider. */
export interface FeedListener {
  /** Features changed (after the first state): their keys. */
  changed(keys: string[]): void;
  /** The connection was lost; values may be out of date until it is back. */
  stale(message: string): void;
  /** The server refused the key for good (unknown key, no access). */
  failed(message: string): void;
  /** Fresh again after `stale` or `failed`. */
  recovered(): void;
}

/** Thrown by {@link Feed.start} when the first state cannot be had. */
export class FeedError extends Error {
  constructor(
    message: string,
    readonly fatal: boolean,
  ) {
    super(message);
    this.name = 'FeedError';
  }
}

const DEFAULT_POLL_MS = 30_000;

function trimBase(url: string): string {
  let base = url.replace(/\/+$/, '');
  if (base.endsWith('/features')) base = base.slice(0, -'/features'.length);
  return base;
}

/**
 * Holds the features of one environment for one client-evaluated key: `start()` resolves once the
 * first full state is in; changes arrive as they are published (SSE) or on the next poll.
 */
export class Feed {
  readonly #base: string;
  readonly #fetch: typeof fetch;
  readonly #features = new Map<string, HeldFeature>();
  #listener: FeedListener | undefined;
  #abort = new AbortController();
  #closed = false;
  #ready = false;
  #unhealthy: 'stale' | 'failed' | undefined;
  #etag: string | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #mode: 'stream' | 'poll';
  #first: { resolve: () => void; reject: (e: FeedError) => void } | undefined;

  constructor(readonly options: FeedOptions) {
    this.#base = trimBase(options.edgeUrl);
    this.#fetch = options.fetch ?? globalThis.fetch.bind(globalThis);
    this.#mode = options.mode ?? 'stream';
  }

  /** The features held now, by key. */
  get features(): ReadonlyMap<string, HeldFeature> {
    return this.#features;
  }

  get ready(): boolean {
    return this.#ready;
  }

  /** `stream` or `poll`: how the feed is kept current right now. */
  get mode(): 'stream' | 'poll' {
    return this.#mode;
  }

  /** Connects; resolves with the first full state, rejects when the server refuses the key. */
  start(listener: FeedListener): Promise<void> {
    this.#listener = listener;
    const first = new Promise<void>((resolve, reject) => {
      this.#first = { resolve, reject };
    });
    this.#connect();
    return first;
  }

  close(): void {
    this.#closed = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#abort.abort();
    this.#first?.reject(new FeedError('closed', true));
    this.#first = undefined;
  }

  #connect(): void {
    if (this.#closed) return;
    if (this.#mode === 'stream') void this.#stream();
    else void this.#poll();
  }

  #later(ms: number): void {
    if (this.#closed) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#connect();
    }, ms);
  }

  #stale(message: string): void {
    if (!this.#ready) return;
    if (this.#unhealthy === undefined) {
      this.#unhealthy = 'stale';
      this.#listener?.stale(message);
    }
  }

  #fail(message: string): void {
    if (this.#first !== undefined) {
      this.#first.reject(new FeedError(message, true));
      this.#first = undefined;
    } else if (this.#unhealthy !== 'failed') {
      this.#unhealthy = 'failed';
      this.#listener?.failed(message);
    }
    this.close();
  }

  /** A whole new state (SSE `features`, a poll): keeps versions no older than held ones. */
  #replace(states: readonly WireFeature[]): void {
    const changed: string[] = [];
    const seen = new Set<string>();
    for (const state of states) {
      if (typeof state?.key !== 'string') continue;
      seen.add(state.key);
      if (this.#apply(state)) changed.push(state.key);
    }
    for (const key of [...this.#features.keys()]) {
      if (!seen.has(key)) {
        this.#features.delete(key);
        changed.push(key);
      }
    }
    this.#settled(changed);
  }

  /** Applies one state; true when it changed what is held. */
  #apply(state: WireFeature): boolean {
    const held = this.#features.get(state.key);
    if (held !== undefined && (state.version ?? 0) < (held.state.version ?? 0)) return false;
    if (held !== undefined && JSON.stringify(held.state) === JSON.stringify(state)) return false;
    this.#features.set(state.key, {
      state,
      compiled: compileFeature({
        id: state.id,
        type: state.type ?? 'STRING',
        value: state.value,
        strategies: (state.strategies ?? []) as never,
      }),
    });
    return true;
  }

  #settled(changed: string[]): void {
    if (!this.#ready) {
      this.#ready = true;
      this.#first?.resolve();
      this.#first = undefined;
      return;
    }
    if (this.#unhealthy !== undefined) {
      this.#unhealthy = undefined;
      this.#listener?.recovered();
    }
    if (changed.length > 0) this.#listener?.changed(changed);
  }

  #onEvent(event: string, data: string): 'continue' | 'stop' {
    let parsed: unknown;
    try {
      parsed = JSON.parse(data);
    } catch {
      return 'continue';
    }
    switch (event) {
      case 'features':
        if (Array.isArray(parsed)) this.#replace(parsed as WireFeature[]);
        return 'continue';
      case 'feature':
        if (parsed !== null && typeof parsed === 'object' && this.#apply(parsed as WireFeature)) {
          this.#settled([(parsed as WireFeature).key]);
        }
        return 'continue';
      case 'delete_feature': {
        const state = parsed as WireFeature | null;
        const held = state === null ? undefined : this.#features.get(state.key);
        if (
          held !== undefined &&
          ((state?.version ?? 0) === 0 || (state?.version ?? 0) >= (held.state.version ?? 0))
        ) {
          this.#features.delete(held.state.key);
          this.#settled([held.state.key]);
        }
        return 'continue';
      }
      case 'failure':
        this.#fail(`FeatureHub refused the key: ${JSON.stringify(parsed)}`);
        return 'stop';
      case 'bye':
        return 'stop';
      default:
        return 'continue';
    }
  }

  async #stream(): Promise<void> {
    const url = `${this.#base}/features/${this.options.apiKey}`;
    let res: Response;
    try {
      res = await this.#fetch(url, {
        headers: { accept: 'text/event-stream', 'cache-control': 'no-cache' },
        signal: this.#abort.signal,
      });
    } catch (err) {
      if (this.#closed) return;
      this.#stale(`cannot reach FeatureHub: ${String(err)}`);
      this.#later(this.options.reconnectDelayMs ?? 1000);
      return;
    }
    if (res.status !== 200 || res.body === null) {
      await res.body?.cancel().catch(() => undefined);
      if (res.status === 501 || res.status === 404 || res.status === 405) {
        // A server without streams (FeatureHub Edge-REST, party-server-ish): poll instead.
        this.#mode = 'poll';
        this.#connect();
        return;
      }
      if (res.status >= 400 && res.status < 500) return this.#fail(`FeatureHub answered ${res.status}`);
      this.#stale(`FeatureHub answered ${res.status}`);
      this.#later(this.options.reconnectDelayMs ?? 1000);
      return;
    }
    const decoder = new TextDecoder();
    let buffer = '';
    let stopped = false;
    try {
      const reader = res.body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        buffer += decoder.decode(value, { stream: true }).replaceAll('\r\n', '\n');
        let cut = buffer.indexOf('\n\n');
        while (cut >= 0) {
          const block = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          let event = 'message';
          const data: string[] = [];
          for (const line of block.split('\n')) {
            if (line.startsWith('event:')) event = line.slice(6).trim();
            else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
          }
          if (data.length > 0 && this.#onEvent(event, data.join('\n')) === 'stop') {
            stopped = true;
            await reader.cancel().catch(() => undefined);
            break;
          }
          cut = buffer.indexOf('\n\n');
        }
        if (stopped) break;
      }
    } catch (err) {
      if (this.#closed) return;
      this.#stale(`the FeatureHub stream broke: ${String(err)}`);
    }
    if (this.#closed) return;
    // `bye` or a dropped connection: FeatureHub expects the SDK back about a second later.
    this.#later(this.options.reconnectDelayMs ?? 1000);
  }

  async #poll(): Promise<void> {
    const url = `${this.#base}/features?apiKey=${encodeURIComponent(this.options.apiKey)}&contextSha=0`;
    const interval = this.options.pollIntervalMs ?? DEFAULT_POLL_MS;
    try {
      const res = await this.#fetch(url, {
        headers: this.#etag === undefined ? {} : { 'if-none-match': this.#etag },
        signal: this.#abort.signal,
      });
      if (res.status === 304) {
        this.#settled([]);
      } else if (res.status === 200) {
        this.#etag = res.headers.get('etag') ?? undefined;
        const body = (await res.json()) as { features?: WireFeature[] }[];
        this.#replace(body[0]?.features ?? []);
      } else {
        await res.body?.cancel().catch(() => undefined);
        if (res.status >= 400 && res.status < 500) return this.#fail(`FeatureHub answered ${res.status}`);
        this.#stale(`FeatureHub answered ${res.status}`);
      }
    } catch (err) {
      if (this.#closed) return;
      this.#stale(`cannot reach FeatureHub: ${String(err)}`);
    }
    this.#later(interval);
  }
}
