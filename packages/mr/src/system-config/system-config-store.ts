/** One saved system-config key; `value` is the stored JSON text (encrypted parts already sealed). */
export interface StoredSystemConfig {
  key: string;
  value: string | null;
  version: number;
  whoUpdated: string | null;
}

export interface SystemConfigStore {
  /** Saved keys starting with any of the prefixes (all saved keys when none is given). */
  list(prefixes?: readonly string[]): Promise<StoredSystemConfig[]>;
  find(key: string): Promise<StoredSystemConfig | undefined>;
  /**
   * Creates the key (`version` -1) or updates it from `version`.
   * @throws StaleVersionError (422) when the key exists and is not at `version`, or exists on create
   */
  save(
    key: string,
    value: string | null,
    version: number,
    whoUpdated: string | null,
  ): Promise<StoredSystemConfig>;
}
