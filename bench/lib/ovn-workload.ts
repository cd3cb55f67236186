// The operator's input at benchmark scale, written into real OVN databases the
// way Neutron and networking-bgpvpn's OVN driver leave them (pure builders of
// OVSDB transactions; bench/operator-bench.ts sends them):
//  - per network: Logical_Switch `neutron-<id>` with a network association
//    (type l2, its own VNI), a router `neutron-<router>` whose port
//    `lrp-<port>` (the subnet gateway) carries a router association with the
//    same VNI, and VM ports; the first few VM ports carry port associations
//    (neutron_bgpvpn keys on the Logical_Switch_Port, which ovn-northd copies
//    into the Port_Binding, where the operator reads them); a localnet port
//    `provnet-<id>` whose tag is the VLAN (a bulk provisioning script creates
//    VLAN provider networks with `--provider-segment $i`), and neutron:mtu;
//  - association count = networks (network) + networks (router) + the rest (port).
import type { Operation } from '../../lib/ovsdb/index.ts';
import { driverExternalIds } from '../../test/fixtures/mirror/driver-rows.ts';
import { portMac, subnetOf } from './node-workload.ts';

export interface OvnWorkloadOptions {
  readonly networks: number;
  readonly ports: number;
  readonly associations: number;
  readonly chassis: number;
}

export const VNI_BASE = 100_000;
const hex12 = (n: number): string => n.toString(16).padStart(12, '0');
export const networkId = (i: number): string => `00000000-0000-4000-8000-${hex12(i)}`;
export const routerId = (i: number): string => `00000000-0000-4000-9000-${hex12(i)}`;
export const vmPortName = (i: number, p: number): string => `00000000-0000-4000-a${hex12(i).slice(1)}-${hex12(p)}`;
export const chassisName = (c: number): string => `chassis-${c}`;
export const nodeName = (c: number): string => `bench-node-${c}`;
export const networkVni = (i: number): number => VNI_BASE + i;

export function portsOf(o: OvnWorkloadOptions, i: number): number {
  const per = Math.floor(o.ports / o.networks);
  return per + (i < o.ports - per * o.networks ? 1 : 0);
}

/** Port associations per network (the associations beyond one network and one router association each). */
export const portAssociationsPerNetwork = (o: OvnWorkloadOptions): number =>
  Math.max(0, Math.floor((o.associations - 2 * o.networks) / o.networks));

/** Which chassis port p of network i is bound to. */
export const chassisOf = (o: OvnWorkloadOptions, i: number, p: number): number => (i + p) % o.chassis;

/** The VLAN provider segment of network i: tags 1–4094, then the next physical network. */
export const segmentOf = (i: number): { tag: number; physnet: string } => ({
  tag: 1 + (i % 4094),
  physnet: `physnet${1 + Math.floor(i / 4094)}`,
});

export function networkExternalIds(i: number, localPref?: number): Record<string, string> {
  return {
    'neutron:network_name': `net-${i}`,
    'neutron:mtu': '1500',
    ...driverExternalIds({
      vni: networkVni(i),
      type: 'l2',
      routeTargets: [`65000:${networkVni(i)}`],
      ...(localPref === undefined ? {} : { localPref }),
    }),
  };
}

/** NB inserts of network i's VM ports; the first `portAssocs` of them carry the driver's association ids. */
function vmPortInserts(
  o: OvnWorkloadOptions,
  i: number,
  portAssocs: number,
  ops: Operation[],
  portRefs: string[],
): void {
  const ls = `neutron-${networkId(i)}`;
  const net = subnetOf(i);
  for (let p = 0; p < portsOf(o, i); p++) {
    const ref = `vm_${i}_${p}`;
    portRefs.push(ref);
    const ids: Record<string, string> = { 'neutron:network_name': ls, 'neutron:device_owner': 'compute:nova' };
    const assoc = p < portAssocs ? driverExternalIds({ vni: networkVni(i), type: 'l2', advertiseFixedIps: true }) : {};
    ops.push({
      op: 'insert',
      table: 'Logical_Switch_Port',
      'uuid-name': ref,
      row: {
        name: vmPortName(i, p),
        addresses: [`${portMac(i, p)} ${net}.${10 + p}`],
        external_ids: { ...ids, ...assoc },
      },
    });
  }
}

/** NB inserts of network i's provider (localnet) port and router-facing switch port. */
function switchInfraPortInserts(i: number, ops: Operation[], portRefs: string[]): void {
  const segment = segmentOf(i);
  portRefs.push(`ln_${i}`);
  ops.push({
    op: 'insert',
    table: 'Logical_Switch_Port',
    'uuid-name': `ln_${i}`,
    row: {
      name: `provnet-${networkId(i)}`,
      type: 'localnet',
      addresses: ['unknown'],
      tag: segment.tag,
      options: { network_name: segment.physnet },
    },
  });
  const rp = `rp_${i}`;
  portRefs.push(rp);
  ops.push({
    op: 'insert',
    table: 'Logical_Switch_Port',
    'uuid-name': rp,
    row: {
      name: `rp-${routerId(i)}`,
      type: 'router',
      addresses: ['router'],
      options: { 'router-port': `lrp-${routerId(i)}` },
    },
  });
}

/** NB inserts of network i's router port and router. */
function routerInserts(i: number, ops: Operation[]): void {
  ops.push({
    op: 'insert',
    table: 'Logical_Router_Port',
    'uuid-name': `lrp_${i}`,
    row: {
      name: `lrp-${routerId(i)}`,
      mac: portMac(0xffff, i),
      networks: [`${subnetOf(i)}.1/24`],
      external_ids: {
        'neutron:network_name': `neutron-${networkId(i)}`,
        'neutron:router_name': routerId(i),
        ...driverExternalIds({ vni: networkVni(i), type: 'l2', routeTargets: [`65000:${networkVni(i)}`] }),
      },
    },
  });
  ops.push({ op: 'insert', table: 'Logical_Router', row: { name: `neutron-${routerId(i)}`, ports: [`lrp_${i}`] } });
}

/** NB inserts for networks [from, to). */
export function nbInserts(o: OvnWorkloadOptions, from: number, to: number): Operation[] {
  const ops: Operation[] = [];
  const portAssocs = portAssociationsPerNetwork(o);
  for (let i = from; i < to; i++) {
    const portRefs: string[] = [];
    vmPortInserts(o, i, portAssocs, ops, portRefs);
    switchInfraPortInserts(i, ops, portRefs);
    ops.push({
      op: 'insert',
      table: 'Logical_Switch',
      'uuid-name': `ls_${i}`,
      row: { name: `neutron-${networkId(i)}`, external_ids: networkExternalIds(i), ports: portRefs },
    });
    routerInserts(i, ops);
  }
  return ops;
}

/** SB: bind the VM ports of networks [from, to) to their chassis (what ovn-controller does). */
export function bindOps(o: OvnWorkloadOptions, chassisUuid: readonly string[], from: number, to: number): Operation[] {
  const ops: Operation[] = [];
  for (let i = from; i < to; i++) {
    for (let p = 0; p < portsOf(o, i); p++) {
      const uuid = chassisUuid[chassisOf(o, i, p)];
      if (uuid === undefined) throw new Error('chassis uuid missing');
      ops.push({
        op: 'update',
        table: 'Port_Binding',
        where: [['logical_port', '==', vmPortName(i, p)]],
        row: { chassis: uuid },
      });
    }
  }
  return ops;
}

/** Objects the operator should create: one VRF and one network per network, one port set per (network, node with ports). */
export function expectedObjects(o: OvnWorkloadOptions): { vrfs: number; networks: number; portSets: number } {
  let portSets = 0;
  for (let i = 0; i < o.networks; i++)
    portSets += new Set(Array.from({ length: portsOf(o, i) }, (_, p) => chassisOf(o, i, p))).size;
  return { vrfs: o.networks, networks: o.networks, portSets };
}
