// The whole system, end to end, inside user-mode Linux (test/e2e/run.sh): the
// host runs the real API server, OVN NB/SB + ovn-northd and the operator; this
// guest runs two nodes (namespaces) with their FRR, node agent and a real OVN
// chassis (OVS netdev datapath + ovn-controller), VMs behind br-int ports that
// ovn-controller binds, and a hand-written leaf (leaf/) with a bare-metal server
// and a host behind its VRF. OVN gets Neutron's networks and the BGPVPN keys
// exactly as Neutron and networking-bgpvpn write them; everything after that is
// the product's doing: objects, devices, FRR config, the uplink on OVS, EVPN
// routes on a standard leaf, and traffic from OVN across the VXLAN fabric.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { waitFor } from '../harness/wait-for.ts';
import { flattenEvpnRoutes, routeTargets, type EvpnRoute } from './evpn-routes.ts';
import { describeBgpTimers, parseBgpTimers } from './bgp-timers.ts';
import { Fabric } from './fabric.ts';
import { run } from './guest-exec.ts';
import { leaveOldL2Names, measureL2Gap, runSeedVerify } from './seed-checks.ts';
import * as geneve from './geneve.ts';
import { stackName } from '../harness/stack/stack.ts';
import { chassisMac, PROVIDER_BRIDGE, tapName } from './ovn-chassis.ts';
import {
  addImportTargetNetF,
  associateNetF,
  disassociateNetF,
  netF,
  netFExtraImport,
  netFLacks,
  nextPassWrites,
  readNodes,
  type NetFState,
} from './faults.ts';
import { Kubectl, type KubeObject } from './kube.ts';
import {
  l3Bgpvpn,
  leaf,
  netA,
  netB,
  netC,
  netD,
  netE,
  networks,
  nodeA,
  nodeB,
  nodes,
  OvnDriver,
  routerPortMac,
  vms,
  type FabricNode,
  type Network,
  type NodeName,
  type Vm,
} from './scenario.ts';

const env = (k: string): string => {
  const v = process.env[k];
  if (v === undefined || v === '') throw new Error(`${k} is not set: run this through test/e2e/run.sh`);
  return v;
};

const t0 = Number(process.env.E2E_T0 ?? Date.now());
let tPhase = Date.now();
const timings: string[] = [];
function phase(name: string): void {
  const now = Date.now();
  const line = `PHASE ${name}: ${String(now - tPhase)}ms (since host start ${String(now - t0)}ms)`;
  timings.push(line);
  process.stdout.write(`${line}\n`);
  tPhase = now;
}

const vmOf = (network: Network, node: NodeName): Vm => {
  const v = vms.find((x) => x.network === network && x.node === node);
  if (v === undefined) throw new Error(`no VM of ${network.label} on ${node}`);
  return v;
};
const slow = { timeoutMs: 60_000, stepMs: 250 };
const l2Networks = networks.filter((n) => n.type === 'l2');
const l3Networks = networks.filter((n) => n.type === 'l3');
/** Kernel devices and FRR VRFs are named after the L3VNI: an l2 BGPVPN's own VRF vrf-N has L3VNI N + 1000000. */
const l3vniOf = (n: Network): number => (n.type === 'l3' ? n.vni : n.vni + 1_000_000);
const vrfOf = (n: Network): string => `vrf-${String(n.vni)}`;
const nodeVteps: readonly string[] = nodes.map((n) => n.vtep);
/** ICMP of VLAN `vid`, its tag in the frame or (accelerated) in the packet's metadata. */
const vlanIcmp = (vid: number): string => `icmp or (vlan ${String(vid)} and icmp)`;

/**
 * A ping that must pass. The first try is reported (not hidden) when it fails:
 * the fabric gets 20 s to converge (ARP through the anycast gateway, zebra
 * installing what BGP learnt), then three pings must all come back.
 */
async function expectPing(fabric: Fabric, from: string, to: string, what: string): Promise<string> {
  const diag = (name: string): Promise<string> =>
    fabric.diagnose(
      name,
      vms.map((v) => v.name),
    );
  const first = await fabric.ping(from, to, 1);
  if (!first.ok) {
    const file = await diag(`ping-${from}-${to}-first-try`);
    process.stdout.write(`NOTE ${what}: the first ping failed, state in ${file}; waiting for convergence\n`);
    await waitFor(`${what}: a ping from ${from} to ${to}`, async () => (await fabric.ping(from, to, 1)).ok, {
      timeoutMs: 20_000,
      stepMs: 500,
    }).catch(async (err: unknown) => {
      throw new Error(`${what}: no reply from ${to}; state in ${await diag(`ping-${from}-${to}`)}`, { cause: err });
    });
  }
  const r = await fabric.ping(from, to, 3);
  if (r.lost.length > 0)
    process.stdout.write(`NOTE ${what}: loss after convergence, state in ${await diag(`ping-${from}-${to}-loss`)}\n`);
  expect(r.lost, `${what}: requests without a reply\n${r.output}`).toEqual([]);
  return first.ok ? 'first try' : 'after convergence';
}

/**
 * What `at` must have learnt from node `from` (through the leaf, the route reflector); empty when complete.
 * Not the l3 subnets' type-5 prefixes: both nodes originate them (the IRB is on both), and which paths the
 * reflector passes on depends on the RDs; the RD test checks them at the leaf.
 */
function missingFrom(from: FabricNode, routes: readonly EvpnRoute[]): string[] {
  const remote = routes.filter((r) => r.nexthop === from.vtep);
  const missing: string[] = [];
  for (const v of vms.filter((x) => x.node === from.name)) {
    if (v.network.type === 'l2' && !remote.some((r) => r.type === 2 && r.mac === v.mac && r.ip === v.ip))
      missing.push(`type-2 ${v.mac} ${v.ip}`);
    if (v.network.type === 'l3' && !remote.some((r) => r.type === 5 && r.ip === `${v.ip}/32`))
      missing.push(`type-5 ${v.ip}/32`);
  }
  if (!remote.some((r) => r.type === 3 && r.ip === from.vtep)) missing.push(`type-3 ${from.vtep}`);
  return missing;
}

/** What a node must have from the leaf: its flood entry on L2VNI 10100 and its host subnet on L3VNI 20000, each on the BGPVPN's RT. */
function missingFromLeaf(routes: readonly EvpnRoute[]): string[] {
  const fromLeaf = routes.filter((r) => r.nexthop === leaf.vtep);
  const missing: string[] = [];
  if (!fromLeaf.some((r) => r.type === 3 && routeTargets(r).includes('65000:10100')))
    missing.push('type-3 of the leaf, RT 65000:10100');
  if (!fromLeaf.some((r) => r.type === 5 && r.ip === '10.99.0.0/24' && routeTargets(r).includes('65000:20000')))
    missing.push('type-5 10.99.0.0/24, RT 65000:20000');
  return missing;
}

describe('EVPN fabric: OVN association → objects → kernel + FRR + OVS → a standard leaf → traffic', () => {
  const artifacts = join(env('E2E_DIR'), 'guest');
  const kubectl = new Kubectl(env('KUBECTL'), env('KUBECONFIG'));
  const ovn = new OvnDriver(env('OVN_NB'), env('OVN_SB'));
  const fabric = new Fabric({
    kubeconfig: env('KUBECONFIG'),
    apiPort: env('API_PORT'),
    sbRemote: env('OVN_SB'),
    artifacts,
  });
  const netObjects = new Map<string, KubeObject>();

  const routesAt = async (at: NodeName | 'leaf'): Promise<EvpnRoute[]> =>
    flattenEvpnRoutes(await fabric.vtyshJson(at, at === 'leaf' ? 'show bgp l2vpn evpn' : 'show bgp l2vpn evpn route'));
  const linksAt = async (node: NodeName): Promise<Set<string>> =>
    new Set((await fabric.ipJson(node, ['link', 'show'])).map((l) => (l as { ifname: string }).ifname));
  const vlanOf = (n: Network): number => {
    const v = netObjects.get(n.id)?.spec.vlanId;
    if (typeof v !== 'number') throw new Error(`EvpnNetwork ${n.id} (${n.label}) has no vlanId`);
    return v;
  };
  /** The IRBs' MAC (the shared bridge's, inherited by every br-evpn.<vlan>): the same on both nodes. */
  let anycastMac = '';
  const anycastMacOfNodes = async (): Promise<string> => {
    const macs = await Promise.all(
      nodes.map(
        async (n) => ((await fabric.ipJson(n.name, ['link', 'show', 'br-evpn']))[0] as { address?: string }).address,
      ),
    );
    expect(new Set(macs).size, `br-evpn MACs ${macs.join(', ')}`).toBe(1);
    return macs[0] ?? '';
  };
  const type2Of = (routes: EvpnRoute[], mac: string): EvpnRoute[] =>
    routes.filter((r) => r.type === 2 && r.mac?.toLowerCase() === mac.toLowerCase());
  const waitForRoutes = async (
    at: NodeName | 'leaf',
    what: string,
    missing: (r: EvpnRoute[]) => string[],
  ): Promise<void> => {
    let left: string[] = [];
    await waitFor(
      `${what} at ${at}`,
      async () => {
        left = missing(await routesAt(at));
        return left.length === 0;
      },
      slow,
    ).catch((err: unknown) => {
      throw new Error(`${at} is missing ${left.join(', ')}`, { cause: err });
    });
  };

  beforeAll(async () => {
    await fabric.createNodes();
    await fabric.startRelays();
    await fabric.startFrr();
    await fabric.startLeaf();
    phase('fabric: 2 node namespaces + the leaf (setup.sh, frr.conf), underlay, API+SB relays, zebra+bgpd x3');
    // The agents' first pass (an FRR reload) and the OVN side overlap; the agent reaches its OVSDB once it is there.
    fabric.startAgents();
    await fabric.startChassis();
    phase(
      'OVN chassis x2 (while the agents start): ovsdb-server + ovs-vswitchd (netdev) + br-provider, ovn-controller registered',
    );
    await ovn.createTopology();
    phase('OVN NB as Neutron writes it: 5 VLAN networks (localnet, DHCP_Options), router r1, 6 VM ports');
    await fabric.addVms(vms);
    await ovn.waitForBindings();
    phase('6 VMs on br-int, bound by ovn-controller (Port_Binding.chassis, LSP up)');
    await waitFor(
      'both agents reporting EvpnNodeState',
      async () => {
        for (const n of nodes)
          if (!fabric.agentAlive(n.name))
            throw new Error(`the agent of ${n.name} exited; see ${artifacts}/agent-${n.name}.log`);
        const states = await kubectl.list('evpnnodestates');
        return nodes.every((n) => states.some((s) => s.metadata.name === n.name));
      },
      { timeoutMs: 90_000, stepMs: 500 },
    );
    phase('agents up (first pass done, EvpnNodeState written)');
  });

  afterAll(async () => {
    const evpn = await fabric.vtysh('leaf', 'show bgp l2vpn evpn').catch((e: unknown) => String(e));
    process.stdout.write(`LEAF vtysh -N leaf -c 'show bgp l2vpn evpn' (at the end):\n${evpn}\n`);
    await fabric.collectArtifacts();
    await fabric.stop();
    process.stdout.write(`\n${timings.join('\n')}\n`);
  });

  it('each node runs a real OVN chassis that registered itself and bound its VMs', async () => {
    const csv = ['--format=csv', '--data=bare', '--no-headings'];
    const [chassis, encaps] = await Promise.all([
      ovn.sbctl([...csv, '--columns=name,hostname', 'list', 'Chassis']),
      ovn.sbctl([...csv, '--columns=chassis_name,type,ip', 'list', 'Encap']),
    ]);
    for (const n of nodes) {
      expect(chassis.split('\n'), `Chassis ${n.name}`).toContain(`${n.name},${n.name}`);
      expect(encaps.split('\n'), `Encap of ${n.name}`).toContain(`${n.name},geneve,${n.vtep}`);
      const c = fabric.chassis(n.name);
      // ovn-controller made br-int (netdev) and, for the localnet ports of the networks it hosts VMs of, the patch to br-provider.
      expect((await c.vsctl(['get', 'Bridge', 'br-int', 'datapath_type'])).trim()).toBe('netdev');
      await waitFor(
        `patch br-int ↔ ${PROVIDER_BRIDGE} on ${n.name}`,
        async () =>
          (await c.vsctl(['list-ports', PROVIDER_BRIDGE])).split('\n').some((p) => p.startsWith('patch-provnet-')),
        { timeoutMs: 20_000, stepMs: 250 },
      );
      for (const v of vms.filter((x) => x.node === n.name)) {
        expect((await c.vsctl(['get', 'Interface', tapName(v.portId), 'external_ids:iface-id'])).trim()).toBe(
          `"${v.portId}"`,
        );
      }
    }
    const bindings = await ovn.bindings();
    for (const v of vms)
      expect(bindings.get(v.portId), `${v.name}: Port_Binding.chassis, LSP up`).toEqual({ chassis: v.node, up: true });
    phase('chassis, encaps, br-int, patch ports, bindings checked');
  });

  it('core: mirrors the BGPVPN associations into EvpnVrf, EvpnNetwork and EvpnPortSet objects', async () => {
    await ovn.associate();
    await waitFor(
      '5 EvpnNetworks, 4 EvpnVrfs, 6 EvpnPortSets',
      async () => {
        const [n, v, p] = await Promise.all([
          kubectl.list('evpnnetworks'),
          kubectl.list('evpnvrfs'),
          kubectl.list('evpnportsets'),
        ]);
        return n.length === 5 && v.length === 4 && p.length === 6;
      },
      slow,
    );
    phase('associations → objects (operator)');
    for (const n of await kubectl.list('evpnnetworks')) netObjects.set(n.metadata.name, n);
    const vrfs = new Map((await kubectl.list('evpnvrfs')).map((v) => [v.metadata.name, v]));
    for (const n of networks)
      expect(vrfs.get(vrfOf(n))?.spec, `${vrfOf(n)} of ${n.label}`).toMatchObject({ vni: l3vniOf(n) });
    for (const n of l2Networks) {
      expect(netObjects.get(n.id)?.spec, n.label).toMatchObject({
        type: 'l2',
        vni: n.vni,
        vrf: vrfOf(n),
        routeTargets: n.bgpvpn.routeTargets,
      });
    }
    for (const n of l3Networks)
      expect(netObjects.get(n.id)?.spec, n.label).toMatchObject({ type: 'l3', vrf: 'vrf-20000' });
    for (const n of networks) {
      const subnets = netObjects.get(n.id)?.spec.subnets as { cidr: string; gateway: string; gatewayOwner?: string }[];
      expect(subnets, `${n.label}: subnets`).toEqual([expect.objectContaining({ cidr: n.cidr, gateway: n.gateway })]);
      // The OVN router r1 holds the gateways of net-d and net-e; every other gateway is the IRB's.
      expect(subnets[0]?.gatewayOwner ?? 'evpn', `${n.label}: gatewayOwner`).toBe(n.routed ? 'ovn' : 'evpn');
    }
    const portSets = await kubectl.list('evpnportsets');
    for (const v of vms) {
      const set = portSets.find((s) => s.metadata.name === `${v.network.id}.${v.node}`);
      expect(set?.spec.ports, `${v.network.label} on ${v.node}`).toEqual([
        expect.objectContaining({ mac: v.mac, ips: [v.ip] }),
      ]);
    }
  });

  it("gives each network the VLAN of its localnet port (Neutron's segmentation id)", () => {
    for (const n of networks) expect(vlanOf(n), `${n.label}: spec.vlanId`).toBe(n.segmentationId);
  });

  it('Ready means traffic flows: right after READY 2/2 the first pings across the L2VNI and the L3VNI lose nothing', async () => {
    // Nothing has sent a packet between the VMs yet: no ARP, no learnt MAC, no warm-up ping.
    await waitFor(
      'READY 2/2 on all networks and VRFs',
      async () => {
        const [n, v] = await Promise.all([kubectl.list('evpnnetworks'), kubectl.list('evpnvrfs')]);
        return n.length === 5 && v.length === 4 && [...n, ...v].every((o) => o.status?.ready === '2/2');
      },
      { timeoutMs: 180_000, stepMs: 250 },
    );
    phase('READY 2/2 (first time)');
    const cases: [Vm, Vm, string][] = [
      [vmOf(netA, 'node-a'), vmOf(netA, 'node-b'), 'L2VNI 10100 (VM → VM on the other node)'],
      [vmOf(netB, 'node-a'), vmOf(netC, 'node-b'), 'L3VNI 20000 (l3 VM → l3 VM on the other node)'],
    ];
    const results: string[] = [];
    for (const [from, to, what] of cases) {
      const r = await fabric.ping(from.name, to.ip, 3);
      const loss = r.ok ? 0 : Math.round((100 * r.lost.length) / 3);
      process.stdout.write(`FIRST-PING ${what}: ${String(loss)}% loss\n`);
      if (loss !== 0)
        process.stdout.write(
          `NOTE first ping ${what}: state in ${await fabric.diagnose(
            `first-ping-${from.name}`,
            vms.map((v) => v.name),
          )}\n${r.output}\n`,
        );
      results.push(`${what}: ${String(loss)}% loss`);
    }
    expect(results).toEqual(cases.map(([, , what]) => `${what}: 0% loss`));
    phase('first pings after READY: no loss');
  });

  it("the agents plug their uplink into br-provider, trunking the networks' localnet VLANs, marked as theirs", async () => {
    const tags = networks.map((n) => n.segmentationId).sort((a, b) => a - b);
    for (const n of nodes) {
      const c = fabric.chassis(n.name);
      const read = async (): Promise<string[]> =>
        (
          await c.vsctl([
            'port-to-br',
            'evpn-ovs',
            '--',
            'get',
            'Port',
            'evpn-ovs',
            'trunks',
            '--',
            'get',
            'Port',
            'evpn-ovs',
            'vlan_mode',
            '--',
            'get',
            'Port',
            'evpn-ovs',
            'external_ids',
          ])
        )
          .trim()
          .split('\n');
      // The agent's first pass with the objects: kernel, FRR (one frr-reload.py, 12–34 s in UML under load), then OVS.
      await waitFor(
        `evpn-ovs on ${PROVIDER_BRIDGE} of ${n.name} with trunks ${tags.join(',')}`,
        async () => (await read())[1] === `[${tags.join(', ')}]`,
        { timeoutMs: 120_000, stepMs: 500 },
      );
      const [bridge, trunks, mode, ids] = await read();
      process.stdout.write(
        `UPLINK ${n.name}: ovs-vsctl port-to-br evpn-ovs → ${bridge ?? ''}; trunks ${trunks ?? ''}; vlan_mode ${mode ?? ''}; external_ids ${ids ?? ''}\n`,
      );
      expect(bridge).toBe(PROVIDER_BRIDGE);
      expect(mode).toBe('trunk');
      expect(ids).toContain('"ovn-evpn:owner"=node-agent');
      expect(ids).toContain('"ovn-evpn:physical-networks"=physnet1');
    }
    phase('uplink evpn-ovs on br-provider with trunks (the agents, over OVSDB)');
  });

  it('creates the devices and the FRR config on both nodes', async () => {
    const l3vnis = [...new Set(networks.map(l3vniOf))];
    const want = (): string[] => [
      ...l3vnis.flatMap((v) => [`vrf-${String(v)}`, `br3-${String(v)}`, `vx3-${String(v)}`]),
      'br-evpn',
      'evpn-uplink',
      'evpn-ovs',
      ...l2Networks.map((n) => `vxlan-${String(n.vni)}`),
      ...networks.map((n) => `br-evpn.${String(vlanOf(n))}`),
    ];
    for (const n of nodes) {
      await waitFor(
        `devices on ${n.name}`,
        async () => {
          const links = await linksAt(n.name);
          return want().every((d) => links.has(d));
        },
        slow,
      );
      await waitFor(
        `FRR config on ${n.name}`,
        async () => {
          const vnis = (await fabric.vtyshJson(n.name, 'show evpn vni')) as Record<string, { type?: string }>;
          return [...l2Networks.map((x) => x.vni), ...l3vnis].every((v) => vnis[String(v)] !== undefined);
        },
        slow,
      );
    }
    phase('devices + FRR config on both nodes (agents)');
    for (const n of nodes) {
      const links = await linksAt(n.name);
      // The l3 networks have no L2VNI device: no VXLAN segment, only the IRB in their VRF.
      expect([...links].filter((l) => l.startsWith('vxlan-')).sort()).toEqual(
        l2Networks.map((x) => `vxlan-${String(x.vni)}`).sort(),
      );
      // The agent may be between two reloads: wait for the config to settle, then check it.
      const wanted = [
        /vrf vrf-1010100\n vni 1010100\n/,
        /vrf vrf-20000\n vni 20000\n/,
        /vni 10100\n(\s+.*\n)*?\s+route-target import 65000:10100/,
        /router bgp 65100 vrf vrf-20000/,
        /neighbor 10\.0\.0\.3 /,
      ];
      await waitFor(
        `vrf, vni, route targets and the leaf as peer in FRR of ${n.name}`,
        async () => {
          const running = await fabric.vtysh(n.name, 'show running-config');
          return wanted.every((w) => w.test(running));
        },
        slow,
      );
      // The IRB (l2 and l3 alike) holds the gateway where no OVN router does (gatewayOwner evpn), and no address of a
      // subnet whose gateway is OVN's (node-agent/kernel/render-network.ts renderIrbLayer3).
      for (const net of networks) {
        const addrs = JSON.stringify(
          await fabric.ipJson(n.name, ['addr', 'show', 'dev', `br-evpn.${String(vlanOf(net))}`]),
        );
        if (!net.routed) expect(addrs, `${n.name}: IRB of ${net.label}`).toContain(`"local":"${net.gateway}"`);
        else
          expect(addrs, `${n.name}: IRB of ${net.label}`).not.toContain(
            `"local":"${net.cidr.split('.').slice(0, 3).join('.')}.`,
          );
      }
      const vrf20000 = JSON.stringify(await fabric.ipJson(n.name, ['route', 'show', 'vrf', 'vrf-20000']));
      for (const net of l3Networks)
        expect(vrf20000, `${n.name}: ${net.cidr} in vrf-20000`).toContain(
          `"dst":"${net.cidr}","dev":"br-evpn.${String(vlanOf(net))}"`,
        );
    }
  });

  it('core: peers with the leaf and exchanges type-2, type-3 and type-5 routes through it', async () => {
    for (const n of nodes) {
      await waitFor(
        `BGP session of ${n.name} with the leaf Established`,
        async () => {
          const nb = (await fabric.vtyshJson(n.name, `show bgp neighbors ${leaf.vtep}`)) as Record<
            string,
            { bgpState?: string }
          >;
          return nb[leaf.vtep]?.bgpState === 'Established';
        },
        slow,
      );
    }
    phase('BGP established (node ↔ leaf)');
    // Both ends run the timers their configs pin (3/9 s, connect-retry 1 s), whatever defaults profile the
    // daemons started with: not the traditional profile's 60/180 s and 120 s connect-retry.
    for (const n of nodes) {
      const t = parseBgpTimers(await fabric.vtyshJson(n.name, `show bgp neighbors ${leaf.vtep}`), leaf.vtep);
      process.stdout.write(`${describeBgpTimers(n.name, leaf.vtep, t)}\n`);
      expect(t, `${n.name}: timers of the session with the leaf`).toMatchObject({
        bgpTimerConfiguredKeepAliveIntervalMsecs: 3000,
        bgpTimerConfiguredHoldTimeMsecs: 9000,
        connectRetryTimer: 1,
      });
      const atLeaf = parseBgpTimers(await fabric.vtyshJson('leaf', `show bgp neighbors ${n.vtep}`), n.vtep);
      process.stdout.write(`${describeBgpTimers('leaf', n.vtep, atLeaf)}\n`);
      // leaf/frr.conf: `timers 3 9`, `timers connect 1`.
      expect(atLeaf, `leaf: timers of the session with ${n.name}`).toMatchObject({
        bgpTimerConfiguredHoldTimeMsecs: 9000,
        connectRetryTimer: 1,
      });
    }
    // The nodes do not peer with each other: what node-a has of node-b came through the route reflector.
    for (const [at, from] of [
      [nodeA, nodeB],
      [nodeB, nodeA],
    ] as const)
      await waitForRoutes(at.name, `routes from ${from.name}`, (r) => missingFrom(from, r));
    for (const n of nodes) await waitForRoutes(n.name, 'routes from the leaf', missingFromLeaf);
    phase('type-2/3/5 routes exchanged via the leaf');
    // FRRouting/frr#22883: zebra aborts when the anycast gateway MAC of an SVI is also learnt as a remote type-2.
    // Both nodes' IRBs carry the same MAC; the nodes advertise no SVI MAC/IP (no advertise-svi-ip, no
    // advertise-default-gw), so no node learns it from another, and the leaf never holds it.
    anycastMac = await anycastMacOfNodes();
    for (const at of [...nodes.map((n) => n.name), 'leaf'] as const)
      expect(type2Of(await routesAt(at), anycastMac), `${at}: type-2 of the anycast gateway MAC`).toEqual([]);
    // Each L2VNI has its own type-3 from each node, on its BGPVPN's route target: separate flood lists.
    for (const n of nodes) {
      const routes = await routesAt(n.name);
      for (const l2 of l2Networks) {
        for (const origin of nodes) {
          expect(
            routes.some(
              (r) => r.type === 3 && r.ip === origin.vtep && routeTargets(r).includes(`65000:${String(l2.vni)}`),
            ),
            `${n.name}: type-3 of ${l2.label} from ${origin.name}`,
          ).toBe(true);
        }
      }
    }
  });

  it('the leaf holds our type-2/3 routes on RT 65000:10100 and our type-5 routes on RT 65000:20000', async () => {
    const onRt =
      (rt: string) =>
      (r: EvpnRoute): boolean =>
        nodeVteps.includes(r.nexthop ?? '') && routeTargets(r).includes(rt);
    const missing = (routes: EvpnRoute[]): string[] => [
      ...vms
        .filter((v) => v.network === netA)
        .filter((v) => !routes.some((r) => onRt('65000:10100')(r) && r.type === 2 && r.mac === v.mac && r.ip === v.ip))
        .map((v) => `type-2 ${v.mac} ${v.ip}`),
      ...nodeVteps
        .filter((ip) => !routes.some((r) => onRt('65000:10100')(r) && r.type === 3 && r.ip === ip))
        .map((ip) => `type-3 ${ip}`),
      ...vms
        .filter((v) => v.network.type === 'l3')
        .filter((v) => !routes.some((r) => onRt('65000:20000')(r) && r.type === 5 && r.ip === `${v.ip}/32`))
        .map((v) => `type-5 ${v.ip}/32`),
      ...l3Networks
        .filter((n) => !routes.some((r) => onRt('65000:20000')(r) && r.type === 5 && r.ip === n.cidr))
        .map((n) => `type-5 ${n.cidr}`),
    ];
    await waitForRoutes('leaf', 'our routes', missing);
    const text = await fabric.vtysh('leaf', 'show bgp l2vpn evpn');
    process.stdout.write(`LEAF vtysh -N leaf -c 'show bgp l2vpn evpn':\n${text}\n`);
    // The l3 networks' routes carry the l3 BGPVPN's RT; nothing of ours carries the auto RTs the fabric ASN
    // would give the leaf's VNIs (65100:10100, 65100:20000): routes meet on the BGPVPNs' RTs only.
    const ours = (await routesAt('leaf')).filter((r) => nodeVteps.includes(r.nexthop ?? ''));
    expect(
      ours
        .filter((r) => r.type === 5 && l3Networks.some((n) => r.ip?.startsWith(n.cidr.slice(0, 5)) === true))
        .every((r) => routeTargets(r).includes('65000:20000')),
    ).toBe(true);
    expect(ours.filter((r) => routeTargets(r).some((rt) => rt === '65100:10100' || rt === '65100:20000'))).toEqual([]);
    // Every VRF table holds the agent's unreachable default; it must never leave as type-5 (it would draw the
    // tenant's default traffic into a drop): OVN-EVPN-KERNEL's prefix-lists keep it in.
    expect(ours.filter((r) => r.type === 5 && (r.ip === '0.0.0.0/0' || r.ip === '::/0'))).toEqual([]);
  });

  it("the leaf shows one path per node for an l3 prefix both nodes advertise: each node takes its own RD of the BGPVPN's two", async () => {
    // net-b's IRB subnet is on both nodes (10.2.0.0/24 in vrf-20000, redistribute connected).
    const subnet = netB.cidr;
    const pathsOf = (routes: EvpnRoute[]): EvpnRoute[] =>
      routes.filter((r) => r.type === 5 && r.ip === subnet && nodeVteps.includes(r.nexthop ?? ''));
    await waitForRoutes('leaf', `type-5 ${subnet} from both nodes`, (routes) =>
      nodeVteps
        .filter((ip) => !pathsOf(routes).some((r) => r.nexthop === ip))
        .map((ip) => `type-5 ${subnet} from ${ip}`),
    );
    const paths = pathsOf(await routesAt('leaf'));
    process.stdout.write(
      `LEAF paths of ${subnet}: ${paths.map((p) => `RD ${p.rd} from ${p.nexthop ?? '?'}`).join('; ')}\n`,
    );
    // One path per node, each under a different RD of the list: two routes for the reflector, not two paths of one.
    expect(paths.map((p) => p.nexthop).sort()).toEqual([...nodeVteps].sort());
    expect(new Set(paths.map((p) => p.rd)).size).toBe(2);
    for (const p of paths) expect(l3Bgpvpn.routeDistinguishers).toContain(p.rd);
    // And the reflector passes both on: each node has the other's path.
    for (const [at, from] of [
      [nodeA, nodeB],
      [nodeB, nodeA],
    ] as const) {
      await waitForRoutes(at.name, `type-5 ${subnet} of ${from.name}`, (routes) =>
        routes.some((r) => r.type === 5 && r.ip === subnet && r.nexthop === from.vtep)
          ? []
          : [`type-5 ${subnet} from ${from.vtep}`],
      );
    }
  });

  it('an l3 network gets type-5 routes only', async () => {
    for (const n of nodes) {
      const routes = await routesAt(n.name);
      const l3Macs = new Set(vms.filter((v) => v.network.type === 'l3').map((v) => v.mac));
      const inL3 = (ip: string | undefined): boolean =>
        l3Networks.some((x) => ip?.startsWith(x.cidr.slice(0, 5)) === true);
      expect(
        routes.filter((r) => r.type === 2 && (inL3(r.ip) || l3Macs.has(r.mac ?? ''))),
        `${n.name}: type-2 of the l3 networks`,
      ).toEqual([]);
      expect(
        routes.filter((r) => r.type === 5 && inL3(r.ip)).length,
        `${n.name}: type-5 of the l3 networks`,
      ).toBeGreaterThanOrEqual(4);
      const vnis = (await fabric.vtyshJson(n.name, 'show evpn vni')) as Record<string, { type?: string }>;
      expect(vnis['20000']?.type).toBe('L3');
      expect(vnis['10100']?.type).toBe('L2');
      // No flood list and no MAC routes for the L3VNI 20000: nothing but type-5 carries its RT.
      expect(
        routes.filter((r) => r.type !== 5 && routeTargets(r).includes('65000:20000')),
        `${n.name}: type-2/3 of vni 20000`,
      ).toEqual([]);
    }
  });

  it("VM frames leave OVN on the agent's uplink tagged with the localnet VLAN", async () => {
    const from = vmOf(netA, 'node-a');
    const to = vmOf(netA, 'node-b');
    const seg = netA.segmentationId;
    // OVN answers the VM's ARP for a known port itself (ARP responder), so the first frame out is the ICMP request.
    // The filter takes the tag in the frame or in the packet's metadata: on the current world (OVS 4.0's netdev
    // datapath, sid's libpcap) `vlan N and icmp` alone let the kernel hand tcpdump all 4 ICMP frames and tcpdump
    // kept none ("0 packets captured, 4 packets received by filter"); the regexes below check the tag tcpdump prints.
    const frames = await fabric.capture('node-a', 'evpn-uplink', vlanIcmp(seg), 1, () =>
      fabric.ping(from.name, to.ip, 2),
    );
    process.stdout.write(`UPLINK node-a evpn-uplink (${netA.label}):\n${frames.join('\n')}\n`);
    expect(frames.join('\n')).toMatch(
      new RegExp(
        `${from.mac} > ${to.mac}, ethertype 802\\.1Q \\(0x8100\\), length \\d+: vlan ${String(seg)}, .*${from.ip.replace(/\./g, '\\.')} > ${to.ip.replace(/\./g, '\\.')}: ICMP echo request`,
      ),
    );
    // Routed by OVN's router r1 on node-a: leaves on net-e's VLAN with node-a's chassis MAC (ovn-chassis-mac-mappings) as source.
    const dst = vmOf(netE, 'node-b');
    const routed = await fabric.capture('node-a', 'evpn-uplink', vlanIcmp(netE.segmentationId), 1, () =>
      fabric.ping(vmOf(netD, 'node-a').name, dst.ip, 2),
    );
    process.stdout.write(
      `UPLINK node-a evpn-uplink (${netD.label} → ${netE.label}, routed by OVN):\n${routed.join('\n')}\n`,
    );
    expect(routed.join('\n')).toMatch(
      new RegExp(
        `${chassisMac('node-a')} > ${dst.mac}, .*vlan ${String(netE.segmentationId)}, .*> ${dst.ip.replace(/\./g, '\\.')}: ICMP echo request`,
      ),
    );
    const stats = await fabric.chassis('node-a').tool('ovs-ofctl', ['dump-ports', PROVIDER_BRIDGE, 'evpn-ovs']);
    process.stdout.write(`UPLINK node-a ovs-ofctl dump-ports ${PROVIDER_BRIDGE} evpn-ovs:\n${stats}\n`);
    phase('VM frames on the uplink with the localnet VLAN tag');
  });

  it('core: a VM on node-a pings a VM of the same network on node-b across the L2VNI', async () => {
    const from = vmOf(netA, 'node-a');
    const to = vmOf(netA, 'node-b');
    const how = await expectPing(fabric, from.name, to.ip, 'L2VNI ping');
    // It really went over VXLAN: node-a forwards to node-b's VTEP for that MAC.
    const fdb = JSON.parse(
      await run('bridge', ['-n', 'node-a', '-j', 'fdb', 'show', 'dev', `vxlan-${String(netA.vni)}`]),
    ) as { mac: string; dst?: string }[];
    expect(fdb.filter((e) => e.mac === to.mac).map((e) => e.dst)).toContain(nodeB.vtep);
    phase(`ping across the L2VNI (${how})`);
  });

  it("core: a VM pings the leaf's bare-metal server across L2VNI 10100", async () => {
    const from = vmOf(netA, 'node-a');
    const how = await expectPing(fabric, from.name, leaf.bms.ip, 'VM → bare-metal server');
    const fdb = JSON.parse(
      await run('bridge', ['-n', 'node-a', '-j', 'fdb', 'show', 'dev', `vxlan-${String(netA.vni)}`]),
    ) as { mac: string; dst?: string }[];
    expect(fdb.filter((e) => e.mac === leaf.bms.mac).map((e) => e.dst)).toContain(leaf.vtep);
    phase(`ping VM → bare-metal server (${how})`);
  });

  it('core: a VM on an l3 network pings a VM of another l3 network on the other node over type-5 (L3VNI 20000)', async () => {
    const from = vmOf(netB, 'node-a');
    const to = vmOf(netC, 'node-b');
    const how = await expectPing(fabric, from.name, to.ip, 'l3 VM → l3 VM');
    const route = await fabric.ipJson('node-a', ['route', 'get', to.ip, 'vrf', 'vrf-20000']);
    expect(JSON.stringify(route)).toMatch(/"gateway":"10\.0\.0\.2"|"dev":"br3-20000"/);
    phase(`ping l3 VM → l3 VM over the L3VNI (${how})`);
  });

  it("core: a VM on an l3 network pings the host behind the leaf's VRF over type-5 (L3VNI 20000)", async () => {
    const how = await expectPing(fabric, vmOf(netB, 'node-a').name, leaf.host.ip, 'l3 VM → leaf host');
    phase(`ping l3 VM → the leaf's host (${how})`);
  });

  it('where an OVN router holds the gateway, the VM resolves it to the router port and OVN routes across the fabric', async () => {
    const from = vmOf(netD, 'node-a');
    const to = vmOf(netE, 'node-b');
    const how = await expectPing(fabric, from.name, to.ip, 'routed by OVN router r1');
    const neigh = await fabric.ipJson(from.name, ['neigh', 'show', netD.gateway]);
    expect(
      neigh.map((e) => (e as { lladdr?: string }).lladdr),
      `${from.name}: neighbour ${netD.gateway}`,
    ).toEqual([routerPortMac(netD)]);
    // Routed once (by r1 on node-a; the reply by r1 on node-b), bridged by the fabric: TTL 64 - 1.
    expect((await fabric.ping(from.name, to.ip, 1)).output).toMatch(/ttl=63 /);
    // Over net-e's L2VNI: node-a sends vm-eb's MAC to node-b's VTEP.
    const fdb = JSON.parse(
      await run('bridge', ['-n', 'node-a', '-j', 'fdb', 'show', 'dev', `vxlan-${String(netE.vni)}`]),
    ) as { mac: string; dst?: string }[];
    expect(fdb.filter((e) => e.mac === to.mac).map((e) => e.dst)).toContain(nodeB.vtep);
    phase(`ping through OVN's router across the fabric (${how})`);
  });

  it('reports READY 2/2 for every network and VRF, and kubectl shows the VNIs', async () => {
    await waitFor(
      'READY 2/2 on all networks and VRFs',
      async () => {
        const [n, v] = await Promise.all([kubectl.list('evpnnetworks'), kubectl.list('evpnvrfs')]);
        return n.length === 5 && [...n, ...v].every((o) => o.status?.ready === '2/2');
      },
      slow,
    );
    const table = await kubectl.run(['get', 'evpnnetworks']);
    process.stdout.write(`${table}\n`);
    expect(table.split('\n').filter((l) => /\s2\/2\s/.test(l))).toHaveLength(5);
    const rowA = table.split('\n').find((l) => l.startsWith(netA.id)) ?? '';
    expect(rowA).toMatch(/\s10100\s/);
    expect(rowA).toMatch(/\sl2\s/);
    expect(rowA).toMatch(/\svrf-10100\s/);
    const described = await kubectl.run(['describe', 'evpnvrf', 'vrf-10100']);
    process.stdout.write(`${described}\n`);
    expect(described).toMatch(/Vni:\s+1010100\n/);
    expect(described).toMatch(/Routing Table:\s+1010100\n/);
    phase('READY 2/2');
  });

  it("passes seed 000's verify-evpn.sh on a node for the l2 BGPVPN: vxlan-<vni>, vrf-<vni> and FRR's VNI", async () => {
    const out = await runSeedVerify(nodeA.name, netA.vni, artifacts);
    process.stdout.write(`SEED verify-evpn.sh ${String(netA.vni)} on ${nodeA.name}:\n${out}\n`);
    expect(out).toContain(`✓ vxlan-${String(netA.vni)} exists`);
    expect(out).toContain(`✓ vrf-${String(netA.vni)} exists`);
    expect(out).not.toContain('✗');
    // FRR knows the VNI as an L2VNI with its kernel device (`show bgp l2vpn evpn vni N`).
    expect(out).toMatch(new RegExp(`VNI: ${String(netA.vni)} \\(known to the kernel\\)`));
    expect(out).toMatch(/Type: L2/);
  });

  it('adopts a node an older agent left with vx-<vni> devices: vxlan-<vni> in one pass, and says how long L2 traffic stopped', async () => {
    const node = nodeA.name;
    await fabric.killAgent(node);
    await leaveOldL2Names(node, nodeA.vtep, l2Networks);
    const from = vmOf(netA, 'node-a');
    const to = vmOf(netA, 'node-b');
    const flows = async (): Promise<boolean> => (await fabric.ping(from.name, to.ip, 3)).ok;
    await waitFor('L2VNI pings over the old vx-<vni> devices (zebra took them over)', flows, {
      timeoutMs: 60_000,
      stepMs: 500,
    });
    const gap = await measureL2Gap(from.name, to.ip, join(artifacts, 'adoption-ping.log'), async () => {
      fabric.startAgent(node);
      await waitFor(
        'vxlan-<vni> in place of vx-<vni>',
        async () => {
          const links = await linksAt(node);
          return l2Networks.every((n) => links.has(`vxlan-${String(n.vni)}`) && !links.has(`vx-${String(n.vni)}`));
        },
        slow,
      );
      await waitFor('L2VNI pings after the adoption', flows, { timeoutMs: 60_000, stepMs: 500 });
    });
    process.stdout.write(
      `ADOPTION vx-<vni> → vxlan-<vni> on ${node}: devices renamed ${String(gap.actionMs)} ms after the agent start (its first pass); ` +
        `longest L2 gap ${String(gap.longestMs)} ms, ${String(gap.lost)} of ${String(gap.sent)} pings (every 100 ms) lost\n`,
    );
    expect(gap.replies).toBeGreaterThan(5);
    // Adopted, not churned: the pass after the adoption writes nothing.
    expect(await nextPassWrites(fabric, node)).toEqual({ writes: 0, reloads: 0 });
    phase(`adoption vx- → vxlan-: longest L2 gap ${String(gap.longestMs)} ms`);
  });

  it("comes back after kill -9 of node-a's agent, of its bgpd and of all its FRR, while OVN changes flow", async () => {
    const node = nodeA;
    const other = nodeB;
    const uidsOf = async (): Promise<Record<string, string>> => {
      const out: Record<string, string> = {};
      for (const kind of ['evpnnetworks', 'evpnvrfs', 'evpnportsets', 'evpnnodestates']) {
        for (const o of await kubectl.list(kind)) out[`${kind}/${o.metadata.name}`] = o.metadata.uid ?? '';
      }
      return out;
    };
    const before = await uidsOf();
    const l3vnis = [...new Set(networks.map(l3vniOf))];
    // The VLANs are the segmentation ids (checked above); not netObjects, so this test also runs alone with -t.
    const devices = [
      ...l3vnis.map((v) => `vrf-${String(v)}`),
      ...l2Networks.map((n) => `vxlan-${String(n.vni)}`),
      ...networks.map((n) => `br-evpn.${String(n.segmentationId)}`),
    ];
    /** What node-a still lacks: net-f on both nodes as `f` says, its devices, its routes at node-b, the leaf's routes at node-a. */
    const lacking = async (f: NetFState): Promise<string[]> => {
      const view = await readNodes(nodes.map((n) => n.name));
      const left = nodes.flatMap((n) => netFLacks(view, n.name, f));
      const links = view.links.get(node.name) ?? new Set();
      left.push(...devices.filter((d) => !links.has(d)).map((d) => `${node.name} lacks ${d}`));
      if (left.length > 0) return left; // the route tables are the slow reads: only once the devices are there
      left.push(...missingFrom(node, await routesAt(other.name)).map((m) => `at ${other.name}: ${m}`));
      left.push(...missingFromLeaf(await routesAt(node.name)).map((m) => `at ${node.name}: ${m}`));
      return left;
    };
    /** Three pings in a row come back (within 60 s: ARP and zebra catch up after a restart). */
    const pingsBack = async (from: Vm, to: Vm, what: string): Promise<void> => {
      let last = '';
      await waitFor(
        what,
        async () => {
          const r = await fabric.ping(from.name, to.ip, 3);
          last = r.output;
          return r.ok;
        },
        { timeoutMs: 60_000, stepMs: 500 },
      ).catch(async (err: unknown) => {
        throw new Error(
          `${what}: ${last}; state in ${await fabric.diagnose(
            `fault-ping-${from.name}`,
            vms.map((v) => v.name),
          )}`,
          { cause: err },
        );
      });
    };
    const recovery: Record<string, number> = {};
    // A fault that does not recover is recorded and the next fault still runs; the test fails at the end with all of them.
    const failures: string[] = [];
    const recovered = async (what: string, t0: number, f: NetFState): Promise<void> => {
      try {
        await recoveredOrThrow(what, t0, f);
      } catch (err) {
        failures.push(`${what}: ${err instanceof Error ? err.message : String(err)}`);
      }
    };
    const recoveredOrThrow = async (what: string, t0: number, f: NetFState): Promise<void> => {
      if (what !== 'agent')
        expect(fabric.agentAlive(node.name), `the agent of ${node.name} survived the ${what} kill`).toBe(true);
      let left: string[] = [];
      let said = '';
      await waitFor(
        `${node.name} back after the ${what} kill (net-f ${f})`,
        async () => {
          const asked = Date.now();
          left = await lacking(f);
          const now = left.join(', ');
          // How long the check itself took: under load one read of both nodes (ip, vtysh) took a minute.
          if (now !== said)
            process.stdout.write(
              `NOTE fault ${what} +${String(Date.now() - t0)}ms (check ${String(Date.now() - asked)}ms): ${now === '' ? 'nothing lacking' : now}\n`,
            );
          said = now;
          return left.length === 0;
        },
        { timeoutMs: 120_000, stepMs: 500 },
      ).catch(async (err: unknown) => {
        throw new Error(
          `${node.name} lacks ${left.join(', ')}; state in ${await fabric.diagnose(
            `fault-${what}`,
            vms.map((v) => v.name),
          )}`,
          { cause: err },
        );
      });
      recovery[what] = Date.now() - t0;
      await pingsBack(vmOf(netA, 'node-a'), vmOf(netA, 'node-b'), `L2VNI pings after the ${what} kill`);
      await pingsBack(vmOf(netB, 'node-a'), vmOf(netC, 'node-b'), `L3VNI pings after the ${what} kill`);
      expect(await nextPassWrites(fabric, node.name), `${node.name}: the next pass after the ${what} recovery`).toEqual(
        { writes: 0, reloads: 0 },
      );
      phase(`fault ${what}: back ${String(recovery[what])}ms after the restart, next pass 0 writes`);
    };
    const netFObject = async (): Promise<KubeObject | undefined> =>
      (await kubectl.list('evpnnetworks')).find((n) => n.metadata.name === netF.id);

    try {
      // The agent: net-f is associated (and mirrored) while it is down; the DaemonSet starts it again.
      await fabric.killAgent(node.name);
      await associateNetF(ovn);
      await waitFor('net-f mirrored', netFObject, slow);
      let t0 = Date.now();
      fabric.startAgent(node.name);
      await recovered('agent', t0, 'present');

      // bgpd: net-f gains an import route target while it is down; watchfrr would start it again.
      await fabric.killFrr(node.name, ['bgpd']);
      await addImportTargetNetF(ovn);
      await waitFor(
        "net-f's import target mirrored",
        async () => ((await netFObject())?.spec.importTargets as string[] | undefined)?.includes(netFExtraImport),
        slow,
      );
      t0 = Date.now();
      await fabric.restartFrr(node.name, ['bgpd']);
      await recovered('frr-bgpd', t0, 'import');

      // All of FRR (zebra and bgpd): net-f's association goes while it is down.
      await fabric.killFrr(node.name, ['bgpd', 'zebra']);
      await disassociateNetF(ovn);
      await waitFor("net-f's object pruned", async () => (await netFObject()) === undefined, slow);
      t0 = Date.now();
      await fabric.restartFrr(node.name, ['zebra', 'bgpd']);
      await recovered('frr-all', t0, 'absent');
    } finally {
      // Whatever happened, net-f must not outlive this test (the withdrawal test counts every object).
      await disassociateNetF(ovn).catch(() => undefined);
      if (!fabric.agentAlive(node.name)) fabric.startAgent(node.name);
      await waitFor("net-f's object pruned", async () => (await netFObject()) === undefined, slow).catch(
        () => undefined,
      );
    }

    process.stdout.write(
      `fault-recovery ${Object.entries(recovery)
        .map(([k, v]) => `${k}=${String(v)}`)
        .join(' ')} ms\n`,
    );
    expect(failures, 'faults node-a did not recover from').toEqual([]);
    // Nothing of the scenario was lost or recreated.
    expect(await uidsOf()).toEqual(before);
  });

  it('core: removing the associations withdraws the routes (also from the leaf) and removes devices and objects', async () => {
    await ovn.disassociate();
    await waitFor(
      'objects deleted',
      async () => {
        const [n, v, p] = await Promise.all([
          kubectl.list('evpnnetworks'),
          kubectl.list('evpnvrfs'),
          kubectl.list('evpnportsets'),
        ]);
        return n.length + v.length + p.length === 0;
      },
      slow,
    );
    phase('withdraw: objects deleted (operator, prune grace 1s)');
    const ours = (routes: EvpnRoute[]): EvpnRoute[] => routes.filter((r) => nodeVteps.includes(r.nexthop ?? ''));
    await waitFor('our EVPN routes gone from the leaf', async () => ours(await routesAt('leaf')).length === 0, slow);
    // FRRouting/frr#22987: the SVI MAC's route stays when the SVI is deleted. No type-2 of the IRBs' MAC is left
    // at the leaf, whoever's next hop it carries.
    expect(anycastMac, 'the IRB MAC read while the routes were there').toMatch(/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/);
    expect(type2Of(await routesAt('leaf'), anycastMac), 'leaf: type-2 of the anycast gateway MAC').toEqual([]);
    for (const n of nodes) {
      await waitFor(
        `EVPN routes of the nodes gone on ${n.name}`,
        async () => ours(await routesAt(n.name)).length === 0,
        slow,
      );
      await waitFor(
        `devices gone on ${n.name}`,
        async () => {
          const links = await linksAt(n.name);
          return ![...links].some((l) => /^(vrf-|br3-|vx3-|vxlan-|vx-|br-evpn)/.test(l));
        },
        slow,
      );
      const running = await fabric.vtysh(n.name, 'show running-config');
      expect(running).not.toMatch(/vrf vrf-\d+/);
      expect(running).not.toMatch(/router bgp \d+ vrf/);
    }
    const r = await fabric.ping(vmOf(netA, 'node-a').name, vmOf(netA, 'node-b').ip, 1);
    expect(r.ok).toBe(false);
    phase('withdraw: routes withdrawn (nodes and leaf), devices and FRR VRFs removed');
  });

  // OVN's native EVPN needs OVN 26.03 (the current world); the oldest world's OVN 23.03 has none.
  // After the withdrawal above: one node cannot carry the kernel backend and OVN's ovn-evpn-4789 on
  // one VTEP address and port 4789 (geneve.ts, docs/backends.md).
  describe.runIf(stackName() === 'current')('a Geneve tenant network on the ovn backend (OVN 26.03)', () => {
    const { netG, vmG } = geneve;
    const leafRoutesOf = async (mac: string): Promise<EvpnRoute[]> => type2Of(await routesAt('leaf'), mac);
    const until = async (what: string, check: () => Promise<boolean>, timeoutMs = 90_000): Promise<void> => {
      await waitFor(what, check, { timeoutMs, stepMs: 1000 }).catch(async (err: unknown) => {
        throw new Error(`${what}\n${await geneve.explainGeneve(fabric)}`, { cause: err });
      });
    };
    const pings3 = async (from: string, to: string): Promise<boolean> => (await fabric.ping(from, to, 3)).ok;

    it("core: a VM on a Geneve tenant network (ovn backend) pings the leaf's bare-metal server and back over L2VNI 10100", async () => {
      await geneve.vtepOnNetdevBridge(fabric);
      await geneve.createGeneveNetwork(ovn);
      await fabric.chassis(vmG.node).addVm({ ...vmG, cidr: `${vmG.ip}/24` });
      await until('the Geneve VM bound on node-a', async () => {
        const b = (await ovn.bindings()).get(vmG.portId);
        return b?.chassis === vmG.node && b.up;
      });
      await geneve.associateGeneve(ovn);
      await waitFor(
        'the Geneve network and its VRF mirrored',
        async () =>
          (await kubectl.list('evpnnetworks')).some((n) => n.metadata.name === netG.id) &&
          (await kubectl.list('evpnvrfs')).some((v) => v.metadata.name === `vrf-${String(netG.vni)}`),
        slow,
      );
      await geneve.chooseOvnBackend(kubectl);
      // The operator's part: the switch's dynamic-routing keys (docs/backends.md), merged with Neutron's.
      await until('the dynamic-routing keys on the Logical_Switch', async () => {
        const oc = await geneve.switchOtherConfig(ovn);
        return oc.includes(`dynamic-routing-vni="${String(netG.vni)}"`) && oc.includes('mcast_snoop="false"');
      });
      phase('Geneve network: bound, associated, on ovn (person field manager), switch keys written by the operator');
      // ovn-controller's tunnel port in br-int, routed by the netdev datapath through br-phy.
      await until('ovn-evpn-4789 in br-int on node-a', async () =>
        (await fabric.chassis(vmG.node).vsctl(['list-ports', 'br-int'])).split('\n').includes('ovn-evpn-4789'),
      );
      expect(await geneve.vswitchd(fabric, 'ovs/route/show')).toMatch(
        new RegExp(`10\\.0\\.0\\.0/24 dev ${geneve.UNDERLAY_BRIDGE} SRC ${nodeA.vtep.replace(/\./g, '\\.')}`),
      );
      await until('the leaf as a remote VTEP of ovn-controller', async () =>
        (await geneve.ovnController(fabric, 'evpn/remote-vtep-list')).includes(`IP: ${leaf.vtep}, port: 4789`),
      );
      // A deadline, no timing: the first echo waits for ARP through OVN's flood group to the leaf.
      await until('3/3 echo replies VM → bms', () => pings3(vmG.name, leaf.bms.ip));
      await until('3/3 echo replies bms → VM', () => pings3(leaf.bms.ns, vmG.ip));
      // The VM's MAC (and MAC+IP) at the leaf as type-2 from node-a's VTEP, on the BGPVPN's RT.
      await until('the VM as type-2 at the leaf', async () =>
        (await leafRoutesOf(vmG.mac)).some((r) => r.nexthop === nodeA.vtep && r.ip === vmG.ip),
      );
      for (const r of await leafRoutesOf(vmG.mac)) expect(routeTargets(r)).toContain(netG.bgpvpn.routeTargets?.[0]);
      // The blocked path, shown not asserted: what OVS pops into br-int at this VTEP (any VNI; geneve.ts).
      process.stdout.write(
        `BLOCKED-PATH tunnel termination at node-a's VTEP (ovs-appctl tnl/ports/show -v):\n${await geneve.tunnelTermination(fabric).catch((e: unknown) => String(e))}\n`,
      );
      phase('Geneve network: pings VM ↔ bms over L2VNI 10100 through ovn-evpn-4789, type-2 at the leaf');
    });

    it("core: removing the Geneve network's association withdraws its routes and stops its traffic", async () => {
      await geneve.disassociateGeneve(ovn);
      await waitFor(
        'the Geneve network pruned',
        async () => !(await kubectl.list('evpnnetworks')).some((n) => n.metadata.name === netG.id),
        slow,
      );
      await until(
        'the operator removed its switch keys',
        async () => !(await geneve.switchOtherConfig(ovn)).includes('dynamic-routing-'),
      );
      await until('no route of the nodes left at the leaf', async () =>
        (await routesAt('leaf')).every((r) => !nodeVteps.includes(r.nexthop ?? '')),
      );
      await until(
        'ovn-evpn-4789 gone from br-int',
        async () =>
          !(await fabric.chassis(vmG.node).vsctl(['list-ports', 'br-int'])).split('\n').includes('ovn-evpn-4789'),
      );
      // Nothing answered either way (ping-summary.ts: the unanswered requests).
      expect((await fabric.ping(vmG.name, leaf.bms.ip, 3)).lost).toHaveLength(3);
      expect((await fabric.ping(leaf.bms.ns, vmG.ip, 3)).lost).toHaveLength(3);
      phase('Geneve network: association removed, routes withdrawn, traffic stopped');
    });
  });

  it('core: no FRR daemon of the nodes or the leaf crashed or restarted unbidden during the run (FRRouting/frr#22883)', async () => {
    // Only the faults test restarts daemons (node-a's bgpd, zebra), and it records their new pids.
    expect(await fabric.frrWatch.problems()).toEqual([]);
  });
});
