// Pure: the applicable VRFs, networks and this node's ports → the kernel state
// to have (names from inputs/device-names.ts). Layout:
//  - per VRF: vrf-<l3vni> (table), a small bridge br3-<l3vni> holding the L3VNI
//    vxlan vx3-<l3vni> (the bridge is the L3VNI's SVI, its MAC the router MAC),
//    and `unreachable default metric 4278198272` for IPv4 and IPv6;
//  - one shared VLAN-aware bridge (br-evpn) for every L2VNI: vxlan-<l2vni> is an
//    access port (pvid, untagged) of the network's VLAN, so frames reach zebra
//    untagged and it can map VLAN → VNI; the IRB br-evpn.<vlan> sits in the VRF
//    and inherits the bridge's MAC, the anycast gateway MAC shared by all nodes;
//  - a veth trunk towards OVN (evpn-uplink in the bridge, evpn-ovs for the
//    provider bridge), tagged with every network's VLAN; local port MACs are
//    static FDB entries on it and their IPs permanent neighbours on the IRB,
//    which FRR advertises as type-2 MAC+IP;
//  - l3 networks: the subnet routed in the VRF towards OVN via the IRB, and
//    their ports' fixed IPs as host routes (type-5 only).
import type { EvpnNetwork, EvpnPortSet, EvpnVrf } from '../../crds/index.ts';
import type { KernelOp } from './netlink/kernel-ops.ts';
import { opEntryKey } from './entry-keys.ts';
import { emptyDesiredState } from './desired-state.ts';
import type { DesiredKernelState } from './desired-state.ts';
import type { EntryOwner, PlannedObject, RenderedState } from './rendered-state.ts';
import { renderSharedBridge, renderVrf } from './render-node-devices.ts';
import { renderNetwork, type Port } from './render-network.ts';
import type { NodeConfig } from '../inputs/node-config.ts';
import { splitByBackend } from '../backends/ovn/backend.ts';
import { renderOvnNetwork, renderOvnVrf } from '../backends/ovn/render-ovn-devices.ts';

/** Runs `render` and records the entries it added as `owner`'s. */
function renderOwned<T>(
  desired: DesiredKernelState,
  owners: Map<string, EntryOwner>,
  owner: EntryOwner,
  render: () => T,
): T {
  const before = {
    bridgeVlans: desired.bridgeVlans.length,
    fdb: desired.fdb.length,
    routes: desired.routes.length,
    neighbors: desired.neighbors.length,
    addrs: desired.addrs.length,
  };
  const result = render();
  const ops: KernelOp[] = [
    ...desired.bridgeVlans.slice(before.bridgeVlans).map((vlan): KernelOp => ({ op: 'addBridgeVlan', vlan })),
    ...desired.fdb.slice(before.fdb).map((fdb): KernelOp => ({ op: 'replaceFdb', fdb })),
    ...desired.routes.slice(before.routes).map((route): KernelOp => ({ op: 'replaceRoute', route })),
    ...desired.neighbors.slice(before.neighbors).map((neighbor): KernelOp => ({ op: 'replaceNeighbor', neighbor })),
    ...desired.addrs.slice(before.addrs).map((addr): KernelOp => ({ op: 'replaceAddr', addr })),
  ];
  for (const op of ops) {
    const k = opEntryKey(op);
    if (k !== undefined && !owners.has(k)) owners.set(k, owner);
  }
  return result;
}

export function renderKernelState(
  node: NodeConfig,
  vrfs: readonly EvpnVrf[],
  networks: readonly EvpnNetwork[],
  portSets: readonly EvpnPortSet[],
): RenderedState {
  const desired = emptyDesiredState();
  const vrfResults = new Map<string, PlannedObject>();
  const networkResults = new Map<string, PlannedObject>();
  const entryOwners = new Map<string, EntryOwner>();
  if (vrfs.length === 0 && networks.length === 0)
    return { desired, vrfs: vrfResults, networks: networkResults, entryOwners };

  const vrfByName = new Map(vrfs.map((v) => [v.metadata.name, v]));
  const mtu = Math.max(node.defaultMtu, ...networks.map((n) => n.spec.mtu ?? node.defaultMtu));
  // The ovn backend's objects get OVN's devices instead (backends/ovn), after all of these.
  const ovnVrfs = splitByBackend(vrfs).ovn;
  const ovnNetworks = splitByBackend(networks).ovn;
  for (const v of splitByBackend(vrfs).kernel.sort((a, b) => a.spec.vni - b.spec.vni))
    vrfResults.set(
      v.metadata.name,
      renderOwned(desired, entryOwners, { kind: 'vrf', name: v.metadata.name }, () => renderVrf(desired, node, v, mtu)),
    );

  const sortedNetworks = splitByBackend(networks).kernel.sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
  const portsByNetwork = new Map<string, Port[]>();
  for (const s of portSets)
    portsByNetwork.set(s.spec.network, [...(portsByNetwork.get(s.spec.network) ?? []), ...s.spec.ports]);
  if (sortedNetworks.some((n) => n.spec.vlanId !== undefined)) renderSharedBridge(desired, node, mtu);

  for (const n of sortedNetworks) {
    const vrf = n.spec.vrf === undefined ? undefined : vrfByName.get(n.spec.vrf);
    const input = { node, mtu, network: n, vrf, ports: portsByNetwork.get(n.metadata.name) ?? [] };
    networkResults.set(
      n.metadata.name,
      renderOwned(desired, entryOwners, { kind: 'network', name: n.metadata.name }, () =>
        renderNetwork(desired, input),
      ),
    );
  }
  for (const v of ovnVrfs)
    vrfResults.set(
      v.metadata.name,
      renderOwned(desired, entryOwners, { kind: 'vrf', name: v.metadata.name }, () =>
        renderOvnVrf(desired, node, v, mtu),
      ),
    );
  for (const n of ovnNetworks) {
    const vrf = n.spec.vrf === undefined ? undefined : vrfByName.get(n.spec.vrf);
    const input = { node, mtu, network: n, vrf, localPorts: portsByNetwork.get(n.metadata.name)?.length ?? 0 };
    const owner = { kind: 'network', name: n.metadata.name } as const;
    networkResults.set(
      n.metadata.name,
      renderOwned(desired, entryOwners, owner, () => renderOvnNetwork(desired, input)),
    );
  }
  dedupe(desired);
  dropTakenAltNames(desired);
  return { desired, vrfs: vrfResults, networks: networkResults, entryOwners };
}

/** An alternative name another desired device is named (a VRF whose L3VNI is that number) is not given. */
function dropTakenAltNames(desired: DesiredKernelState): void {
  const names = new Set(desired.links.map((l) => l.name));
  desired.links = desired.links.map((l) => {
    if (l.altName === undefined || !names.has(l.altName)) return l;
    const { altName: _taken, ...rest } = l;
    return rest;
  });
}

/** One entry per kernel key: renders can repeat one (a port route equal to its network's), and the kernel holds each key once. */
function dedupe(d: DesiredKernelState): void {
  const uniq = <T>(list: T[], key: (t: T) => string): T[] => {
    const seen = new Set<string>();
    return list.filter((x) => {
      const k = key(x);
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    });
  };
  d.bridgeVlans = uniq(d.bridgeVlans, (v) => `${v.dev}|${v.vid}`);
  d.routes = uniq(d.routes, (r) => `${r.table}|${r.family ?? ''}|${r.dst}|${r.type ?? ''}`);
  d.neighbors = uniq(d.neighbors, (n) => `${n.dev}|${n.dst}`);
  d.fdb = uniq(d.fdb, (f) => `${f.dev}|${f.mac}|${f.vlan ?? ''}`);
  d.addrs = uniq(d.addrs, (a) => `${a.dev}|${a.address}`);
}
