// The daemons' vty sockets (vty.ts): the normal way to FRR. The delta goes
// block by block to the daemon that owns each block, one connection per
// daemon in config mode, so the status of every line is known and a refused
// line fails only its unit (refusals.ts); reads are one command per fresh
// connection. No process per call (bench/frr-profile.ts, findings §5).
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import { plainRefusalMessage, refusalUnitEnd, type FrrRefusal } from '../refusals.ts';
import { ownersOf, type Block, type DaemonName } from '../stanzas.ts';
import { isVtyRefusal, VtyConnection } from '../vty.ts';
import { FrrUnavailableError, messageOf } from './run-command.ts';
import { configDaemons, runningConfigSockets } from './frr-daemons.ts';

export type VtySockets = ReadonlyMap<DaemonName, string>;

/** One command on a fresh connection to a daemon's vty socket; its output. */
export async function askVty(path: string, command: string, timeoutMs: number): Promise<string> {
  const c = await VtyConnection.open(path, 5_000, timeoutMs);
  try {
    return (await c.run(command)).output;
  } finally {
    c.close();
  }
}

/** Commands on one fresh connection, pipelined (replies come in order); their outputs. */
export async function askVtyEach(path: string, commands: readonly string[], timeoutMs: number): Promise<string[]> {
  const c = await VtyConnection.open(path, 5_000, timeoutMs);
  try {
    return (await c.runAll(commands)).map((r) => r.output);
  } finally {
    c.close();
  }
}

/** `show running-config` of every daemon with a socket, in parallel, joined. */
export async function showRunningOverVty(sockets: VtySockets, timeoutMs: number): Promise<string> {
  try {
    return (
      await Promise.all(
        [...runningConfigSockets(sockets).values()].map((path) => askVty(path, 'show running-config', timeoutMs)),
      )
    ).join('\n');
  } catch (error: unknown) {
    throw new FrrUnavailableError(`cannot read FRR's running config: ${messageOf(error)}`, { cause: error });
  }
}

const depthOf = (line: string): number => line.length - line.trimStart().length;

/** Back to the config node, then into the contexts that enclose the next line to send. */
async function reenter(c: VtyConnection, contexts: readonly string[]): Promise<void> {
  await c.run('end');
  await c.run('configure terminal');
  for (const line of contexts) await c.run(line.trim());
}

/**
 * Sends one block's lines. A refused line ends its unit (refusals.ts): the
 * rest of a refused `vni N` block is skipped and the block goes on from the
 * enclosing context; a refused line anywhere else ends the block (the rest of
 * it would run in the wrong node).
 */
async function sendBlock(c: VtyConnection, daemon: DaemonName, block: Block): Promise<FrrRefusal[]> {
  const refusals: FrrRefusal[] = [];
  const stack: string[] = [];
  for (let i = 0; i < block.lines.length; i += 1) {
    const line = block.lines[i] ?? '';
    while (stack.length > 0 && depthOf(stack.at(-1) ?? '') >= depthOf(line)) stack.pop();
    const r = await c.run(line.trim());
    if (!isVtyRefusal(r)) {
      stack.push(line);
      continue;
    }
    const refusal: FrrRefusal = {
      key: block.key,
      daemon,
      context: stack.map((l) => l.trim()),
      line: line.trim(),
      message: plainRefusalMessage(r.output, r.status),
    };
    refusals.push(refusal);
    const resume = refusalUnitEnd(block.lines, i, refusal);
    if (resume === undefined) {
      await reenter(c, []);
      return refusals;
    }
    // The contexts enclosing the next line; a closer (`exit-address-family`) runs inside the context it closes.
    const next = block.lines[resume] ?? '';
    const closes = /^\s*exit/.test(next);
    await reenter(
      c,
      stack.filter((l) => depthOf(l) < depthOf(next) || (closes && depthOf(l) === depthOf(next))),
    );
    i = resume - 1;
  }
  return refusals;
}

/**
 * Sends the blocks in batch order, each to the daemons that own it. Refused
 * blocks get a second try after a moment: zebra tells bgpd of a removed L3VNI
 * asynchronously, and bgpd refuses `no router bgp A vrf X` until it has heard
 * (measured: the line right after `no vni N` races).
 */
export async function sendBlocksOverVty(
  blocks: readonly Block[],
  sockets: VtySockets,
  timeoutMs: number,
  logger: Logger | undefined,
): Promise<FrrRefusal[]> {
  const conns = new Map<DaemonName, VtyConnection>();
  const connOf = async (d: DaemonName): Promise<VtyConnection> => {
    let c = conns.get(d);
    if (c === undefined) {
      c = await VtyConnection.open(sockets.get(d) ?? '', 5_000, timeoutMs);
      conns.set(d, c);
      // Not XFRR_start_configuration (what `vtysh -f` sends first): with it the daemons batch northbound
      // changes into one commit at XFRR_end_configuration, and a refused line is no longer reported
      // by itself (measured: zebra then takes a `vni` it refuses line by line), so one bad unit could
      // not fail alone.
      await c.run('configure terminal');
    }
    return c;
  };
  const sendAll = async (list: readonly Block[]): Promise<{ refusals: FrrRefusal[]; failed: Block[] }> => {
    const refusals: FrrRefusal[] = [];
    const failed: Block[] = [];
    for (const block of list) {
      for (const d of configDaemons(ownersOf(block.key) ?? [], sockets)) {
        const r = await sendBlock(await connOf(d), d, block);
        refusals.push(...r);
        if (r.length > 0 && !failed.includes(block)) failed.push(block);
      }
    }
    return { refusals, failed };
  };
  try {
    const first = await sendAll(blocks);
    let refusals = first.refusals;
    if (first.failed.length > 0) {
      await sleep(300);
      refusals = [
        ...refusals.filter((r) => !first.failed.some((b) => b.key === r.key)),
        ...(await sendAll(first.failed)).refusals,
      ];
    }
    for (const c of conns.values()) await c.run('end');
    if (refusals.length > 0)
      logger?.warn({ refused: refusals.slice(0, 20) }, 'FRR refused lines; their units fail alone');
    return refusals;
  } catch (error: unknown) {
    throw new FrrUnavailableError(`FRR's vty socket failed: ${messageOf(error)}`, { cause: error });
  } finally {
    for (const c of conns.values()) c.close();
  }
}
