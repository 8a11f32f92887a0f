// @featurehub-ts/openfeature-provider/web: FeatureHub for `@openfeature/web-sdk` (browsers).
import {
  ClientProviderEvents,
  type EvaluationContext,
  type JsonValue,
  OpenFeatureEventEmitter,
  type Provider,
  ProviderFatalError,
  type ResolutionDetails,
} from '@openfeature/web-sdk';
import { FeedError } from './feed.ts';
import type { FeatureHubProviderOptions } from './options.ts';
import { ProviderCore } from './provider-core.ts';
import { type FlagType, resolveFlag } from './resolve.ts';

export type { FeatureHubProviderOptions } from './options.ts';

/**
 * FeatureHub for `@openfeature/web-sdk`: the environment of a client-evaluated key kept current over
 * the Edge stream, every flag evaluated in the page for the current context, so a context change
 * needs no request. Emits ready, configuration-changed, stale and error.
 */
export class FeatureHubWebProvider implements Provider {
  readonly metadata = { name: 'FeatureHub' } as const;
  readonly runsOn = 'client' as const;
  readonly events = new OpenFeatureEventEmitter();
  readonly #core: ProviderCore;

  constructor(options: FeatureHubProviderOptions) {
    this.#core = new ProviderCore(options);
  }

  async initialize(): Promise<void> {
    try {
      await this.#core.start({
        configurationChanged: (flagsChanged) =>
          this.events.emit(ClientProviderEvents.ConfigurationChanged, { flagsChanged }),
        stale: (message) => this.events.emit(ClientProviderEvents.Stale, { message }),
        error: (message) => this.events.emit(ClientProviderEvents.Error, { message }),
        ready: () =>
          this.events.emit(ClientProviderEvents.Ready, { message: 'FeatureHub connection restored' }),
      });
    } catch (err) {
      if (err instanceof FeedError && err.fatal) throw new ProviderFatalError(err.message);
      throw err;
    }
  }

  /** Nothing to fetch: flags are evaluated locally for whatever context the page sets. */
  onContextChange(): void {}

  async onClose(): Promise<void> {
    this.#core.close();
  }

  #resolve<T>(
    flagKey: string,
    type: FlagType,
    defaultValue: T,
    context: EvaluationContext,
  ): ResolutionDetails<T> {
    return resolveFlag(
      this.#core.feed.features,
      flagKey,
      type,
      defaultValue,
      context,
      this.#core.options.now,
    ) as ResolutionDetails<T>;
  }

  resolveBooleanEvaluation(flagKey: string, defaultValue: boolean, context: EvaluationContext) {
    return this.#resolve(flagKey, 'boolean', defaultValue, context);
  }

  resolveStringEvaluation(flagKey: string, defaultValue: string, context: EvaluationContext) {
    return this.#resolve(flagKey, 'string', defaultValue, context);
  }

  resolveNumberEvaluation(flagKey: string, defaultValue: number, context: EvaluationContext) {
    return this.#resolve(flagKey, 'number', defaultValue, context);
  }

  resolveObjectEvaluation<T extends JsonValue>(flagKey: string, defaultValue: T, context: EvaluationContext) {
    return this.#resolve(flagKey, 'object', defaultValue, context);
  }
}
