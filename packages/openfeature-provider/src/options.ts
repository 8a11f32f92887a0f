/** How the provider keeps the environment: where Edge is, which key, stream or poll. */
export interface FeedOptions {
  /** Where Edge answers: the server's root URL (a trailing `/features` is dropped, as the SDKs do). */
  readonly edgeUrl: string;
  /** A client-evaluated SDK key, `environmentId/serviceKey` with a `*` in the service key. */
  readonly apiKey: string;
  /** `stream` (default): SSE, falling back to polling where the server has none; `poll`: poll only. */
  readonly mode?: 'stream' | 'poll';
  /** How often to poll when polling, in ms. Default 30 s. */
  readonly pollIntervalMs?: number;
  /** How long to wait before reconnecting a dropped stream, in ms. Default 1 s. */
  readonly reconnectDelayMs?: number;
  /** `fetch` to use (default: the global one). */
  readonly fetch?: typeof fetch;
}

/** How to reach FeatureHub, for either provider. */
export interface FeatureHubProviderOptions extends FeedOptions {
  /** How long `initialize` waits for the first state before the provider reports an error. Default 10 s. */
  readonly readyTimeoutMs?: number;
  /** Clock for `now` strategy rules (tests). */
  readonly now?: () => Date;
}
