// Read-only probes of a benchmarked FRR over its daemons' vty sockets
// (adapter). Why not vtysh: one vtysh start costs 1–1.6 s of CPU on 8.4 and
// 2–3 s on 10.7 in the one-CPU guest (profile.frr.raw_*), so polling through it
// every 100 ms starved the very daemons being timed (the full runs' convergence
// waits); one `show` over a socket costs the daemon's answer only.
import { VtyConnection, isVtyFailure } from '../../node-agent/frr/vty.ts';

/** The output of one `show` command from `daemon` in pathspace `ns`, or undefined while it does not answer. */
export async function vtyShow(ns: string, daemon: string, command: string): Promise<string | undefined> {
  let c: VtyConnection | undefined;
  try {
    c = await VtyConnection.open(`/var/run/frr/${ns}/${daemon}.vty`, 5_000, 120_000);
    const r = await c.run(command);
    return isVtyFailure(r.status) ? undefined : r.output;
  } catch {
    return undefined;
  } finally {
    c?.close();
  }
}
