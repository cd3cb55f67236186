// Test support: what FRR itself says about a change, read through vtysh in a
// pathspace (zebra's L3VNIs, mgmtd's commits). UML and integration suites only.
import { spawnSync } from 'node:child_process';

function vtysh(pathspace: string, command: string): string {
  return spawnSync('vtysh', ['-N', pathspace, '-c', command], { encoding: 'utf8', timeout: 60_000 }).stdout;
}

/**
 * The commit IDs mgmtd lists (FRR ≥ 10: each configuration line that changes
 * zebra's YANG data is one mgmtd commit; it shows the last 10); empty on 8.4.
 */
export function mgmtdCommits(pathspace: string): Set<string> {
  return new Set(
    vtysh(pathspace, 'show mgmt commit-history')
      .split('\n')
      .map((l) => /^\s*\d+\s+(\d{10,})\s/.exec(l)?.[1])
      .filter((id) => id !== undefined),
  );
}

/** How many commits mgmtd lists that were not in `before` (at most 10 are listed). */
export const newMgmtdCommits = (before: Set<string>, pathspace: string): number =>
  [...mgmtdCommits(pathspace)].filter((id) => !before.has(id)).length;

/** The VRFs whose L3VNI zebra runs (`show vrf vni json`), as `vrf=vni`. */
export function zebraL3Vnis(pathspace: string): string[] {
  const j = JSON.parse(vtysh(pathspace, 'show vrf vni json') || '{}') as { vrfs?: { vrf: string; vni: number }[] };
  return (j.vrfs ?? []).map((v) => `${v.vrf}=${v.vni}`);
}

/**
 * The running config without the empty `vrf NAME` / `exit-vrf` block FRR 10
 * prints for a VRF that exists in the kernel but has no configuration left
 * (mgmtd lists kernel VRFs; 8.4 prints nothing).
 */
export function withoutEmptyVrfBlock(running: string, name: string): string {
  return running.replace(new RegExp(`^vrf ${name}\\n(?:!\\n)?exit-vrf\\n`, 'm'), '');
}
