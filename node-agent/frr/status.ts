// vtysh JSON -> typed FrrStatus. Pure: the applier passes the raw outputs in.
// Schemas accept FRR 8.4's shapes and ignore fields we do not use; FRR prints
// some counters as "n/a" strings, which become null.
import { z } from 'zod';

const count = z.union([z.number(), z.string()]).transform((v) => (typeof v === 'number' ? v : null));

/** `show evpn vni json`: zebra's VNIs, keyed by VNI. */
const EvpnVniJson = z.record(
  z.string(),
  z.object({
    vni: z.number(),
    type: z.string(),
    vxlanIf: z.string().optional(),
    numMacs: count.optional(),
    numArpNd: count.optional(),
    numRemoteVteps: count.optional(),
    tenantVrf: z.string().optional(),
  }),
);

/** `show vrf vni json`. */
const VrfVniJson = z.object({
  vrfs: z
    .array(
      z.object({
        vrf: z.string(),
        vni: z.number(),
        vxlanIntf: z.string().optional(),
        sviIntf: z.string().optional(),
        state: z.string(),
        routerMac: z.string().optional(),
      }),
    )
    .default([]),
});

/** `show bgp l2vpn evpn summary json` ({} when there is no BGP instance). */
const EvpnSummaryJson = z.object({
  routerId: z.string().optional(),
  as: z.number().optional(),
  peers: z
    .record(
      z.string(),
      z.object({
        remoteAs: z.number().optional(),
        state: z.string(),
        pfxRcd: z.number().optional(),
        peerUptimeMsec: z.number().optional(),
      }),
    )
    .default({}),
});

/** `show bgp l2vpn evpn route vni N json`: {"[2]:...": {...}, "[3]:...": {...}, "numPrefix": N, ...}. */
const EvpnVniRoutesJson = z.record(z.string(), z.unknown());

/** `show bgp l2vpn evpn route type prefix json`. */
const EvpnPrefixRoutesJson = z.object({ numPrefix: z.number().default(0) });

export type FrrVniStatus = {
  readonly vni: number;
  readonly type: 'L2' | 'L3' | 'unknown';
  readonly vxlanInterface: string | null;
  readonly tenantVrf: string | null;
  readonly macs: number | null;
  readonly arpNd: number | null;
  readonly remoteVteps: number | null;
  /** Type-2 (MAC/IP) routes in BGP for this L2VNI. */
  readonly macIpRoutes: number;
  /** Type-3 (inclusive multicast) routes: one per VTEP that floods this L2VNI. */
  readonly multicastRoutes: number;
  /** The originating VTEPs of those type-3 routes (this node's own included), sorted. */
  readonly floodVteps: readonly string[];
};

export type FrrVrfStatus = {
  readonly vrf: string;
  readonly vni: number;
  readonly state: string;
  readonly vxlanInterface: string | null;
  readonly sviInterface: string | null;
  readonly routerMac: string | null;
};

export type FrrPeerStatus = {
  readonly peer: string;
  readonly remoteAs: number | null;
  readonly state: string;
  readonly established: boolean;
  readonly prefixesReceived: number;
  readonly uptimeMs: number;
};

export type FrrStatus = {
  readonly vnis: readonly FrrVniStatus[];
  readonly vrfs: readonly FrrVrfStatus[];
  readonly evpnPeers: readonly FrrPeerStatus[];
  /** Type-5 (IP prefix) routes in the global EVPN table. */
  readonly prefixRoutes: number;
};

export type FrrStatusOutputs = {
  readonly evpnVni: string;
  readonly vrfVni: string;
  readonly evpnSummary: string;
  /** `show bgp l2vpn evpn route vni N json` of each L2VNI (vniRouteCommands), keyed by VNI. */
  readonly routesByVni: ReadonlyMap<number, string>;
  readonly prefixRoutes: string;
};

/** Thrown when vtysh answers with something that is not the JSON we expect. */
export class FrrStatusParseError extends Error {
  override readonly name = 'FrrStatusParseError';
}

function parseJson<T>(schema: z.ZodType<T>, text: string, command: string): T {
  let raw: unknown;
  try {
    raw = text.trim() === '' ? {} : JSON.parse(text);
  } catch {
    throw new FrrStatusParseError(`${command}: not JSON: ${text.slice(0, 200)}`);
  }
  const result = schema.safeParse(raw);
  if (!result.success) throw new FrrStatusParseError(`${command}: ${z.prettifyError(result.error)}`);
  return result.data;
}

/** A type-3 route's key ends with its originating router's address: `[3]:[0]:[32]:[10.0.0.2]`. */
const TYPE3_KEY = /^\[3\]:\[\d+\]:\[(?:32|128)\]:\[([0-9a-fA-F.:]+)\]$/;

function countRouteTypes(vniEntry: unknown): { macIp: number; multicast: number; floodVteps: string[] } {
  let macIp = 0;
  let multicast = 0;
  const floodVteps: string[] = [];
  if (typeof vniEntry === 'object' && vniEntry !== null) {
    for (const key of Object.keys(vniEntry)) {
      if (key.startsWith('[2]')) macIp += 1;
      else if (key.startsWith('[3]')) {
        multicast += 1;
        const ip = TYPE3_KEY.exec(key)?.[1];
        if (ip !== undefined) floodVteps.push(ip);
      }
    }
  }
  return { macIp, multicast, floodVteps: floodVteps.sort() };
}

/**
 * One `show bgp l2vpn evpn route vni N json` per L2VNI in zebra's `show evpn
 * vni json`, not one `route vni all json`: FRR 10.7.1's bgpd frees memory twice
 * in that command (FRRouting/frr#23137), and a later command on any connection
 * then kills bgpd (measured in the guest; 8.4 answers both forms alike).
 * The caller sends them on one connection, so they cost no process each.
 */
export function vniRouteCommands(evpnVniText: string): { vni: number; command: string }[] {
  const evpnVni = parseJson(EvpnVniJson, evpnVniText, 'show evpn vni json');
  return Object.values(evpnVni)
    .filter((v) => v.type === 'L2')
    .map((v) => v.vni)
    .sort((a, b) => a - b)
    .map((vni) => ({ vni, command: `show bgp l2vpn evpn route vni ${vni} json` }));
}

const byNumber = (a: { vni: number }, b: { vni: number }): number => a.vni - b.vni;

export function parseFrrStatus(out: FrrStatusOutputs): FrrStatus {
  const evpnVni = parseJson(EvpnVniJson, out.evpnVni, 'show evpn vni json');
  const vrfVni = parseJson(VrfVniJson, out.vrfVni, 'show vrf vni json');
  const summary = parseJson(EvpnSummaryJson, out.evpnSummary, 'show bgp l2vpn evpn summary json');
  const routes = new Map(
    [...out.routesByVni].map(([vni, text]) => [
      vni,
      parseJson(EvpnVniRoutesJson, text, `show bgp l2vpn evpn route vni ${vni} json`),
    ]),
  );
  const prefix = parseJson(EvpnPrefixRoutesJson, out.prefixRoutes, 'show bgp l2vpn evpn route type prefix json');

  const vnis = Object.values(evpnVni)
    .map((v): FrrVniStatus => {
      const counts = countRouteTypes(routes.get(v.vni));
      return {
        vni: v.vni,
        type: v.type === 'L2' || v.type === 'L3' ? v.type : 'unknown',
        vxlanInterface: v.vxlanIf === undefined || v.vxlanIf === 'None' ? null : v.vxlanIf,
        tenantVrf: v.tenantVrf === undefined || v.tenantVrf === 'Unknown' ? null : v.tenantVrf,
        macs: v.numMacs ?? null,
        arpNd: v.numArpNd ?? null,
        remoteVteps: v.numRemoteVteps ?? null,
        macIpRoutes: counts.macIp,
        multicastRoutes: counts.multicast,
        floodVteps: counts.floodVteps,
      };
    })
    .sort(byNumber);
  const none = (s: string | undefined): string | null => (s === undefined || s === 'None' ? null : s);
  const vrfs = vrfVni.vrfs
    .map((v): FrrVrfStatus => ({
      vrf: v.vrf,
      vni: v.vni,
      state: v.state,
      vxlanInterface: none(v.vxlanIntf),
      sviInterface: none(v.sviIntf),
      routerMac: none(v.routerMac),
    }))
    .sort((a, b) => (a.vrf < b.vrf ? -1 : a.vrf > b.vrf ? 1 : 0));
  const evpnPeers = Object.entries(summary.peers)
    .map(([peer, p]): FrrPeerStatus => ({
      peer,
      remoteAs: p.remoteAs ?? null,
      state: p.state,
      established: p.state === 'Established',
      prefixesReceived: p.pfxRcd ?? 0,
      uptimeMs: p.peerUptimeMsec ?? 0,
    }))
    .sort((a, b) => (a.peer < b.peer ? -1 : a.peer > b.peer ? 1 : 0));
  return { vnis, vrfs, evpnPeers, prefixRoutes: prefix.numPrefix };
}
