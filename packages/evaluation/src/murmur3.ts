const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;
const utf8 = new TextEncoder();
// Strings are encoded into one reused buffer: hashing runs for every percentage rule of every
// request, and a fresh Uint8Array per hash was a visible share of a server-evaluated poll.
let scratch = new Uint8Array(256);

function utf8Bytes(input: string): { data: Uint8Array; length: number } {
  // UTF-8 takes at most 3 bytes per UTF-16 code unit.
  if (scratch.length < input.length * 3) scratch = new Uint8Array(input.length * 3);
  const { written } = utf8.encodeInto(input, scratch);
  return { data: scratch, length: written };
}

function rotl32(x: number, r: number): number {
  return (x << r) | (x >>> (32 - r));
}

/**
 * MurmurHash3, x86 32-bit variant, as an unsigned 32-bit integer. Strings are hashed as their
 * UTF-8 bytes (what both the Java Edge and the JavaScript SDKs do).
 */
export function murmur3X86x32(input: string | Uint8Array, seed = 0): number {
  const { data, length } =
    typeof input === 'string' ? utf8Bytes(input) : { data: input, length: input.length };
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
