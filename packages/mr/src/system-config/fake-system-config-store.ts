import { StaleVersionError } from '@fh/service-kit';
import type { StoredSystemConfig, SystemConfigStore } from './system-config-store.ts';

/** In memory, with the SQL store's versioning rules. */
export class FakeSystemConfigStore implements SystemConfigStore {
  #rows = new Map<string, StoredSystemConfig>();

  /** For the fake transaction: a copy to restore when the use case fails. */
  snapshot(): unknown {
    return structuredClone(this.#rows);
  }

  restore(snapshot: unknown): void {
    this.#rows = snapshot as Map<string, StoredSystemConfig>;
  }

  async list(prefixes: readonly string[] = []): Promise<StoredSystemConfig[]> {
    return [...this.#rows.values()]
      .filter((r) => prefixes.length === 0 || prefixes.some((p) => r.key.startsWith(p)))
      .sort((a, b) => a.key.localeCompare(b.key))
      .map((r) => ({ ...r }));
  }

  async find(key: string): Promise<StoredSystemConfig | undefined> {
    const r = this.#rows.get(key);
    return r && { ...r };
  }

  async save(
    key: string,
    value: string | null,
    version: number,
    whoUpdated: string | null,
  ): Promise<StoredSystemConfig> {
    const current = this.#rows.get(key);
    if (current && current.version !== version) {
      throw new StaleVersionError(
        `system config ${key} is at version ${current.version}, not ${version}; reload and try again`,
      );
    }
    const row = { key, value, version: current ? current.version + 1 : 1, whoUpdated };
    this.#rows.set(key, row);
    return { ...row };
  }
}
