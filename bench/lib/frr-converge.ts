// What the FRR bench waits for (adapter: reads over the daemons' vty sockets): both nodes have
// exchanged every EVPN route, or one node's VNIs are all up.
import { waitFor } from '../../test/harness/wait-for.ts';
import type { FrrNode } from './frr-nodes.ts';
import { vtyShow } from './frr-vty-show.ts';
import { log } from './shell.ts';

export interface PeerCounts {
  rcd: number;
  snt: number;
  state: string;
}

/**
 * How long any convergence may take: on the shared host the guest gets a fifth of a CPU at times
 * (measured: 8.4's restart at 1,000 VRFs went past 300 s), and a wait that gives up loses the run's later floors.
 */
export const CONVERGE_MS = 1_800_000;

/**
 * Every route of every network a node originates: type-3 per L2VNI, type-2 for its local port
 * (MAC and MAC+IP), type-5 for the subnet. It was 2 per network (type-3 + type-5), which ended the
 * 1,000-VRF waits while a node was still sending (8.4's restart: ~2,000 of its 4,000 routes). Not
 * counted: the VRF's unreachable default, which leaks as a type-5 0.0.0.0/0 from whichever node
 * has no peer's default in its VRF (bench/findings.md, a product defect), so its count moves.
 */
export const minimumRoutes = (n: number): number => 4 * n;

async function evpnCounts(ns: string, peer: string): Promise<PeerCounts> {
  const out = await vtyShow(ns, 'bgpd', 'show bgp l2vpn evpn summary json');
  try {
    const j = JSON.parse(out ?? '') as { peers?: Record<string, { pfxRcd?: number; pfxSnt?: number; state?: string }> };
    const p = j.peers?.[peer];
    return { rcd: p?.pfxRcd ?? -1, snt: p?.pfxSnt ?? -1, state: p?.state ?? '?' };
  } catch {
    return { rcd: -1, snt: -1, state: '?' };
  }
}

/** Both nodes have received what the other sends, at least `minimum` routes each. */
export async function converged(
  a: FrrNode,
  b: FrrNode,
  minimum: number,
  timeoutMs: number,
  what: string,
): Promise<[PeerCounts, PeerCounts]> {
  // Not converged yet: the probe throws the counts, which the timeout error quotes.
  const t0 = performance.now();
  let logged = t0;
  return waitFor(
    `convergence (${what})`,
    async (): Promise<[PeerCounts, PeerCounts]> => {
      const [ca, cb] = await Promise.all([evpnCounts('a', b.ip), evpnCounts('b', a.ip)]);
      if (ca.rcd >= minimum && cb.rcd >= minimum && ca.rcd === cb.snt && cb.rcd === ca.snt) return [ca, cb];
      // Progress every 10 s: where a slow convergence spends its time.
      if (performance.now() - logged > 10_000) {
        logged = performance.now();
        log(
          `  converging (${what}) +${((logged - t0) / 1000).toFixed(0)} s: a ${JSON.stringify(ca)}, b ${JSON.stringify(cb)}`,
        );
      }
      throw new Error(`a ${JSON.stringify(ca)}, b ${JSON.stringify(cb)}`);
    },
    { timeoutMs, stepMs: 100 },
  );
}

/** Up L3VNIs (`show vrf vni`) and L2VNIs zebra knows (`show evpn vni`) in `ns`. */
async function vniCounts(ns: string): Promise<{ l3Up: number; l2: number }> {
  const vrfOut = await vtyShow(ns, 'zebra', 'show vrf vni json');
  const evpnOut = await vtyShow(ns, 'zebra', 'show evpn vni json');
  try {
    const vrf = JSON.parse(vrfOut ?? '') as { vrfs?: { state?: string }[] };
    const evpn = JSON.parse(evpnOut ?? '') as Record<string, { type?: string }>;
    return {
      l3Up: (vrf.vrfs ?? []).filter((v) => v.state === 'Up').length,
      l2: Object.values(evpn).filter((v) => v.type === 'L2').length,
    };
  } catch {
    return { l3Up: -1, l2: -1 };
  }
}

/** Every one of the node's `n` L3VNIs is Up and zebra has all `n` L2VNIs. */
export async function vnisUp(ns: string, n: number, timeoutMs: number): Promise<void> {
  await waitFor(
    `all ${n} L3VNIs up and ${n} L2VNIs in ${ns}`,
    async () => {
      const c = await vniCounts(ns);
      if (c.l3Up >= n && c.l2 >= n) return true;
      throw new Error(`L3VNIs up ${c.l3Up}, L2VNIs ${c.l2}`);
    },
    { timeoutMs, stepMs: 200 },
  );
}
