import { pbkdf2, timingSafeEqual } from 'node:crypto';

/** The algorithm names upstream FeatureHub stores in `fh_person.password_alg`. */
export const UPSTREAM_PBKDF2_SHA512 = 'PBKDF2WithHmacSHA512';
export const UPSTREAM_PBKDF2_SHA1 = 'PBKDF2WithHmacSHA1';

const FORM = /^(\d{1,7}):([0-9a-fA-F]{2,256}):([0-9a-fA-F]{2,512})$/;
/** Upstream always wrote 1000; anything far above is not an upstream hash and would be work for nothing. */
const MAX_ITERATIONS = 1_000_000;

/** Whether a stored password is in upstream's `iterations:hexSalt:hexKey` PBKDF2 form. */
export function isUpstreamPasswordHash(stored: string): boolean {
  return FORM.test(stored);
}

/**
 * Checks a password against upstream FeatureHub's PBKDF2 hash `1000:<hex salt>:<hex key>`. The digest is
 * HMAC-SHA512 unless the person's stored algorithm names the legacy HMAC-SHA1 form; the key length is
 * that of the stored key. Java's PBKDF2 reads the password as UTF-8, as Node does.
 */
export async function verifyUpstreamPassword(
  password: string,
  stored: string,
  algorithm: string | null,
): Promise<boolean> {
  const m = FORM.exec(stored);
  if (!m) return false;
  const iterations = Number(m[1]);
  const salt = Buffer.from(m[2]!, 'hex');
  const expected = Buffer.from(m[3]!, 'hex');
  if (iterations < 1 || iterations > MAX_ITERATIONS || expected.length === 0) return false;
  const digest = algorithm?.toUpperCase() === UPSTREAM_PBKDF2_SHA1.toUpperCase() ? 'sha1' : 'sha512';
  const actual = await new Promise<Buffer>((resolve, reject) =>
    pbkdf2(password, salt, iterations, expected.length, digest, (err, key) =>
      err ? reject(err) : resolve(key),
    ),
  );
  return timingSafeEqual(actual, expected);
}
