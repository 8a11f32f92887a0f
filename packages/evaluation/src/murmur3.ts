const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;
const utf8 = new TextEncoder();
// Strings are encoded into one reused buffer: hashing runs for every percentage rule of every
// request, and a fresh Uint8Array per hash was a visible share of a server-evaluated poll.
let scratch = new Uint8Array(256);

/** Writes the UTF-8 bytes of `a + b` to `scratch`; returns how many. */
function encodeToScratch(a: string, b: string): number {
  const n = a.length + b.length;
  // UTF-8 takes at most 3 bytes per UTF-16 code unit.
  if (scratch.length < n * 3) scratch = new Uint8Array(n * 3);
  // Keys are nearly always ASCII (user keys, ids): copy those without concatenating or the native
  // call. Anything else is encoded as one string, so a surrogate pair split across a and b stays one.
  for (let i = 0; i < a.length; i++) {
    const c = a.charCodeAt(i);
    if (c >= 0x80) return utf8.encodeInto(a + b, scratch).written;
    scratch[i] = c;
  }
  const offset = a.length;
  for (let i = 0; i < b.length; i++) {
    const c = b.charCodeAt(i);
    if (c >= 0x80) return utf8.encodeInto(a + b, scratch).written;
    scratch[offset + i] = c;
  }
  return n;
}

function rotl32(x: number, r: number): number {
  return (x << r) | (x >>> (32 - r));
}

/**
 * MurmurHash3, x86 32-bit variant, as an unsigned 32-bit integer. Strings are hashed as their
 * UTF-8 bytes (what both the Java Edge and the JavaScript SDKs do).
 */
export function murmur3X86x32(input: string | Uint8Array, seed = 0): number {
  if (typeof input !== 'string') return hashBytes(input, input.length, seed);
  const length = encodeToScratch(input, ''); // first: it may replace scratch with a larger buffer
  return hashBytes(scratch, length, seed);
}

/** `murmur3X86x32(a + b)` without building the concatenation (the percentage key + feature id). */
export function murmur3OfPair(a: string, b: string): number {
  const length = encodeToScratch(a, b);
  return hashBytes(scratch, length, 0);
}

/**
 * `murmur3X86x32(key + tail)` where `tail` is already UTF-8 (a feature id encoded once). The caller
 * makes sure `key` does not end in a high surrogate, which would pair with the start of the tail.
 */
export function murmur3OfKeyAndBytes(key: string, tail: Uint8Array): number {
  const keyLength = encodeToScratch(key, '');
  const length = keyLength + tail.length;
  if (scratch.length < length) {
    const larger = new Uint8Array(length * 2);
    larger.set(scratch.subarray(0, keyLength));
    scratch = larger;
  }
  scratch.set(tail, keyLength);
  return hashBytes(scratch, length, 0);
}

function hashBytes(data: Uint8Array, length: number, seed: number): number {
  const blockEnd = length - (length % 4);
  let h = seed >>> 0;

  for (let i = 0; i < blockEnd; i += 4) {
    let k = data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24);
    k = Math.imul(rotl32(Math.imul(k, C1), 15), C2);
    h = rotl32(h ^ k, 13);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }

  const tail = length % 4;
  if (tail > 0) {
    let k = 0;
    if (tail === 3) k ^= data[blockEnd + 2]! << 16;
    if (tail >= 2) k ^= data[blockEnd + 1]! << 8;
    k ^= data[blockEnd]!;
    h ^= Math.imul(rotl32(Math.imul(k, C1), 15), C2);
  }

  h ^= length;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
