// The node agent against the real Linux 6.1 kernel (UML guest) and the real
// kube-apiserver on the host (reached over vde; KUBECONFIG set by
// test/uml/with-cluster.ts). iproute2 is the independent oracle. FRR is left
// out here (the end-to-end test covers it), so these runs prove the kernel
// side: create/update/delete, adoption after restart with zero writes, drift
// repair, orphan cleanup that spares foreign objects, and bad input isolation.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Label } from '../crds/index.ts';
import type { EvpnNetwork, EvpnNodeState, EvpnVrf } from '../crds/index.ts';
import { evpnResources } from '../crds/resources.ts';
import { applyObject, deleteObject, getObject } from '../lib/kube/apply.ts';
import { loadKubeConfig } from '../lib/kube/config.ts';
import { KubeClient } from '../lib/kube/kube-client.ts';
import { silentLogger } from '../lib/log.ts';
import { bridgeJson, ipJson, requireUmlGuest, run } from '../test/harness/uml/oracle.ts';
import { waitFor } from '../test/harness/wait-for.ts';
import { NodeAgent } from './agent.ts';
import type { PassSummary } from './agent.ts';
import { AgentConfig } from './config.ts';
import { createAgentStateView } from './http/agent-state-view.ts';
import { createAgentMetrics, type AgentMetrics } from './metrics.ts';
import { openKernel } from './kernel/netlink/kernel-adapter.ts';
import type { KernelAdapter } from './kernel/netlink/kernel-adapter.ts';
import { DriftWatch } from './kernel/netlink/drift-watch.ts';

type Json = Record<string, unknown>;
const NODE = 'uml-node';
const FM = { fieldManager: 'agent-test', force: true };
let client: KubeClient;
let kernel: KernelAdapter;
let monitor: DriftWatch;
let agent: NodeAgent;
let metrics: AgentMetrics;

const config = AgentConfig.parse({
  node: { nodeName: NODE, vtepIp: '10.0.0.1' },
  bgp: { asn: 65000, routerId: '10.0.0.1' },
  frr: { enabled: false },
  resyncSeconds: 5,
});

// One netlink socket and one drift watch for the whole file: a restarted
// agent is a fresh NodeAgent (no memory of earlier passes) on the same socket.
function startAgent(cfg: AgentConfig = config): NodeAgent {
  metrics = createAgentMetrics();
  return new NodeAgent({ config: cfg, client, kernel, drift: monitor, metrics, log: silentLogger() });
}

const vrf = (name: string, spec: EvpnVrf['spec']) =>
  applyObject(client, evpnResources.vrfs, { metadata: { name }, spec }, FM);
const network = (name: string, spec: EvpnNetwork['spec']) =>
  applyObject(client, evpnResources.networks, { metadata: { name }, spec }, FM);
const ports = (network: string, list: { name: string; mac: string; ips?: string[] }[]) =>
  applyObject(
    client,
    evpnResources.portSets,
    {
      metadata: { name: `${network}.${NODE}`, labels: { [Label.Node]: NODE, [Label.Network]: network } },
      spec: { network, nodeName: NODE, ports: list },
    },
    FM,
  );

/** Runs passes until `check` holds (informers may lag an API write by a moment). */
function until(check: () => boolean, timeoutMs = 20_000): Promise<PassSummary> {
  return waitFor(
    'the condition after a pass',
    async () => {
      const s = await agent.syncNow();
      return check() ? s : undefined;
    },
    { timeoutMs, stepMs: 200 },
  );
}

/** Checks `check` every `stepMs` until it holds or `timeoutMs` has passed; the caller asserts. */
async function pollUntil(check: () => boolean, timeoutMs: number, stepMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check() && Date.now() < end) await new Promise((r) => setTimeout(r, stepMs));
}

const link = (name: string): Json | undefined =>
  (ipJson(['-d', 'link', 'show']) as Json[]).find((l) => l.ifname === name);
const info = (l: Json | undefined): Json => ((l?.linkinfo as Json | undefined)?.info_data as Json | undefined) ?? {};
const routes = (table: number): Json[] => ipJson(['route', 'show', 'table', String(table)]) as Json[];
const fdb = (dev: string): Json[] => bridgeJson(['fdb', 'show', 'dev', dev]) as Json[];
const neigh = (dev: string): Json[] => ipJson(['neigh', 'show', 'dev', dev]) as Json[];
const vlans = (dev: string): Json[] =>
  ((bridgeJson(['vlan', 'show', 'dev', dev]) as Json[])[0]?.vlans as Json[] | undefined) ?? [];

beforeAll(async () => {
  requireUmlGuest();
  client = new KubeClient(loadKubeConfig().kubeConfig);
  kernel = openKernel();
  monitor = new DriftWatch();
  agent = startAgent();
  await agent.start();
});

afterAll(async () => {
  await agent.stop();
  monitor.close();
  kernel.close();
});

describe('node agent on a real kernel', () => {
  it('creates two VRFs, a VRF shared by two l2 networks, and an l3 network', async () => {
    await vrf('vrf-a', { vni: 10100 });
    await vrf('vrf-b', { vni: 20000, routingTable: 2020 });
    await network('net-1', {
      type: 'l2',
      vni: 10101,
      vrf: 'vrf-a',
      vlanId: 101,
      mtu: 1450,
      subnets: [{ cidr: '10.101.0.0/24', gateway: '10.101.0.1' }],
      routes: [{ type: 'prefix', destination: '10.20.0.0/24', nexthop: '10.101.0.11' }],
    });
    await network('net-2', {
      type: 'l2',
      vni: 10102,
      vrf: 'vrf-a',
      vlanId: 102,
      subnets: [{ cidr: '10.102.0.0/24', gateway: '10.102.0.1' }],
    });
    await network('net-3', {
      type: 'l3',
      vrf: 'vrf-b',
      vlanId: 200,
      subnets: [{ cidr: '10.200.0.0/24', gateway: '10.200.0.1' }],
    });
    await ports('net-1', [
      { name: 'p1', mac: '02:00:00:00:01:01', ips: ['10.101.0.11'] },
      { name: 'p2', mac: '02:00:00:00:01:02', ips: ['10.101.0.12'] },
    ]);
    const s = await until(
      () => link('br-evpn.200') !== undefined && fdb('evpn-uplink').some((e) => e.mac === '02:00:00:00:01:02'),
    );
    expect(s.kernel.nodeErrors).toEqual([]);

    expect(info(link('vrf-10100')).table).toBe(1010100);
    expect(info(link('vrf-20000')).table).toBe(2020);
    expect(info(link('vx3-10100'))).toMatchObject({ id: 10100, local: '10.0.0.1', port: 4789, learning: false });
    expect(link('vx3-10100')?.master).toBe('br3-10100');
    expect(link('br3-10100')?.master).toBe('vrf-10100');
    expect(info(link('vxlan-10101'))).toMatchObject({ id: 10101, learning: false });
    expect(link('vxlan-10101')?.master).toBe('br-evpn');
    expect(vlans('vxlan-10101')).toEqual([{ vlan: 101, flags: ['PVID', 'Egress Untagged'] }]);
    expect(vlans('br-evpn').map((v) => v.vlan)).toEqual(expect.arrayContaining([101, 102, 200]));
    expect(link('br-evpn.101')).toMatchObject({
      master: 'vrf-10100',
      mtu: 1450,
      address: config.node.anycastGatewayMac,
    });
    expect(link('br-evpn.101')?.ifalias).toBe('ovn-evpn:irb');
    expect((ipJson(['addr', 'show', 'dev', 'br-evpn.101']) as Json[])[0]?.addr_info).toEqual(
      expect.arrayContaining([expect.objectContaining({ local: '10.101.0.1', prefixlen: 24 })]),
    );
    expect(routes(1010100)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ type: 'unreachable', dst: 'default', metric: 4278198272 }),
        expect.objectContaining({ dst: '10.20.0.0/24', gateway: '10.101.0.11' }),
      ]),
    );
    expect(routes(2020)).toEqual(
      expect.arrayContaining([expect.objectContaining({ dst: '10.200.0.0/24', dev: 'br-evpn.200' })]),
    );
    const portEntries = fdb('evpn-uplink').filter((e) => String(e.mac).startsWith('02:00:00:00:01:'));
    expect(
      portEntries
        .map((e) => ({ mac: e.mac, vlan: e.vlan, master: e.master, state: e.state }))
        .sort((a, b) => String(a.mac).localeCompare(String(b.mac))),
    ).toEqual([
      { mac: '02:00:00:00:01:01', vlan: 101, master: 'br-evpn', state: 'static' },
      { mac: '02:00:00:00:01:02', vlan: 101, master: 'br-evpn', state: 'static' },
    ]);
    // Ours, not learnt by zebra.
    for (const e of portEntries) expect(e.flags ?? []).not.toContain('extern_learn');
    expect(neigh('br-evpn.101')).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ dst: '10.101.0.11', lladdr: '02:00:00:00:01:01', state: ['PERMANENT'] }),
      ]),
    );

    const state = (await getObject(client, evpnResources.nodeStates, { name: NODE })) as unknown as EvpnNodeState;
    expect(state.status?.conditions?.find((c) => c.type === 'KernelApplied')?.status).toBe('True');
    expect(state.status?.networks?.find((n) => n.name === 'net-1')).toMatchObject({
      ready: true,
      localPorts: 2,
      fdbEntries: 2,
      neighbors: 2,
    });
  });

  it('shows what it applied through the agent API view (http/agent-state-view.ts)', async () => {
    const view = createAgentStateView(agent, metrics);
    const before = agent.lastPass;
    await agent.syncNow();
    expect(agent.lastPass).not.toBe(before);
    expect(view.ready?.()).toBe(true);
    expect(
      view
        .networks()
        .map((n) => n.id)
        .sort(),
    ).toEqual(['net-1', 'net-2', 'net-3']);
    expect(view.network('net-1')).toMatchObject({
      id: 'net-1',
      type: 'l2',
      vni: 10101,
      vlanId: 101,
      vrf: 'vrf-a',
      l3vni: 10100,
      routingTable: 1010100,
      mtu: 1450,
      ready: true,
      devices: ['vxlan-10101', 'br-evpn.101'],
      localPorts: 2,
      fdbEntries: 2,
      neighbors: 2,
      routes: 1,
    });
    // net-3's IRB holds its gateway 10.200.0.1 (no OVN router does), so the subnet is a connected route, not one of ours.
    expect(view.network('net-3')).toMatchObject({
      type: 'l3',
      vrf: 'vrf-b',
      l3vni: 20000,
      routingTable: 2020,
      ready: true,
      devices: ['br-evpn.200'],
      localPorts: 0,
      routes: 0,
    });
    expect(view.network('no-such-network')).toBeUndefined();
    expect([...view.vrfs()].sort((a, b) => a.name.localeCompare(b.name))).toEqual([
      {
        name: 'vrf-a',
        device: 'vrf-10100',
        vni: 10100,
        routingTable: 1010100,
        networks: ['net-1', 'net-2'],
        ready: true,
      },
      { name: 'vrf-b', device: 'vrf-20000', vni: 20000, routingTable: 2020, networks: ['net-3'], ready: true },
    ]);
    const m = view.metrics();
    expect(m).toMatchObject({
      networks: 3,
      l2Networks: 2,
      l3Networks: 1,
      vrfs: 2,
      ports: 2,
      fdbEntries: 2,
      neighborEntries: 2,
      errors: 0,
    });
    expect(m.syncDurationSeconds).toBeGreaterThan(0);
    expect(Date.parse(m.lastSyncTime ?? '')).toBeGreaterThan(Date.now() - 60_000);

    // requestSync enqueues a pass and does not wait for it.
    const last = agent.lastPass;
    const sync = view.requestSync();
    expect(['started', 'queued']).toContain(sync.status);
    expect(sync.taskId).toMatch(/^[0-9a-f-]{36}-1$/);
    await waitFor('the requested pass', () => agent.lastPass !== last, { timeoutMs: 10_000, stepMs: 50 });
    expect(agent.lastPass).not.toBe(last);
    expect(agent.lastPass?.kernel.writes).toBe(0);
  });

  it('updates: a port goes away, a gateway moves, a VRF changes table', async () => {
    await ports('net-1', [{ name: 'p1', mac: '02:00:00:00:01:01', ips: ['10.101.0.11'] }]);
    await network('net-2', {
      type: 'l2',
      vni: 10102,
      vrf: 'vrf-a',
      vlanId: 102,
      subnets: [{ cidr: '10.102.0.0/24', gateway: '10.102.0.254' }],
    });
    await vrf('vrf-b', { vni: 20000, routingTable: 2021 });
    await until(
      () => info(link('vrf-20000')).table === 2021 && !fdb('evpn-uplink').some((e) => e.mac === '02:00:00:00:01:02'),
    );
    expect(neigh('br-evpn.101').some((n) => n.dst === '10.101.0.12')).toBe(false);
    const addrs = ((ipJson(['addr', 'show', 'dev', 'br-evpn.102']) as Json[])[0]?.addr_info as Json[])
      .filter((a) => a.family === 'inet')
      .map((a) => a.local);
    expect(addrs).toEqual(['10.102.0.254']);
    expect(routes(2021)).toEqual(expect.arrayContaining([expect.objectContaining({ dst: '10.200.0.0/24' })]));
    expect(routes(2020)).toEqual([]);
  });

  it('a pass with writes (a VLAN change, IPv6 routes) is followed by no further pass: its own deletions are not drift', async () => {
    // No resync in the window: every pass here is one the agent chose to run.
    await agent.stop();
    agent = startAgent({ ...config, resyncSeconds: 3600 });
    await agent.start();
    await agent.syncNow();
    // The start-up pass and syncNow may run back to back: let them finish.
    while (agent.passRunning) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 500));
    const echoesBefore = agent.echoesIgnored;
    const passesBefore = agent.passCount;
    const seen: string[] = [];
    const unsubscribe = monitor.subscribe((line) => seen.push(`${Date.now()} ${line}`));
    await network('net-2', {
      type: 'l2',
      vni: 10102,
      vrf: 'vrf-a',
      vlanId: 112,
      subnets: [
        { cidr: '10.102.0.0/24', gateway: '10.102.0.254' },
        { cidr: 'fd00:102::/64', gateway: 'fd00:102::1' },
      ],
      routes: [{ type: 'prefix', destination: 'fd00:20::/64', nexthop: 'fd00:102::11' }],
    });
    // Informer-driven passes only (no syncNow): wait for the one that writes.
    await pollUntil(
      () => agent.lastPass !== undefined && agent.passCount > passesBefore && agent.lastPass.kernel.writes > 0,
      20_000,
      20,
    );
    const writing = agent.lastPass;
    const writtenAt = Date.now();
    expect(writing?.kernel.writes).toBeGreaterThan(0);
    expect(writing?.kernel.failed).toBe(0);
    const after = agent.passCount;
    await new Promise((r) => setTimeout(r, 3000));
    unsubscribe();
    if (agent.passCount !== after)
      console.log(
        `deletions seen after the writing pass:\n${seen.join('\n')}\nwriting pass ended ${writtenAt}; last pass changes: ${agent.lastPass?.kernel.changes.join('; ') ?? ''}`,
      );
    console.log(
      `a pass with ${writing?.kernel.writes ?? 0} writes; ${agent.echoesIgnored - echoesBefore} echoes of its own deletions ignored; passes in the 3 s after it: ${agent.passCount - after}`,
    );
    expect(agent.echoesIgnored - echoesBefore).toBeGreaterThan(0);
    expect(agent.passCount).toBe(after);
    expect(link('br-evpn.112')?.master).toBe('vrf-10100');
    expect(fdb('evpn-uplink').some((e) => e.vlan === 102)).toBe(false);
    expect((ipJson(['-6', 'route', 'show', 'table', '1010100', 'proto', '234']) as Json[]).map((r) => r.dst)).toEqual(
      expect.arrayContaining(['fd00:20::/64']),
    );
    // Someone else's deletion is still drift: repaired without waiting for a resync.
    run('ip', ['-6', 'route', 'del', 'fd00:20::/64', 'table', '1010100']);
    await pollUntil(
      () =>
        (ipJson(['-6', 'route', 'show', 'table', '1010100', 'proto', '234']) as Json[]).some(
          (r) => r.dst === 'fd00:20::/64',
        ),
      10_000,
      100,
    );
    // The pass counts once it has also written the status, a moment after the route is back.
    await pollUntil(() => agent.passCount > after, 5000, 20);
    expect(agent.passCount).toBeGreaterThan(after);
    expect(
      (ipJson(['-6', 'route', 'show', 'table', '1010100', 'proto', '234']) as Json[]).some(
        (r) => r.dst === 'fd00:20::/64',
      ),
    ).toBe(true);
  });

  it('removes a static FDB entry stranded in a VLAN its port lost (as an older agent left them)', async () => {
    run('bridge', ['vlan', 'add', 'dev', 'evpn-uplink', 'vid', '130']);
    run('bridge', ['fdb', 'add', '02:00:00:00:13:13', 'dev', 'evpn-uplink', 'vlan', '130', 'master', 'static']);
    run('bridge', ['vlan', 'del', 'dev', 'evpn-uplink', 'vid', '130']);
    expect(fdb('evpn-uplink').some((e) => e.mac === '02:00:00:00:13:13')).toBe(true);
    const s = await agent.syncNow();
    console.log(
      `stranded: ${JSON.stringify(s.kernel.changes)} skipped=${s.kernel.skipped}; cache ${JSON.stringify(agent.kernelCache?.stats)}; last lines: ${agent.kernelCache?.lastEvents.join(' / ')}`,
    );
    expect(s.kernel.failed).toBe(0);
    expect(s.kernel.nodeErrors).toEqual([]);
    expect(fdb('evpn-uplink').some((e) => e.mac === '02:00:00:00:13:13')).toBe(false);
    expect(vlans('evpn-uplink').map((v) => v.vlan)).not.toContain(130);
    expect((await agent.syncNow()).kernel.writes).toBe(0);
  });

  it('a route the kernel refuses fails only its network, and the pass is retried with backoff, not at the next resync', async () => {
    const spec = {
      type: 'l2' as const,
      vni: 10102,
      vrf: 'vrf-a',
      vlanId: 112,
      subnets: [
        { cidr: '10.102.0.0/24', gateway: '10.102.0.254' },
        { cidr: 'fd00:102::/64', gateway: 'fd00:102::1' },
      ],
    };
    await network('net-2', {
      ...spec,
      routes: [{ type: 'prefix', destination: '10.77.0.0/24', nexthop: '10.177.0.1' }],
    });
    const end = Date.now() + 20_000;
    while (agent.lastPass?.kernel.networks.get('net-2')?.ready !== false && Date.now() < end)
      await new Promise((r) => setTimeout(r, 20));
    const failing = agent.lastPass;
    expect(failing?.kernel.networks.get('net-2')).toMatchObject({ ready: false, reason: 'InfrastructureFailed' });
    expect(failing?.kernel.networks.get('net-1')?.ready).toBe(true);
    expect([...(failing?.kernel.vrfs.values() ?? [])].every((v) => v.ready)).toBe(true);
    expect(failing?.kernel.nodeErrors).toEqual([]);
    const failedAt = agent.passCount;
    // Nothing changes, the resync is an hour away: only the retry runs a pass.
    await new Promise((r) => setTimeout(r, 2500));
    expect(agent.passCount).toBeGreaterThan(failedAt);
    await network('net-2', spec);
    await until(() => agent.lastPass?.kernel.networks.get('net-2')?.ready === true);
  });

  it('adopts everything after a restart with zero netlink writes and no status write', async () => {
    await agent.stop();
    agent = startAgent();
    await agent.start();
    const first = await agent.syncNow();
    expect(first.kernel.changes).toEqual([]);
    expect(first.kernel.planned).toBe(0);
    expect(first.kernel.writes).toBe(0);
    expect(first.statusWritten).toBe(false);
  });

  it('repairs drift within seconds: a deleted vxlan and a deleted FDB entry come back', async () => {
    const t0 = Date.now();
    run('ip', ['link', 'del', 'vxlan-10101']);
    run('bridge', ['fdb', 'del', '02:00:00:00:01:01', 'dev', 'evpn-uplink', 'vlan', '101', 'master']);
    await waitFor(
      'the drift repaired',
      () => link('vxlan-10101') !== undefined && fdb('evpn-uplink').some((e) => e.mac === '02:00:00:00:01:01'),
      { timeoutMs: 10_000, stepMs: 100 },
    );
    const ms = Date.now() - t0;
    console.log(`drift repaired in ${ms} ms`);
    expect(link('vxlan-10101')?.master).toBe('br-evpn');
    expect(vlans('vxlan-10101')).toEqual([{ vlan: 101, flags: ['PVID', 'Egress Untagged'] }]);
    expect(fdb('evpn-uplink').some((e) => e.mac === '02:00:00:00:01:01')).toBe(true);
  });

  it('a bad network leaves the others applied: a VLAN already in use and a missing VRF', async () => {
    await network('net-bad-vlan', { type: 'l2', vni: 10109, vrf: 'vrf-a', vlanId: 101 });
    await network('net-bad-vrf', { type: 'l3', vrf: 'no-such-vrf', vlanId: 299 });
    await until(
      () =>
        agent.lastPass?.kernel.networks.get('net-bad-vrf')?.ready === false &&
        agent.lastPass.kernel.networks.get('net-bad-vlan')?.ready === false,
    );
    const s = agent.lastPass;
    expect(s?.kernel.networks.get('net-bad-vlan')?.message).toBe(
      'EVPN-004: VLAN 101 is already used by EvpnNetwork net-1',
    );
    expect(s?.kernel.networks.get('net-bad-vrf')).toMatchObject({
      reason: 'VrfNotFound',
      message: 'EVPN-003: EvpnVrf no-such-vrf does not exist',
    });
    expect(s?.kernel.networks.get('net-1')?.ready).toBe(true);
    expect(link('vxlan-10109')).toBeUndefined();
    expect(link('vxlan-10101')?.master).toBe('br-evpn');
    await deleteObject(client, evpnResources.networks, { name: 'net-bad-vlan' });
    await deleteObject(client, evpnResources.networks, { name: 'net-bad-vrf' });
  });

  it('removes owned orphans and leaves foreign links, routes and FDB entries alone', async () => {
    run('ip', ['link', 'add', 'foreign0', 'type', 'dummy']);
    run('ip', ['link', 'set', 'foreign0', 'up']);
    run('ip', ['route', 'add', '10.99.0.0/24', 'dev', 'foreign0', 'table', '1010100', 'proto', 'static']);
    run('ip', ['link', 'add', 'brforeign', 'type', 'bridge']);
    run('ip', ['link', 'set', 'foreign0', 'master', 'brforeign']);
    run('bridge', ['fdb', 'add', '02:00:00:99:99:99', 'dev', 'foreign0', 'master', 'static']);
    // An owned link left over from an earlier life: it carries our alias.
    run('ip', ['link', 'add', 'vx-99999', 'type', 'vxlan', 'id', '99999', 'dstport', '4789', 'nolearning']);
    run('ip', ['link', 'set', 'vx-99999', 'alias', 'ovn-evpn:l2vni-vxlan']);
    await until(() => link('vx-99999') === undefined);

    for (const n of ['net-1', 'net-2', 'net-3']) await deleteObject(client, evpnResources.networks, { name: n });
    for (const v of ['vrf-a', 'vrf-b']) await deleteObject(client, evpnResources.vrfs, { name: v });
    await deleteObject(client, evpnResources.portSets, { name: `net-1.${NODE}` });
    await until(
      () =>
        !(ipJson(['link', 'show']) as Json[]).some(
          (l) => typeof l.ifalias === 'string' && l.ifalias.startsWith('ovn-evpn:'),
        ),
    );

    expect(link('foreign0')?.master).toBe('brforeign');
    expect(fdb('foreign0').some((e) => e.mac === '02:00:00:99:99:99')).toBe(true);
    expect(routes(1010100)).toEqual([expect.objectContaining({ dst: '10.99.0.0/24', protocol: 'static' })]);
    expect(link('br-evpn')).toBeUndefined();
    run('ip', ['link', 'del', 'brforeign']);
    run('ip', ['link', 'del', 'foreign0']);
  });

  it('measures a cold start of 100 networks and a no-op resync', async () => {
    await agent.stop();
    for (let v = 0; v < 10; v++) await vrf(`bench-vrf-${v}`, { vni: 30000 + v });
    for (let i = 0; i < 100; i++) {
      const vlan = 1000 + i;
      await network(`bench-net-${i}`, {
        type: 'l2',
        vni: 40000 + i,
        vrf: `bench-vrf-${i % 10}`,
        vlanId: vlan,
        subnets: [
          {
            cidr: `10.${100 + Math.floor(i / 100)}.${i % 100}.0/24`,
            gateway: `10.${100 + Math.floor(i / 100)}.${i % 100}.1`,
          },
        ],
      });
      await ports(`bench-net-${i}`, [
        {
          name: `bp-${i}`,
          mac: `02:00:00:01:${(i >> 8).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')}`,
          ips: [`10.${100 + Math.floor(i / 100)}.${i % 100}.10`],
        },
      ]);
    }
    agent = startAgent();
    const t0 = performance.now();
    await agent.start();
    const cold = await until(
      () =>
        agent.lastPass?.kernel.vrfs.size === 10 &&
        agent.lastPass.kernel.networks.size === 100 &&
        link('br-evpn.1099') !== undefined,
    );
    const coldMs = performance.now() - t0;
    const noop = await agent.syncNow();
    console.log(
      `cold start of 100 networks (10 VRFs, 100 ports): ${Math.round(coldMs)} ms to applied, last pass ${Math.round(cold.durationMs)} ms; no-op resync ${Math.round(noop.kernel.durationMs)} ms with ${noop.kernel.writes} netlink writes`,
    );
    expect(noop.kernel.writes).toBe(0);
    expect([...cold.kernel.networks.values()].every((n) => n.ready)).toBe(true);
    for (let i = 0; i < 100; i++) {
      await deleteObject(client, evpnResources.networks, { name: `bench-net-${i}` });
      await deleteObject(client, evpnResources.portSets, { name: `bench-net-${i}.${NODE}` });
    }
    for (let v = 0; v < 10; v++) await deleteObject(client, evpnResources.vrfs, { name: `bench-vrf-${v}` });
    const t1 = performance.now();
    await until(() => link('br-evpn') === undefined && link('vrf-30000') === undefined, 60_000);
    console.log(`teardown of 100 networks: ${Math.round(performance.now() - t1)} ms`);
  });
});
