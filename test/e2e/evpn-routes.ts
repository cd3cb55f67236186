// FRR's `show bgp l2vpn evpn route json` flattened into one row per path, so
// tests and the demo can ask "which type-2/3/5 routes came from which VTEP".
// The JSON nests RD → prefix → paths (a list of lists in 8.4).
export interface EvpnRoute {
  type: 2 | 3 | 5;
  rd: string;
  prefix: string;
  /** type-2 */
  mac?: string;
  /** type-2 (MAC+IP), type-3 (originator), type-5 (the prefix, e.g. 10.1.0.0/24) */
  ip?: string;
  nexthop?: string;
  /** Route targets and other extended communities, as FRR prints them. */
  extCommunities: string;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function parsePrefix(prefix: string): Pick<EvpnRoute, 'type' | 'mac' | 'ip'> | undefined {
  // [2]:[EthTag]:[48]:[MAC]:[32]:[IP]  [3]:[EthTag]:[32]:[IP]  [5]:[EthTag]:[len]:[prefix]
  const parts = [...prefix.matchAll(/\[([^\]]*)\]/g)].map((m) => m[1] ?? '');
  const type = Number(parts[0]);
  if (type === 2)
    return {
      type,
      ...(parts[3] !== undefined ? { mac: parts[3].toLowerCase() } : {}),
      ...(parts[5] !== undefined ? { ip: parts[5] } : {}),
    };
  if (type === 3) return { type, ...(parts[3] !== undefined ? { ip: parts[3] } : {}) };
  if (type === 5) return { type, ...(parts[3] !== undefined ? { ip: `${parts[3]}/${parts[2] ?? ''}` } : {}) };
  return undefined;
}

/** One route per path of a prefix entry (`paths` is a list of lists in 8.4). */
function pathsOf(rd: string, prefix: string, parsed: Pick<EvpnRoute, 'type' | 'mac' | 'ip'>, entry: Json): EvpnRoute[] {
  const paths = (Array.isArray(entry.paths) ? entry.paths : []).flat() as unknown[];
  return paths.filter(isObject).map((p) => {
    const nh = (Array.isArray(p.nexthops) ? p.nexthops : []).find(isObject);
    const ext =
      isObject(p.extendedCommunity) && typeof p.extendedCommunity.string === 'string' ? p.extendedCommunity.string : '';
    return {
      ...parsed,
      rd,
      prefix,
      extCommunities: ext,
      ...(nh !== undefined && typeof nh.ip === 'string' ? { nexthop: nh.ip } : {}),
    };
  });
}

export function flattenEvpnRoutes(json: unknown): EvpnRoute[] {
  const out: EvpnRoute[] = [];
  if (!isObject(json)) return out;
  for (const [rd, byPrefix] of Object.entries(json)) {
    if (!isObject(byPrefix)) continue;
    for (const [prefix, entry] of Object.entries(byPrefix)) {
      const parsed = prefix.startsWith('[') && isObject(entry) ? parsePrefix(prefix) : undefined;
      if (parsed !== undefined && isObject(entry)) out.push(...pathsOf(rd, prefix, parsed, entry));
    }
  }
  return out;
}

/** Route targets (`RT:65000:10100` → `65000:10100`); an L2VNI's auto-derived one ends in the VNI. */
export function routeTargets(r: EvpnRoute): string[] {
  return [...r.extCommunities.matchAll(/RT:(\S+)/g)].map((m) => m[1] ?? '');
}

/** One line per route for people: `type-2  fa:16:3e:01:00:12 10.1.0.12  from 10.0.0.2  RT:...`. */
export function describeRoute(r: EvpnRoute, selfVtep: string): string {
  const what = r.type === 2 ? `${r.mac ?? '?'}${r.ip !== undefined ? ` ${r.ip}` : ''}` : (r.ip ?? '?');
  const from = r.nexthop === selfVtep ? 'this node' : (r.nexthop ?? '?');
  return `type-${String(r.type)}  ${what.padEnd(30)} from ${from.padEnd(10)} RT ${routeTargets(r).join(' ')}`;
}
