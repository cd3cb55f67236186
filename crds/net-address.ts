// Pure IPv4/IPv6 address and prefix helpers shared by the API validation, the
// operator (OVN `networks` columns) and the agent's renderers. No dependency:
// node:net only tells whether a string is an IP, not containment.
import { isIPv4, isIPv6 } from 'node:net';

export type IpFamily = 4 | 6;
export interface ParsedIp {
  family: IpFamily;
  value: bigint;
}
export interface ParsedCidr {
  family: IpFamily;
  network: bigint;
  prefixLength: number;
}

const bitsOf = (family: IpFamily): number => (family === 4 ? 32 : 128);

export function parseIp(text: string): ParsedIp | undefined {
  if (isIPv4(text)) {
    const value = text.split('.').reduce((acc, octet) => (acc << 8n) | BigInt(Number(octet)), 0n);
    return { family: 4, value };
  }
  if (isIPv6(text) && !text.includes('%')) {
    return { family: 6, value: parseIpv6(text) };
  }
  return undefined;
}

function parseIpv6(text: string): bigint {
  let head = text;
  let v4tail: bigint | undefined;
  const lastColon = text.lastIndexOf(':');
  const tail = text.slice(lastColon + 1);
  if (tail.includes('.')) {
    const v4 = parseIp(tail);
    v4tail = v4?.value ?? 0n;
    head = `${text.slice(0, lastColon + 1)}0:0`;
  }
  const [left = '', right] = head.split('::');
  const leftGroups = left === '' ? [] : left.split(':');
  const rightGroups = right === undefined || right === '' ? [] : right.split(':');
  const missing = 8 - leftGroups.length - rightGroups.length;
  const groups = [...leftGroups, ...Array<string>(right === undefined ? 0 : missing).fill('0'), ...rightGroups];
  let value = groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n);
  if (v4tail !== undefined) value = (value & ~0xffffffffn) | v4tail;
  return value;
}

export function parseCidr(text: string): ParsedCidr | undefined {
  const slash = text.indexOf('/');
  if (slash < 0) return undefined;
  const ip = parseIp(text.slice(0, slash));
  const lenText = text.slice(slash + 1);
  if (!ip || !/^\d{1,3}$/.test(lenText)) return undefined;
  const prefixLength = Number(lenText);
  if (prefixLength > bitsOf(ip.family)) return undefined;
  return { family: ip.family, network: ip.value, prefixLength };
}

function hostMask(family: IpFamily, prefixLength: number): bigint {
  return (1n << BigInt(bitsOf(family) - prefixLength)) - 1n;
}

/** True when the prefix has no host bits set (10.0.0.0/24, not 10.0.0.1/24). */
export function isCanonicalCidr(cidr: ParsedCidr): boolean {
  return (cidr.network & hostMask(cidr.family, cidr.prefixLength)) === 0n;
}

export function cidrContains(cidr: ParsedCidr, ip: ParsedIp): boolean {
  if (cidr.family !== ip.family) return false;
  const mask = hostMask(cidr.family, cidr.prefixLength);
  return (cidr.network & ~mask) === (ip.value & ~mask);
}

export function formatIp(family: IpFamily, value: bigint): string {
  if (family === 4) {
    return [24n, 16n, 8n, 0n].map((s) => String((value >> s) & 0xffn)).join('.');
  }
  const groups = Array.from({ length: 8 }, (_, i) => ((value >> BigInt((7 - i) * 16)) & 0xffffn).toString(16));
  // RFC 5952: compress the longest run of two or more zero groups.
  let best = { start: -1, len: 0 };
  for (let i = 0; i < 8;) {
    if (groups[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > best.len && j - i >= 2) best = { start: i, len: j - i };
    i = j;
  }
  if (best.start < 0) return groups.join(':');
  const left = groups.slice(0, best.start).join(':');
  const right = groups.slice(best.start + best.len).join(':');
  return `${left}::${right}`;
}

/** `10.101.0.1/24` (an interface address, as OVN writes it) → `10.101.0.0/24`. */
export function networkOf(addressWithPrefix: string): { cidr: string; address: string } | undefined {
  const parsed = parseCidr(addressWithPrefix);
  if (!parsed) return undefined;
  const mask = hostMask(parsed.family, parsed.prefixLength);
  const network = parsed.network & ~mask;
  return {
    cidr: `${formatIp(parsed.family, network)}/${parsed.prefixLength}`,
    address: formatIp(parsed.family, parsed.network),
  };
}
