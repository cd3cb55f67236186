// The agent on the ovn backend against real components in the UML guest
// (EVPN_STACK=current: OVS 4.0 netdev, OVN 26.03.1 NB/SB + northd +
// ovn-controller, FRR 10.7.1; the kube-apiserver on the host). The test writes
// the Logical_Switch's EVPN keys as the operator does (wt-nop's NB write path),
// with the same device-name function. Oracles: iproute2/bridge, ovs-vsctl,
// ovn-sbctl, vtysh. Run: EVPN_STACK=current test/uml/run-suite.sh node-agent/backends/ovn
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EvpnNodeState } from '../../../crds/index.ts';
import { evpnResources } from '../../../crds/resources.ts';
import { deleteObject, getObject } from '../../../lib/kube/apply.ts';
import { KubeClient } from '../../../lib/kube/kube-client.ts';
import * as ch from '../../../test/harness/ovn-evpn/chassis.ts';
import {
  addGeneveSwitch,
  applyGeneveObjects,
  deleteGeneveObjects,
  DEV,
  L2VNI,
  openAgentParts,
  VM,
  VTEP,
  type OvnAgentParts,
} from '../../../test/harness/ovn-evpn/ovn-agent.ts';
import { bridgeJson, ipJson, requireUmlGuest } from '../../../test/harness/uml/oracle.ts';
import { stackName } from '../../../test/harness/stack/stack.ts';
import { waitFor } from '../../../test/harness/wait-for.ts';
import type { FrrTestInstance } from '../../../test/harness/frr/frr-test-instance.ts';
import { NodeAgent, type PassSummary } from '../../agent.ts';

type Json = Record<string, unknown>;
const NODE = 'uml-ovn-node';
const FM = { fieldManager: 'ovn-backend-test', force: true };
const VM_MAC = VM.mac;

let parts: OvnAgentParts;
let client: KubeClient;
let agent: NodeAgent;
let leaf: FrrTestInstance | undefined;

const link = (name: string): Json | undefined =>
  (ipJson(['-d', 'link', 'show']) as Json[]).find((l) => l.ifname === name);
const info = (l: Json | undefined): Json => ((l?.linkinfo as Json | undefined)?.info_data as Json | undefined) ?? {};
const chassisKey = (k: string): string | undefined => {
  try {
    return ch.vsctl('get', 'Open_vSwitch', '.', `external_ids:${k}`).replace(/^"|"$/g, '');
  } catch {
    return undefined;
  }
};

async function until(check: (s: PassSummary) => boolean, what: string, timeoutMs = 30_000): Promise<PassSummary> {
  let last: PassSummary | undefined;
  return waitFor(
    what,
    async () => {
      last = await agent.syncNow();
      return check(last) ? last : undefined;
    },
    { timeoutMs, stepMs: 300 },
  ).catch((e: unknown) => {
    throw new Error(
      `${String(e)}\nlast pass: ${ch.explainPass(last)}\nbgpd.log: ${ch.tail('bgpd.log', 15)}\nzebra.log: ${ch.tail('zebra.log', 15)}\n${ch.frrProcesses()}`,
    );
  });
}

const onCurrent = stackName() === 'current';

beforeAll(async () => {
  if (!onCurrent) return;
  requireUmlGuest();
  ch.startChassis();
  ch.startFrr();
  parts = await openAgentParts(NODE);
  client = parts.client;
  // The operator's part (issue 26 item 2): the switch's EVPN keys, named by the shared function.
  addGeneveSwitch();
  agent = parts.newAgent();
  await agent.start();
}, 120_000);

afterAll(async () => {
  if (!onCurrent) return;
  await deleteGeneveObjects(client);
  await agent.stop();
  await parts.close();
  leaf?.stop();
  ch.stopAll();
});

// OVN's native EVPN needs OVN 26.03: the current world (make test-uml-current); the oldest world has OVN 23.03.
describe.runIf(onCurrent)('the agent on the ovn backend, with ovn-controller 26.03 and FRR 10', () => {
  it('creates exactly the devices the Logical_Switch names, in the VRF, on a UDP port apart from OVN', async () => {
    await applyGeneveObjects(client, FM.fieldManager);
    await until(() => link(DEV.advertise) !== undefined, 'the ovn devices');
    expect(info(link('ovnvrf-10100'))).toMatchObject({ table: 1010100 });
    expect(link(DEV.bridge)).toMatchObject({ master: 'ovnvrf-10100', ifalias: 'ovn-evpn:ovn-bridge' });
    expect(link(DEV.vxlan)).toMatchObject({ master: DEV.bridge, ifalias: 'ovn-evpn:ovn-vxlan' });
    expect(info(link(DEV.vxlan))).toMatchObject({ id: L2VNI, port: 64789, local: VTEP, learning: false });
    expect(link(DEV.advertise)).toMatchObject({ master: DEV.bridge, ifalias: 'ovn-evpn:ovn-advertise' });
    expect(link('vrf-10100')).toBeUndefined();
    expect(link('br-evpn')).toBeUndefined();
  });

  it("sets this chassis' EVPN keys, and ovn-controller creates its flow-based VXLAN port and binds the VM", async () => {
    expect(chassisKey('ovn-evpn-local-ip')).toBe(VTEP);
    expect(chassisKey('ovn-evpn-vxlan-ports')).toBe('4789');
    expect(chassisKey('system-id')).toBe('ch1');
    await waitFor(
      'ovn-evpn-4789 in br-int',
      () => ch.vsctl('list-ports', 'br-int').split('\n').includes('ovn-evpn-4789'),
      {
        timeoutMs: 30_000,
        stepMs: 300,
      },
    ).catch((e: unknown) => {
      throw new Error(`${String(e)}\n${ch.tail('ovn-controller.log')}`);
    });
    expect(ch.vsctl('get', 'Interface', 'ovn-evpn-4789', 'type')).toBe('vxlan');
    ch.vsctl(
      'add-port',
      'br-int',
      'vm1',
      '--',
      'set',
      'Interface',
      'vm1',
      'type=internal',
      'external_ids:iface-id=vm1',
    );
    await waitFor(
      'vm1 bound and up',
      () => ch.sbctl('--bare', '--columns=up', 'find', 'Port_Binding', 'logical_port=vm1') === 'true',
      {
        timeoutMs: 30_000,
        stepMs: 300,
      },
    );
  });

  it("gives FRR the VRF's L3VNI, the L2VNI with the BGPVPN's RT/RD, advertise-all-vni and type-5 redistribution", async () => {
    await until((s) => s.frr.running && s.frr.error === undefined, 'FRR applied');
    const conf = ch.vtysh('show running-config');
    expect(conf).toMatch(/vrf ovnvrf-10100\n vni 10100/);
    expect(conf).toMatch(/router bgp 65000 vrf ovnvrf-10100[\s\S]*redistribute kernel[\s\S]*advertise ipv4 unicast/);
    expect(conf).toMatch(/advertise-all-vni/);
    expect(conf).toMatch(
      /vni 10101\n\s+rd 10\.0\.0\.1:101\n\s+route-target import 64999:101\n\s+route-target export 64999:101/,
    );
    await waitFor(
      'zebra knows the L2VNI on our VXLAN device',
      () => ch.vtysh('show evpn vni 10101').includes(DEV.vxlan),
      {
        timeoutMs: 30_000,
        stepMs: 500,
      },
    );
  });

  it('shows what ovn-controller wrote into the kernel for the bound VM port, and the agent never removes it', async () => {
    const fdb = (): Json[] => bridgeJson(['fdb', 'show', 'br', DEV.bridge]) as Json[];
    await waitFor('the VM MAC in the kernel FDB of the EVPN bridge', () => fdb().some((e) => e.mac === VM_MAC), {
      timeoutMs: 30_000,
      stepMs: 500,
    }).catch((e: unknown) => {
      throw new Error(`${String(e)}\nFDB: ${JSON.stringify(fdb())}\n${ch.tail('ovn-controller.log')}`);
    });
    const entry = fdb().find((e) => e.mac === VM_MAC);
    expect(entry?.ifname).toBe(DEV.advertise);
    const s = await until(() => true, 'a pass');
    expect(s.kernel.planned).toBe(0);
    expect(fdb().some((e) => e.mac === VM_MAC)).toBe(true);
    await until(() => true, 'a status write');
    const st = (await getObject(client, evpnResources.nodeStates, { name: NODE })) as unknown as EvpnNodeState;
    expect(st.status?.networks?.find((n) => n.name === 'geneve-a')).toMatchObject({ ready: true, fdbEntries: 1 });
  });

  it("exchanges EVPN routes with a leaf: our VM's MAC as type-2 with the BGPVPN's RT/RD, both VTEPs as type-3", async () => {
    leaf = ch.startLeaf(L2VNI, '64999:101', VTEP, `${VTEP}/24`);
    const leafRoutes = (): string =>
      leaf?.exec(['vtysh', '-N', ch.LEAF_NS, '-c', `show bgp l2vpn evpn route vni ${L2VNI}`]) ?? '';
    await waitFor(
      'our type-2 (the VM MAC) and type-3 at the leaf',
      () => leafRoutes().includes(VM_MAC) && leafRoutes().includes(`[3]:[0]:[32]:[${VTEP}]`),
      {
        timeoutMs: 60_000,
        stepMs: 1000,
      },
    ).catch((e: unknown) => {
      throw new Error(`${String(e)}\nleaf: ${leafRoutes()}\nours: ${ch.vtysh('show bgp l2vpn evpn summary')}`);
    });
    const detail = leaf.exec([
      'vtysh',
      '-N',
      ch.LEAF_NS,
      '-c',
      `show bgp l2vpn evpn route rd 10.0.0.1:101 mac ${VM_MAC}`,
    ]);
    expect(detail).toContain('RT:64999:101');
    // Back on our side: zebra put the leaf's VTEP and MAC on our VXLAN device, where ovn-controller learns them.
    const fdbVx = (): Json[] => bridgeJson(['fdb', 'show', 'dev', DEV.vxlan]) as Json[];
    await waitFor(
      'the leaf VTEP and MAC on our VXLAN device',
      () =>
        fdbVx().some((e) => e.dst === ch.LEAF_IP && e.mac === '00:00:00:00:00:00') &&
        fdbVx().some((e) => e.mac === ch.LEAF_MAC),
      {
        timeoutMs: 30_000,
        stepMs: 500,
      },
    ).catch((e: unknown) => {
      throw new Error(`${String(e)}\n${JSON.stringify(fdbVx())}`);
    });
    const s = await until((x) => x.frr.status !== undefined, 'a status read');
    await until(() => true, 'a status write');
    const st = (await getObject(client, evpnResources.nodeStates, { name: NODE })) as unknown as EvpnNodeState;
    expect(st.status?.networks?.find((n) => n.name === 'geneve-a')?.remoteVtepIps).toEqual([ch.LEAF_IP]);
    expect(s.kernel.planned).toBe(0);
  });

  it('a restarted agent adopts the devices and keys with zero writes', async () => {
    await agent.stop();
    const before = parts.kernel.writeCount;
    agent = parts.newAgent();
    await agent.start();
    const s = await until((x) => x.frr.running, 'a pass of the new agent');
    expect(parts.kernel.writeCount - before).toBe(0);
    expect(s.ovs?.writes).toBe(0);
  });

  it('removes the devices and our chassis keys when the network and VRF go', async () => {
    await deleteObject(client, evpnResources.networks, { name: 'geneve-a' });
    await deleteObject(client, evpnResources.vrfs, { name: 'vrf-10100' });
    await until(() => link(DEV.bridge) === undefined && link('ovnvrf-10100') === undefined, 'the devices removed');
    expect(link(DEV.vxlan)).toBeUndefined();
    expect(link(DEV.advertise)).toBeUndefined();
    expect(chassisKey('ovn-evpn-local-ip')).toBeUndefined();
    expect(chassisKey('ovn-evpn-vxlan-ports')).toBeUndefined();
    expect(chassisKey('system-id')).toBe('ch1');
    // Withdrawn at the leaf.
    await waitFor(
      'our routes withdrawn at the leaf',
      () =>
        !(leaf?.exec(['vtysh', '-N', ch.LEAF_NS, '-c', `show bgp l2vpn evpn route vni ${L2VNI}`]) ?? VM_MAC).includes(
          VM_MAC,
        ),
      {
        timeoutMs: 30_000,
        stepMs: 500,
      },
    );
  });
});
