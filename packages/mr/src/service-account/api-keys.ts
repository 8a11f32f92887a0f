import { randomAlphanumeric } from '../auth/tokens.ts';

/** Length of a server-evaluated API key (all alphanumerics). */
export const SERVER_EVAL_KEY_LENGTH = 40;

/** A server-evaluated key: 40 alphanumerics. */
export function newServerEvalKey(random: (length: number) => string = randomAlphanumeric): string {
  return random(SERVER_EVAL_KEY_LENGTH);
}

/**
 * A client-evaluated key: 30 alphanumerics, `*`, 20 alphanumerics. The `*` is how Edge, Dacha and the
 * SDKs tell a client-evaluated key from a server-evaluated one.
 */
export function newClientEvalKey(random: (length: number) => string = randomAlphanumeric): string {
  return `${random(30)}*${random(20)}`;
}

/** What an SDK is configured with: `{environmentId}/{apiKey}`. */
export function sdkUrl(environmentId: string, apiKey: string): string {
  return `${environmentId}/${apiKey}`;
}
