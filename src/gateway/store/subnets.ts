/**
 * Client subnets of a key: CIDR blocks checked against the caller's address with node's
 * `BlockList`, built once per key record.
 */
import { BlockList, isIPv4, isIPv6 } from 'node:net';

/** A parsed CIDR block. */
export interface Subnet {
  readonly address: string;
  readonly prefix: number;
  readonly family: 'ipv4' | 'ipv6';
}

/**
 * Parses `10.0.0.0/8`, `fd00::/8` or a single address (a /32 or /128); undefined when it is
 * neither.
 */
export function parseSubnet(text: string): Subnet | undefined {
  const slash = text.indexOf('/');
  const address = slash === -1 ? text : text.slice(0, slash);
  const family = isIPv4(address) ? 'ipv4' : isIPv6(address) ? 'ipv6' : undefined;
  if (family === undefined) return undefined;
  const maxPrefix = family === 'ipv4' ? 32 : 128;
  if (slash === -1) return { address, prefix: maxPrefix, family };
  const bits = text.slice(slash + 1);
  if (!/^\d{1,3}$/.test(bits)) return undefined;
  const prefix = Number(bits);
  return prefix <= maxPrefix ? { address, prefix, family } : undefined;
}

/** A subnet written back as text, always with its prefix (`10.1.2.3` → `10.1.2.3/32`). */
export function formatSubnet(subnet: Subnet): string {
  return `${subnet.address}/${subnet.prefix}`;
}

const blockLists = new WeakMap<readonly string[], BlockList>();

function blockListOf(subnets: readonly string[]): BlockList {
  let list = blockLists.get(subnets);
  if (list === undefined) {
    list = new BlockList();
    for (const text of subnets) {
      const subnet = parseSubnet(text);
      if (subnet !== undefined) list.addSubnet(subnet.address, subnet.prefix, subnet.family);
    }
    blockLists.set(subnets, list);
  }
  return list;
}

/**
 * Whether `address` lies in one of `subnets` (an empty list admits every address). An IPv4
 * address seen through a dual-stack socket (`::ffff:10.1.2.3`) is checked as IPv4.
 */
export function isAddressInSubnets(subnets: readonly string[], address: string): boolean {
  if (subnets.length === 0) return true;
  const mapped = address.startsWith('::ffff:') ? address.slice(7) : address;
  const family = isIPv4(mapped) ? 'ipv4' : isIPv6(mapped) ? 'ipv6' : undefined;
  if (family === undefined) return false;
  return blockListOf(subnets).check(mapped, family);
}
