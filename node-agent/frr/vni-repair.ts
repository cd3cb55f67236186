// The L3VNI repair: FRR (8.4) sometimes drops a VRF's `vni` line (after a
// reload or a VRF cycled under it); it is put back through vtysh, without a
// full reload.
import type { Logger } from 'pino';
import type { FrrIo } from './io/frr-io.ts';
import { findVniProblems, hasVniProblems, planVniRepair, type VrfVni } from './running-config.ts';

/** Restores the VNIs of `problems` through vtysh; returns what was repaired. */
export async function repairVniProblems(
  io: FrrIo,
  log: Logger | undefined,
  problems: ReturnType<typeof findVniProblems>,
): Promise<VrfVni[]> {
  log?.warn({ problems }, 'FRR lost VRF VNIs; repairing');
  await io.configure(planVniRepair(problems));
  return problems.missing.map((m) => ({ vrf: m.vrf, vni: m.vni }));
}

/** Checks that every VRF still has its L3VNI in FRR and restores it through vtysh; returns what was repaired. */
export async function repairVrfVnis(io: FrrIo, log: Logger | undefined, desired: readonly VrfVni[]): Promise<VrfVni[]> {
  if (desired.length === 0) return [];
  // Through vtysh on purpose: the stray `vrf-policy X` of frr-reload's second pass shows in vtysh's merged view.
  const problems = findVniProblems(await io.readMerged(), desired);
  if (!hasVniProblems(problems)) return [];
  return repairVniProblems(io, log, problems);
}
