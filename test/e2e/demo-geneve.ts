// `make demo`'s Geneve tenant network (test/e2e/demo-guest.ts, step 10): the
// ovn backend end to end, told for a person (geneve.ts builds it, the e2e
// test asserts it).
import { waitFor } from '../harness/wait-for.ts';
import type { Fabric } from './fabric.ts';
import * as geneve from './geneve.ts';
import type { Kubectl } from './kube.ts';
import { pingSummary } from './ping-summary.ts';
import { leaf, type OvnDriver } from './scenario.ts';
import { stackName } from '../harness/stack/stack.ts';

export interface DemoParts {
  readonly kubectl: Kubectl;
  readonly ovn: OvnDriver;
  readonly fabric: Fabric;
}

/** The demo's way of printing. */
export interface Teller {
  out: (text?: string) => void;
  step: (n: number, title: string) => void;
  indent: (text: string, by?: string) => string;
}

/**
 * A Geneve tenant network on the ovn backend (OVN 26.03, the current world):
 * the VLAN networks' associations go first (one node cannot carry both
 * backends on one VTEP address and port 4789: geneve.ts), then Neutron's
 * tenant network with a VM on node-a is associated with the l2 BGPVPN vni
 * 10100 and put on `ovn` by a person; OVN carries it to the leaf's server.
 */
export async function geneveTenant(
  { kubectl, ovn, fabric }: DemoParts,
  { out, step, indent }: Teller,
): Promise<number> {
  step(10, 'A Geneve tenant network on the ovn backend (OVN-native EVPN: ovn-controller carries the VXLAN)');
  if (stackName() !== 'current') {
    out('   skipped: this world runs OVN 23.03, which has no native EVPN (it needs OVN 26.03)');
    return 0;
  }
  out("   the VLAN networks' associations are removed first: a node carries one backend per VTEP address and 4789");
  await ovn.disassociate();
  await waitFor(
    'the VLAN networks withdrawn',
    async () => (await kubectl.list('evpnnetworks')).length + (await kubectl.list('evpnvrfs')).length === 0,
    { timeoutMs: 120_000, stepMs: 500 },
  );
  await geneve.vtepOnNetdevBridge(fabric);
  await geneve.createGeneveNetwork(ovn);
  const { netG, vmG } = geneve;
  await fabric.chassis(vmG.node).addVm({ ...vmG, cidr: `${vmG.ip}/24` });
  await geneve.associateGeneve(ovn);
  await waitFor(
    'the Geneve network mirrored',
    async () => (await kubectl.list('evpnnetworks')).some((n) => n.metadata.name === netG.id),
    { timeoutMs: 60_000, stepMs: 500 },
  );
  await geneve.chooseOvnBackend(kubectl);
  out(
    `   ${netG.label} ${netG.cidr}: Geneve, no localnet; VM ${vmG.name} on ${vmG.node} ${vmG.ip}; L2 BGPVPN vni 10100`,
  );
  out(`   kubectl patch evpnnetwork ${netG.id} -p '{"spec":{"backend":"ovn"}}' (a person's field manager)`);
  await waitFor(
    "the leaf in ovn-controller's remote VTEPs",
    async () => (await geneve.ovnController(fabric, 'evpn/remote-vtep-list')).includes(`IP: ${leaf.vtep}, port: 4789`),
    { timeoutMs: 120_000, stepMs: 1000 },
  );
  out("   the operator's keys on the Logical_Switch (other_config):");
  for (const kv of (await geneve.switchOtherConfig(ovn)).replace(/[{}]/g, '').split(', '))
    if (kv.startsWith('dynamic-routing-')) out(`     ${kv}`);
  out(indent(await kubectl.run(['get', 'evpnnetworks'])));
  // The first echo waits for ARP through OVN's flood group to the leaf.
  await waitFor('a first echo reply', async () => (await fabric.ping(vmG.name, leaf.bms.ip, 1)).ok, {
    timeoutMs: 60_000,
    stepMs: 1000,
  });
  let failed = 0;
  for (const [from, to, what] of [
    [vmG.name, leaf.bms.ip, "Geneve tenant network (ovn backend) → the leaf's bare-metal server"],
    [leaf.bms.ns, vmG.ip, 'the bare-metal server → the Geneve VM (ovn backend)'],
  ] as const) {
    const r = await fabric.ping(from, to);
    const { avgMs } = pingSummary(r.output);
    out(
      `   ping ${to.padEnd(10)} ${what}: ${r.ok ? 'ok' : 'FAILED'}, ${String(3 - r.lost.length)}/3 answered${avgMs === undefined ? '' : `, avg ${avgMs} ms`}`,
    );
    if (!r.ok) failed += 1;
  }
  return failed;
}
