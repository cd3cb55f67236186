// The kernel-state cache on the real kernel (UML guest) with the real
// monitors (`ip monitor`, `bridge monitor fdb`): after a burst of changes made
// with `ip`/`bridge` behind the agent's back (links, routes, neighbours, FDB
// entries added and removed), the cache equals a fresh dump without a full
// relist, and a pass repairs the drift from it, after which the kernel is
// exactly the render and the next pass writes nothing.
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeWorkload, portMac, subnetOf } from '../../bench/lib/node-workload.ts';
import { requireUmlGuest } from '../../test/harness/uml/oracle.ts';
import { readActualState, type ActualKernelState } from './actual-state.ts';
import { diffKernelState, planSize } from './diff-kernel-state.ts';
import { runKernelPass, type KernelPassInput } from './kernel-pass.ts';
import { DriftWatch } from './netlink/drift-watch.ts';
import { openKernel, type KernelAdapter } from './netlink/kernel-adapter.ts';
import { renderKernelState } from './render-kernel-state.ts';
import { KernelStateCache } from './state-cache.ts';
import { ECHO_WINDOW_MS } from './own-writes.ts';
import { RTPROT_OVN_EVPN } from './ownership.ts';

const w = nodeWorkload({ networks: 6, ports: 24 });
/** The routing table of vrf-100001 (network 1). */
const TABLE = String(1_000_000 + 100_001);
const input = (cache: KernelStateCache): KernelPassInput => ({
  vrfs: w.vrfs,
  networks: w.networks,
  portSets: w.portSets,
  rejectedVrfs: new Map(),
  rejectedNetworks: new Map(),
  cache,
});
const sh = (cmd: string, ...args: string[]): void => {
  execFileSync(cmd, args, { stdio: 'pipe' });
};
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

let kernel: KernelAdapter;
let monitor: DriftWatch;
let cache: KernelStateCache;
let off: () => void;

/**
 * Until the monitors have been quiet for a while (their lines reached the
 * cache) and the echo window of the last pass is over: a change by somebody
 * else to what the agent wrote within that window looks like an echo and is
 * seen at the next full relist (state-cache.ts).
 */
async function settled(): Promise<void> {
  let seen = -1;
  for (let i = 0; i < 100; i++) {
    const now = cache.stats.events + cache.stats.echoes + cache.stats.invalidations;
    if (now === seen) break;
    seen = now;
    await sleep(500);
  }
  await sleep(ECHO_WINDOW_MS);
}

/** A state in a stable order, without what changes by itself (neighbour states the kernel moves, link operstate). */
function canonical(s: ActualKernelState): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [k, rows] of Object.entries(s) as [string, object[]][]) {
    out[k] = rows.map((r) => JSON.stringify(r, (key, v: unknown) => (key === 'operstate' ? undefined : v))).sort();
  }
  out.neighbors = s.neighbors
    .filter((n) => (n.state & 0x80) !== 0)
    .map((n) => `${n.index}|${n.dst}|${n.lladdr ?? ''}|${n.flags}`)
    .sort();
  return out;
}

beforeAll(async () => {
  requireUmlGuest();
  kernel = openKernel();
  monitor = new DriftWatch();
  cache = new KernelStateCache();
  off = monitor.subscribeEvents((e) => {
    if ('line' in e) cache.onEvent(e.line);
    else cache.invalidate();
  });
  await sleep(500);
  const cold = await runKernelPass(kernel, w.node, input(cache));
  expect(cold.failed).toBe(0);
  await settled();
});

afterAll(async () => {
  await runKernelPass(kernel, w.node, { ...input(cache), vrfs: [], networks: [], portSets: [] });
  off();
  monitor.close();
  kernel.close();
});

describe('the kernel-state cache, fed by the monitors', () => {
  it('after the cold start, a pass with nothing to do reads nothing from the kernel and writes nothing', async () => {
    const before = { ...cache.stats };
    console.log(`after the cold start: ${JSON.stringify(before)}; stale after: ${cache.lastEvents.join(' / ')}`);
    const r = await runKernelPass(kernel, w.node, input(cache));
    expect(r.writes).toBe(0);
    expect(r.planned).toBe(0);
    expect(cache.stats.fullReads).toBe(before.fullReads);
    expect(cache.stats.kindReads).toBe(before.kindReads);
    expect(canonical(await cache.read(kernel))).toEqual(canonical(await readActualState(kernel)));
  });

  it('equals a fresh dump after a burst of external changes, without a full dump, and the drift is repaired from it', async () => {
    const fullReads = cache.stats.fullReads;
    const net = subnetOf(1);
    // Links, routes, neighbours and FDB entries, added and removed behind the agent's back.
    sh('ip', 'link', 'add', 'xdrift0', 'type', 'dummy');
    sh('ip', 'link', 'add', 'xdrift1', 'type', 'dummy');
    sh('ip', 'link', 'del', 'xdrift0');
    sh('ip', 'route', 'add', 'blackhole', '192.0.2.0/24', 'table', TABLE, 'proto', String(RTPROT_OVN_EVPN));
    sh('ip', 'route', 'add', 'blackhole', '198.51.100.0/24', 'table', TABLE, 'proto', String(RTPROT_OVN_EVPN));
    sh('ip', 'route', 'del', 'blackhole', '198.51.100.0/24', 'table', TABLE);
    sh('ip', 'neigh', 'del', `${net}.10`, 'dev', 'br-evpn.2');
    sh('ip', 'neigh', 'add', `${net}.200`, 'lladdr', '02:00:00:00:00:c8', 'dev', 'br-evpn.2', 'nud', 'permanent');
    sh('bridge', 'fdb', 'del', portMac(1, 0), 'dev', w.node.uplink, 'vlan', '2', 'master');
    await settled();
    expect(cache.stats.events).toBeGreaterThan(0);
    expect(canonical(await cache.read(kernel))).toEqual(canonical(await readActualState(kernel)));
    expect(cache.stats.fullReads).toBe(fullReads);

    const repair = await runKernelPass(kernel, w.node, input(cache));
    expect(repair.failed).toBe(0);
    // The stray route and neighbour removed, the lost neighbour and FDB entry put back.
    expect(repair.changes).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^delete route blackhole 192\.0\.2\.0\/24/),
        expect.stringMatching(new RegExp(`^delete neighbour ${net}\\.200 `)),
        expect.stringMatching(new RegExp(`^replace neighbour ${net}\\.10 `)),
        expect.stringMatching(/^replace fdb entry /),
      ]),
    );
    expect(cache.stats.fullReads).toBe(fullReads);
    const desired = renderKernelState(w.node, w.vrfs, w.networks, w.portSets).desired;
    expect(planSize(diffKernelState(desired, await readActualState(kernel)))).toBe(0);
    await settled();
    const next = await runKernelPass(kernel, w.node, input(cache));
    expect(next.writes).toBe(0);
    expect(canonical(await cache.read(kernel))).toEqual(canonical(await readActualState(kernel)));
    expect(cache.stats.fullReads).toBe(fullReads);
    sh('ip', 'link', 'del', 'xdrift1');
  }, 120_000);

  it('an owned device set down behind its back makes everything stale (the kernel flushes silently) and is repaired', async () => {
    sh('ip', 'link', 'set', 'vxlan-200003', 'down');
    await settled();
    const repair = await runKernelPass(kernel, w.node, input(cache));
    expect(repair.failed).toBe(0);
    expect(repair.changes).toContain('set link vxlan-200003');
    const desired = renderKernelState(w.node, w.vrfs, w.networks, w.portSets).desired;
    expect(planSize(diffKernelState(desired, await readActualState(kernel)))).toBe(0);
    await settled();
    expect(canonical(await cache.read(kernel))).toEqual(canonical(await readActualState(kernel)));
  }, 120_000);

  it('lists everything again on doubt', async () => {
    const fullReads = cache.stats.fullReads;
    cache.invalidate();
    await cache.read(kernel);
    expect(cache.stats.fullReads).toBe(fullReads + 1);
  });
});
