// Pure checks of FRR's running config after a reload, and the vtysh commands
// that repair what frr-reload.py breaks.
//
// Why the L3VNI disappears (measured, FRR 8.4.4 frr-reload.py): when the first
// pass does not converge, pass 2 replays every pass-1 addition into one
// `vtysh -f` file right after the pass-2 lines. If the line before the replayed
// `vrf X` block is inside `router bgp`, vtysh matches `vrf X` in that node by
// abbreviation as bgpd's VNC `vrf-policy X`; the following ` vni N` then lands
// at the top level as the *global* `vni N` (the default VRF's L3VNI), so the
// tenant VRF loses its VNI, zebra rejects the real `vrf X / vni N` ("VNI N is
// already configured as L3-VNI") and type-5 routes of that VRF vanish with no
// error besides frr-reload's exit code. The renderer avoids non-converging
// lines, but any FRR quirk re-opens the hole, so the applier checks after
// every reload.

export type VrfVni = { readonly vrf: string; readonly vni: number };

export type VniProblems = {
  /** Desired VRFs whose running `vrf X` block lacks the VNI (runningVni: what it has instead). */
  readonly missing: readonly (VrfVni & { readonly runningVni?: number })[];
  /** Top-level `vni N`: never rendered by us, only produced by the misparse above. */
  readonly strayGlobalVnis: readonly number[];
  /** `vrf-policy X` under `router bgp ASN`: the other half of the misparse. */
  readonly strayVrfPolicies: readonly { readonly asn: number; readonly name: string }[];
};

/** Reads `vrf X / vni N` blocks, top-level `vni N` and `vrf-policy` lines from `show running-config`. */
export function readVrfVnis(runningConfig: string): {
  vrfVnis: Map<string, number>;
  globalVnis: number[];
  vrfPolicies: { asn: number; name: string }[];
} {
  const vrfVnis = new Map<string, number>();
  const globalVnis: number[] = [];
  const vrfPolicies: { asn: number; name: string }[] = [];
  let vrf: string | undefined;
  let bgpAsn: number | undefined;
  for (const line of runningConfig.split('\n')) {
    if (!line.startsWith(' ')) {
      vrf = undefined;
      bgpAsn = undefined;
      const vrfMatch = /^vrf (\S+)$/.exec(line);
      const vniMatch = /^vni (\d+)/.exec(line);
      const bgpMatch = /^router bgp (\d+)$/.exec(line);
      if (vrfMatch?.[1] !== undefined) vrf = vrfMatch[1];
      else if (vniMatch?.[1] !== undefined) globalVnis.push(Number(vniMatch[1]));
      else if (bgpMatch?.[1] !== undefined) bgpAsn = Number(bgpMatch[1]);
      continue;
    }
    if (vrf !== undefined) {
      const m = /^ vni (\d+)/.exec(line);
      if (m?.[1] !== undefined) vrfVnis.set(vrf, Number(m[1]));
    } else if (bgpAsn !== undefined) {
      const m = /^ vrf-policy (\S+)$/.exec(line);
      if (m?.[1] !== undefined) vrfPolicies.push({ asn: bgpAsn, name: m[1] });
    }
  }
  return { vrfVnis, globalVnis, vrfPolicies };
}

export function findVniProblems(runningConfig: string, desired: readonly VrfVni[]): VniProblems {
  const running = readVrfVnis(runningConfig);
  const missing: (VrfVni & { runningVni?: number })[] = [];
  for (const want of desired) {
    const have = running.vrfVnis.get(want.vrf);
    if (have === want.vni) continue;
    missing.push(have === undefined ? { ...want } : { ...want, runningVni: have });
  }
  return { missing, strayGlobalVnis: running.globalVnis, strayVrfPolicies: running.vrfPolicies };
}

export function hasVniProblems(p: VniProblems): boolean {
  return p.missing.length > 0 || p.strayGlobalVnis.length > 0 || p.strayVrfPolicies.length > 0;
}

/**
 * The `vtysh -c` sequence (one process) that repairs the problems: stray global
 * VNIs go first, since zebra refuses a VNI that is already an L3VNI elsewhere.
 */
export function planVniRepair(p: VniProblems): string[] {
  if (!hasVniProblems(p)) return [];
  const cmds = ['configure terminal'];
  for (const vni of p.strayGlobalVnis) cmds.push(`no vni ${vni}`);
  for (const policy of p.strayVrfPolicies) {
    cmds.push(`router bgp ${policy.asn}`, `no vrf-policy ${policy.name}`, 'exit');
  }
  for (const m of p.missing) {
    cmds.push(`vrf ${m.vrf}`);
    if (m.runningVni !== undefined) cmds.push(`no vni ${m.runningVni}`);
    cmds.push(`vni ${m.vni}`, 'exit-vrf');
  }
  cmds.push('end');
  return cmds;
}

export type ReloadTestDiff = { readonly toDelete: readonly string[]; readonly toAdd: readonly string[] };

/** Parses `frr-reload.py --test` output ("Lines To Delete" / "Lines To Add" sections). */
export function parseReloadTestOutput(stdout: string): ReloadTestDiff {
  const toDelete: string[] = [];
  const toAdd: string[] = [];
  let section: string[] | undefined;
  for (const line of stdout.split('\n')) {
    if (line === 'Lines To Delete') section = toDelete;
    else if (line === 'Lines To Add') section = toAdd;
    else if (/^=+$/.test(line) || line.trim() === '') continue;
    else section?.push(line);
  }
  return { toDelete, toAdd };
}

/**
 * Differences frr-reload reports forever and that do not matter: FRR keeps the
 * system hostname (we leave `hostname` out on purpose) and bfdd keeps an empty
 * `bfd` node once BFD was configured. Deletions are only run in pass 1, so they
 * never trigger the pass-2 replay described above. Nothing else: FRR 10.7.1's
 * ` use-underlays-nexthop-weight` (printed while deterministic-med is on) does
 * not show with our `no bgp deterministic-med` (render.ts), so it is a difference.
 */
export function residualDiff(diff: ReloadTestDiff): ReloadTestDiff {
  return {
    toDelete: diff.toDelete.filter((l) => !/^no hostname \S+$/.test(l) && l !== 'no bfd'),
    toAdd: diff.toAdd,
  };
}
