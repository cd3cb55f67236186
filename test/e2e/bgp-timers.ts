// The BGP timers a session really runs with, from `show bgp neighbors PEER
// json` (the same keys on FRR 8.4 and 10.7). The agent pins keepalive, hold
// and connect-retry on its underlay neighbours (3 s / 9 s / 1 s,
// node-agent/frr/build-frr-model.ts) and the leaf's frr.conf does too, so no
// session depends on the defaults profile the daemons run (the `traditional`
// profile would give 60 s / 180 s / 120 s: a session that failed once would
// wait two minutes before it tried again).
import { z } from 'zod';

const Neighbor = z.object({
  bgpState: z.string().optional(),
  bgpTimerConfiguredHoldTimeMsecs: z.number(),
  bgpTimerConfiguredKeepAliveIntervalMsecs: z.number(),
  bgpTimerHoldTimeMsecs: z.number().optional(),
  connectRetryTimer: z.number(),
  minBtwnAdvertisementRunsTimerMsecs: z.number().optional(),
  connectionsEstablished: z.number().optional(),
  connectionsDropped: z.number().optional(),
});
export type BgpTimers = z.infer<typeof Neighbor>;

/** The timers of `peer` in the answer to `show bgp neighbors <peer> json`; throws with the answer when they are not there. */
export function parseBgpTimers(answer: unknown, peer: string): BgpTimers {
  const r = z.record(z.string(), z.unknown()).safeParse(answer);
  const n = Neighbor.safeParse(r.success ? r.data[peer] : undefined);
  if (!n.success) throw new Error(`no timers of ${peer} in ${JSON.stringify(answer).slice(0, 2000)}`);
  return n.data;
}

/** One line for the output: what the session runs with. */
export function describeBgpTimers(at: string, peer: string, t: BgpTimers): string {
  return (
    `BGP-TIMERS ${at} → ${peer}: keepalive ${String(t.bgpTimerConfiguredKeepAliveIntervalMsecs)} ms, ` +
    `hold ${String(t.bgpTimerConfiguredHoldTimeMsecs)} ms (negotiated ${String(t.bgpTimerHoldTimeMsecs ?? '?')}), ` +
    `connect-retry ${String(t.connectRetryTimer)} s, advertisement interval ${String(t.minBtwnAdvertisementRunsTimerMsecs ?? '?')} ms, ` +
    `established ${String(t.connectionsEstablished ?? '?')}×, dropped ${String(t.connectionsDropped ?? '?')}×`
  );
}
