// Pure: the FRR lines a node drops for objects gone from the cluster that the
// rebuilt objects (node-actual.ts) cannot render. The node's status keeps a
// gone object's VNI, VLAN and table but not its RD or route targets, and an
// L2VNI renders a `vni N` block only for those (render.ts: without overrides
// advertise-all-vni needs none), so the plain render diff would plan no FRR
// deletion at all for a gone l2 network, and a gone VRF's stanza without its
// RD/RT lines. The agent removes the whole block or stanza either way; the plan
// says so with the block's header and a note for the lines it cannot list.
import type { EvpnNetwork, EvpnVrf } from '../../crds/index.ts';
import { vrfDevice } from '../../node-agent/inputs/device-names.ts';

export interface GoneFrr {
  /** Diff lines in changedLinesWithContext's form (context line, then `- ` lines). */
  lines: string[];
  notes: string[];
}

export function goneFrrLines(
  gone: { vrfs: readonly EvpnVrf[]; networks: readonly EvpnNetwork[] },
  asn: number,
  wasFrr: string,
): GoneFrr {
  const lines: string[] = [];
  const notes: string[] = [];
  const rendered = new Set(wasFrr.split('\n'));
  const l2 = gone.networks
    .filter((n) => n.spec.type === 'l2' && n.spec.vni !== undefined)
    .sort((a, b) => (a.spec.vni ?? 0) - (b.spec.vni ?? 0));
  for (const n of l2) {
    const vni = n.spec.vni ?? 0;
    notes.push(
      `EvpnNetwork ${n.metadata.name}: FRR drops its \`vni ${vni}\` block (under address-family l2vpn evpn) with the RD and route targets it had; the node's status does not hold them, so those lines are not listed`,
    );
    if (rendered.has(`  vni ${vni}`)) continue;
    if (lines.length === 0) lines.push(`  router bgp ${asn}`);
    lines.push(`-   vni ${vni}`, '-   exit-vni');
  }
  for (const v of gone.vrfs) {
    notes.push(
      `EvpnVrf ${v.metadata.name}: FRR drops \`router bgp ${asn} vrf ${vrfDevice(v.spec.vni)}\` whole, its RD and route targets too (not in the node's status, not listed)`,
    );
  }
  return { lines, notes };
}
