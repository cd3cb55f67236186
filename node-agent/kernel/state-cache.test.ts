// The cache's bookkeeping (which kinds a monitor line makes stale, echoes,
// doubt, the relist interval); the kernel side is state-cache.uml.test.ts.
import { describe, expect, it } from 'vitest';
import type { ActualKernelState } from './actual-state.ts';
import type { KernelPlan } from './diff-kernel-state.ts';
import type { KernelPassResult } from './kernel-pass-result.ts';
import type { KernelAdapter } from './netlink/kernel-adapter.ts';
import { KernelStateCache } from './state-cache.ts';

const KINDS = {
  dumpLinks: 'links',
  dumpBridgeVlans: 'bridgePorts',
  dumpAddrs: 'addrs',
  dumpRoutes: 'routes',
  dumpNeighbors: 'neighbors',
  dumpFdb: 'fdb',
} as const;

/** Records which kinds are dumped; the uplink and one IRB exist. */
function recorder(): { kernel: KernelAdapter; dumped: string[] } {
  const dumped: string[] = [];
  const links = [
    { index: 5, name: 'evpn-uplink', master: 4 },
    { index: 7, name: 'br-evpn.2', master: 9 },
  ];
  const k = Object.fromEntries(
    Object.entries(KINDS).map(([m, kind]) => [
      m,
      () => {
        dumped.push(kind);
        return Promise.resolve(kind === 'links' ? links : []);
      },
    ]),
  );
  return { kernel: k as unknown as KernelAdapter, dumped };
}

const emptyPlan = (): KernelPlan => ({
  removes: [],
  linkDeletes: [],
  linkCreates: [],
  updates: [],
  creates: [],
  blocked: [],
});

async function listed(): Promise<{ cache: KernelStateCache; kernel: KernelAdapter; dumped: string[] }> {
  const cache = new KernelStateCache();
  const { kernel, dumped } = recorder();
  await cache.read(kernel, 1000);
  dumped.length = 0;
  return { cache, kernel, dumped };
}

describe('KernelStateCache', () => {
  it('keeps the last clean pass while the kernel is as it left it, for the same inputs only', async () => {
    const cache = new KernelStateCache();
    const { kernel } = recorder();
    await cache.read(kernel);
    const clean = { planned: 0, failed: 0 } as unknown as KernelPassResult;
    cache.rememberCleanPass('inputs-1', clean);
    expect(cache.cleanPass('inputs-1')).toBe(clean);
    expect(cache.cleanPass('inputs-2')).toBeUndefined();
    cache.onEvent('[NEIGH]Deleted 10.0.1.10 dev br-evpn.2 lladdr 02:b0:00:01:00:00 PERMANENT');
    expect(cache.cleanPass('inputs-1')).toBeUndefined();
    await cache.read(kernel);
    expect(cache.cleanPass('inputs-1')).toBeUndefined();
  });

  it('lists everything first, then reads nothing while no line arrives', async () => {
    const cache = new KernelStateCache();
    const { kernel, dumped } = recorder();
    expect(cache.fullDue(0)).toBe(true);
    await cache.read(kernel, 1000);
    expect(dumped.sort()).toEqual(Object.values(KINDS).sort());
    dumped.length = 0;
    await cache.read(kernel, 2000);
    expect(dumped).toEqual([]);
    expect(cache.stats.fullReads).toBe(1);
  });

  it('dumps only the kinds a line makes stale', async () => {
    const { cache, kernel, dumped } = await listed();
    const before = cache.changeCount;
    cache.onEvent('[NEIGH]Deleted 10.0.1.10 dev br-evpn.2 lladdr 02:b0:00:01:00:00 PERMANENT', 1000);
    cache.onEvent('Deleted 02:b0:00:01:00:00 dev evpn-uplink vlan 2 master br-evpn static', 1000);
    expect(cache.changeCount).toBeGreaterThan(before);
    await cache.read(kernel, 1000);
    expect(dumped.sort()).toEqual(['fdb', 'neighbors']);
  });

  it('ignores routes of other protocols, and a new link it does not know touches only links', async () => {
    const { cache, kernel, dumped } = await listed();
    const before = cache.changeCount;
    cache.onEvent('[ROUTE]local fe80::1 dev vx-200003 table local proto kernel metric 0 pref medium', 1000);
    cache.onEvent('[ROUTE]10.1.0.0/24 dev eth0 proto static', 1000);
    expect(cache.changeCount).toBe(before);
    cache.onEvent('[LINK]40: xdrift0: <BROADCAST,NOARP> mtu 1500 qdisc noop state DOWN group default', 1000);
    await cache.read(kernel, 1000);
    expect(dumped.sort()).toEqual(['bridgePorts', 'links']);
  });

  it('a known link going down or deleted makes every kind stale (the kernel flushes silently)', async () => {
    const { cache, kernel, dumped } = await listed();
    cache.onEvent(
      '[LINK]7: br-evpn.2@br-evpn: <BROADCAST,MULTICAST> mtu 1500 qdisc noqueue master vrf-100001 state DOWN',
      1000,
    );
    await cache.read(kernel, 1000);
    expect(dumped.sort()).toEqual(Object.values(KINDS).sort());
  });

  it('echoes of its own writes change nothing; the same object deleted by somebody else does', async () => {
    const { cache, kernel, dumped } = await listed();
    const plan = {
      ...emptyPlan(),
      creates: [
        {
          op: 'replaceNeighbor' as const,
          neighbor: { dev: 'br-evpn.2', dst: '10.0.1.10', lladdr: '02:b0:00:01:00:00' },
        },
      ],
    };
    const done = cache.beginWrites(plan, []);
    await cache.afterWrites(kernel, plan, []);
    done(1000);
    // Put in directly: no dump.
    expect(dumped).toEqual([]);
    expect(cache.stats.direct).toBe(1);
    const count = cache.changeCount;
    cache.onEvent('[NEIGH]10.0.1.10 dev br-evpn.2 lladdr 02:b0:00:01:00:00 PERMANENT', 1500);
    expect(cache.changeCount).toBe(count);
    expect(cache.stats.echoes).toBe(1);
    cache.onEvent('[NEIGH]Deleted 10.0.1.10 dev br-evpn.2 lladdr 02:b0:00:01:00:00 PERMANENT', 1600);
    expect(cache.changeCount).toBe(count + 1);
    const state: ActualKernelState = await cache.read(kernel, 1700);
    expect(dumped).toEqual(['neighbors']);
    expect(state.neighbors).toEqual([]);
  });

  it('lists everything again on doubt and after the safety interval', async () => {
    const { cache, kernel } = await listed();
    cache.invalidate();
    await cache.read(kernel, 2000);
    expect(cache.stats.fullReads).toBe(2);
    await cache.read(kernel, 2000 + 4 * 60_000);
    expect(cache.stats.fullReads).toBe(2);
    await cache.read(kernel, 2000 + 5 * 60_000);
    expect(cache.stats.fullReads).toBe(3);
  });
});
