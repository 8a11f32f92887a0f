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
import type { FeatureHubProviderOptions } from './options.ts';
import { ProviderCore } from './provider-core.ts';
import type { FlagType } from './resolve.ts';

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
    await this.#core.initialize(this.events, ClientProviderEvents, ProviderFatalError);
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
    return this.#core.resolve(flagKey, type, defaultValue, context) as ResolutionDetails<T>;
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
