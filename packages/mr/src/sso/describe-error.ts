// The one line an SSO refusal shows for an error from openid-client (oauth4webapi) or fetch: each cause's
// message, code and the provider's own `error`/`error_description` (also when it came in a token answer's body).

export function describeError(err: unknown): string {
  const parts: string[] = [];
  let current: unknown = err;
  for (let depth = 0; current && depth < 4; depth++) {
    const e = current as {
      message?: string;
      code?: string;
      error?: string;
      error_description?: string;
      cause?: unknown;
      /** oauth4webapi's cause for an unexpected token response: the provider's body, with its `error`. */
      body?: { error?: unknown; error_description?: unknown };
    };
    const provider = e.body && typeof e.body.error === 'string' ? e.body : undefined;
    const text = provider
      ? `${String(provider.error)}${typeof provider.error_description === 'string' ? ` (${provider.error_description})` : ''}`
      : (e.error_description ?? e.error ?? e.message ?? JSON.stringify(current));
    parts.push(e.code ? `${text} (${e.code})` : text);
    current = e.cause && typeof e.cause === 'object' ? e.cause : undefined;
  }
  return parts.join(': ');
}
