// Guest side of `make demo` (test/e2e/demo.sh): the end-to-end scenario told
// for a person. Brings up the two-node fabric with a real OVN chassis per node
// (OVS + ovn-controller), writes Neutron's networks and VM ports and the seed's
// BGPVPN associations into OVN the way Neutron and networking-bgpvpn do, and
// shows what came out: the chassis and bound ports (ovn-sbctl show), a node's
// OVS with the uplink on the provider bridge, the objects, the VRF, the EVPN
// routes in FRR, and pings across the VXLAN fabric. Exits non-zero if any of it fails.
import { join } from 'node:path';
import { describeRoute, flattenEvpnRoutes } from './evpn-routes.ts';
import { Fabric } from './fabric.ts';
import { tryRun, waitFor } from './guest-exec.ts';
import { Kubectl, type KubeObject } from './kube.ts';
import { netA, netB, netC, networks, nodeA, nodes, OvnDriver, vms, type Network, type NodeName } from './scenario.ts';

const env = (k: string): string => {
  const v = process.env[k];
  if (v === undefined || v === '') throw new Error(`${k} is not set: run this through test/e2e/demo.sh`);
  return v;
};
const debug = process.env.DEMO_DEBUG === '1';
const started = Date.now();
const secs = (): string => `${((Date.now() - started) / 1000).toFixed(1)}s`;
const out = (text = ''): void => { process.stdout.write(`${text}\n`); };
const step = (n: number, title: string): void => { out(`\n━━ ${String(n)}. ${title}  [${secs()}]`); };
const indent = (text: string, by = '   '): string => text.trimEnd().split('\n').map((l) => `${by}${l}`).join('\n');

async function main(): Promise<void> {
  const kubectl = new Kubectl(env('KUBECTL'), env('KUBECONFIG'));
  const ovn = new OvnDriver(env('OVN_NB'), env('OVN_SB'));
  const fabric = new Fabric({ kubeconfig: env('KUBECONFIG'), apiPort: env('API_PORT'), sbRemote: env('OVN_SB'), artifacts: join(env('E2E_DIR'), 'guest') });
  try {
    step(1, 'Two nodes: node-a (VTEP 10.0.0.1) and node-b (VTEP 10.0.0.2), each with FRR, the evpn-node-agent and an OVN chassis');
    await fabric.createNodes();
    await fabric.startRelays();
    await fabric.startFrr();
    await fabric.startChassis();
    out('   OVS (netdev datapath) + ovn-controller per node: both chassis registered themselves in the SB');
    fabric.startAgents();
    await waitFor('both agents', 90_000, async () => {
      for (const n of nodes) if (!fabric.agentAlive(n.name)) throw new Error(`the agent of ${n.name} exited`);
      const states = await kubectl.list('evpnnodestates');
      return nodes.every((n) => states.some((s) => s.metadata.name === n.name));
    }, 500);
    out('   both agents are up and report an EvpnNodeState');

    step(2, 'OpenStack side: Neutron VLAN networks in OVN, VMs plugged into br-int and bound by ovn-controller');
    await ovn.createTopology();
    await fabric.addVms(vms);
    await ovn.waitForBindings();
    for (const n of networks) out(`   ${n.label}  ${n.cidr.padEnd(12)} VLAN ${String(n.segmentationId)} on physnet1   network id ${n.id}`);
    for (const v of vms) out(`   VM ${v.name} on ${v.node}: ${v.network.label} ${v.ip} ${v.mac}`);
    out('   ovn-sbctl show   (chassis registered by ovn-controller, the VM ports it bound)');
    out(indent(await ovn.sbctl(['show']), '     '));

    step(3, 'networking-bgpvpn associations, written into OVN external_ids');
    await ovn.associate();
    out('   L2 BGPVPN vni 10100 (RT 65000:10100) → network associations on net-a and net-b (Logical_Switch)');
    out('   L3 BGPVPN vni 20000 (RT 65000:20000) → router association on the router of net-c (Logical_Router_Port)');
    const ids = await ovn.nbctl(['--bare', '--columns=external_ids', 'list', 'Logical_Switch', `neutron-${netA.id}`]);
    out('   what the driver left on net-a\'s Logical_Switch (ovn-nbctl list Logical_Switch):');
    for (const kv of ids.trim().split(/\s+/).filter((t) => t.startsWith('neutron_bgpvpn:'))) out(`     external_ids:${kv}`);

    await waitFor('the objects', 60_000, async () => {
      const [n, p] = await Promise.all([kubectl.list('evpnnetworks'), kubectl.list('evpnportsets')]);
      return n.length === 3 && p.length === 5;
    });
    const nets = new Map((await kubectl.list('evpnnetworks')).map((n) => [n.metadata.name, n]));
    const vlan = (n: Network): number => Number((nets.get(n.id) as KubeObject).spec.vlanId);
    // The agent's uplink on the provider bridge, trunking the networks' localnet VLANs.
    for (const n of nodes) {
      await waitFor(`evpn-ovs on ${n.name}`, 90_000, async () => (await tryRun('ip', ['-n', n.name, 'link', 'show', 'evpn-ovs'])).code === 0);
      await fabric.plugUplinkByHandUntilAgentDoes(n.name, networks.map((x) => x.segmentationId));
    }
    await waitFor('READY 2/2', 120_000, async () => {
      const [n, v] = await Promise.all([kubectl.list('evpnnetworks'), kubectl.list('evpnvrfs')]);
      return n.length === 3 && v.length === 2 && [...n, ...v].every((o) => o.status?.ready === '2/2');
    });

    step(4, 'kubectl get evpn   (the operator mirrored OVN; both agents applied it: READY 2/2)');
    out(indent(await kubectl.run(['get', 'evpn'])));

    step(5, 'kubectl describe evpnvrf vrf-10100');
    out(indent(await kubectl.run(['describe', 'evpnvrf', 'vrf-10100'])));

    step(6, 'EVPN routes in FRR on node-a   (vtysh -N node-a -c "show bgp l2vpn evpn route")');
    const want = (node: NodeName) => async () => {
      const routes = flattenEvpnRoutes(await fabric.vtyshJson(node, 'show bgp l2vpn evpn route'));
      const remote = routes.filter((r) => r.nexthop !== nodeA.vtep);
      return [2, 3, 5].every((t) => remote.some((r) => r.type === t)) && remote.some((r) => r.type === 2 && r.ip !== undefined) ? routes : undefined;
    };
    const routes = await waitFor('type-2/3/5 routes at node-a', 60_000, want('node-a'));
    const seen = new Set<string>();
    for (const r of routes.sort((a, b) => a.type - b.type || (a.ip ?? '').localeCompare(b.ip ?? ''))) {
      const line = describeRoute(r, nodeA.vtep);
      if (seen.has(line)) continue;
      seen.add(line);
      out(`   ${line}`);
    }
    out('   (type-2: VM MAC+IP per L2VNI, type-3: flood lists per L2VNI, type-5: prefixes per VRF; net-c is l3: type-5 only)');

    step(7, 'node-a\'s OVS   (ovs-vsctl show: br-int from ovn-controller with the VM ports, br-provider with the uplink evpn-ovs and its trunks)');
    out(indent(await fabric.chassis('node-a').show()));

    step(8, 'Traffic from OVN across the VXLAN fabric');
    const pings: [string, string, string][] = [
      [vms[0]?.name ?? '', vms[1]?.ip ?? '', `net-a node-a → net-a node-b   (bridged over the L2VNI of net-a)`],
      [vms[0]?.name ?? '', vms[2]?.ip ?? '', `net-a node-a → net-b node-b   (routed by OVN's router r1 on node-a, then over net-b's L2VNI)`],
    ];
    let failed = 0;
    for (const [from, to, what] of pings) {
      const r = await fabric.ping(from, to);
      const summary = /(\d+)% packet loss.*\n.*= [\d.]+\/([\d.]+)\//.exec(r.output);
      out(`   ping ${to.padEnd(10)} ${what}: ${r.ok ? `ok, ${summary?.[1] ?? '?'}% loss, avg ${summary?.[2] ?? '?'} ms` : 'FAILED'}`);
      if (!r.ok) { failed += 1; out(indent(r.output, '      ')); }
    }
    if (debug) await dumpState();
    if (failed > 0) throw new Error(`${String(failed)} ping(s) failed`);
    out(`\n   Done in ${secs()}. EvpnNetwork VLANs: net-a ${String(vlan(netA))}, net-b ${String(vlan(netB))}, net-c ${String(vlan(netC))}.`);
  } catch (err) {
    if (debug) await dumpState().catch(() => undefined);
    throw err;
  } finally {
    step(9, 'Tearing down');
    await fabric.collectArtifacts().catch(() => undefined);
    await fabric.stop();
  }
}

async function dumpState(): Promise<void> {
  const show = async (title: string, file: string, args: string[]): Promise<void> => {
    const r = await tryRun(file, args);
    out(`\n--- ${title}\n${r.stdout}${r.stderr}`);
  };
  for (const n of [nodeA.name, 'node-b'] as const) {
    await show(`${n} running-config`, 'vtysh', ['-N', n, '-c', 'show running-config']);
    await show(`${n} evpn vni`, 'vtysh', ['-N', n, '-c', 'show evpn vni']);
    await show(`${n} evpn rmac`, 'vtysh', ['-N', n, '-c', 'show evpn rmac vni all']);
    await show(`${n} evpn mac`, 'vtysh', ['-N', n, '-c', 'show evpn mac vni all']);
    await show(`${n} evpn arp`, 'vtysh', ['-N', n, '-c', 'show evpn arp-cache vni all']);
    await show(`${n} bgp evpn`, 'vtysh', ['-N', n, '-c', 'show bgp l2vpn evpn route']);
    await show(`${n} links`, 'ip', ['-n', n, '-d', 'link', 'show']);
    await show(`${n} addrs`, 'ip', ['-n', n, 'addr', 'show']);
    await show(`${n} bridge vlan`, 'bridge', ['-n', n, 'vlan', 'show']);
    await show(`${n} fdb`, 'bridge', ['-n', n, 'fdb', 'show']);
    await show(`${n} neigh`, 'ip', ['-n', n, 'neigh', 'show']);
    for (const t of ['vrf-10100', 'vrf-20000']) await show(`${n} routes ${t}`, 'ip', ['-n', n, 'route', 'show', 'vrf', t]);
  }
  for (const v of vms) await show(`${v.name} neigh`, 'ip', ['-n', v.name, 'neigh', 'show']);
}

main().then(() => process.exit(0), (err: unknown) => {
  process.stderr.write(`\ndemo failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
