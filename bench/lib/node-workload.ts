// The node agent's input at benchmark scale (pure): N l2 networks, each with
// its own VRF (vrf-<l3vni>, br3/vx3 for the L3VNI), an L2VNI on the shared
// bridge with an IRB holding the subnet's gateway, and `ports` VM ports bound
// on this node (a static FDB entry on the uplink and a permanent neighbour on
// the IRB each). Everything is deterministic, so every run and every baseline
// applies exactly the same kernel state.
import { API_GROUP_VERSION } from '../../crds/index.ts';
import type { EvpnNetwork, EvpnPortSet, EvpnVrf, LocalPort } from '../../crds/index.ts';
import { NodeConfig } from '../../node-agent/inputs/node-config.ts';

export interface NodeWorkload {
  readonly node: NodeConfig;
  readonly vrfs: EvpnVrf[];
  readonly networks: EvpnNetwork[];
  readonly portSets: EvpnPortSet[];
}

export const L3VNI_BASE = 100_000;
export const L2VNI_BASE = 200_000;

const hex = (n: number): string => n.toString(16).padStart(2, '0');
export const portMac = (net: number, port: number): string =>
  `02:b0:${hex((net >> 8) & 255)}:${hex(net & 255)}:${hex((port >> 8) & 255)}:${hex(port & 255)}`;
/** 10.<hi>.<lo>.0/24 for network i (i < 65536). */
export const subnetOf = (i: number): string => `10.${(i >> 8) & 255}.${i & 255}`;
export const networkName = (i: number): string => `net-${String(i).padStart(5, '0')}`;

export function nodeWorkload(options: {
  networks: number;
  ports: number;
  nodeName?: string;
  vtepIp?: string;
  only?: (i: number) => boolean;
  /** Port numbers start here (two nodes of one fabric need different MACs and IPs). */
  firstPort?: number;
}): NodeWorkload {
  const first = options.firstPort ?? 0;
  const node = NodeConfig.parse({ nodeName: options.nodeName ?? 'bench-node', vtepIp: options.vtepIp ?? '10.255.0.1' });
  const vrfs: EvpnVrf[] = [];
  const networks: EvpnNetwork[] = [];
  const portSets: EvpnPortSet[] = [];
  const perNetwork = Math.floor(options.ports / Math.max(1, options.networks));
  const extra = options.ports - perNetwork * options.networks;
  for (let i = 0; i < options.networks; i++) {
    if (options.only !== undefined && !options.only(i)) continue;
    const l3vni = L3VNI_BASE + i;
    const vrfName = `vrf-${l3vni}`;
    vrfs.push({ apiVersion: API_GROUP_VERSION, kind: 'EvpnVrf', metadata: { name: vrfName }, spec: { vni: l3vni } });
    const name = networkName(i);
    const net = subnetOf(i);
    networks.push({
      apiVersion: API_GROUP_VERSION,
      kind: 'EvpnNetwork',
      metadata: { name },
      spec: {
        type: 'l2',
        vni: L2VNI_BASE + i,
        vrf: vrfName,
        vlanId: 1 + (i % 4000),
        subnets: [{ cidr: `${net}.0/24`, gateway: `${net}.1` }],
      },
    });
    const count = perNetwork + (i < extra ? 1 : 0);
    const ports: LocalPort[] = Array.from({ length: count }, (_, k) => first + k).map((p) => ({
      name: `${name}-p${p}`,
      mac: portMac(i, p),
      ips: [`${net}.${10 + p}`],
    }));
    portSets.push({
      apiVersion: API_GROUP_VERSION,
      kind: 'EvpnPortSet',
      metadata: { name: `${name}.${node.nodeName}` },
      spec: { network: name, nodeName: node.nodeName, ports },
    });
  }
  return { node, vrfs, networks, portSets };
}

/** The same workload with one more port on network `i` (the "one network changed" case). */
export function withOnePortAdded(w: NodeWorkload, i: number): NodeWorkload {
  const target = networkName(i);
  return {
    ...w,
    portSets: w.portSets.map((s) => {
      if (s.spec.network !== target) return s;
      const p = s.spec.ports.length;
      const net = subnetOf(i);
      return {
        ...s,
        spec: {
          ...s.spec,
          ports: [...s.spec.ports, { name: `${target}-p${p}`, mac: portMac(i, p), ips: [`${net}.${10 + p}`] }],
        },
      };
    }),
  };
}
