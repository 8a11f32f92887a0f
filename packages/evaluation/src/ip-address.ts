// IPv4 and IPv6 addresses and CIDR blocks for IP_ADDRESS rules. Dotted IPv4 parts with leading
// zeros are read as decimal (`192.168.086.075` = `192.168.86.75`), as the Java Edge does.

/** A parsed address (4 or 16 bytes) with a prefix length (32/128 for a single address). */
export interface IpBlock {
  readonly bytes: Uint8Array;
  readonly prefix: number;
}

function parseIPv4(text: string): Uint8Array | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  const bytes = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const part = parts[i]!;
    if (!/^\d{1,3}$/.test(part)) return undefined;
    const n = Number(part);
    if (n > 255) return undefined;
    bytes[i] = n;
  }
  return bytes;
}

function parseGroups(text: string): number[] | undefined {
  if (text === '') return [];
  const groups: number[] = [];
  const parts = text.split(':');
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    if (i === parts.length - 1 && part.includes('.')) {
      const v4 = parseIPv4(part);
      if (v4 === undefined) return undefined;
      groups.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
    } else {
      if (!/^[0-9a-fA-F]{1,4}$/.test(part)) return undefined;
      groups.push(Number.parseInt(part, 16));
    }
  }
  return groups;
}

function parseIPv6(text: string): Uint8Array | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const head = parseGroups(halves[0]!);
  const tail = halves.length === 2 ? parseGroups(halves[1]!) : [];
  if (head === undefined || tail === undefined) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  const groups = [...head, ...new Array<number>(missing).fill(0), ...tail];
  const bytes = new Uint8Array(16);
  groups.forEach((g, i) => {
    bytes[i * 2] = g >> 8;
    bytes[i * 2 + 1] = g & 0xff;
  });
  return bytes;
}

/** Parses `a.b.c.d`, an IPv6 address, or either with `/prefix`; `undefined` when malformed. */
export function parseIpBlock(text: string): IpBlock | undefined {
  const slash = text.indexOf('/');
  const address = (slash < 0 ? text : text.slice(0, slash)).trim();
  const bytes = address.includes(':') ? parseIPv6(address) : parseIPv4(address);
  if (bytes === undefined) return undefined;
  const max = bytes.length * 8;
  if (slash < 0) return { bytes, prefix: max };
  const prefixText = text.slice(slash + 1).trim();
  if (!/^\d{1,3}$/.test(prefixText)) return undefined;
  const prefix = Number(prefixText);
  return prefix > max ? undefined : { bytes, prefix };
}

const MAPPED_PREFIX = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff];

/** `::ffff:a.b.c.d` as the IPv4 address it wraps, so v4 rules still apply to it. */
function unmapIPv4(block: IpBlock): IpBlock {
  if (block.bytes.length !== 16 || block.prefix < 96) return block;
  if (!MAPPED_PREFIX.every((b, i) => block.bytes[i] === b)) return block;
  return { bytes: block.bytes.slice(12), prefix: block.prefix - 96 };
}

/** True when `address` (a single address) lies inside `block`. Different families never match. */
export function blockContains(block: IpBlock, address: IpBlock): boolean {
  const b = unmapIPv4(block);
  const a = unmapIPv4(address);
  if (a.bytes.length !== b.bytes.length) return false;
  let remaining = b.prefix;
  for (let i = 0; i < b.bytes.length && remaining > 0; i++) {
    const bits = Math.min(8, remaining);
    const mask = (0xff << (8 - bits)) & 0xff;
    if ((a.bytes[i]! & mask) !== (b.bytes[i]! & mask)) return false;
    remaining -= bits;
  }
  return true;
}
