// What the server and web providers share: the feed, its start with a timeout, its signals turned
// into OpenFeature provider events through whichever SDK's emitter the provider holds, and the
// resolution of a flag from the features held.
import { Feed, FeedError } from './feed.ts';
import type { FeatureHubProviderOptions } from './options.ts';
import { type FlagType, type Resolution, resolveFlag } from './resolve.ts';

/** The four provider events we emit, by their OpenFeature names (the same in both SDKs). */
export interface EventSink {
  configurationChanged(flagsChanged: string[]): void;
  stale(message: string): void;
  error(message: string, fatal: boolean): void;
  ready(): void;
}

/** The provider event names we emit, as both SDKs' event enums name them. */
export interface ProviderEventNames<E> {
  readonly ConfigurationChanged: E;
  readonly Stale: E;
  readonly Error: E;
  readonly Ready: E;
}

/** The part of either SDK's `OpenFeatureEventEmitter` we use. */
export interface ProviderEmitter<E> {
  emit(event: E, details: { flagsChanged?: string[]; message?: string }): void;
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

  /**
   * A provider's `initialize`: starts the feed, emitting its signals through the SDK's emitter; a
   * refused key fails with the SDK's fatal error, so the SDK does not retry.
   */
  async initialize<E>(
    events: ProviderEmitter<E>,
    names: ProviderEventNames<E>,
    FatalError: new (message: string) => Error,
  ): Promise<void> {
    try {
      await this.start({
        configurationChanged: (flagsChanged) => events.emit(names.ConfigurationChanged, { flagsChanged }),
        stale: (message) => events.emit(names.Stale, { message }),
        error: (message) => events.emit(names.Error, { message }),
        ready: () => events.emit(names.Ready, { message: 'FeatureHub connection restored' }),
      });
    } catch (err) {
      if (err instanceof FeedError && err.fatal) throw new FatalError(err.message);
      throw err;
    }
  }

  /** One flag resolved locally from the features held, for the context of the call. */
  resolve<T>(flagKey: string, type: FlagType, defaultValue: T, context: unknown): Resolution<T> {
    return resolveFlag(this.feed.features, flagKey, type, defaultValue, context, this.options.now);
  }

  close(): void {
    this.feed.close();
  }
}
