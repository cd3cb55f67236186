// Where one FRR apply spends its time (FrrApplyResult.phasesMs): the costs
// differ by orders of magnitude between phases, so the total alone says little.

/** Times consecutive phases of one apply: each `phase(name)` records the time since the previous one. */
export function startPhaseClock(): { phasesMs: Record<string, number>; phase: (name: string) => void } {
  const phasesMs: Record<string, number> = {};
  let mark = Date.now();
  const phase = (name: string): void => {
    phasesMs[name] = Date.now() - mark;
    mark = Date.now();
  };
  return { phasesMs, phase };
}
