// Turns one row's `neutron_bgpvpn:*` external_ids into a typed association, or
// a problem carrying its EVPN-00x code (crds/error-codes.ts). Never throws: a malformed row must
// not stop the mirror. Values are exactly what the OVN driver writes: every
// value a string, lists as json.dumps arrays, `as` copied from the first route
// target (so missing without RTs, and an IP when that RT is in IP form).
import { EvpnErrorCode, isRfc4360Value, MAX_U32, MAX_VNI } from '../../crds/index.ts';
import type { PrefixRoute } from '../../crds/index.ts';
import { cidrContains, isCanonicalCidr, parseCidr, parseIp } from '../../crds/net-address.ts';
import { BgpvpnKey, legacyAliases } from '../ovn-source/bgpvpn-keys.ts';
import type { ExternalIds } from '../ovn-source/ovn-snapshot.ts';
import { codedMessage } from '../../crds/error-codes.ts';

export interface Association {
  vni: number;
  type: 'l2' | 'l3';
  bgpAs?: number;
  routeTargets: string[];
  importTargets: string[];
  exportTargets: string[];
  routeDistinguishers: string[];
  localPref?: number;
  advertiseFixedIps?: boolean;
  routes: PrefixRoute[];
  /** Things accepted with a fallback, worth telling the user. */
  warnings: string[];
}

export interface AssociationProblem {
  code: EvpnErrorCode;
  message: string;
}

export type ParseResult = { ok: true; association: Association } | { ok: false; problem: AssociationProblem };

/** Applies legacy aliases: the current key wins when both are present. */
export function normalizeKeys(ids: ExternalIds): Map<string, string> {
  const out = new Map<string, string>();
  for (const [legacy, current] of Object.entries(legacyAliases)) {
    const value = ids[legacy];
    if (value !== undefined) out.set(current, value);
  }
  for (const [key, value] of Object.entries(ids)) {
    if (key in legacyAliases) continue;
    out.set(key, value);
  }
  return out;
}

class Problem extends Error {
  readonly code: AssociationProblem['code'];
  constructor(code: AssociationProblem['code'], message: string) {
    super(message);
    this.code = code;
  }
}

/**
 * The API's limits (crds/primitives.ts, crds/evpn-network.ts), enforced here so
 * an oversized list is a problem on the association, never a spec the API
 * server refuses (which used to drop the VRF and prune the live one).
 */
export const ListLimit = { routeTargets: 32, routeDistinguishers: 8, routes: 1024 } as const;
/** A value longer than this is not read at all (nothing valid comes close). */
export const MAX_VALUE_LENGTH = 65_536;

/** ASCII digits only (`\d` without the u flag), a plain decimal without leading zeros. */
const PLAIN_DECIMAL = /^(0|[1-9]\d{0,9})$/;

const quoted = (text: string): string => JSON.stringify(text.length > 80 ? `${text.slice(0, 80)}…` : text);

function parseInteger(text: string, key: string, code: AssociationProblem['code'], max: number, min = 0): number {
  const trimmed = text.trim();
  if (/^0\d+$/.test(trimmed)) throw new Problem(code, `${key} must not have leading zeros, got ${quoted(text)}`);
  if (!PLAIN_DECIMAL.test(trimmed)) throw new Problem(code, `${key} must be a number, got ${quoted(text)}`);
  const value = Number(trimmed);
  if (value < min || value > max) throw new Problem(code, `${key} must be between ${min} and ${max}, got ${value}`);
  return value;
}

function parseJson(text: string, key: string, code: AssociationProblem['code']): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new Problem(code, `${key} is not valid JSON: ${JSON.stringify(text.slice(0, 80))}`);
  }
}

/**
 * Leading zeros (`65000:0100`) and the reserved AS 0 (`0:N`, RFC 7607): the
 * grammar (shared with the CRD and FRR) refuses them too, but this names why.
 */
function rfc4360Flaw(v: string): string | undefined {
  if (!/^(\d+|\d+\.\d+\.\d+\.\d+):\d+$/.test(v)) return undefined;
  const [admin = '', assigned = ''] = v.split(/:(?=[^:]*$)/);
  if (/^0\d/.test(assigned) || (!admin.includes('.') && /^0\d/.test(admin))) return 'has leading zeros';
  if (admin === '0') return 'uses the reserved AS 0 (RFC 7607)';
  return undefined;
}

function parseRfc4360List(text: string | undefined, key: string, what: string, limit: number): string[] {
  if (text === undefined || text.trim() === '') return [];
  const value = parseJson(text, key, EvpnErrorCode.InvalidRouteTarget);
  if (!Array.isArray(value) || !value.every((v): v is string => typeof v === 'string')) {
    throw new Problem(EvpnErrorCode.InvalidRouteTarget, `${key} must be a JSON array of strings`);
  }
  for (const v of value) {
    const flaw = rfc4360Flaw(v);
    if (flaw !== undefined)
      throw new Problem(EvpnErrorCode.InvalidRouteTarget, `${key}: ${quoted(v)} ${flaw}; write it as a plain ${what}`);
  }
  const bad = value.filter((v) => !isRfc4360Value(v));
  if (bad.length > 0) {
    throw new Problem(
      EvpnErrorCode.InvalidRouteTarget,
      `${key}: ${quoted(bad[0] ?? '')} is not a valid ${what} (ASN2:NN, IPv4:NN or ASN4:NN)`,
    );
  }
  const unique = [...new Set(value)];
  if (unique.length > limit) {
    throw new Problem(
      EvpnErrorCode.InvalidRouteTarget,
      `${key} has ${unique.length} entries; at most ${limit} ${what}s are allowed`,
    );
  }
  return unique;
}

/** `as` as written by the driver: asplain, asdot, or an IP copied from an IP-form RT. */
function parseAs(text: string | undefined, warnings: string[]): number | undefined {
  if (text === undefined || text.trim() === '') {
    warnings.push('no neutron_bgpvpn:as (the BGPVPN has no route targets); the node ASN is used');
    return undefined;
  }
  const t = text.trim();
  if (/^\d{1,10}$/.test(t) && Number(t) >= 1 && Number(t) <= MAX_U32) return Number(t);
  const asdot = /^(\d{1,5})\.(\d{1,5})$/.exec(t);
  if (asdot && Number(asdot[1]) <= 65_535 && Number(asdot[2]) <= 65_535) {
    return Number(asdot[1]) * 65_536 + Number(asdot[2]);
  }
  if (parseIp(t)) {
    warnings.push(`neutron_bgpvpn:as is an IP address (${t}, from an IP-form route target); the node ASN is used`);
    return undefined;
  }
  warnings.push(`neutron_bgpvpn:as ${JSON.stringify(t)} is not an ASN; the node ASN is used`);
  return undefined;
}

function parseBool(text: string, key: string): boolean {
  const t = text.trim().toLowerCase();
  if (t === 'true') return true;
  if (t === 'false') return false;
  throw new Problem(EvpnErrorCode.InvalidRouteTarget, `${key} must be "true" or "false", got ${JSON.stringify(text)}`);
}

function parseRoutes(text: string | undefined): PrefixRoute[] {
  if (text === undefined || text.trim() === '') return [];
  const key = BgpvpnKey.routes;
  const value = parseJson(text, key, EvpnErrorCode.InvalidRouteTarget);
  if (!Array.isArray(value)) throw new Problem(EvpnErrorCode.InvalidRouteTarget, `${key} must be a JSON array`);
  if (value.length > ListLimit.routes)
    throw new Problem(
      EvpnErrorCode.InvalidRouteTarget,
      `${key} has ${value.length} entries; at most ${ListLimit.routes} routes are allowed`,
    );
  return value.map((entry: unknown, i): PrefixRoute => {
    const r = (typeof entry === 'object' && entry !== null ? entry : {}) as Record<string, unknown>;
    const type = r.type ?? 'prefix';
    if (type !== 'prefix')
      throw new Problem(
        EvpnErrorCode.InvalidRouteTarget,
        `${key}[${i}]: route type ${JSON.stringify(type)} is not supported (only "prefix")`,
      );
    const destination = typeof r.destination === 'string' ? r.destination : '';
    const nexthop = typeof r.nexthop === 'string' ? r.nexthop : '';
    const cidr = parseCidr(destination);
    const hop = parseIp(nexthop);
    if (!cidr || !isCanonicalCidr(cidr))
      throw new Problem(
        EvpnErrorCode.InvalidRouteTarget,
        `${key}[${i}]: destination ${JSON.stringify(destination)} is not a CIDR prefix`,
      );
    if (!hop)
      throw new Problem(
        EvpnErrorCode.InvalidRouteTarget,
        `${key}[${i}]: nexthop ${JSON.stringify(nexthop)} is not an IP address`,
      );
    if (hop.family !== cidr.family)
      throw new Problem(
        EvpnErrorCode.InvalidRouteTarget,
        `${key}[${i}]: nexthop ${nexthop} is not of the destination's address family`,
      );
    if (cidrContains(cidr, hop) && cidr.prefixLength > 0) {
      // A next hop inside its own destination can never resolve.
      throw new Problem(
        EvpnErrorCode.InvalidRouteTarget,
        `${key}[${i}]: nexthop ${nexthop} lies inside its destination ${destination}`,
      );
    }
    return { type: 'prefix', destination, nexthop };
  });
}

export function parseAssociation(ids: ExternalIds): ParseResult {
  const keys = normalizeKeys(ids);
  const warnings: string[] = [];
  try {
    const long = [...keys].find(([k, v]) => k.startsWith('neutron_bgpvpn:') && v.length > MAX_VALUE_LENGTH);
    if (long !== undefined) {
      throw new Problem(
        long[0] === BgpvpnKey.vni ? EvpnErrorCode.InvalidVni : EvpnErrorCode.InvalidRouteTarget,
        `${long[0]} is ${long[1].length} characters long; at most ${MAX_VALUE_LENGTH} are read`,
      );
    }
    const vniText = keys.get(BgpvpnKey.vni);
    if (vniText === undefined) throw new Problem(EvpnErrorCode.InvalidVni, 'neutron_bgpvpn:vni is missing');
    const vni = parseInteger(vniText, 'neutron_bgpvpn:vni', EvpnErrorCode.InvalidVni, MAX_VNI, 1);
    const typeText = keys.get(BgpvpnKey.type);
    // The networking-bgpvpn OVN driver's own default: no type means l3.
    const type = typeText === undefined ? 'l3' : typeText.trim().toLowerCase();
    if (type !== 'l2' && type !== 'l3') {
      throw new Problem(
        EvpnErrorCode.InvalidVni,
        `neutron_bgpvpn:type must be "l2" or "l3", got ${quoted(typeText ?? '')}`,
      );
    }
    const association: Association = {
      vni,
      type,
      routeTargets: parseRfc4360List(keys.get(BgpvpnKey.rt), BgpvpnKey.rt, 'route target', ListLimit.routeTargets),
      importTargets: parseRfc4360List(keys.get(BgpvpnKey.it), BgpvpnKey.it, 'route target', ListLimit.routeTargets),
      exportTargets: parseRfc4360List(keys.get(BgpvpnKey.et), BgpvpnKey.et, 'route target', ListLimit.routeTargets),
      routeDistinguishers: parseRfc4360List(
        keys.get(BgpvpnKey.rd),
        BgpvpnKey.rd,
        'route distinguisher',
        ListLimit.routeDistinguishers,
      ),
      routes: parseRoutes(keys.get(BgpvpnKey.routes)),
      warnings,
    };
    const bgpAs = parseAs(keys.get(BgpvpnKey.as), warnings);
    if (bgpAs !== undefined) association.bgpAs = bgpAs;
    const lp = keys.get(BgpvpnKey.localPref);
    if (lp !== undefined && lp.trim() !== '') {
      association.localPref = parseInteger(lp, 'neutron_bgpvpn:local_pref', EvpnErrorCode.InvalidRouteTarget, MAX_U32);
    }
    const afi = keys.get(BgpvpnKey.advertiseFixedIps);
    if (afi !== undefined && afi.trim() !== '')
      association.advertiseFixedIps = parseBool(afi, BgpvpnKey.advertiseFixedIps);
    return { ok: true, association };
  } catch (error: unknown) {
    if (error instanceof Problem)
      return { ok: false, problem: { code: error.code, message: codedMessage(error.code, error.message) } };
    throw error;
  }
}
