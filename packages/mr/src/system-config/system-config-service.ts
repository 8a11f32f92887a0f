import { BadRequestError, NotFoundError } from '@fh/service-kit';
import type { Access } from '../permission/access.ts';
import {
  decryptSettings,
  ENCRYPTED_TEXT,
  encryptSettings,
  maskSettings,
  type SecretBox,
} from './secret-box.ts';
import {
  type SystemConfigDefinition,
  systemConfigDefinition,
  systemConfigDefinitions,
} from './system-config-definitions.ts';
import type { StoredSystemConfig, SystemConfigStore } from './system-config-store.ts';

/** A system-config key as answered: encrypted values masked. */
export interface SystemConfigView {
  key: string;
  encrypted: boolean;
  version: number;
  value?: unknown;
}

export interface SystemConfigUpdate {
  key: string;
  version: number;
  value: unknown;
}

type Stores = { systemConfigs: SystemConfigStore };

/**
 * The system config (upstream SystemConfigService): superusers read and change the known keys; secret
 * keys are sealed with the server's key before they reach the database and are answered masked.
 */
export class SystemConfigService {
  constructor(private readonly box: SecretBox) {}

  async list(stores: Stores, access: Access, filters: readonly string[]): Promise<SystemConfigView[]> {
    access.requireSuperuser();
    const prefixes = filters.map((f) => f.trim()).filter((f) => f !== '');
    if (prefixes.length === 0) {
      return systemConfigDefinitions.map((d) => ({ key: d.key, encrypted: d.encrypted, version: -1 }));
    }
    const saved = new Map((await stores.systemConfigs.list(prefixes)).map((r) => [r.key, r]));
    const out: SystemConfigView[] = [];
    for (const d of systemConfigDefinitions) {
      if (!prefixes.some((p) => d.key.startsWith(p))) continue;
      const row = saved.get(d.key);
      if (row) out.push(this.#view(d, row));
      else if (d.createIfMissing) {
        out.push({ key: d.key, encrypted: d.encrypted, version: -1, value: d.defaultValue });
      }
    }
    return out;
  }

  async update(
    stores: Stores,
    access: Access,
    updates: readonly SystemConfigUpdate[],
    who: string | null,
  ): Promise<SystemConfigView[]> {
    access.requireSuperuser();
    const unknown = updates.filter((u) => !systemConfigDefinition(u.key)).map((u) => u.key);
    if (unknown.length > 0) {
      throw new BadRequestError(`unknown system config key(s): ${unknown.join(', ')}`);
    }
    const out: SystemConfigView[] = [];
    for (const u of updates) {
      const d = systemConfigDefinition(u.key)!;
      checkValue(d, u.value);
      const current = await stores.systemConfigs.find(d.key);
      if (d.encrypted && d.type === 'string' && u.value === ENCRYPTED_TEXT && current) {
        out.push(this.#view(d, current)); // the masked value sent back: unchanged
        continue;
      }
      const stored = this.#toStored(d, u.value, current);
      out.push(this.#view(d, await stores.systemConfigs.save(d.key, stored, u.version, who)));
    }
    return out;
  }

  /** The clear value of an encrypted key (for a headers map: of its entry `mapKey`); null when none. */
  async decrypt(
    stores: Stores,
    access: Access,
    key: string,
    mapKey: string | undefined,
  ): Promise<string | null> {
    access.requireSuperuser();
    const d = systemConfigDefinition(key);
    if (!d) throw new NotFoundError(`no system config key ${key}`);
    if (!d.encrypted) return null;
    const row = await stores.systemConfigs.find(key);
    if (!row || row.value === null) return null;
    const value = JSON.parse(row.value) as unknown;
    if (d.type === 'string')
      return typeof value === 'string' ? (this.box.decryptSingle(value) ?? null) : null;
    if (mapKey === undefined) return null;
    return decryptSettings(this.box, value as Record<string, string>)[mapKey] ?? null;
  }

  /** Clear values of keys, for MR's own use (Slack delivery). */
  async values(stores: Stores, keys: readonly string[]): Promise<Map<string, unknown>> {
    const out = new Map<string, unknown>();
    for (const key of keys) {
      const d = systemConfigDefinition(key);
      const row = d && (await stores.systemConfigs.find(key));
      if (!d || !row || row.value === null) continue;
      const value = JSON.parse(row.value) as unknown;
      if (d.encrypted && d.type === 'string' && typeof value === 'string') {
        const clear = this.box.decryptSingle(value);
        if (clear !== undefined) out.set(key, clear);
      } else if (d.encrypted && d.type === 'headers') {
        out.set(key, decryptSettings(this.box, value as Record<string, string>));
      } else out.set(key, value);
    }
    return out;
  }

  #toStored(
    d: SystemConfigDefinition,
    value: unknown,
    current: StoredSystemConfig | undefined,
  ): string | null {
    if (value === null || value === undefined) return null;
    if (!d.encrypted) return JSON.stringify(value);
    if (d.type === 'string') return JSON.stringify(this.box.encryptSingle(String(value)));
    const map = { ...(value as Record<string, string>) };
    const deleted = map[`${d.key}.deleted`];
    if (deleted !== undefined) {
      for (const k of deleted.split(',')) {
        delete map[k];
        delete map[`${k}.salt`];
        delete map[`${k}.encrypted`];
      }
      delete map[`${d.key}.deleted`];
    }
    const previous = current?.value ? (JSON.parse(current.value) as Record<string, string>) : {};
    return JSON.stringify(encryptSettings(this.box, map, previous));
  }

  #view(d: SystemConfigDefinition, row: StoredSystemConfig): SystemConfigView {
    const view: SystemConfigView = { key: d.key, encrypted: d.encrypted, version: row.version };
    if (row.value === null) return view;
    const value = JSON.parse(row.value) as unknown;
    if (!d.encrypted) view.value = value;
    else if (d.type === 'string') view.value = ENCRYPTED_TEXT;
    else {
      const masked = maskSettings(value as Record<string, string>);
      if (masked[`${d.key}.encrypt`] === undefined) masked[`${d.key}.encrypt`] = '';
      view.value = masked;
    }
    return view;
  }
}

function checkValue(d: SystemConfigDefinition, value: unknown): void {
  if (value === null || value === undefined) return;
  if (d.type === 'boolean' && typeof value !== 'boolean') {
    throw new BadRequestError(`system config ${d.key} must be true or false`);
  }
  if (d.type === 'string' && typeof value !== 'string') {
    throw new BadRequestError(`system config ${d.key} must be a string`);
  }
  if (d.type === 'headers') {
    if (
      typeof value !== 'object' ||
      Array.isArray(value) ||
      Object.values(value).some((v) => typeof v !== 'string')
    ) {
      throw new BadRequestError(`system config ${d.key} must be an object of strings`);
    }
  }
  if (d.key === 'slack.delivery.url' && value !== '' && !isHttpUrl(value as string)) {
    throw new BadRequestError(
      `system config slack.delivery.url must be an http(s) URL, not ${JSON.stringify(value)}`,
    );
  }
}

export function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}
