// Issue 27's FRR floors (adapter): the same work done by FRR alone, on the same
// guest, kernel state and rendered config as the applier's measures of the run.
import { writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { renderFrrConfig } from '../../node-agent/frr/render.ts';
import { CONVERGE_MS, converged, minimumRoutes, vnisUp } from './frr-converge.ts';
import { cpuNow, cpuSince } from './frr-cpu.ts';
import { ASN, EMPTY_BOOT_CONFIG, frrModel, killFrr, startFrr, type FrrNode } from './frr-nodes.ts';
import { rawVrfCommands, runtimeLinesOf } from './frr-raw-commands.ts';
import { rawAddByVty, rawRemoveByVty } from './frr-raw-vty.ts';
import { log, run } from './shell.ts';

export interface Timed {
  readonly ms: number;
  readonly cpu: Record<string, number>;
}

/** `vtysh -N ns -f file`, timed, with the CPU of node ns's daemons and of vtysh. */
async function vtyshF(ns: string, file: string, bgpRemovalMayWait = false): Promise<Timed> {
  const before = cpuNow(ns);
  const t0 = performance.now();
  const r = await run('vtysh', ['-N', ns, '-f', file], { timeoutMs: 2_400_000 });
  const refused = /line: (no router bgp \d+ vrf \S+)$/m.exec(r.stdout + r.stderr)?.[1];
  if (r.code !== 0 && bgpRemovalMayWait && refused !== undefined)
    log(`frr floor: '${refused}' refused at first, taken after ${await retryBgpRemoval(ns, refused)} more tries`);
  else if (r.code !== 0)
    throw new Error(`vtysh -N ${ns} -f ${file} exited ${r.code}: ${(r.stdout + r.stderr).slice(-2000)}`);
  const ms = performance.now() - t0;
  return { ms, cpu: cpuSince(before, cpuNow(ns)) };
}

/**
 * `no router bgp A vrf X` again until bgpd takes it: right after `no vni` (measured on FRR 10.7)
 * bgpd refuses it until zebra has told it the L3VNI is gone; that wait is FRR's own cost.
 */
async function retryBgpRemoval(ns: string, line: string): Promise<number> {
  for (let tries = 1; ; tries++) {
    const r = await run('vtysh', ['-N', ns, '-c', 'configure terminal', '-c', line]);
    if (r.code === 0) return tries;
    if (tries >= 600) throw new Error(`${line}: still refused after ${tries} tries: ${r.stdout}${r.stderr}`);
    await sleep(50);
  }
}

/**
 * The last network's VRF removed, then added back, each with its minimal commands in one `vtysh -f`;
 * then the same lines over the owning daemons' vty sockets.
 */
export async function measureRawOneVrf(
  a: FrrNode,
  viaVtysh = true,
): Promise<{ remove?: Timed; add?: Timed; vtyRemove: Timed; vtyAdd: Timed }> {
  const vrf = a.workload.networks.at(-1)?.spec.vrf;
  if (vrf === undefined) throw new Error('no network to remove');
  const raw = rawVrfCommands(renderFrrConfig(frrModel(a)), vrf, ASN);
  writeFileSync('/tmp/frr-raw-remove.conf', raw.remove);
  writeFileSync('/tmp/frr-raw-add.conf', raw.add);
  const vtyRemove = await rawRemoveByVty('a', raw);
  const vtyAdd = await rawAddByVty('a', raw);
  log(
    `frr floor: raw remove of ${vrf} over the vty sockets ${vtyRemove.ms.toFixed(0)} ms (${vtyRemove.tries} tries of the bgpd line), raw add ${vtyAdd.ms.toFixed(0)} ms`,
  );
  if (!viaVtysh) return { vtyRemove, vtyAdd };
  const remove = await vtyshF('a', '/tmp/frr-raw-remove.conf', true);
  const add = await vtyshF('a', '/tmp/frr-raw-add.conf');
  log(`frr floor: the same through vtysh -f: remove ${remove.ms.toFixed(0)} ms, add ${add.ms.toFixed(0)} ms`);
  return { remove, add, vtyRemove, vtyAdd };
}

/** FRR's own restart from the boot config the applier wrote: daemons killed, started, until every VNI is up, then until the routes are back. */
export async function measureRawRestart(
  n: number,
  [a, b]: [FrrNode, FrrNode],
): Promise<{ vnisUp: Timed; converged: number }> {
  const before = cpuNow('a'); // the new daemons count from their start
  await killFrr('a');
  const t0 = performance.now();
  await startFrr('a', false);
  await vnisUp('a', n, CONVERGE_MS);
  const tUp = performance.now() - t0;
  const cpu = cpuSince(before, cpuNow('a'));
  await converged(a, b, minimumRoutes(n), CONVERGE_MS, 'after the raw restart');
  const tBack = performance.now() - t0;
  log(
    `frr floor: FRR's own restart: every VNI up after ${tUp.toFixed(0)} ms, routes back after ${tBack.toFixed(0)} ms`,
  );
  return { vnisUp: { ms: tUp, cpu }, converged: tBack };
}

/** One `vtysh -f` of node a's rendered config into a freshly started, empty FRR; then until every VNI is up. */
export async function measureVtyshF(n: number, a: FrrNode): Promise<{ apply: Timed; vnisUp: number }> {
  await killFrr('a');
  writeFileSync('/etc/frr/a/frr.conf', EMPTY_BOOT_CONFIG);
  await startFrr('a', false);
  writeFileSync('/tmp/frr-floor-a.conf', runtimeLinesOf(renderFrrConfig(frrModel(a))));
  const t0 = performance.now();
  const apply = await vtyshF('a', '/tmp/frr-floor-a.conf');
  await vnisUp('a', n, CONVERGE_MS);
  const up = performance.now() - t0;
  log(
    `frr floor: one vtysh -f of the rendered config ${apply.ms.toFixed(0)} ms, every VNI up after ${up.toFixed(0)} ms`,
  );
  return { apply, vnisUp: up };
}
