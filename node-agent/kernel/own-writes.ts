// Pure: the agent's own writes, so the drift watch can drop their echoes. A
// pass knows what it is about to delete or change; the deletions the kernel
// then announces (the object itself, and what goes with it: a link's routes,
// neighbours and FDB entries, an address's prefix routes, the FDB entries of a
// VLAN leaving a port) are matched against marks recorded from the plan, kept
// for a short window after the pass. A write then never triggers another pass
// by itself; a deletion by somebody else (no mark) still does at once, and the
// periodic resync covers one that happens to look like an echo.
import type { KernelPlan } from './diff-kernel-state.ts';
import { normDst, normIp } from './diff/normalize.ts';
import type { Link } from './netlink/link-codec.ts';

/** What a "Deleted …" line of `ip -o monitor label` or `bridge monitor fdb` names. */
export interface Deletion {
  kind: 'link' | 'addr' | 'route' | 'neigh' | 'fdb';
  /** Devices the line names (`dev X`, `master X`, a link's own name). */
  devs: string[];
  table?: string;
  dst?: string;
  mac?: string;
  vlan?: number;
}

export type EchoMark =
  /** Anything on or naming the device: it is deleted, enslaved, cycled. */
  | { scope: 'device'; dev: string }
  /** Addresses and routes on the device: an address removed takes its prefix and local routes. */
  | { scope: 'addrs'; dev: string }
  | { scope: 'route'; table: string; dst: string }
  | { scope: 'neigh'; dev: string; dst: string }
  /** FDB entries on the device, of one MAC and/or one VLAN. */
  | { scope: 'fdb'; dev: string; mac?: string; vlan?: number };

const LABELS: Record<string, Deletion['kind']> = { LINK: 'link', ADDR: 'addr', ROUTE: 'route', NEIGH: 'neigh' };
const ROUTE_TYPES = new Set([
  'unicast',
  'local',
  'broadcast',
  'anycast',
  'multicast',
  'blackhole',
  'unreachable',
  'prohibit',
  'throw',
  'nat',
]);

const after = (tokens: readonly string[], word: string): string | undefined => {
  const i = tokens.indexOf(word);
  return i < 0 ? undefined : tokens[i + 1];
};
/** iproute2 prints a host route without its length. */
const normRouteDst = (dst: string): string => {
  if (dst === 'default' || dst === '0.0.0.0/0' || dst === '::/0') return 'default';
  return normDst(dst.includes('/') ? dst : `${dst}/${dst.includes(':') ? 128 : 32}`, dst.includes(':') ? 6 : 4);
};
const tableName = (table: number): string => (table === 254 ? 'main' : table === 255 ? 'local' : String(table));

/** The kind of a monitor line, whether it announces a deletion, and its words (after "Deleted"); undefined for a line of no known kind. */
function eventWords(line: string): { kind: Deletion['kind']; deleted: boolean; tokens: string[] } | undefined {
  const m = /^\[(\w+)\](.*)$/.exec(line);
  const kind = m ? LABELS[m[1] ?? ''] : 'fdb';
  const text = (m ? (m[2] ?? '') : line).trim();
  if (kind === undefined || text === '') return undefined;
  const deleted = text.startsWith('Deleted ');
  const tokens = text.split(/\s+/);
  return { kind, deleted, tokens: deleted ? tokens.slice(1) : tokens };
}

/** What a monitor line (a deletion or a new/changed object) names. */
export interface KernelEvent extends Deletion {
  deleted: boolean;
}

/** Parses one monitor line, a deletion or not; undefined for a line of no known kind. `[KIND]` comes from `ip monitor label`; bridge lines are FDB. */
export function parseEvent(line: string): KernelEvent | undefined {
  const words = eventWords(line);
  if (words === undefined) return undefined;
  const { kind, deleted, tokens } = words;
  const named = [after(tokens, 'dev'), after(tokens, 'master')].filter((d): d is string => d !== undefined);
  switch (kind) {
    case 'link':
    case 'addr': {
      // "Deleted 12: vx-10101@NONE: <…>" / "Deleted 14: br-evpn.101    inet 10.1.0.1/24 …"
      const dev = (tokens[1] ?? '').replace(/:$/, '').split('@')[0] ?? '';
      return { kind, deleted, devs: [dev, ...named] };
    }
    case 'route': {
      const rest = ROUTE_TYPES.has(tokens[0] ?? '') ? tokens.slice(1) : tokens;
      return { kind, deleted, devs: named, table: after(rest, 'table') ?? 'main', dst: normRouteDst(rest[0] ?? '') };
    }
    // `ip monitor neigh` also shows bridge FDB entries, as "Deleted dev X lladdr M" (no
    // address, no VLAN); `bridge monitor fdb` reports the same deletion in full.
    case 'neigh':
      return tokens[0] === 'dev'
        ? { kind: 'fdb', deleted, devs: named, mac: (after(tokens, 'lladdr') ?? '').toLowerCase() }
        : { kind, deleted, devs: named, dst: normIp(tokens[0]) };
    case 'fdb': {
      const vlan = after(tokens, 'vlan');
      return {
        kind,
        deleted,
        devs: named,
        mac: (tokens[0] ?? '').toLowerCase(),
        ...(vlan !== undefined ? { vlan: Number(vlan) } : {}),
      };
    }
  }
}

/** Parses one monitor line; undefined for anything but a deletion. */
export function parseDeletion(line: string): Deletion | undefined {
  const e = parseEvent(line);
  if (e?.deleted !== true) return undefined;
  const { deleted: _deleted, ...d } = e;
  return d;
}

export function matchesMark(d: Deletion, m: EchoMark): boolean {
  switch (m.scope) {
    case 'device':
      return d.devs.includes(m.dev);
    case 'addrs':
      return (d.kind === 'addr' || d.kind === 'route') && d.devs.includes(m.dev);
    case 'route':
      return d.kind === 'route' && d.table === m.table && d.dst === m.dst;
    case 'neigh':
      return d.kind === 'neigh' && d.devs.includes(m.dev) && d.dst === m.dst;
    // A line without a VLAN (ip monitor's view of an FDB entry) matches on the rest.
    case 'fdb':
      return (
        d.kind === 'fdb' &&
        d.devs.includes(m.dev) &&
        (m.mac === undefined || d.mac === m.mac) &&
        (m.vlan === undefined || d.vlan === undefined || d.vlan === m.vlan)
      );
  }
}

/** The marks of a plan about to be applied; `links` is the dump it was planned from. */
export function marksOfPlan(plan: KernelPlan, links: readonly Link[]): EchoMark[] {
  const marks: EchoMark[] = [];
  for (const op of plan.removes) {
    switch (op.op) {
      case 'delFdb':
        marks.push({
          scope: 'fdb',
          dev: op.fdb.dev,
          mac: op.fdb.mac.toLowerCase(),
          ...(op.fdb.vlan !== undefined ? { vlan: op.fdb.vlan } : {}),
        });
        break;
      case 'delNeighbor':
        marks.push({ scope: 'neigh', dev: op.neighbor.dev, dst: normIp(op.neighbor.dst) });
        break;
      case 'delRoute':
        marks.push({ scope: 'route', table: tableName(op.route.table), dst: normRouteDst(op.route.dst) });
        break;
      case 'delAddr':
        marks.push({ scope: 'addrs', dev: op.addr.dev });
        break;
      case 'delBridgeVlan':
        marks.push({ scope: 'fdb', dev: op.vlan.dev, vlan: op.vlan.vid });
        break;
      default:
        break;
    }
  }
  // A deleted link takes its VLAN devices and veth peer along, and releases its ports.
  const index = new Map(links.map((l) => [l.name, l.index]));
  const deleted = new Set(plan.linkDeletes.map((n) => index.get(n)));
  const dependents = links.filter((l) => deleted.has(l.link ?? -1) || deleted.has(l.master ?? -1)).map((l) => l.name);
  for (const dev of [...plan.linkDeletes, ...dependents]) marks.push({ scope: 'device', dev });
  for (const op of plan.updates) if (op.op === 'setLink') marks.push({ scope: 'device', dev: op.name });
  // A new link enslaved at birth may be cycled by its master (a VRF).
  for (const op of plan.linkCreates) if (op.op === 'createLink') marks.push({ scope: 'device', dev: op.link.name });
  return marks;
}

/**
 * The marks of what a plan creates or changes (for the kernel-state cache,
 * which must also drop the announcements of what we add; marksOfPlan has the
 * deletions).
 */
export function marksOfCreates(plan: KernelPlan): EchoMark[] {
  const marks: EchoMark[] = [];
  for (const op of plan.creates) {
    switch (op.op) {
      case 'replaceFdb':
      case 'addFdb':
      case 'appendFdb':
        marks.push({ scope: 'fdb', dev: op.fdb.dev, mac: op.fdb.mac.toLowerCase() });
        break;
      case 'replaceNeighbor':
        marks.push({ scope: 'neigh', dev: op.neighbor.dev, dst: normIp(op.neighbor.dst) });
        break;
      case 'replaceRoute':
      case 'addRoute':
        marks.push({ scope: 'route', table: tableName(op.route.table), dst: normRouteDst(op.route.dst) });
        break;
      case 'replaceAddr':
      case 'addAddr':
        marks.push({ scope: 'addrs', dev: op.addr.dev });
        break;
      case 'addBridgeVlan':
        marks.push({ scope: 'device', dev: op.vlan.dev });
        break;
      case 'setBridgePort':
        marks.push({ scope: 'device', dev: op.port.dev });
        break;
      default:
        break;
    }
  }
  for (const op of [...plan.linkCreates, ...plan.updates])
    if (op.op === 'createLink') marks.push({ scope: 'device', dev: op.link.name });
    else if (op.op === 'setLink') marks.push({ scope: 'device', dev: op.name });
  // A VLAN put back to remove a stranded entry (diff/fdb.ts) announces the port.
  for (const op of plan.removes)
    if (op.op === 'addBridgeVlan' || op.op === 'delBridgeVlan') marks.push({ scope: 'device', dev: op.vlan.dev });
  return marks;
}

/** How long after a pass its echoes are still expected (the monitors are separate processes). */
export const ECHO_WINDOW_MS = 3000;

/** The marks of recent passes, with their expiry. */
export class OwnWrites {
  #marks: { mark: EchoMark; until: number }[] = [];

  /** Records marks before applying; the returned function closes their window once the writes are done. */
  begin(marks: readonly EchoMark[]): (now: number) => void {
    const entries = marks.map((mark) => ({ mark, until: Number.POSITIVE_INFINITY }));
    this.#marks.push(...entries);
    return (now) => {
      for (const e of entries) e.until = now + ECHO_WINDOW_MS;
    };
  }

  /** True when the line is the echo of one of our own recent writes. */
  isEcho(line: string, now: number): boolean {
    this.#marks = this.#marks.filter((e) => e.until >= now);
    const d = parseDeletion(line);
    return d !== undefined && this.#marks.some((e) => matchesMark(d, e.mark));
  }
}
