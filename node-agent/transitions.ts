// Test support: the from → to table of the node agent, generated rather than
// written by hand. A scenario is the whole input of a node (VRFs, networks,
// this node's ports); base scenarios × field mutators give the transitions,
// each walked there and back (base → mutated → base), IPv6 in every scenario
// where a network has a VRF. Pure, so the generator has a unit test of its own.
import { API_GROUP_VERSION, Label } from '../crds/index.ts';
import type { EvpnNetwork, EvpnPortSet, EvpnVrf } from '../crds/index.ts';

type NetSpec = EvpnNetwork['spec'];
type VrfSpec = EvpnVrf['spec'];
export interface PortDef { network: string; mac: string; ips: string[] }
export interface Scenario { vrfs: Record<string, VrfSpec>; networks: Record<string, NetSpec>; ports: Record<string, PortDef> }

/** An l2 network n (VLAN 100+n, VNI 10000+n) with v4 and v6 subnets, gateways and a static route of each family. */
const l2 = (n: number, vrf: string | undefined): NetSpec => ({
  type: 'l2', vni: 10_000 + n, vlanId: 100 + n, ...(vrf !== undefined ? { vrf } : {}),
  subnets: [{ cidr: `10.${n}.0.0/24`, gateway: `10.${n}.0.1` }, { cidr: `fd00:${n}::/64`, gateway: `fd00:${n}::1` }],
  routes: vrf === undefined ? [] : [{ type: 'prefix', destination: `10.${n + 100}.0.0/24`, nexthop: `10.${n}.0.11` }, { type: 'prefix', destination: `fd00:${n + 100}::/64`, nexthop: `fd00:${n}::11` }],
});
const l3 = (n: number, vrf: string): NetSpec => ({ ...l2(n, vrf), type: 'l3', vni: undefined });
const port = (network: string, n: number, host: number): PortDef => ({ network, mac: `02:00:00:00:${n.toString(16).padStart(2, '0')}:${host.toString(16).padStart(2, '0')}`, ips: [`10.${n}.0.${host}`, `fd00:${n}::${host.toString(16)}`] });
const clean = (s: NetSpec): NetSpec => Object.fromEntries(Object.entries(s).filter(([, v]) => v !== undefined)) as NetSpec;

export const baseScenarios: Record<string, Scenario> = {
  'two l2 networks in one VRF': {
    vrfs: { 'vrf-a': { vni: 5001 } },
    networks: { 'net-1': l2(1, 'vrf-a'), 'net-2': l2(2, 'vrf-a') },
    ports: { p11: port('net-1', 1, 11), p12: port('net-1', 1, 12), p21: port('net-2', 2, 11) },
  },
  'an l3 and an l2 network in two VRFs': {
    vrfs: { 'vrf-a': { vni: 5001 }, 'vrf-b': { vni: 5002, routingTable: 2020 } },
    networks: { 'net-1': l2(1, 'vrf-a'), 'net-3': clean(l3(3, 'vrf-b')) },
    ports: { p11: port('net-1', 1, 11), p31: port('net-3', 3, 11), p32: port('net-3', 3, 12) },
  },
  'an l2 network without a VRF next to a routed one': {
    vrfs: { 'vrf-a': { vni: 5001 } },
    networks: { 'net-1': l2(1, 'vrf-a'), 'net-5': { type: 'l2', vni: 10_005, vlanId: 105 } },
    ports: { p11: port('net-1', 1, 11), p51: { network: 'net-5', mac: '02:00:00:00:05:0b', ips: [] } },
  },
};

type Mutator = (s: Scenario) => Scenario | undefined;
const first = (s: Scenario, f: (n: NetSpec) => boolean = () => true): string | undefined => Object.keys(s.networks).sort().find((k) => f(s.networks[k] as NetSpec));
const withNet = (s: Scenario, name: string | undefined, f: (n: NetSpec) => NetSpec): Scenario | undefined =>
  name === undefined ? undefined : { ...s, networks: { ...s.networks, [name]: clean(f(s.networks[name] as NetSpec)) } };
const routed = (n: NetSpec): boolean => n.vrf !== undefined;
const otherFamily = (family: 4 | 6) => (cidr: string): boolean => (family === 6) !== cidr.includes(':');
const firstVrf = (s: Scenario): string | undefined => Object.keys(s.vrfs).sort()[0];

/** One change of one field that changes kernel state; undefined where it does not apply. */
export const mutators: Record<string, Mutator> = {
  'l2 VNI changed': (s) => withNet(s, first(s, (n) => n.type === 'l2'), (n) => ({ ...n, vni: (n.vni ?? 0) + 500 })),
  'VLAN changed': (s) => withNet(s, first(s), (n) => ({ ...n, vlanId: (n.vlanId ?? 0) + 50 })),
  'MTU lowered to 1400': (s) => withNet(s, first(s), (n) => ({ ...n, mtu: 1400 })),
  'MTU raised to 9000 (the bridge follows)': (s) => withNet(s, first(s), (n) => ({ ...n, mtu: 9000 })),
  'network moved to another VRF': (s) => withNet({ ...s, vrfs: { ...s.vrfs, 'vrf-z': { vni: 5009 } } }, first(s, routed), (n) => ({ ...n, vrf: 'vrf-z' })),
  'VRF L3VNI changed': (s) => { const v = firstVrf(s); return v === undefined ? undefined : { ...s, vrfs: { ...s.vrfs, [v]: { ...s.vrfs[v], vni: (s.vrfs[v]?.vni ?? 0) + 50 } } }; },
  'VRF routing table changed': (s) => { const v = firstVrf(s); return v === undefined ? undefined : { ...s, vrfs: { ...s.vrfs, [v]: { ...(s.vrfs[v] as VrfSpec), routingTable: 3030 } } }; },
  'v4 subnet added': (s) => withNet(s, first(s, routed), (n) => ({ ...n, subnets: [...(n.subnets ?? []), { cidr: '10.250.0.0/24', gateway: '10.250.0.1' }] })),
  'v6 subnet added': (s) => withNet(s, first(s, routed), (n) => ({ ...n, subnets: [...(n.subnets ?? []), { cidr: 'fd00:250::/64', gateway: 'fd00:250::1' }] })),
  'v4 subnet removed (with its routes)': (s) => withNet(s, first(s, routed), (n) => ({ ...n, subnets: (n.subnets ?? []).filter((x) => otherFamily(4)(x.cidr)), routes: (n.routes ?? []).filter((r) => otherFamily(4)(r.destination)) })),
  'v6 subnet removed (with its routes)': (s) => withNet(s, first(s, routed), (n) => ({ ...n, subnets: (n.subnets ?? []).filter((x) => otherFamily(6)(x.cidr)), routes: (n.routes ?? []).filter((r) => otherFamily(6)(r.destination)) })),
  'v4 gateway moved': (s) => withNet(s, first(s, (n) => routed(n) && n.type === 'l2'), (n) => ({ ...n, subnets: (n.subnets ?? []).map((x) => (x.cidr.includes(':') ? x : { ...x, gateway: x.cidr.replace('0/24', '254') })) })),
  'v6 gateway moved': (s) => withNet(s, first(s, (n) => routed(n) && n.type === 'l2'), (n) => ({ ...n, subnets: (n.subnets ?? []).map((x) => (x.cidr.includes(':') ? { ...x, gateway: x.cidr.replace('::/64', '::fe') } : x)) })),
  'v4 route nexthop moved': (s) => withNet(s, first(s, routed), (n) => ({ ...n, routes: (n.routes ?? []).map((r) => (r.nexthop.includes(':') ? r : { ...r, nexthop: r.nexthop.replace(/\.11$/, '.12') })) })),
  'v6 route nexthop moved': (s) => withNet(s, first(s, routed), (n) => ({ ...n, routes: (n.routes ?? []).map((r) => (r.nexthop.includes(':') ? { ...r, nexthop: r.nexthop.replace(/::11$/, '::12') } : r)) })),
  'v4 and v6 routes added': (s) => withNet(s, first(s, routed), (n) => {
    const [v4, v6] = [(n.subnets ?? []).find((x) => !x.cidr.includes(':')), (n.subnets ?? []).find((x) => x.cidr.includes(':'))];
    return { ...n, routes: [...(n.routes ?? []), ...(v4 ? [{ type: 'prefix' as const, destination: '10.240.0.0/16', nexthop: v4.cidr.replace('0/24', '13') }] : []), ...(v6 ? [{ type: 'prefix' as const, destination: 'fd00:240::/48', nexthop: v6.cidr.replace('::/64', '::13') }] : [])] };
  }),
  'routes removed': (s) => withNet(s, first(s, (n) => (n.routes ?? []).length > 0), (n) => ({ ...n, routes: [] })),
  'port added': (s) => { const net = first(s, routed); const n = Number(net?.split('-')[1]); return net === undefined ? undefined : { ...s, ports: { ...s.ports, pnew: port(net, n, 20) } }; },
  'port removed': (s) => { const p = Object.keys(s.ports).sort()[0]; return p === undefined ? undefined : { ...s, ports: Object.fromEntries(Object.entries(s.ports).filter(([k]) => k !== p)) }; },
  'port moved to another network': (s) => {
    const [a, b] = Object.keys(s.networks).sort();
    const p = Object.keys(s.ports).sort().find((k) => s.ports[k]?.network === a);
    if (a === undefined || b === undefined || p === undefined) return undefined;
    const n = Number(b.split('-')[1]);
    return { ...s, ports: { ...s.ports, [p]: { ...(s.ports[p] as PortDef), network: b, ips: [`10.${n}.0.30`, `fd00:${n}::30`] } } };
  },
  'port MAC and IPs changed': (s) => { const p = Object.keys(s.ports).sort()[0]; const d = p === undefined ? undefined : s.ports[p]; return p === undefined || d === undefined ? undefined : { ...s, ports: { ...s.ports, [p]: { ...d, mac: '02:00:00:00:ee:ee', ips: d.ips.map((ip) => ip.replace(/(\d+|[0-9a-f]+)$/, '40')) } } }; },
  'type l2 → l3': (s) => withNet(s, first(s, (n) => routed(n) && n.type === 'l2'), (n) => ({ ...n, type: 'l3', vni: undefined })),
  'type l3 → l2': (s) => withNet(s, first(s, (n) => n.type === 'l3'), (n) => ({ ...n, type: 'l2', vni: 10_300 })),
  'network removed': (s) => { const net = first(s); return net === undefined ? undefined : { ...s, networks: Object.fromEntries(Object.entries(s.networks).filter(([k]) => k !== net)), ports: Object.fromEntries(Object.entries(s.ports).filter(([, p]) => p.network !== net)) }; },
  'VRF removed with its networks': (s) => {
    const v = firstVrf(s);
    if (v === undefined) return undefined;
    const gone = new Set(Object.keys(s.networks).filter((k) => s.networks[k]?.vrf === v));
    return { vrfs: Object.fromEntries(Object.entries(s.vrfs).filter(([k]) => k !== v)), networks: Object.fromEntries(Object.entries(s.networks).filter(([k]) => !gone.has(k))), ports: Object.fromEntries(Object.entries(s.ports).filter(([, p]) => !gone.has(p.network))) };
  },
};

export interface Transition { name: string; to: Scenario }

/**
 * The walk, one leg per base: from wherever the node is to the base (itself a
 * transition), then each applicable mutator there and back; the last leg ends
 * on an empty node.
 */
export function transitionWalk(): { base: string; transitions: Transition[] }[] {
  const legs = Object.entries(baseScenarios).map(([baseName, base]) => {
    const transitions: Transition[] = [{ name: `→ ${baseName}`, to: base }];
    for (const [mutName, mutate] of Object.entries(mutators)) {
      const to = mutate(base);
      if (to === undefined) continue;
      transitions.push({ name: `${baseName}: ${mutName}`, to }, { name: `${baseName}: ${mutName}, undone`, to: base });
    }
    return { base: baseName, transitions };
  });
  legs.at(-1)?.transitions.push({ name: '→ nothing', to: { vrfs: {}, networks: {}, ports: {} } });
  return legs;
}

/** The custom resources of a scenario for node `node`. */
export function scenarioObjects(s: Scenario, node: string): { vrfs: EvpnVrf[]; networks: EvpnNetwork[]; portSets: EvpnPortSet[] } {
  const meta = (name: string) => ({ name, generation: 1 });
  const byNetwork = new Map<string, EvpnPortSet['spec']['ports']>();
  for (const [name, p] of Object.entries(s.ports).sort(([a], [b]) => a.localeCompare(b))) byNetwork.set(p.network, [...(byNetwork.get(p.network) ?? []), { name, mac: p.mac, ips: p.ips }]);
  return {
    vrfs: Object.entries(s.vrfs).map(([name, spec]) => ({ apiVersion: API_GROUP_VERSION, kind: 'EvpnVrf', metadata: meta(name), spec })),
    networks: Object.entries(s.networks).map(([name, spec]) => ({ apiVersion: API_GROUP_VERSION, kind: 'EvpnNetwork', metadata: meta(name), spec })),
    portSets: [...byNetwork].map(([network, ports]) => ({
      apiVersion: API_GROUP_VERSION, kind: 'EvpnPortSet', metadata: { ...meta(`${network}.${node}`), labels: { [Label.Node]: node, [Label.Network]: network } }, spec: { network, nodeName: node, ports },
    })),
  };
}
