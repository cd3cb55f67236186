// Guest side of `make demo` (test/e2e/demo.sh): the end-to-end scenario told
// for a person. Brings up the two-node fabric with a real OVN chassis per node
// (OVS + ovn-controller) and the hand-written leaf (a standard EVPN ToR with a
// bare-metal server and a host behind its VRF), writes Neutron's networks and
// VM ports and the BGPVPN associations into OVN the way Neutron and
// networking-bgpvpn do, and shows what came out: the chassis and bound ports
// (ovn-sbctl show), a node's OVS with the agent's uplink on the provider
// bridge, the objects, the VRF, the EVPN routes on a node and on the leaf, and
// pings across the VXLAN fabric. Exits non-zero if any of it fails.
import { join } from 'node:path';
import { errorMessage } from '../../lib/log.ts';
import { waitFor } from '../harness/wait-for.ts';
import { describeRoute, flattenEvpnRoutes } from './evpn-routes.ts';
import { Fabric } from './fabric.ts';
import { tryRun } from './guest-exec.ts';
import { pingSummary } from './ping-summary.ts';
import { Kubectl } from './kube.ts';
import { geneveTenant } from './demo-geneve.ts';
import {
  leaf,
  netA,
  netB,
  netC,
  netD,
  netE,
  networks,
  nodeA,
  nodes,
  OvnDriver,
  vms,
  type Network,
  type NodeName,
} from './scenario.ts';

const env = (k: string): string => {
  const v = process.env[k];
  if (v === undefined || v === '') throw new Error(`${k} is not set: run this through test/e2e/demo.sh`);
  return v;
};
const debug = process.env.DEMO_DEBUG === '1';
const started = Date.now();
const secs = (): string => `${((Date.now() - started) / 1000).toFixed(1)}s`;
const out = (text = ''): void => {
  process.stdout.write(`${text}\n`);
};
const step = (n: number, title: string): void => {
  out(`\n━━ ${String(n)}. ${title}  [${secs()}]`);
};
const indent = (text: string, by = '   '): string =>
  text
    .trimEnd()
    .split('\n')
    .map((l) => `${by}${l}`)
    .join('\n');
const vmOf = (n: Network, node: NodeName): string => vms.find((v) => v.network === n && v.node === node)?.name ?? '?';
const ipOf = (n: Network, node: NodeName): string => vms.find((v) => v.network === n && v.node === node)?.ip ?? '?';

interface Demo {
  readonly kubectl: Kubectl;
  readonly ovn: OvnDriver;
  readonly fabric: Fabric;
}

async function bringUp({ kubectl, ovn, fabric }: Demo): Promise<void> {
  step(
    1,
    'Two nodes: node-a (VTEP 10.0.0.1) and node-b (VTEP 10.0.0.2), each with FRR, the evpn-node-agent and an OVN chassis; the leaf (10.0.0.3)',
  );
  await fabric.createNodes();
  await fabric.startRelays();
  await fabric.startFrr();
  await fabric.startLeaf();
  out('   the leaf: hand-written FRR config (test/e2e/leaf/frr.conf), route reflector for both nodes in AS 65100,');
  out(
    `   L2VNI 10100 (RT 65000:10100) with a bare-metal server ${leaf.bms.ip}, vrf-tenant L3VNI 20000 (RT 65000:20000) with a host ${leaf.host.ip}`,
  );
  fabric.startAgents();
  await fabric.startChassis();
  out('   OVS (netdev datapath) + ovn-controller per node: both chassis registered themselves in the SB');
  await waitFor(
    'both agents',
    async () => {
      for (const n of nodes) if (!fabric.agentAlive(n.name)) throw new Error(`the agent of ${n.name} exited`);
      const states = await kubectl.list('evpnnodestates');
      return nodes.every((n) => states.some((s) => s.metadata.name === n.name));
    },
    { timeoutMs: 90_000, stepMs: 500 },
  );
  out('   both agents are up and report an EvpnNodeState');

  step(2, 'OpenStack side: Neutron VLAN networks in OVN, VMs plugged into br-int and bound by ovn-controller');
  await ovn.createTopology();
  await fabric.addVms(vms);
  await ovn.waitForBindings();
  for (const n of networks)
    out(
      `   ${n.label}  ${n.cidr.padEnd(12)} VLAN ${String(n.segmentationId)} on physnet1   ${n.routed ? 'gateway on OVN router r1' : 'no OVN router'}`,
    );
  for (const v of vms) out(`   VM ${v.name} on ${v.node}: ${v.network.label} ${v.ip} ${v.mac}`);
  out('   ovn-sbctl show   (chassis registered by ovn-controller, the VM ports it bound)');
  out(indent(await ovn.sbctl(['show']), '     '));
}

async function associate({ kubectl, ovn }: Demo): Promise<void> {
  step(3, 'networking-bgpvpn network associations, written into OVN external_ids');
  await ovn.associate();
  out('   L2 BGPVPN vni 10100 (RT 65000:10100) → net-a: L2VNI 10100, the IRB holds the gateway 10.1.0.1 on both nodes');
  out("   L3 BGPVPN vni 20000 (RT 65000:20000) → net-b and net-c: type-5 only, the leaf's vrf-tenant");
  out("   L2 BGPVPNs vni 10200 and 10300 → net-d and net-e, whose gateways OVN's router r1 holds");
  const ids = await ovn.nbctl(['--bare', '--columns=external_ids', 'list', 'Logical_Switch', `neutron-${netA.id}`]);
  out("   what the driver left on net-a's Logical_Switch (ovn-nbctl list Logical_Switch):");
  for (const kv of ids
    .trim()
    .split(/\s+/)
    .filter((t) => t.startsWith('neutron_bgpvpn:')))
    out(`     external_ids:${kv}`);
  await waitFor(
    'READY 2/2',
    async () => {
      const [n, v] = await Promise.all([kubectl.list('evpnnetworks'), kubectl.list('evpnvrfs')]);
      return n.length === 5 && v.length === 4 && [...n, ...v].every((o) => o.status?.ready === '2/2');
    },
    { timeoutMs: 180_000, stepMs: 500 },
  );

  step(4, 'kubectl get evpn   (the operator mirrored OVN; both agents applied it: READY 2/2)');
  out(indent(await kubectl.run(['get', 'evpn'])));
  step(5, "kubectl describe evpnvrf vrf-10100   (net-a's own VRF: L3VNI 10100 + 1000000)");
  out(indent(await kubectl.run(['describe', 'evpnvrf', 'vrf-10100'])));
}

async function showFabric({ fabric }: Demo): Promise<void> {
  step(
    6,
    "node-a's OVS   (ovs-vsctl show: br-int from ovn-controller with the VM ports, br-provider with the agent's uplink evpn-ovs and its trunks)",
  );
  await waitFor(
    'the uplink on br-provider',
    async () => (await fabric.chassis('node-a').vsctl(['get', 'Port', 'evpn-ovs', 'trunks'])).includes('105'),
    { timeoutMs: 60_000, stepMs: 500 },
  );
  out(indent(await fabric.chassis('node-a').show()));

  step(
    7,
    'EVPN routes in FRR on node-a   (vtysh -N node-a -c "show bgp l2vpn evpn route"; the leaf reflects node-b\'s)',
  );
  const routes = await waitFor(
    'type-2/3/5 routes at node-a',
    async () => {
      const all = flattenEvpnRoutes(await fabric.vtyshJson('node-a', 'show bgp l2vpn evpn route'));
      const remote = all.filter((r) => r.nexthop !== nodeA.vtep);
      return [2, 3, 5].every((t) => remote.some((r) => r.type === t)) && remote.some((r) => r.nexthop === leaf.vtep)
        ? all
        : undefined;
    },
    { timeoutMs: 60_000, stepMs: 500 },
  );
  const seen = new Set<string>();
  for (const r of routes.sort((a, b) => a.type - b.type || (a.ip ?? '').localeCompare(b.ip ?? ''))) {
    const line = describeRoute(r, nodeA.vtep);
    if (!seen.has(line)) out(`   ${line}`);
    seen.add(line);
  }
  out(
    '   (type-2: VM MAC+IP per L2VNI, type-3: flood lists per L2VNI, type-5: prefixes per VRF; net-b/net-c are l3: type-5 only)',
  );

  step(8, 'The leaf\'s view   (vtysh -N leaf -c "show bgp l2vpn evpn": our routes on the BGPVPNs\' route targets)');
  out(indent(await fabric.vtysh('leaf', 'show bgp l2vpn evpn')));
}

async function pings({ fabric }: Demo): Promise<number> {
  step(9, 'Traffic from OVN across the VXLAN fabric');
  const list: [string, string, string][] = [
    [vmOf(netA, 'node-a'), ipOf(netA, 'node-b'), 'net-a node-a → net-a node-b   (bridged over L2VNI 10100)'],
    [vmOf(netA, 'node-a'), leaf.bms.ip, "net-a node-a → the leaf's bare-metal server   (L2VNI 10100 through the leaf)"],
    [
      vmOf(netD, 'node-a'),
      ipOf(netE, 'node-b'),
      "net-d node-a → net-e node-b   (routed by OVN's router r1 on node-a, then over L2VNI 10300)",
    ],
    [vmOf(netB, 'node-a'), ipOf(netC, 'node-b'), 'net-b node-a → net-c node-b   (l3, type-5 over L3VNI 20000)'],
    [vmOf(netB, 'node-a'), leaf.host.ip, "net-b node-a → the leaf's host   (l3, type-5 over L3VNI 20000)"],
  ];
  let failed = 0;
  for (const [from, to, what] of list) {
    // No warm-up ping: once everything reports Ready the very first packets must arrive.
    const r = await fabric.ping(from, to);
    const { avgMs } = pingSummary(r.output);
    const clean = r.ok;
    out(
      `   ping ${to.padEnd(10)} ${what}: ${clean ? 'ok' : 'FAILED'}, ${String(3 - r.lost.length)}/3 answered${avgMs === undefined ? '' : `, avg ${avgMs} ms`}`,
    );
    if (!clean) {
      failed += 1;
      out(indent(r.output, '      '));
    }
  }
  return failed;
}

async function main(): Promise<void> {
  const demo: Demo = {
    kubectl: new Kubectl(env('KUBECTL'), env('KUBECONFIG')),
    ovn: new OvnDriver(env('OVN_NB'), env('OVN_SB')),
    fabric: new Fabric({
      kubeconfig: env('KUBECONFIG'),
      apiPort: env('API_PORT'),
      sbRemote: env('OVN_SB'),
      artifacts: join(env('E2E_DIR'), 'guest'),
    }),
  };
  try {
    await bringUp(demo);
    await associate(demo);
    await showFabric(demo);
    const failed = (await pings(demo)) + (await geneveTenant(demo, { out, step, indent }));
    if (debug) await dumpState();
    if (failed > 0) throw new Error(`${String(failed)} ping(s) lost packets`);
    out(`\n   Done in ${secs()}.`);
  } catch (err) {
    if (debug) await dumpState().catch(() => undefined);
    throw err;
  } finally {
    step(11, 'Tearing down');
    await demo.fabric.collectArtifacts().catch(() => undefined);
    await demo.fabric.stop();
  }
}

async function dumpState(): Promise<void> {
  const show = async (title: string, file: string, args: string[]): Promise<void> => {
    const r = await tryRun(file, args);
    out(`\n--- ${title}\n${r.stdout}${r.stderr}`);
  };
  for (const n of [...nodes.map((x) => x.name), 'leaf']) {
    for (const c of [
      'show running-config',
      'show evpn vni',
      'show evpn rmac vni all',
      'show evpn mac vni all',
      'show evpn arp-cache vni all',
      'show bgp l2vpn evpn route',
    ]) {
      await show(`${n} ${c}`, 'vtysh', ['-N', n, '-c', c]);
    }
    await show(`${n} links`, 'ip', ['-n', n, '-d', 'link', 'show']);
    await show(`${n} addrs`, 'ip', ['-n', n, 'addr', 'show']);
    await show(`${n} fdb`, 'bridge', ['-n', n, 'fdb', 'show']);
    await show(`${n} neigh`, 'ip', ['-n', n, 'neigh', 'show']);
    await show(`${n} routes`, 'ip', ['-n', n, 'route', 'show', 'table', 'all']);
  }
  for (const v of vms) await show(`${v.name} neigh`, 'ip', ['-n', v.name, 'neigh', 'show']);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`\ndemo failed: ${errorMessage(err)}\n`);
    process.exit(1);
  },
);
