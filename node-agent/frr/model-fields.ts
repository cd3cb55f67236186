// The field grammar of the FRR model (model.ts): each value FRR reads as one
// token, matched by an anchored pattern or parsed (IP addresses, prefixes,
// RT/RD), so no value can carry a second command into the rendered text.
import { z } from 'zod';
import { parseExtCommunity } from '../../crds/primitives.ts';

export const MAX_ASN = 4_294_967_295;
const MAX_VNI = 16_777_215;
/** A kernel device name (IFNAMSIZ - 1 = 15) restricted to characters FRR and iproute2 take as one token. */
export const DEVICE_NAME = /^[A-Za-z0-9_.-]{1,15}$/;
/** TCP MD5 secret: printable ASCII without space, quotes, backslash, `!` or `#` (FRR comment markers). */
export const PASSWORD = /^[A-Za-z0-9_.,:;@%^&*+=~/?<>()[\]{}|$-]{1,80}$/;

export const deviceName = z.string().regex(DEVICE_NAME, 'must be 1-15 characters of A-Z a-z 0-9 _ . -');
export const asn = z.number().int().min(1).max(MAX_ASN);
export const vni = z.number().int().min(1).max(MAX_VNI);
export const ipv4 = z.ipv4({ message: 'must be an IPv4 address in dotted-quad form' });

/** FRR prints IPv6 in RFC 5952 form; storing that form keeps the rendered text equal to the running config. */
function canonicalIpv6(address: string): string {
  return new URL(`http://[${address}]`).hostname.slice(1, -1);
}

export const ipAddress = z.union([ipv4, z.ipv6().transform(canonicalIpv6)], {
  error: 'must be an IPv4 or IPv6 address',
});

function prefixHostBitsZero(prefix: string): boolean {
  const [address = '', lengthText = ''] = prefix.split('/');
  const length = Number(lengthText);
  if (address.includes(':')) {
    const groups = expandIpv6(address);
    let bit = 0;
    for (const group of groups) {
      for (let i = 15; i >= 0; i -= 1, bit += 1) {
        if (bit >= length && ((group >> i) & 1) === 1) return false;
      }
    }
    return true;
  }
  const value = address.split('.').reduce((acc, octet) => acc * 256 + Number(octet), 0);
  const hostBits = 2 ** (32 - length);
  return value % hostBits === 0;
}

function expandIpv6(address: string): number[] {
  const [head = '', tail] = address.split('::');
  const parse = (part: string): number[] => (part === '' ? [] : part.split(':').map((g) => parseInt(g, 16)));
  const left = parse(head);
  const right = tail === undefined ? [] : parse(tail);
  return [...left, ...Array<number>(8 - left.length - right.length).fill(0), ...right];
}

/** A network prefix with its host bits clear (FRR would silently mask them and the reload would never converge). */
export const prefix = z
  .union([z.cidrv4(), z.cidrv6()], { error: 'must be an IPv4 or IPv6 prefix (address/length)' })
  .transform((p) => {
    const [address = '', length = ''] = p.split('/');
    return address.includes(':') ? `${canonicalIpv6(address)}/${length}` : p;
  })
  .refine(prefixHostBitsZero, 'host bits must be zero (e.g. 10.0.0.0/24, not 10.0.0.1/24)');

export const extCommunity = z.string().superRefine((text, ctx) => {
  const parsed = parseExtCommunity(text);
  if (typeof parsed === 'string') {
    ctx.addIssue({ code: 'custom', message: `${parsed} (RFC 4360: ASN2:NN4, IPv4:NN2 or ASN4:NN2)` });
  }
});
