// Scale figures of the adapter in the UML guest. Printed, not asserted (the
// guest's single CPU makes timings noisy); correctness is asserted.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { API_GROUP_VERSION } from '../../../crds/index.ts';
import type { EvpnNetwork, EvpnPortSet, EvpnVrf } from '../../../crds/index.ts';
import { bridgeJson, ipJson, requireUmlGuest } from '../../../test/harness/uml/oracle.ts';
import { NodeConfig } from '../../inputs/node-config.ts';
import { runKernelPass } from '../kernel-pass.ts';
import { OWNED_LINK_GROUP, RTPROT_OVN_EVPN } from '../ownership.ts';
import { type KernelAdapter, type KernelOp, openKernel } from './index.ts';

let k: KernelAdapter;
const rate = (n: number, ms: number): string => `${n} in ${ms.toFixed(0)} ms (${Math.round((n * 1000) / ms)}/s)`;
const time = async <T>(fn: () => Promise<T>): Promise<[T, number]> => {
  const t = performance.now();
  const r = await fn();
  return [r, performance.now() - t];
};
const mac = (i: number): string =>
  `02:00:${[(i >> 16) & 255, (i >> 8) & 255, i & 255].map((b) => b.toString(16).padStart(2, '0')).join(':')}:01`;

beforeAll(() => {
  requireUmlGuest();
  k = openKernel();
});

afterAll(() => {
  k.close();
});

it('creates, dumps and deletes 1,000 dummy and 1,000 vxlan links', async () => {
  const dummies: KernelOp[] = Array.from({ length: 1000 }, (_, i) => ({
    op: 'createLink',
    link: { kind: 'dummy', name: `kp-d${i}` },
  }));
  const vxlans: KernelOp[] = Array.from({ length: 1000 }, (_, i) => ({
    op: 'createLink',
    link: { kind: 'vxlan', name: `kp-vx${i}`, vni: 30000 + i, local: '10.0.0.1', learning: false },
  }));
  const [rd, td] = await time(() => k.applyBatch(dummies));
  const [rv, tv] = await time(() => k.applyBatch(vxlans));
  expect(rd.failed).toEqual([]);
  expect(rv.failed).toEqual([]);
  const [links, tdump] = await time(() => k.dumpLinks());
  expect(links.filter((l) => l.name.startsWith('kp-vx') && l.vxlan?.learning === false)).toHaveLength(1000);
  const writes = k.writeCount;
  const names = links.filter((l) => l.name.startsWith('kp-')).map((l) => l.name);
  const [del, tdel] = await time(() => k.deleteLinks(names, 256));
  expect(del.failed).toEqual([]);
  expect(k.writeCount - writes).toBe(2000);
  console.log(
    `links: create dummy ${rate(1000, td)}; create vxlan ${rate(1000, tv)}; dumpLinks of ${links.length} links ${tdump.toFixed(0)} ms; chunked delete ${rate(2000, tdel)}`,
  );
});

it('pipelining: 500 dummy links with 1, 64 and 256 requests in flight', async () => {
  const lines: string[] = [];
  for (const window of [1, 64, 256]) {
    const a = openKernel({ window });
    const ops: KernelOp[] = Array.from({ length: 500 }, (_, i) => ({
      op: 'createLink',
      link: { kind: 'dummy', name: `kw-d${i}` },
    }));
    const [r, t] = await time(() => a.applyBatch(ops));
    expect(r.ok).toBe(500);
    const [d, tdel] = await time(() =>
      a.deleteLinks(
        ops.map((_, i) => `kw-d${i}`),
        500,
      ),
    );
    expect(d.ok).toBe(500);
    lines.push(`window ${window}: create ${rate(500, t)}, delete ${rate(500, tdel)}`);
    a.close();
  }
  console.log(`pipelining (links):\n  ${lines.join('\n  ')}`);
});

it('adds, dumps and deletes 10,000 static FDB entries (master, vlan) on a vxlan port', async () => {
  const setup = await k.applyBatch([
    { op: 'createLink', link: { kind: 'bridge', name: 'kp-br', up: true } },
    {
      op: 'createLink',
      link: { kind: 'vxlan', name: 'kp-vx', vni: 10100, local: '10.0.0.1', master: 'kp-br', up: true },
    },
    { op: 'addBridgeVlan', vlan: { dev: 'kp-vx', vid: 101, pvid: true, untagged: true } },
  ]);
  expect(setup.failed).toEqual([]);
  const lines: string[] = [];
  for (const window of [1, 64, 256]) {
    const a = openKernel({ window });
    const adds: KernelOp[] = Array.from({ length: 10_000 }, (_, i) => ({
      op: 'addFdb',
      fdb: { dev: 'kp-vx', mac: mac(i), vlan: 101, master: true },
    }));
    const [r, t] = await time(() => a.applyBatch(adds));
    expect(r.failed).toEqual([]);
    const vx = await a.getLink('kp-vx');
    const [fdb, tdump] = await time(() => a.dumpFdb());
    expect(fdb.filter((e) => e.index === vx?.index && e.vlan === 101 && e.states.includes('noarp'))).toHaveLength(
      10_000,
    );
    const writes = a.writeCount;
    const [d, tdel] = await time(() =>
      a.applyBatch(adds.map((o) => (o.op === 'addFdb' ? { op: 'delFdb', fdb: o.fdb } : o))),
    );
    expect(d.failed).toEqual([]);
    expect(a.writeCount - writes).toBe(10_000);
    lines.push(
      `window ${window}: add ${rate(10_000, t)}; dumpFdb of ${fdb.length} entries ${tdump.toFixed(0)} ms; delete ${rate(10_000, tdel)}`,
    );
    a.close();
  }
  await k.deleteLinks(['kp-vx', 'kp-br']);
  console.log(`fdb:\n  ${lines.join('\n  ')}`);
});

it('a no-op kernel pass over a populated node makes zero writes, as the kernel sees it', async () => {
  const node = NodeConfig.parse({
    nodeName: 'perf',
    vtepIp: '10.0.0.1',
    bridge: 'kp-evpn',
    uplink: 'kp-up',
    uplinkPeer: 'kp-ovs',
  });
  const vrfs: EvpnVrf[] = Array.from({ length: 5 }, (_, v) => ({
    apiVersion: API_GROUP_VERSION,
    metadata: { name: `kp-vrf-${v}` },
    kind: 'EvpnVrf',
    spec: { vni: 50000 + v },
  }));
  const networks: EvpnNetwork[] = Array.from({ length: 50 }, (_, i) => ({
    apiVersion: API_GROUP_VERSION,
    metadata: { name: `kp-net-${i}` },
    kind: 'EvpnNetwork',
    spec: {
      type: 'l2',
      vni: 51000 + i,
      vrf: `kp-vrf-${i % 5}`,
      vlanId: 500 + i,
      subnets: [{ cidr: `10.77.${i}.0/24`, gateway: `10.77.${i}.1` }],
    },
  }));
  const portSets: EvpnPortSet[] = networks.map((n, i) => ({
    apiVersion: API_GROUP_VERSION,
    metadata: { name: `${n.metadata.name}.perf` },
    kind: 'EvpnPortSet',
    spec: {
      network: n.metadata.name,
      nodeName: 'perf',
      ports: [{ name: `kp-p${i}`, mac: mac(i), ips: [`10.77.${i}.10`] }],
    },
  }));
  const input = { vrfs, networks, portSets, rejectedVrfs: new Map(), rejectedNetworks: new Map() };
  // What the kernel holds of ours, read with iproute2 (not through the adapter):
  // any write (a re-created link gets a new ifindex) shows up here.
  // `ip -j link show group N` prints `{}` for each link outside the group.
  const ownedLinks = (): Record<string, unknown>[] =>
    (ipJson(['-d', 'link', 'show', 'group', String(OWNED_LINK_GROUP)]) as Record<string, unknown>[]).filter(
      (l) => l.ifname !== undefined,
    );
  const snapshot = (): string =>
    JSON.stringify([
      ownedLinks().map((l) => [l.ifindex, l.ifname, l.mtu, l.master, l.address, l.ifalias]),
      ipJson(['addr', 'show', 'scope', 'global']),
      ipJson(['route', 'show', 'table', 'all', 'proto', String(RTPROT_OVN_EVPN)]),
      ipJson(['neigh', 'show', 'nud', 'permanent']) as unknown[],
      bridgeJson(['fdb', 'show', 'dev', 'kp-up']) as unknown[],
      bridgeJson(['vlan', 'show']),
    ]);

  const cold = await runKernelPass(k, node, input);
  expect(cold.nodeErrors).toEqual([]);
  expect([...cold.networks.values()].every((n) => n.ready)).toBe(true);
  expect(cold.planned).toBeGreaterThan(400);
  expect(ownedLinks().length).toBeGreaterThan(100);
  expect(cold.writes).toBeGreaterThanOrEqual(cold.planned);
  const before = snapshot();
  const [noop, t] = await time(() => runKernelPass(k, node, input));
  expect(noop.changes).toEqual([]);
  expect(noop.planned).toBe(0);
  expect(noop.writes).toBe(0);
  expect(snapshot()).toBe(before);
  console.log(
    `no-op pass over 5 VRFs, 50 networks, 50 ports (${cold.writes} writes cold): ${t.toFixed(1)} ms, ${noop.writes} writes`,
  );

  const down = await runKernelPass(k, node, { ...input, vrfs: [], networks: [], portSets: [] });
  expect(down.nodeErrors).toEqual([]);
  expect(ownedLinks()).toEqual([]);
});
