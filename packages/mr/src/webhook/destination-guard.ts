import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { BadRequestError } from '@fh/service-kit';

/** True for loopback, private, link-local and unique-local addresses (IPv4 and IPv6). */
export function isPrivateAddress(address: string): boolean {
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address;
  if (isIP(v4) === 4) {
    const [a, b] = v4.split('.').map(Number) as [number, number];
    return (
      a === 10 ||
      a === 127 ||
      a === 0 ||
      (a === 169 && b === 254) ||
      (a === 172 && b >= 16 && b <= 31) ||
      (a === 192 && b === 168) ||
      (a === 100 && b >= 64 && b <= 127)
    );
  }
  const v6 = address.toLowerCase();
  return v6 === '::1' || v6 === '::' || v6.startsWith('fc') || v6.startsWith('fd') || v6.startsWith('fe80');
}

/**
 * Refuses URLs whose host is, or resolves to, a loopback or private-network address, when the operator
 * has asked for it (WEBHOOK_REFUSE_PRIVATE_NETWORKS; off by default, as upstream).
 */
export async function checkDestination(url: string, refusePrivate: boolean): Promise<void> {
  if (!refusePrivate) return;
  const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
  const addresses = isIP(host) ? [host] : (await lookup(host, { all: true })).map((a) => a.address);
  if (addresses.some(isPrivateAddress)) {
    throw new BadRequestError(`${host} is a loopback or private-network address, which this server refuses`);
  }
}
