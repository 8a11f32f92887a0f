// @featurehub-ts/openfeature-provider: FeatureHub for OpenFeature server applications (Node). The
// browser provider is `@featurehub-ts/openfeature-provider/web`.

export type { FeatureHubProviderOptions } from './options.ts';
export { FeatureHubProvider } from './server-provider.ts';
