import {
  type EvaluationContext,
  type JsonValue,
  OpenFeatureEventEmitter,
  type Provider,
  ProviderEvents,
  ProviderFatalError,
  type ResolutionDetails,
} from '@openfeature/server-sdk';
import type { FeatureHubProviderOptions } from './options.ts';
import { ProviderCore } from './provider-core.ts';
import type { FlagType } from './resolve.ts';

/**
 * FeatureHub for `@openfeature/server-sdk`: keeps the environment of a client-evaluated key over the
 * Edge stream and evaluates every flag locally for the context of each call (no request per flag).
 * Emits ready, configuration-changed (with the changed keys), stale and error.
 *
 * @example
 * await OpenFeature.setProviderAndWait(new FeatureHubProvider({ edgeUrl, apiKey: 'env-id/client*key' }));
 * const on = await OpenFeature.getClient().getBooleanValue('FLAG', false, { targetingKey: user.id });
 */
export class FeatureHubProvider implements Provider {
  readonly metadata = { name: 'FeatureHub' } as const;
  readonly runsOn = 'server' as const;
  readonly events = new OpenFeatureEventEmitter();
  readonly #core: ProviderCore;

  constructor(options: FeatureHubProviderOptions) {
    this.#core = new ProviderCore(options);
  }

  async initialize(): Promise<void> {
    await this.#core.initialize(this.events, ProviderEvents, ProviderFatalError);
  }

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

  async resolveBooleanEvaluation(flagKey: string, defaultValue: boolean, context: EvaluationContext) {
    return this.#resolve(flagKey, 'boolean', defaultValue, context);
  }

  async resolveStringEvaluation(flagKey: string, defaultValue: string, context: EvaluationContext) {
    return this.#resolve(flagKey, 'string', defaultValue, context);
  }

  async resolveNumberEvaluation(flagKey: string, defaultValue: number, context: EvaluationContext) {
    return this.#resolve(flagKey, 'number', defaultValue, context);
  }

  async resolveObjectEvaluation<T extends JsonValue>(
    flagKey: string,
    defaultValue: T,
    context: EvaluationContext,
  ) {
    return this.#resolve(flagKey, 'object', defaultValue, context);
  }
}
