import type { FeedOptions } from './feed.ts';

/** How to reach FeatureHub, for either provider. */
export interface FeatureHubProviderOptions extends FeedOptions {
  /** How long `initialize` waits for the first state before the provider reports an error. Default 10 s. */
  readonly readyTimeoutMs?: number;
  /** Clock for `now` strategy rules (tests). */
  readonly now?: () => Date;
}
