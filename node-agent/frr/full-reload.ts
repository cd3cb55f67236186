// The applier's fallback when the stanza delta does not converge: a whole
// frr-reload.py --reload (seconds to minutes, hence only on failure).
import type { Logger } from 'pino';
import type { FrrConfig } from './frr-config.ts';
import type { FrrIo } from './io/frr-io.ts';
import type { VrfVni } from './running-config.ts';
import { repairVrfVnis } from './vni-repair.ts';

/** frr-reload.py --reload (twice at most), with the VNI repair and the --test check. */
export async function reloadFull(
  io: FrrIo,
  log: Logger | undefined,
  configPath: string,
  config: FrrConfig,
): Promise<{ reloads: number; repairedVnis: VrfVni[] }> {
  const nextPath = `${configPath}.next`;
  const repaired: VrfVni[] = [];
  let reloads = 0;
  // A second reload settles FRR quirks that need two steps (e.g. bgpd keeps
  // `neighbor X bfd` when `bfd profile` and `bfd` are removed together).
  for (let attempt = 0; attempt < 2; attempt += 1) {
    reloads += 1;
    // A failed reload may mean FRR is gone: asking it throws FrrUnavailableError then.
    if ((await io.reloadTool.reload(nextPath, config.text)).code !== 0) await io.show('zebra', 'show version');
    repaired.push(...(await repairVrfVnis(io, log, config.vrfVnis)));
    const residual = await io.reloadTool.residual(nextPath);
    if (residual.toAdd.length === 0 && residual.toDelete.length === 0) break;
    log?.warn({ residual, attempt }, 'FRR running config differs from the rendered config after reload');
  }
  return { reloads, repairedVnis: repaired };
}
