// Test support: what each apply of a real FrrApplier did (mode, reloads,
// refusals), for suites that drive it through the agent's FrrUnit, which keeps
// only the outcome. The applier itself runs unchanged against real FRR.
import type { FrrApplier, FrrApplyResult } from '../../../node-agent/frr/reload.ts';

/** Records every result of `applier.apply` from now on, in order. */
export function recordApplies(applier: FrrApplier): FrrApplyResult[] {
  const results: FrrApplyResult[] = [];
  const apply = applier.apply.bind(applier);
  applier.apply = async (config) => {
    const r = await apply(config);
    results.push(r);
    return r;
  };
  return results;
}
