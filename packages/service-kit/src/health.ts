/** A named readiness check: true when the dependency it watches can serve. */
export type HealthCheck = () => boolean | Promise<boolean>;

export interface HealthReport {
  status: 'UP' | 'DOWN';
  checks: Record<string, 'UP' | 'DOWN'>;
}

/** Readiness is the conjunction of every registered check; a check that throws counts as down. */
export class HealthRegistry {
  readonly #checks = new Map<string, HealthCheck>();
  #shuttingDown = false;

  register(name: string, check: HealthCheck): void {
    this.#checks.set(name, check);
  }

  /** Once shutdown starts, readiness goes down so load balancers stop sending traffic. */
  markShuttingDown(): void {
    this.#shuttingDown = true;
  }

  async report(): Promise<HealthReport> {
    const checks: Record<string, 'UP' | 'DOWN'> = {};
    let up = !this.#shuttingDown;
    for (const [name, check] of this.#checks) {
      let ok = false;
      try {
        ok = await withTimeout(Promise.resolve(check()), 2000);
      } catch {
        ok = false;
      }
      checks[name] = ok ? 'UP' : 'DOWN';
      up &&= ok;
    }
    return { status: up ? 'UP' : 'DOWN', checks };
  }
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('health check timed out')), ms);
    p.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e);
      },
    );
  });
}
