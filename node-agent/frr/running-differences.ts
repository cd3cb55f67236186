// How what FRR runs differs from the rendered config, with the units FRR
// refused left out (they already fail their own object or the node, so they
// are neither drift nor a reason to fall back to frr-reload.py).
import type { FrrConfig } from './frr-config.ts';
import { maskRefused, refusedVrfDevices, type FrrRefusal } from './refusals.ts';
import { findVniProblems } from './running-config.ts';
import { diffStanzas, type FrrStanzas } from './stanzas.ts';

/** FRR's running config as read back, and its owned stanzas. */
export type Readback = { readonly text: string; readonly stanzas: FrrStanzas };

export type RunningDifferences = { changed: readonly string[]; vni: ReturnType<typeof findVniProblems> };

/** The differences between FRR and `config`, but for the refused units (each failing its own object or the node). */
export function findRunningDifferences(
  readback: Readback,
  config: FrrConfig,
  refusals: readonly FrrRefusal[],
): RunningDifferences {
  const refusedVrfs = refusedVrfDevices(refusals);
  const changed = diffStanzas(maskRefused(readback.stanzas, refusals), maskRefused(config.stanzas, refusals)).changed;
  return {
    changed,
    vni: findVniProblems(
      readback.text,
      config.vrfVnis.filter((v) => !refusedVrfs.has(v.vrf)),
    ),
  };
}

/** The periodic check's words for a restarted or drifted FRR. */
export function describeDrift(
  restarted: boolean,
  pids: string | undefined,
  { changed, vni }: RunningDifferences,
): string {
  const what = [
    ...(changed.length > 0 ? [`${changed.length} stanza(s) differ (${changed.slice(0, 5).join(', ')})`] : []),
    ...(vni.missing.length > 0
      ? [
          `VRFs without their VNI: ${vni.missing
            .map((m) => m.vrf)
            .slice(0, 5)
            .join(', ')}`,
        ]
      : []),
  ];
  return restarted
    ? `FRR daemons restarted (${pids})${what.length > 0 ? `; ${what.join('; ')}` : ''}`
    : `FRR drifted: ${what.join('; ')}`;
}
