// What the server and web providers share: the feed, its start with a timeout, and its signals turned
// into OpenFeature provider events through whichever SDK's emitter the provider holds.
import { Feed, FeedError } from './feed.ts';
import type { FeatureHubProviderOptions } from './options.ts';

/** The four provider events we emit, by their OpenFeature names (the same in both SDKs). */
export interface EventSink {
  configurationChanged(flagsChanged: string[]): void;
  stale(message: string): void;
  error(message: string, fatal: boolean): void;
  ready(): void;
}

export class ProviderCore {
  readonly feed: Feed;

  constructor(readonly options: FeatureHubProviderOptions) {
    if (typeof options.apiKey !== 'string' || !options.apiKey.includes('/')) {
      throw new Error('apiKey must be a FeatureHub SDK key: environmentId/serviceKey');
    }
    if (!options.apiKey.includes('*')) {
      // A server-evaluated key gets values without strategies: nothing to evaluate locally.
      throw new Error(
        'apiKey must be a client-evaluated key (its service key contains `*`); use OFREP for server-evaluated keys',
      );
    }
    this.feed = new Feed(options);
  }

  /** Resolves once the first state is in; rejects on refusal or after `readyTimeoutMs`. */
  async start(sink: EventSink): Promise<void> {
    const started = this.feed.start({
      changed: (keys) => sink.configurationChanged(keys),
      stale: (message) => sink.stale(message),
      failed: (message) => sink.error(message, true),
      recovered: () => sink.ready(),
    });
    const ms = this.options.readyTimeoutMs ?? 10_000;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new FeedError(`no features from FeatureHub within ${ms} ms`, false)),
        ms,
      );
    });
    try {
      await Promise.race([started, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  close(): void {
    this.feed.close();
  }
}
