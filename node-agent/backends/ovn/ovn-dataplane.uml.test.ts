// The ovn backend carries traffic (issue 26 item 4, first step): a VM on a
// Geneve tenant network pings a bare-metal server behind a hand-configured FRR
// leaf over the L2VNI, through OVN 26.03.1's flow-based VXLAN port
// (ovn-evpn-4789 in br-int) and OVS 4.0's userspace datapath. The agent runs on
// the ovn backend as in ovn-backend.uml.test.ts (which proves the control
// plane); the test writes the Logical_Switch's keys as the operator does.
// The underlay: OVN's tunnel is sourced from ovn-evpn-local-ip, which the
// netdev datapath routes only through an address on one of its bridges, so the
// VTEP IP sits on br-phy (netdev) whose port is the veth to the leaf; BGP runs
// over the same path. The leaf's VXLAN device uses 4789, the port of the
// chassis key ovn-evpn-vxlan-ports (our own VXLAN devices use 64789 and carry
// no packets). Oracles: ping, ovn-appctl evpn/*, ovs-appctl, bridge, vtysh.
// Run: test/uml/run-suite.sh node-agent/backends/ovn
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evpnResources } from '../../../crds/resources.ts';
import { deleteObject } from '../../../lib/kube/apply.ts';
import { KubeClient } from '../../../lib/kube/kube-client.ts';
import * as ch from '../../../test/harness/ovn-evpn/chassis.ts';
import {
  addGeneveSwitch,
  applyGeneveObjects,
  deleteGeneveObjects,
  DEV,
  L2VNI,
  openAgentParts,
  RT,
  SWITCH_KEYS,
  VM,
  VTEP,
  type OvnAgentParts,
} from '../../../test/harness/ovn-evpn/ovn-agent.ts';
import * as dp from '../../../test/harness/ovn-evpn/dataplane.ts';
import { bridgeJson, requireUmlGuest } from '../../../test/harness/uml/oracle.ts';
import { stackName } from '../../../test/harness/stack/stack.ts';
import { waitFor } from '../../../test/harness/wait-for.ts';
import type { FrrTestInstance } from '../../../test/harness/frr/frr-test-instance.ts';
import { NodeAgent } from '../../agent.ts';

type Json = Record<string, unknown>;
const NODE = 'uml-ovn-dataplane';
const FM = { fieldManager: 'ovn-dataplane-test', force: true };
const LEAF_BRIDGE = `br-${L2VNI}`;

let parts: OvnAgentParts;
let client: KubeClient;
let agent: NodeAgent;
let leaf: FrrTestInstance | undefined;

const leafVtysh = (cmd: string): string => leaf?.exec(['vtysh', '-N', ch.LEAF_NS, '-c', cmd]) ?? '';
const leafRoutes = (): string => leafVtysh(`show bgp l2vpn evpn route vni ${L2VNI}`);
const ourVxlanFdb = (): Json[] => bridgeJson(['fdb', 'show', 'dev', DEV.vxlan]) as Json[];
const evpnPortInBrInt = (): boolean => ch.vsctl('list-ports', 'br-int').split('\n').includes('ovn-evpn-4789');
const explain = (): string => `${dp.explainDataPath(VM)}\nleaf: ${leafRoutes()}\n${ch.tail('ovn-controller.log', 15)}`;

/** Waits for `check`, reporting the data path's state on timeout. */
async function until(what: string, check: () => boolean, timeoutMs = 60_000): Promise<void> {
  await waitFor(what, check, { timeoutMs, stepMs: 1000 }).catch((e: unknown) => {
    throw new Error(`${String(e)}\n${explain()}`);
  });
}

/** Runs agent passes until zebra does (or no longer does) know the L2VNI on our VXLAN device. */
async function zebraHasVni(present: boolean): Promise<void> {
  const what = present ? 'the L2VNI in zebra' : 'the L2VNI gone from zebra';
  await waitFor(
    what,
    async () => {
      await agent.syncNow();
      return ch.vtysh('show evpn vni').includes(DEV.vxlan) === present;
    },
    { timeoutMs: 60_000, stepMs: 500 },
  );
}

const onCurrent = stackName() === 'current';

beforeAll(async () => {
  if (!onCurrent) return;
  requireUmlGuest();
  ch.startChassis();
  ch.startFrr();
  parts = await openAgentParts(NODE);
  client = parts.client;
  addGeneveSwitch();
  agent = parts.newAgent();
  await agent.start();
  await applyGeneveObjects(client, FM.fieldManager);
  await zebraHasVni(true);
  leaf = ch.startLeaf(L2VNI, RT, VTEP, `${VTEP}/24`, dp.UNDERLAY_BRIDGE);
  dp.startServer(LEAF_BRIDGE);
  dp.startVm(VM.port, VM.port, VM.mac, `${VM.ip}/24`);
}, 300_000);

afterAll(async () => {
  if (!onCurrent) return;
  await deleteGeneveObjects(client);
  await agent.stop();
  await parts.close();
  leaf?.stop();
  dp.stopDataPlane(VM.port);
  ch.stopAll();
});

// OVN's native EVPN needs OVN 26.03: the current world only.
describe.runIf(onCurrent)('the ovn backend carries a Geneve tenant network to a bare-metal server over EVPN', () => {
  it('binds the VM, routes the tunnel through the netdev underlay and learns the leaf as a remote VTEP', async () => {
    await until(
      'vm1 bound and up',
      () => ch.sbctl('--bare', '--columns=up', 'find', 'Port_Binding', `logical_port=${VM.port}`) === 'true',
    );
    expect(dp.ovsAppctl('ovs/route/show')).toMatch(
      new RegExp(`10\\.0\\.0\\.0/24 dev ${dp.UNDERLAY_BRIDGE} SRC ${VTEP}`),
    );
    expect(ch.vsctl('get', 'Interface', 'ovn-evpn-4789', 'options:dst_port')).toBe('"4789"');
    // zebra's remote VTEP (type-3 from the leaf) on our VXLAN device, read by ovn-controller as a tunnel binding.
    await until('the leaf as ovn-controller remote VTEP', () =>
      dp.ovnAppctl('evpn/remote-vtep-list').includes(`IP: ${ch.LEAF_IP}, port: 4789, vni: ${L2VNI}`),
    );
    await until('the leaf in the multicast group (BUM flooding)', () =>
      dp.ovnAppctl('evpn/vtep-multicast-group-list').includes(ch.LEAF_IP),
    );
  });

  it("pings the bare-metal server from the VM; the server's MAC reaches OVN and the VM's MAC the leaf", async () => {
    // Within a deadline (the first echo waits for ARP through the flood group): three answered echoes in one run.
    await until('3/3 echo replies VM -> server', () => dp.pingReplies(dp.VM_NS, dp.SERVER_IP) === 3, 60_000);
    // The leaf's bridge learned the server from the traffic and advertised it; zebra installed it
    // on our VXLAN device and ovn-controller took it as an EVPN FDB entry towards the leaf.
    await until('the server MAC on our VXLAN device, towards the leaf', () =>
      ourVxlanFdb().some((e) => e.mac === dp.SERVER_MAC && e.dst === ch.LEAF_IP),
    );
    await until("the server MAC in ovn-controller's EVPN FDB", () =>
      dp.ovnAppctl('evpn/vtep-fdb-list').includes(`MAC: ${dp.SERVER_MAC}, vni: ${L2VNI}`),
    );
    // Ours at the leaf: the VM's MAC as type-2 with the BGPVPN's RT, installed towards our VTEP.
    await until('the VM MAC and MAC+IP as type-2 at the leaf', () =>
      leafRoutes().includes(`[2]:[0]:[48]:[${VM.mac}]:[32]:[${VM.ip}]`),
    );
    // OVN's view of what it advertises: the VM's port in SB Advertised_MAC_Binding.
    expect(ch.sbctl('--bare', '--columns=mac', 'list', 'Advertised_MAC_Binding')).toContain(VM.mac);
    expect(leafVtysh(`show bgp l2vpn evpn route rd 10.0.0.1:101 mac ${VM.mac}`)).toContain(`RT:${RT}`);
    const leafFdb = JSON.parse(leaf?.exec(['bridge', '-j', 'fdb', 'show', 'dev', `vxlan-${L2VNI}`]) ?? '[]') as Json[];
    expect(leafFdb.some((e) => e.mac === VM.mac && e.dst === VTEP)).toBe(true);
  });

  it('pings the VM from the bare-metal server', async () => {
    await until('3/3 echo replies server -> VM', () => dp.pingReplies(dp.SERVER_NS, VM.ip) === 3, 60_000);
  });

  it('disassociation: the routes go and the traffic stops', async () => {
    await deleteObject(client, evpnResources.networks, { name: 'geneve-a' });
    await deleteObject(client, evpnResources.vrfs, { name: 'vrf-10100' });
    // The operator's part: its keys leave the Logical_Switch.
    ch.nbctl('remove', 'Logical_Switch', 'geneve-a', 'other_config', ...Object.keys(SWITCH_KEYS));
    await zebraHasVni(false);
    await until('our type-2 and type-3 withdrawn at the leaf', () => {
      const r = leafRoutes();
      return !r.includes(VM.mac) && !r.includes(`[3]:[0]:[32]:[${VTEP}]`);
    });
    await until('ovn-evpn-4789 gone from br-int', () => !evpnPortInBrInt());
    await until('no remote VTEP or EVPN FDB entry left in ovn-controller', () =>
      [dp.ovnAppctl('evpn/remote-vtep-list'), dp.ovnAppctl('evpn/vtep-fdb-list')].every((s) => s.trim() === ''),
    );
    expect(dp.pingReplies(dp.VM_NS, dp.SERVER_IP)).toBe(0);
    expect(dp.pingReplies(dp.SERVER_NS, VM.ip)).toBe(0);
  });
});
