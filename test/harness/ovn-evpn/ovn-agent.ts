// The node agent on the ovn backend in chassis.ts's UML chassis, as the
// backend's UML tests run it: its config, the Geneve tenant network and VRF a
// test mirrors (spec.backend ovn), the Logical_Switch keys the operator writes
// for them (same device-name function), and the agent's parts. Only for the
// UML suite.
import { ovnEvpnSwitchDevices, type EvpnNetwork, type EvpnVrf } from '../../../crds/index.ts';
import { evpnResources } from '../../../crds/resources.ts';
import { applyObject, deleteObject } from '../../../lib/kube/apply.ts';
import { loadKubeConfig } from '../../../lib/kube/config.ts';
import { KubeClient } from '../../../lib/kube/kube-client.ts';
import { silentLogger } from '../../../lib/log.ts';
import { NodeAgent } from '../../../node-agent/agent.ts';
import { AgentConfig } from '../../../node-agent/config.ts';
import { FrrApplier } from '../../../node-agent/frr/reload.ts';
import { openKernel, type KernelAdapter } from '../../../node-agent/kernel/netlink/kernel-adapter.ts';
import { OvsUplink } from '../../../node-agent/ovs/ovs-uplink.ts';
import * as ch from './chassis.ts';

export const VTEP = '10.0.0.1';
export const L2VNI = 10101;
export const L3VNI = 10100;
export const RT = '64999:101';
export const DEV = ovnEvpnSwitchDevices(L2VNI);
export const VM = { port: 'vm1', mac: 'fa:16:3e:00:00:01', ip: '10.1.0.11' } as const;

export const vrfSpec: EvpnVrf['spec'] = { vni: L3VNI, backend: 'ovn', routeTargets: ['64999:100'] };
export const networkSpec: EvpnNetwork['spec'] = {
  type: 'l2',
  vni: L2VNI,
  vrf: `vrf-${L3VNI}`,
  backend: 'ovn',
  routeTargets: [RT],
  routeDistinguishers: [`${VTEP}:101`],
  subnets: [{ cidr: '10.1.0.0/24', gateway: '10.1.0.1', gatewayOwner: 'ovn' }],
  // A Geneve tenant network as the operator mirrors it: no VLAN path.
  source: { association: 'network', networkId: 'geneve-a' },
};

/** The keys the operator writes on the network's Logical_Switch (operator/ovn-keys). */
export const SWITCH_KEYS: Readonly<Record<string, string>> = {
  'dynamic-routing-vni': String(L2VNI),
  'dynamic-routing-bridge-ifname': DEV.bridge,
  'dynamic-routing-vxlan-ifname': DEV.vxlan,
  'dynamic-routing-advertise-ifname': DEV.advertise,
  'dynamic-routing-redistribute': 'fdb,ip',
};

/** The Logical_Switch with the operator's keys, and the VM's port on it. */
export function addGeneveSwitch(): void {
  const keys = Object.entries(SWITCH_KEYS).map(([k, v]) => `other_config:${k}=${v}`);
  ch.nbctl('ls-add', 'geneve-a', '--', 'set', 'Logical_Switch', 'geneve-a', ...keys);
  ch.nbctl('lsp-add', 'geneve-a', VM.port, '--', 'lsp-set-addresses', VM.port, `${VM.mac} ${VM.ip}`);
}

export const agentConfig = (node: string): AgentConfig =>
  AgentConfig.parse({
    node: { nodeName: node, vtepIp: VTEP },
    bgp: { asn: 65000, routerId: VTEP, peers: [{ address: ch.LEAF_IP, remoteAs: 'internal' }] },
    frr: { pathspace: ch.PATHSPACE, configPath: `${ch.DIR}/agent-frr.conf`, statusIntervalSeconds: 1 },
    ovs: { remote: ch.OVS_DB },
  });

/** What an agent runs on: the apiserver client, the kernel and the OVS uplink; an agent is made (and remade) from them. */
export interface OvnAgentParts {
  readonly client: KubeClient;
  readonly kernel: KernelAdapter;
  readonly uplink: OvsUplink;
  newAgent(): NodeAgent;
  close(): Promise<void>;
}

export async function openAgentParts(node: string): Promise<OvnAgentParts> {
  const config = agentConfig(node);
  const client = new KubeClient(loadKubeConfig().kubeConfig);
  const kernel = openKernel();
  const uplink = new OvsUplink({ remote: ch.OVS_DB, portName: 'evpn-ovs', log: silentLogger() });
  await uplink.start();
  return {
    client,
    kernel,
    uplink,
    newAgent: () => {
      const frr = new FrrApplier({ configPath: config.frr.configPath, pathspace: ch.PATHSPACE });
      return new NodeAgent({ config, client, kernel, ovs: uplink, frr, log: silentLogger() });
    },
    close: async () => {
      await uplink.close();
      kernel.close();
    },
  };
}

/** The VRF and the Geneve network as the operator mirrors them (spec.backend ovn), written by `fieldManager`. */
export async function applyGeneveObjects(client: KubeClient, fieldManager: string): Promise<void> {
  const fm = { fieldManager, force: true };
  await applyObject(client, evpnResources.vrfs, { metadata: { name: `vrf-${L3VNI}` }, spec: vrfSpec }, fm);
  await applyObject(client, evpnResources.networks, { metadata: { name: 'geneve-a' }, spec: networkSpec }, fm);
}

/** Both objects gone (the association removed); absent ones are fine. */
export async function deleteGeneveObjects(client: KubeClient): Promise<void> {
  await deleteObject(client, evpnResources.networks, { name: 'geneve-a' }).catch(() => undefined);
  await deleteObject(client, evpnResources.vrfs, { name: `vrf-${L3VNI}` }).catch(() => undefined);
}
