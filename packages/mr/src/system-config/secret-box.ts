import { createCipheriv, createDecipheriv, createHash, randomBytes, randomUUID } from 'node:crypto';
import { BadRequestError } from '@fh/service-kit';

/** What answers show instead of an encrypted value (upstream's placeholder). */
export const ENCRYPTED_TEXT = 'ENCRYPTED-TEXT';

/**
 * Encrypts settings at rest with AES-256-GCM under the server's key (`WEBHOOK_ENCRYPTION_KEY`, ADR 0010).
 * A box without a key refuses to encrypt with a 400 that says how to configure one, and cannot decrypt.
 */
export class SecretBox {
  readonly #key: Buffer | undefined;

  /** `secret`: any passphrase; the AES key is its SHA-256. */
  constructor(secret: string | undefined) {
    this.#key = secret ? createHash('sha256').update(secret, 'utf8').digest() : undefined;
  }

  get hasKey(): boolean {
    return this.#key !== undefined;
  }

  /** `salt` is bound into the ciphertext (GCM additional data), as upstream keeps one beside each value. */
  encrypt(clear: string, salt: string): string {
    const key = this.#requireKey();
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    cipher.setAAD(Buffer.from(salt, 'utf8'));
    const body = Buffer.concat([cipher.update(clear, 'utf8'), cipher.final()]);
    return `v1:${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64')}`;
  }

  /** Undefined when the text is not ours or the key does not open it. */
  decrypt(sealed: string, salt: string): string | undefined {
    if (!this.#key || !sealed.startsWith('v1:')) return undefined;
    try {
      const raw = Buffer.from(sealed.slice(3), 'base64');
      const decipher = createDecipheriv('aes-256-gcm', this.#key, raw.subarray(0, 12));
      decipher.setAAD(Buffer.from(salt, 'utf8'));
      decipher.setAuthTag(raw.subarray(12, 28));
      return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
    } catch {
      return undefined;
    }
  }

  /** One string in one column: `<salt>\t<sealed>` (upstream's layout for single values). */
  encryptSingle(clear: string): string {
    const salt = randomUUID();
    return `${salt}\t${this.encrypt(clear, salt)}`;
  }

  decryptSingle(stored: string): string | undefined {
    const tab = stored.indexOf('\t');
    if (tab < 0) return undefined;
    return this.decrypt(stored.slice(tab + 1), stored.slice(0, tab));
  }

  #requireKey(): Buffer {
    if (!this.#key) {
      throw new BadRequestError(
        'this server has no encryption key: set WEBHOOK_ENCRYPTION_KEY (or run the party server on a SQLite file, ' +
          'which keeps a generated key beside the database) to store encrypted settings',
      );
    }
    return this.#key;
  }
}

/** The keys of a settings map listed in its `*.encrypt` entries (comma-separated). */
export function keysToEncrypt(info: Readonly<Record<string, string>>): string[] {
  const out = new Set<string>();
  for (const [k, v] of Object.entries(info)) {
    if (!k.endsWith('.encrypt') || v.trim() === '') continue;
    for (const key of v.split(',')) if (key.trim()) out.add(key.trim());
  }
  return [...out];
}

/**
 * Encrypts the listed keys of a settings map: the value becomes ENCRYPTED_TEXT, `<key>.encrypted` the
 * ciphertext and `<key>.salt` its salt. A value already ENCRYPTED_TEXT keeps its stored ciphertext
 * (`previous`); orphaned `.salt`/`.encrypted` entries are dropped.
 */
export function encryptSettings(
  box: SecretBox,
  info: Readonly<Record<string, string>>,
  previous: Readonly<Record<string, string>> = {},
): Record<string, string> {
  const out: Record<string, string> = { ...info };
  const keys = keysToEncrypt(info);
  for (const key of keys) {
    const value = out[key];
    if (value === undefined) continue;
    if (value === ENCRYPTED_TEXT) {
      const sealed = previous[`${key}.encrypted`] ?? info[`${key}.encrypted`];
      const salt = previous[`${key}.salt`] ?? info[`${key}.salt`];
      if (sealed !== undefined && salt !== undefined) {
        out[`${key}.encrypted`] = sealed;
        out[`${key}.salt`] = salt;
      }
      continue;
    }
    const salt = randomUUID();
    out[`${key}.encrypted`] = box.encrypt(value, salt);
    out[`${key}.salt`] = salt;
    out[key] = ENCRYPTED_TEXT;
  }
  const wanted = new Set(keys.flatMap((k) => [`${k}.encrypted`, `${k}.salt`]));
  for (const k of Object.keys(out)) {
    if ((k.endsWith('.encrypted') || k.endsWith('.salt')) && !wanted.has(k)) delete out[k];
  }
  return out;
}

/** What answers show: encrypted values as ENCRYPTED_TEXT, without their ciphertext and salt. */
export function maskSettings(info: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = { ...info };
  for (const key of keysToEncrypt(info)) {
    if (out[`${key}.encrypted`] === undefined && out[key] === undefined) continue;
    delete out[`${key}.encrypted`];
    delete out[`${key}.salt`];
    out[key] = ENCRYPTED_TEXT;
  }
  return out;
}

/** The settings in clear (for delivery), without the `.encrypted`/`.salt` entries. */
export function decryptSettings(
  box: SecretBox,
  info: Readonly<Record<string, string>>,
): Record<string, string> {
  const out: Record<string, string> = { ...info };
  for (const key of keysToEncrypt(info)) {
    const sealed = info[`${key}.encrypted`];
    const salt = info[`${key}.salt`];
    if (sealed !== undefined && salt !== undefined) {
      const clear = box.decrypt(sealed, salt);
      if (clear === undefined) delete out[key];
      else out[key] = clear;
    }
    delete out[`${key}.encrypted`];
    delete out[`${key}.salt`];
  }
  return out;
}
