// Issue 27's one-VRF floor over the daemons' own vty sockets (adapter): the
// minimal lines, each sent once to the daemon that owns it, the transport the
// applier uses (node-agent/frr/vty.ts), with none of its planning, read-back
// or confirmation. `vtysh -f` (frr-floors.ts) is the other floor: FRR's CLI.
import { setTimeout as sleep } from 'node:timers/promises';
import { hasMgmtd } from '../../test/harness/frr/frr-test-instance.ts';
import { isVtyRefusal, VtyConnection } from '../../node-agent/frr/vty.ts';
import { cpuNow, cpuSince } from './frr-cpu.ts';
import type { RawVrfCommands } from './frr-raw-commands.ts';
import type { Timed } from './frr-floors.ts';

async function session(ns: string, daemon: string): Promise<VtyConnection> {
  const c = await VtyConnection.open(`/var/run/frr/${ns}/${daemon}.vty`, 5_000, 600_000);
  await c.run('configure terminal');
  return c;
}

async function sendLines(c: VtyConnection, lines: readonly string[]): Promise<void> {
  for (const line of lines) {
    const r = await c.run(line);
    if (isVtyRefusal(r)) throw new Error(`vty refused '${line}': ${r.output.trim()}`);
  }
}

/** bgpd refuses to delete the instance until zebra has told it the L3VNI is gone (FRR's own wait): resend until taken. */
async function sendUntilTaken(c: VtyConnection, line: string): Promise<number> {
  for (let tries = 1; ; tries++) {
    const r = await c.run(line);
    if (!isVtyRefusal(r)) return tries;
    if (tries >= 600) throw new Error(`vty refused '${line}' ${tries} times: ${r.output.trim()}`);
    await sleep(50);
  }
}

async function timedSessions(
  ns: string,
  work: (zebra: VtyConnection, bgpd: VtyConnection) => Promise<void>,
): Promise<Timed> {
  const before = cpuNow(ns);
  const t0 = performance.now();
  const zebra = await session(ns, hasMgmtd() ? 'mgmtd' : 'zebra');
  const bgpd = await session(ns, 'bgpd');
  try {
    await work(zebra, bgpd);
    await zebra.run('end');
    await bgpd.run('end');
  } finally {
    zebra.close();
    bgpd.close();
  }
  return { ms: performance.now() - t0, cpu: cpuSince(before, cpuNow(ns)) };
}

export async function rawRemoveByVty(ns: string, raw: RawVrfCommands): Promise<Timed & { tries: number }> {
  let tries = 0;
  const t = await timedSessions(ns, async (zebra, bgpd) => {
    await sendLines(zebra, raw.vty.zebraRemove);
    tries = await sendUntilTaken(bgpd, raw.vty.bgpRemove);
  });
  return { ...t, tries };
}

export async function rawAddByVty(ns: string, raw: RawVrfCommands): Promise<Timed> {
  return timedSessions(ns, async (zebra, bgpd) => {
    await sendLines(zebra, raw.vty.zebraAdd);
    await sendLines(bgpd, raw.vty.bgpAdd);
  });
}
