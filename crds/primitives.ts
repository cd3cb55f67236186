// Field schemas shared by the kinds. Each carries its zod check (used at every
// boundary in the operator and agent) and the matching CEL rule (used by the
// API server itself), so a bad object is refused with the same words in both
// places. The table in test/fixtures/crds/api-validation-cases.ts keeps the two in step.
import { z } from 'zod';
import { codedCheck, EvpnErrorCode } from './error-codes.ts';
import { cidrContains, isCanonicalCidr, parseCidr, parseIp } from './net-address.ts';

export const MAX_VNI = 16_777_215;
export const MAX_U32 = 4_294_967_295;

type CelRule = { rule: string; message: string; reason?: string; fieldPath?: string };
export const cel = (...rules: CelRule[]) => ({ 'x-kubernetes-validations': rules });

const vniCheck = codedCheck(EvpnErrorCode.InvalidVni, `VNI must be between 1 and ${MAX_VNI} (24 bits)`);
export const vniMessage = vniCheck.message;
export const Vni = z
  .int()
  .refine((v) => v >= 1 && v <= MAX_VNI, vniCheck)
  .meta({
    description: 'VXLAN network identifier, 1–16777215.',
    ...cel({ rule: `self >= 1 && self <= ${MAX_VNI}`, message: vniMessage }),
  });

export const Asn = z
  .int()
  .min(1)
  .max(MAX_U32)
  .meta({ description: 'BGP autonomous system number (asplain), 1–4294967295.' });

export const LocalPref = z.int().min(0).max(MAX_U32).meta({ description: 'BGP LOCAL_PREF, 0–4294967295.' });

const ipv4Octet = '(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])';
const ipv4Re = `${ipv4Octet}(\\.${ipv4Octet}){3}`;

/**
 * Route targets (RFC 4360 extended communities) and route distinguishers
 * (RFC 4364 §4.2) share one textual grammar with three forms; which form a
 * value takes is decided by the global administrator field:
 *   type 0: 2-byte ASN : 4-byte number   65001:4294967295
 *   type 1: IPv4       : 2-byte number   10.0.0.1:65535
 *   type 2: 4-byte ASN : 2-byte number   4200049263:100
 * An ASN up to 65535 is always read as type 0 (as FRR does), so "65001:70000"
 * is valid and "4200049263:70000" is not. Numbers are canonical decimals (no
 * leading zeros) and the ASN is at least 1: FRR prints what it stores, so
 * `065000:1` would never equal its running config and `0:100` is no ASN. The
 * API server (CEL below), the operator and the agent's FRR model all use this
 * one grammar, so a value the API accepts is one FRR takes.
 */
export type ExtCommunityForm = 'as2' | 'ipv4' | 'as4';
export type ParsedExtCommunity = { readonly form: ExtCommunityForm; readonly admin: string; readonly assigned: number };

const DECIMAL = /^(0|[1-9][0-9]{0,9})$/;
const IPV4_ADMIN = new RegExp(`^${ipv4Re}$`);

/** Parses `ADMIN:NUMBER` in one of the three forms; returns the reason (for a field error) when it is none of them. */
export function parseExtCommunity(text: string): ParsedExtCommunity | string {
  const colon = text.lastIndexOf(':');
  if (colon <= 0 || colon === text.length - 1) return 'expected ADMIN:NUMBER';
  const admin = text.slice(0, colon);
  const assignedText = text.slice(colon + 1);
  if (!DECIMAL.test(assignedText)) return 'the assigned number must be a decimal integer without leading zeros';
  const assigned = Number(assignedText);
  if (IPV4_ADMIN.test(admin)) {
    if (assigned > 65_535) return 'with an IPv4 administrator the number must be 0-65535';
    return { form: 'ipv4', admin, assigned };
  }
  if (!DECIMAL.test(admin)) return 'the administrator must be an ASN (no leading zeros) or an IPv4 address';
  const asn = Number(admin);
  if (asn < 1 || asn > MAX_U32) return 'the ASN must be 1-4294967295';
  if (asn <= 65_535) {
    if (assigned > MAX_U32) return 'with a 2-byte ASN the number must be 0-4294967295';
    return { form: 'as2', admin, assigned };
  }
  if (assigned > 65_535) return 'with a 4-byte ASN the number must be 0-65535';
  return { form: 'as4', admin, assigned };
}

export function isRfc4360Value(text: string): boolean {
  return typeof parseExtCommunity(text) !== 'string';
}

const celDecimal = '(0|[1-9][0-9]{0,9})';
const rfc4360Cel =
  `self.matches('^[1-9][0-9]{0,9}:${celDecimal}$') ? ` +
  `(int(self.split(':')[0]) <= 65535 ? int(self.split(':')[1]) <= ${MAX_U32} : ` +
  `(int(self.split(':')[0]) <= ${MAX_U32} && int(self.split(':')[1]) <= 65535)) : ` +
  `(self.matches('^${ipv4Re.replaceAll('\\', '\\\\')}:(0|[1-9][0-9]{0,4})$') && int(self.split(':')[1]) <= 65535)`;

const rfc4360Forms = 'ASN2:NN (NN up to 4294967295), IPv4:NN or ASN4:NN (NN up to 65535)';
const routeTargetCheck = codedCheck(EvpnErrorCode.InvalidRouteTarget, `route target must be ${rfc4360Forms}`);
const routeDistinguisherCheck = codedCheck(
  EvpnErrorCode.InvalidRouteTarget,
  `route distinguisher must be ${rfc4360Forms}`,
);
export const routeTargetMessage = routeTargetCheck.message;
export const routeDistinguisherMessage = routeDistinguisherCheck.message;

export const RouteTarget = z
  .string()
  .max(32)
  .refine(isRfc4360Value, routeTargetCheck)
  .meta({ description: 'Route target (RFC 4360).', ...cel({ rule: rfc4360Cel, message: routeTargetMessage }) });

export const RouteDistinguisher = z
  .string()
  .max(32)
  .refine(isRfc4360Value, routeDistinguisherCheck)
  .meta({
    description: 'Route distinguisher (RFC 4364 types 0/1/2).',
    ...cel({ rule: rfc4360Cel, message: routeDistinguisherMessage }),
  });

export const RouteTargetList = z.array(RouteTarget).max(32);
export const RouteDistinguisherList = z.array(RouteDistinguisher).max(8);

/** Route policy fields shared by EvpnVrf and EvpnNetwork. */
export const BgpPolicyFields = {
  bgpAs: Asn.optional().meta({ description: 'ASN of the BGPVPN; the node ASN is used when absent.' }),
  routeTargets: RouteTargetList.optional().meta({ description: 'Imported and exported route targets.' }),
  importTargets: RouteTargetList.optional().meta({ description: 'Import-only route targets.' }),
  exportTargets: RouteTargetList.optional().meta({ description: 'Export-only route targets.' }),
  routeDistinguishers: RouteDistinguisherList.optional().meta({
    description:
      'Route distinguishers. One is used as given on every node; of several, each node uses one (its router id modulo the list length). FRR derives one per node when empty.',
  }),
  localPref: LocalPref.optional(),
};

export const IpAddress = z
  .string()
  .max(45)
  .refine((s) => parseIp(s) !== undefined, { message: 'must be an IPv4 or IPv6 address' })
  .meta(cel({ rule: 'isIP(self)', message: 'must be an IPv4 or IPv6 address' }));

/**
 * The same checks without CEL, for machine-written lists that may hold
 * thousands of entries (EvpnPortSet): CEL cost grows with list size, and the
 * API server refuses schemas whose worst case exceeds its budget. The zod
 * refinement still checks every value at each boundary.
 */
export const IpAddressUnchecked = z
  .string()
  .max(45)
  .regex(/^[0-9A-Fa-f:.]{2,45}$/)
  .refine((s) => parseIp(s) !== undefined, { message: 'must be an IPv4 or IPv6 address' });

export const CidrUnchecked = z
  .string()
  .max(49)
  .regex(/^[0-9A-Fa-f:.]{2,45}\/[0-9]{1,3}$/)
  .refine(
    (s) => {
      const c = parseCidr(s);
      return c !== undefined && isCanonicalCidr(c);
    },
    {
      message: 'must be a CIDR prefix with no host bits set',
    },
  );

export const Cidr = z
  .string()
  .max(49)
  .refine(
    (s) => {
      const c = parseCidr(s);
      return c !== undefined && isCanonicalCidr(c);
    },
    {
      message: 'must be a CIDR prefix with no host bits set, e.g. 10.0.0.0/24 or 2001:db8::/64',
    },
  )
  .meta(
    cel({
      rule: 'isCIDR(self) && cidr(self) == cidr(self).masked()',
      message: 'must be a CIDR prefix with no host bits set, e.g. 10.0.0.0/24 or 2001:db8::/64',
    }),
  );

export const gatewayOutsideMessage = 'gateway must be an address inside cidr';
export function gatewayInside(subnet: { cidr: string; gateway?: string | undefined }): boolean {
  if (subnet.gateway === undefined) return true;
  const c = parseCidr(subnet.cidr);
  const g = parseIp(subnet.gateway);
  return c !== undefined && g !== undefined && cidrContains(c, g);
}
export const gatewayInsideCel = {
  rule: '!has(self.gateway) || !isCIDR(self.cidr) || !isIP(self.gateway) || cidr(self.cidr).containsIP(self.gateway)',
  message: gatewayOutsideMessage,
};

/** Kubernetes object name (DNS-1123 subdomain). */
export const ObjectName = z
  .string()
  .min(1)
  .max(253)
  .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/);
