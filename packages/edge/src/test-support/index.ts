// @fh/edge/testing: an Edge over a filled Dacha cache on a random port, the seeded random features
// and contexts of the differential tests, and real featurehub-javascript-node-sdk clients, for other
// packages' tests (the OpenFeature provider's agreement test, the server's worlds). Production never
// imports this.
export {
  DEFAULT_DIFFERENTIAL_SEED,
  differentialSeed,
  type GeneratedFeature,
  generateContext,
  generateFeatures,
  Rng,
} from './differential-cases.ts';
export {
  CLIENT_KEY,
  clientApiKey,
  type EdgeFixture,
  type EdgeFixtureOptions,
  ENV_ID,
  SERVER_KEY,
  serverApiKey,
  startEdge,
} from './edge-fixture.ts';
export { closeAllSdks, type SdkClient, sdkClient } from './sdk.ts';
