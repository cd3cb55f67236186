// The seed's example as Neutron and networking-bgpvpn leave it in OVN, done with
// the real ovn-nbctl / ovn-sbctl from inside the guest (over TCP to the host's
// databases):
//  - networks net-a and net-b, both with a network association to the L2
//    BGPVPN vni 10100 (keys on their Logical_Switch), routed by router r1;
//  - network net-c behind router r2, which has a router association to the L3
//    BGPVPN vni 20000 (keys on r2's Logical_Router_Port);
//  - VM ports bound to the chassis node-a / node-b (hostname = node name), the
//    way ovn-controller claims them (`ovn-sbctl lsp-bind`).
import { driverExternalIds, type BgpvpnFixture } from '../../operator/mirror/fixtures/driver-rows.ts';
import { run, waitFor } from './guest-exec.ts';

export type NodeName = 'node-a' | 'node-b';

export interface Network {
  /** Neutron's name, for people; the objects are named by the id. */
  readonly label: string;
  readonly id: string;
  readonly cidr: string;
  readonly gateway: string;
  readonly type: 'l2' | 'l3';
}

export interface Vm {
  readonly name: string;
  readonly node: NodeName;
  readonly network: Network;
  readonly portId: string;
  readonly mac: string;
  readonly ip: string;
}

const net = (label: string, letter: string, n: number, type: 'l2' | 'l3'): Network => ({
  label, id: `${letter.repeat(8)}-0000-4000-8000-00000000000${n}`, cidr: `10.${n}.0.0/24`, gateway: `10.${n}.0.1`, type,
});
export const netA = net('net-a', 'a', 1, 'l2');
export const netB = net('net-b', 'b', 2, 'l2');
export const netC = net('net-c', 'c', 3, 'l3');
export const networks: readonly Network[] = [netA, netB, netC];

const vm = (network: Network, node: NodeName, host: number): Vm => {
  const short = network.label.slice(-1);
  const nodeShort = node.slice(-1);
  return {
    name: `vm-${short}${nodeShort}`,
    node, network,
    portId: `${network.id.slice(0, 8)}-1111-4000-8000-0000000000${String(host)}`,
    mac: `fa:16:3e:0${String(network.id.charCodeAt(0) - 96)}:00:${String(host)}`,
    ip: `10.${network.cidr.split('.')[1] ?? '0'}.0.${String(host)}`,
  };
};
/** net-a on both nodes (the L2VNI ping), net-b on node-b (the routed ping), net-c on both (type-5 only). */
export const vms: readonly Vm[] = [vm(netA, 'node-a', 11), vm(netA, 'node-b', 12), vm(netB, 'node-b', 12), vm(netC, 'node-a', 11), vm(netC, 'node-b', 12)];

export const routers = {
  r1: { id: 'e1e1e1e1-0000-4000-8000-000000000001', networks: [netA, netB] },
  r2: { id: 'e2e2e2e2-0000-4000-8000-000000000002', networks: [netC] },
} as const;

/** The seed's two BGPVPNs, as the driver writes them (strings, Python JSON lists). */
export const l2Bgpvpn: BgpvpnFixture = { vni: 10100, type: 'l2', routeTargets: ['65000:10100'], routeDistinguishers: ['192.0.2.1:10100'], localPref: 100 };
export const l3Bgpvpn: BgpvpnFixture = { vni: 20000, type: 'l3', routeTargets: ['65000:20000'], routeDistinguishers: ['192.0.2.1:20000'] };

export interface FabricNode { readonly name: NodeName; readonly vtep: string; readonly peer: string }
export const nodeA: FabricNode = { name: 'node-a', vtep: '10.0.0.1', peer: '10.0.0.2' };
export const nodeB: FabricNode = { name: 'node-b', vtep: '10.0.0.2', peer: '10.0.0.1' };
export const nodes: readonly FabricNode[] = [nodeA, nodeB];

const q = (text: string): string => JSON.stringify(text);
const idArgs = (ids: Readonly<Record<string, string>>): string[] => Object.entries(ids).map(([k, v]) => `external_ids:${q(k)}=${q(v)}`);
const lsName = (n: Network): string => `neutron-${n.id}`;
const lrpName = (router: string, n: Network): string => `lrp-${router.slice(0, 8)}-${n.id.slice(0, 8)}`;

export class OvnDriver {
  readonly #nb: string;
  readonly #sb: string;
  constructor(nbRemote: string, sbRemote: string) {
    this.#nb = nbRemote;
    this.#sb = sbRemote;
  }

  nbctl(args: readonly string[]): Promise<string> {
    return run('ovn-nbctl', [`--db=${this.#nb}`, '--timeout=20', ...args]);
  }

  sbctl(args: readonly string[]): Promise<string> {
    return run('ovn-sbctl', [`--db=${this.#sb}`, '--timeout=20', ...args]);
  }

  /** Chassis as ovn-controller registers them; networks, routers and VM ports as Neutron creates them; ports bound. */
  async createTopology(): Promise<void> {
    const sb: string[] = [];
    for (const n of nodes) sb.push('--', 'chassis-add', n.name, 'geneve', n.vtep, '--', 'set', 'Chassis', n.name, `hostname=${q(n.name)}`);
    await this.sbctl(sb.slice(1));

    const nb: string[] = [];
    for (const n of networks) nb.push('--', 'ls-add', lsName(n), '--', 'set', 'Logical_Switch', lsName(n), ...idArgs({ 'neutron:network_name': n.label }));
    for (const [name, r] of Object.entries(routers)) {
      nb.push('--', 'lr-add', `neutron-${r.id}`, '--', 'set', 'Logical_Router', `neutron-${r.id}`, ...idArgs({ 'neutron:router_name': name }));
      for (const n of r.networks) {
        const lrp = lrpName(r.id, n);
        const rsp = `${r.id.slice(0, 8)}-${n.id.slice(0, 8)}-rp`;
        nb.push(
          '--', 'lrp-add', `neutron-${r.id}`, lrp, `fa:16:3e:ff:0${String(n.id.charCodeAt(0) - 96)}:01`, `${n.gateway}/${n.cidr.split('/')[1] ?? '24'}`,
          '--', 'set', 'Logical_Router_Port', lrp, ...idArgs({ 'neutron:network_name': lsName(n), 'neutron:router_name': r.id }),
          '--', 'lsp-add', lsName(n), rsp, '--', 'lsp-set-type', rsp, 'router', '--', 'lsp-set-addresses', rsp, 'router',
          '--', 'lsp-set-options', rsp, `router-port=${lrp}`,
        );
      }
    }
    for (const v of vms) nb.push('--', 'lsp-add', lsName(v.network), v.portId, '--', 'lsp-set-addresses', v.portId, `${v.mac} ${v.ip}`);
    await this.nbctl(nb.slice(1));

    // ovn-northd turns the LSPs into Port_Binding rows; then each "ovn-controller" claims its VMs.
    await waitFor('Port_Binding rows from ovn-northd', 30_000, async () => {
      const out = await this.sbctl(['--bare', '--columns=logical_port', 'list', 'Port_Binding']);
      const present = new Set(out.split(/\s+/).filter(Boolean));
      return vms.every((v) => present.has(v.portId));
    }, 100);
    const bind: string[] = [];
    for (const v of vms) bind.push('--', 'lsp-bind', v.portId, v.node);
    await this.sbctl(bind.slice(1));
  }

  /** The network associations (L2 BGPVPN 10100 on net-a, net-b) and the router association (L3 BGPVPN 20000 on r2). */
  async associate(): Promise<void> {
    const l2 = idArgs(driverExternalIds(l2Bgpvpn));
    const l3 = idArgs(driverExternalIds(l3Bgpvpn));
    await this.nbctl([
      'set', 'Logical_Switch', lsName(netA), ...l2, '--', 'set', 'Logical_Switch', lsName(netB), ...l2,
      ...routers.r2.networks.flatMap((n) => ['--', 'set', 'Logical_Router_Port', lrpName(routers.r2.id, n), ...l3]),
    ]);
  }

  /** What the driver does when the associations are deleted: every neutron_bgpvpn:* key goes. */
  async disassociate(): Promise<void> {
    const keys = (f: BgpvpnFixture): string[] => Object.keys(driverExternalIds(f)).map(q);
    await this.nbctl([
      'remove', 'Logical_Switch', lsName(netA), 'external_ids', ...keys(l2Bgpvpn),
      '--', 'remove', 'Logical_Switch', lsName(netB), 'external_ids', ...keys(l2Bgpvpn),
      ...routers.r2.networks.flatMap((n) => ['--', 'remove', 'Logical_Router_Port', lrpName(routers.r2.id, n), 'external_ids', ...keys(l3Bgpvpn)]),
    ]);
  }
}
