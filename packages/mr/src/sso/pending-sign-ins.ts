import { createHash, randomBytes } from 'node:crypto';
import { constantTimeEquals } from '../auth/tokens.ts';

/** A sign-in sent to an identity provider and not yet come back. */
export interface PendingSignIn {
  provider: string;
  /** PKCE verifier (OIDC) or the AuthnRequest id (SAML) the answer must match. */
  secret: string;
  nonce: string;
  /** SHA-256 of the browser-binding cookie set when the sign-in started. */
  bindingHash: string;
  expiresAt: number;
}

/** The cookie that ties a sign-in's `state` to the browser that started it. */
export const BINDING_COOKIE = 'fh-sso-binding';

export function newBinding(): { value: string; hash: string } {
  const value = randomBytes(24).toString('base64url');
  return { value, hash: hashBinding(value) };
}

function hashBinding(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

/** Whether the cookie the callback came with is the one the sign-in started with. */
export function bindingMatches(pending: PendingSignIn, cookieValue: string | undefined): boolean {
  return cookieValue !== undefined && constantTimeEquals(hashBinding(cookieValue), pending.bindingHash);
}

/**
 * Sign-ins in flight, by `state` (OIDC) or request id (SAML), in memory: each can be taken once (a replayed
 * callback finds nothing), lives ten minutes, and at most `max` wait at a time so anonymous callers cannot
 * grow it without bound (the oldest go first). In memory means the callback must reach the MR that started
 * the sign-in (ADR 0012).
 */
export class PendingSignIns {
  readonly #pending = new Map<string, PendingSignIn>();
  readonly #ttlMs: number;
  readonly #max: number;
  readonly #now: () => number;

  constructor(options: { ttlMs?: number; max?: number; now?: () => number } = {}) {
    this.#ttlMs = options.ttlMs ?? 10 * 60_000;
    this.#max = options.max ?? 10_000;
    this.#now = options.now ?? Date.now;
  }

  add(key: string, entry: Omit<PendingSignIn, 'expiresAt'>): void {
    this.#sweep();
    while (this.#pending.size >= this.#max) {
      const oldest = this.#pending.keys().next().value;
      if (oldest === undefined) break;
      this.#pending.delete(oldest);
    }
    this.#pending.set(key, { ...entry, expiresAt: this.#now() + this.#ttlMs });
  }

  /** The pending sign-in under `key`, removed so it cannot be used again; undefined when unknown or expired. */
  take(key: string): PendingSignIn | undefined {
    const entry = this.#pending.get(key);
    if (!entry) return undefined;
    this.#pending.delete(key);
    return entry.expiresAt > this.#now() ? entry : undefined;
  }

  #sweep(): void {
    const now = this.#now();
    for (const [key, entry] of this.#pending) {
      if (entry.expiresAt > now) break;
      this.#pending.delete(key);
    }
  }
}
