// Test support for the UML suites: the node's kernel state read through
// iproute2 (an implementation independent of ours), put next to the rendered
// desired state. Every kind is compared as a whole set over owned devices, so
// a missing object and a stale one both show up.
import type { DesiredKernelState } from '../../../node-agent/kernel/desired-state.ts';
import { normDst, normIp, normPrefix } from '../../../node-agent/kernel/diff/normalize.ts';
import { OWNER_ALIAS_PREFIX, RTPROT_OVN_EVPN } from '../../../node-agent/kernel/ownership.ts';
import { bridgeJson, ipJson } from './oracle.ts';

type Json = Record<string, unknown>;
const str = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');

/** One sorted list of comparable lines per kind. */
export interface KernelView {
  links: string[];
  bridgeVlans: string[];
  portFlags: string[];
  addrs: string[];
  routes: string[];
  neighbors: string[];
  fdb: string[];
}

const sorted = (xs: Iterable<string>): string[] => [...new Set(xs)].sort();
/** iproute2 prints a host route without its length. */
const withLength = (dst: string, family: number): string =>
  dst === 'default' || dst.includes('/') ? dst : `${dst}/${family === 6 ? 128 : 32}`;
interface RouteFields {
  family: number;
  table: number | string;
  dst: string;
  type: string;
  metric: number;
  via: string;
  dev: string;
}
const routeLine = ({ family, table, dst, type, metric, via, dev }: RouteFields): string =>
  `${family} table ${table} ${normDst(withLength(dst, family), family)} ${type} metric ${metric} via ${normIp(via)} dev ${via === '' && type === 'unicast' ? dev : ''}`;

/** What the render says the kernel must hold, in the view's spelling. */
export function viewOfDesired(d: DesiredKernelState): KernelView {
  return {
    links: sorted(
      d.links.map((l) =>
        [
          l.name,
          l.kind,
          `master=${l.master ?? ''}`,
          `mtu=${l.mtu ?? ''}`,
          `addr=${l.address?.toLowerCase() ?? ''}`,
          l.kind === 'vrf' ? `table=${l.table}` : '',
          l.kind === 'vxlan'
            ? `vni=${l.vni} local=${l.local ?? ''} port=${l.port ?? 4789} learning=${String(l.learning ?? false)}`
            : '',
          l.kind === 'vlan' ? `id=${l.vlanId} on=${l.link}` : '',
        ].join(' '),
      ),
    ),
    bridgeVlans: sorted(
      d.bridgeVlans.map(
        (v) => `${v.dev} ${v.vid} pvid=${String(v.pvid ?? false)} untagged=${String(v.untagged ?? false)}`,
      ),
    ),
    portFlags: sorted(
      d.portFlags.map(
        (f) =>
          `${f.dev}${f.learning !== undefined ? ` learning=${String(f.learning)}` : ''}${f.neighSuppress !== undefined ? ` suppress=${String(f.neighSuppress)}` : ''}`,
      ),
    ),
    addrs: sorted(d.addrs.map((a) => `${a.dev} ${normPrefix(a.address)}`)),
    routes: sorted(
      d.routes.map((r) => {
        const family = r.family ?? (r.dst.includes(':') || (r.via ?? '').includes(':') ? 6 : 4);
        return routeLine({
          family,
          table: r.table,
          dst: r.dst,
          type: r.type ?? 'unicast',
          metric: r.metric ?? (family === 6 ? 1024 : 0),
          via: r.via ?? '',
          dev: r.dev ?? '',
        });
      }),
    ),
    neighbors: sorted(d.neighbors.map((n) => `${n.dev} ${normIp(n.dst)} ${n.lladdr.toLowerCase()}`)),
    fdb: sorted(d.fdb.map((f) => `${f.dev} ${f.mac.toLowerCase()} vlan ${f.vlan ?? ''}`)),
  };
}

/** One owned link's line: attributes printed only where the desired state (`s`) names them. */
function describeKernelLink(l: Json, s: DesiredKernelState['links'][number] | undefined): string {
  const info = (l.linkinfo as Json | undefined) ?? {};
  const data = (info.info_data as Json | undefined) ?? {};
  const kind = str(info.info_kind);
  return [
    str(l.ifname),
    kind,
    `master=${str(l.master)}`,
    `mtu=${s?.mtu !== undefined ? str(l.mtu) : ''}`,
    `addr=${s?.address !== undefined ? str(l.address) : ''}`,
    kind === 'vrf' ? `table=${str(data.table)}` : '',
    kind === 'vxlan'
      ? `vni=${str(data.id)} local=${str(data.local)} port=${str(data.port)} learning=${String(data.learning === true)}`
      : '',
    kind === 'vlan' ? `id=${str(data.id)} on=${str(l.link)}` : '',
  ].join(' ');
}

/** Bridge-port flags of the owned links, only those the desired state sets. */
function describeKernelPortFlags(links: readonly Json[], wanted: DesiredKernelState): string[] {
  return links.flatMap((l) => {
    const slave = ((l.linkinfo as Json | undefined)?.info_slave_data as Json | undefined) ?? {};
    const f = wanted.portFlags.find((p) => p.dev === l.ifname);
    if (!f) return [];
    return [
      `${str(l.ifname)}${f.learning !== undefined ? ` learning=${String(slave.learning === true)}` : ''}${f.neighSuppress !== undefined ? ` suppress=${String(slave.neigh_suppress === true)}` : ''}`,
    ];
  });
}

function readKernelBridgeVlans(owned: ReadonlySet<string>): string[] {
  return (bridgeJson(['vlan', 'show']) as Json[])
    .filter((p) => owned.has(str(p.ifname)))
    .flatMap((p) =>
      ((p.vlans as Json[] | undefined) ?? []).map((v) => {
        const flags = (v.flags as string[] | undefined) ?? [];
        return `${str(p.ifname)} ${str(v.vlan)} pvid=${String(flags.includes('PVID'))} untagged=${String(flags.includes('Egress Untagged'))}`;
      }),
    );
}

/** Global-scope addresses only: link-local ones are the kernel's, not ours. */
function readKernelAddrs(owned: ReadonlySet<string>): string[] {
  return (ipJson(['addr', 'show']) as Json[])
    .filter((l) => owned.has(str(l.ifname)))
    .flatMap((l) =>
      ((l.addr_info as Json[] | undefined) ?? [])
        .filter((a) => a.scope !== 'link')
        .map((a) => `${str(l.ifname)} ${normPrefix(`${str(a.local)}/${str(a.prefixlen)}`)}`),
    );
}

/** Routes carrying our protocol number, in every table and both families. */
function readKernelRoutes(): string[] {
  return ([4, 6] as const).flatMap((family) =>
    (ipJson([`-${family}`, '-d', 'route', 'show', 'table', 'all', 'proto', String(RTPROT_OVN_EVPN)]) as Json[]).map(
      (r) =>
        routeLine({
          family,
          table: str(r.table) === '' ? 'main' : str(r.table),
          dst: str(r.dst),
          type: str(r.type) === '' ? 'unicast' : str(r.type),
          metric: Number(r.metric ?? 0),
          via: str(r.gateway),
          dev: str(r.dev),
        }),
    ),
  );
}

function readKernelNeighbors(owned: ReadonlySet<string>): string[] {
  return (ipJson(['neigh', 'show', 'nud', 'permanent']) as Json[])
    .filter((n) => owned.has(str(n.dev)))
    .map((n) => `${str(n.dev)} ${normIp(str(n.dst))} ${str(n.lladdr).toLowerCase()}`);
}

/** Static entries on owned ports, without those the kernel learned from EVPN (extern_learn). */
function readKernelFdb(owned: ReadonlySet<string>): string[] {
  return (bridgeJson(['fdb', 'show']) as Json[])
    .filter(
      (e) =>
        owned.has(str(e.ifname)) &&
        e.state === 'static' &&
        e.master !== undefined &&
        !((e.flags as string[] | undefined) ?? []).includes('extern_learn'),
    )
    .map((e) => `${str(e.ifname)} ${str(e.mac).toLowerCase()} vlan ${str(e.vlan)}`);
}

/**
 * What the kernel holds, in the same spelling. Link attributes are printed only
 * where the desired state names them (`wanted`), so the comparison is exact for
 * what we set and blind to what we leave to the kernel.
 */
export function viewOfKernel(wanted: DesiredKernelState): KernelView {
  const links = (ipJson(['-d', 'link', 'show']) as Json[]).filter((l) => str(l.ifalias).startsWith(OWNER_ALIAS_PREFIX));
  const owned = new Set(links.map((l) => str(l.ifname)));
  const spec = new Map(wanted.links.map((l) => [l.name, l]));
  const linkLines = links.map((l) => describeKernelLink(l, spec.get(str(l.ifname))));
  const portFlagLines = describeKernelPortFlags(links, wanted);
  const bridgeVlans = readKernelBridgeVlans(owned);
  const addrs = readKernelAddrs(owned);
  const routes = readKernelRoutes();
  const neighbors = readKernelNeighbors(owned);
  const fdb = readKernelFdb(owned);
  return {
    links: sorted(linkLines),
    bridgeVlans: sorted(bridgeVlans),
    portFlags: sorted(portFlagLines),
    addrs: sorted(addrs),
    routes: sorted(routes),
    neighbors: sorted(neighbors),
    fdb: sorted(fdb),
  };
}
