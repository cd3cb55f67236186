// Route targets (RFC 4360 extended communities) and route distinguishers
// (RFC 4364 §4.2) share one textual grammar with three forms; which form a
// value takes is decided by the global administrator field:
//   type 0: 2-byte ASN : 4-byte number   65001:4294967295
//   type 1: IPv4       : 2-byte number   10.0.0.1:65535
//   type 2: 4-byte ASN : 2-byte number   4200049263:100
// An ASN up to 65535 is always read as type 0 (as FRR does), so "65001:70000"
// is valid and "4200049263:70000" is not: the 4-byte ASN leaves only 16 bits.

const MAX_U16 = 65_535;
const MAX_U32 = 4_294_967_295;
const DECIMAL = /^(0|[1-9][0-9]{0,9})$/;
const IPV4 = /^(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}$/;

export type ExtCommunityForm = 'as2' | 'ipv4' | 'as4';

export type ParsedExtCommunity = {
  readonly form: ExtCommunityForm;
  readonly admin: string;
  readonly assigned: number;
};

/**
 * Parses `ADMIN:NUMBER` in one of the three RFC 4360 forms. Returns a reason
 * string (for the field error) when the text is not one of them.
 */
export function parseExtCommunity(text: string): ParsedExtCommunity | string {
  const colon = text.lastIndexOf(':');
  if (colon <= 0 || colon === text.length - 1) return 'expected ADMIN:NUMBER';
  const admin = text.slice(0, colon);
  const assignedText = text.slice(colon + 1);
  if (!DECIMAL.test(assignedText)) return 'the assigned number must be a decimal integer';
  const assigned = Number(assignedText);
  if (IPV4.test(admin)) {
    if (assigned > MAX_U16) return 'with an IPv4 administrator the number must be 0-65535';
    return { form: 'ipv4', admin, assigned };
  }
  if (!DECIMAL.test(admin)) return 'the administrator must be an ASN or an IPv4 address';
  const asn = Number(admin);
  if (asn < 1 || asn > MAX_U32) return 'the ASN must be 1-4294967295';
  if (asn <= MAX_U16) {
    if (assigned > MAX_U32) return 'with a 2-byte ASN the number must be 0-4294967295';
    return { form: 'as2', admin, assigned };
  }
  if (assigned > MAX_U16) return 'with a 4-byte ASN the number must be 0-65535';
  return { form: 'as4', admin, assigned };
}
