/** A clock port so limits can be tested without waiting. */
export type Now = () => number;

export interface LoginRateLimits {
  /** Failed attempts allowed per account within the window. */
  perAccount: number;
  /** Failed attempts allowed per client address within the window. */
  perAddress: number;
  windowMs: number;
}

/**
 * Counts failed logins per account and per client address in a sliding window. A key over its limit is
 * refused until old failures age out; a success clears the account's failures.
 */
export class LoginRateLimiter {
  readonly #failures = new Map<string, number[]>();
  readonly #limits: LoginRateLimits;
  readonly #now: Now;

  constructor(limits: Partial<LoginRateLimits> = {}, now: Now = Date.now) {
    this.#limits = {
      perAccount: limits.perAccount ?? 10,
      perAddress: limits.perAddress ?? 50,
      windowMs: limits.windowMs ?? 15 * 60_000,
    };
    this.#now = now;
  }

  /** Seconds until another attempt is allowed, or 0 when it is allowed now. */
  retryAfterSeconds(account: string, address: string): number {
    const a = this.#waitMs(`a:${account.toLowerCase()}`, this.#limits.perAccount);
    const b = this.#waitMs(`ip:${address}`, this.#limits.perAddress);
    return Math.ceil(Math.max(a, b) / 1000);
  }

  recordFailure(account: string, address: string): void {
    const now = this.#now();
    for (const key of [`a:${account.toLowerCase()}`, `ip:${address}`]) {
      const list = this.#recent(key, now);
      list.push(now);
      this.#failures.set(key, list);
    }
    if (this.#failures.size > 100_000) this.#sweep(now);
  }

  recordSuccess(account: string): void {
    this.#failures.delete(`a:${account.toLowerCase()}`);
  }

  #waitMs(key: string, limit: number): number {
    const now = this.#now();
    const list = this.#recent(key, now);
    if (list.length < limit) return 0;
    return list[list.length - limit]! + this.#limits.windowMs - now;
  }

  #recent(key: string, now: number): number[] {
    const list = this.#failures.get(key) ?? [];
    const cutoff = now - this.#limits.windowMs;
    let i = 0;
    while (i < list.length && list[i]! <= cutoff) i++;
    return i === 0 ? list : list.slice(i);
  }

  #sweep(now: number): void {
    for (const key of [...this.#failures.keys()]) {
      const recent = this.#recent(key, now);
      if (recent.length === 0) this.#failures.delete(key);
      else this.#failures.set(key, recent);
    }
  }
}
