// What the kernel has, kept current from the monitors the agent already runs
// (the informer pattern applied to the kernel): listed once with one netlink
// dump per kind, then every monitor line marks the kinds it touches as stale,
// and the next pass dumps only those. The echoes of the agent's own writes are
// recognised (marks of the plan, own-writes.ts) and do not make anything
// stale: after applying, the pass brings the cache up to date itself (the FDB
// entries and neighbours it wrote are put in directly, anything else is
// dumped again). Everything is listed again on doubt (a monitor restarted or
// reported an error, such as ENOBUFS), and on a slower safety interval.
//
// Why kinds and not objects: `ip monitor` prints a line, not the object, and
// the kernel flushes routes and neighbours of a cycled device without telling
// (IPv4), so a known link deleted or down makes every kind stale.
//
// The limit, as for the drift watch's echoes: a change by somebody else that
// looks exactly like an echo of the agent's own write (the same object, the
// same direction) within the echo window after a pass is taken for one; the
// safety relist (FULL_RELIST_MS) repairs it.
import type { ActualKernelState } from './actual-state.ts';
import { readActualState } from './actual-state.ts';
import type { KernelPlan } from './diff-kernel-state.ts';
import type { BatchFailure, KernelAdapter } from './netlink/kernel-adapter.ts';
import type { KernelOp } from './netlink/kernel-ops.ts';
import { RTPROT_OVN_EVPN } from './ownership.ts';
import { EchoMarks } from './echo-marks.ts';
import type { KernelPassResult } from './kernel-pass-result.ts';
import {
  ECHO_WINDOW_MS,
  type EchoMark,
  type KernelEvent,
  marksOfCreates,
  marksOfPlan,
  parseEvent,
} from './own-writes.ts';
import { fdbKey, neighKey, putFdb, putNeighbor } from './put-own-writes.ts';
import { ALL_KINDS, kindsOf, kindsWritten, type StateKind } from './state-kinds.ts';

export type { StateKind } from './state-kinds.ts';

/** Default safety interval of the full relist. */
export const FULL_RELIST_MS = 5 * 60_000;
/** A plan of more FDB/neighbour writes than this is followed by dumps, not put in one by one. */
const DIRECT_UPDATE_MAX = 2048;

export interface StateCacheStats {
  fullReads: number;
  /** Kinds dumped again because an event (or our own plan) made them stale. */
  kindReads: number;
  /** Monitor lines that made something stale. */
  events: number;
  /** Monitor lines recognised as echoes of our own writes. */
  echoes: number;
  /** Entries the cache took from our own writes without a dump. */
  direct: number;
  invalidations: number;
}

export class KernelStateCache {
  #state: ActualKernelState | undefined;
  #linkNames = new Set<string>();
  readonly #stale = new Set<StateKind>(ALL_KINDS);
  #changes = 0;
  #listedAt = Number.NEGATIVE_INFINITY;
  #echoes: EchoMarks[] = [];
  /** The last pass that found nothing to do, and the change count it saw. */
  #clean: { fingerprint: string; changes: number; result: KernelPassResult } | undefined;
  readonly #fullRelistMs: number;
  /** The last lines that made something stale (for logs and tests). */
  readonly lastEvents: string[] = [];
  readonly stats: StateCacheStats = { fullReads: 0, kindReads: 0, events: 0, echoes: 0, direct: 0, invalidations: 0 };

  constructor(opts: { fullRelistMs?: number } = {}) {
    this.#fullRelistMs = opts.fullRelistMs ?? FULL_RELIST_MS;
  }

  /** Bumped by every change the cache learns of (events, our own writes, doubt): unchanged means the kernel is as last read. */
  get changeCount(): number {
    return this.#changes;
  }

  /** True when the next read lists everything (first read, doubt, or the safety interval). */
  fullDue(now = Date.now()): boolean {
    return this.#state === undefined || now - this.#listedAt >= this.#fullRelistMs;
  }

  /** Nothing is stale: a read would not touch the kernel. */
  get fresh(): boolean {
    return this.#stale.size === 0 && !this.fullDue();
  }

  /**
   * The result of the last clean pass over the same inputs (`fingerprint`), while
   * the kernel is still as that pass left it; then a pass has nothing to do.
   */
  cleanPass(fingerprint: string): KernelPassResult | undefined {
    const c = this.#clean;
    return this.fresh && c?.fingerprint === fingerprint && c.changes === this.#changes ? c.result : undefined;
  }

  /** A pass over these inputs planned nothing, failed nothing and held nothing back. */
  rememberCleanPass(fingerprint: string, result: KernelPassResult): void {
    this.#clean = { fingerprint, changes: this.#changes, result };
  }

  /** One monitor line. */
  onEvent(line: string, now = Date.now()): void {
    // Everything is listed again at the next read anyway (a burst that overflowed the monitor costs no parsing).
    if (this.#listedAt === Number.NEGATIVE_INFINITY && this.#stale.size === ALL_KINDS.length) return;
    const e = parseEvent(line);
    if (e !== undefined && this.#isEcho(e, line, now)) {
      this.stats.echoes++;
      return;
    }
    const kinds = e === undefined ? ALL_KINDS : kindsOf(e, line, (name) => this.#linkNames.has(name));
    if (kinds.length === 0) return;
    this.stats.events++;
    this.lastEvents.push(line);
    if (this.lastEvents.length > 20) this.lastEvents.shift();
    this.#markStale(kinds);
  }

  /** Doubt (a monitor restarted, lost messages or reported an error): list everything again. */
  invalidate(): void {
    this.stats.invalidations++;
    this.#listedAt = Number.NEGATIVE_INFINITY;
    this.#markStale(ALL_KINDS);
  }

  /** The kernel's state: the cache, after dumping what is stale. */
  async read(kernel: KernelAdapter, now = Date.now()): Promise<ActualKernelState> {
    if (this.#state === undefined || this.fullDue(now)) {
      // Cleared before dumping: an event during the dump makes its kind stale again.
      this.#stale.clear();
      this.#listedAt = now;
      this.stats.fullReads++;
      this.#state = await readActualState(kernel);
      this.#linkNames = new Set(this.#state.links.map((l) => l.name));
      return this.#state;
    }
    for (const kind of ALL_KINDS) {
      if (!this.#stale.delete(kind)) continue;
      this.stats.kindReads++;
      await this.#dump(kernel, this.#state, kind);
    }
    return this.#state;
  }

  /** Records the plan's writes before they are applied; the returned function closes their echo window. */
  beginWrites(
    plan: KernelPlan,
    links: ActualKernelState['links'],
    removed: readonly EchoMark[] = marksOfPlan(plan, links),
  ): (now: number) => void {
    const marks = new EchoMarks(removed, marksOfCreates(plan));
    this.#echoes.push(marks);
    return (now) => {
      marks.until = now + ECHO_WINDOW_MS;
    };
  }

  /**
   * Brings the cache up to date after a plan was applied: a few FDB entries
   * and neighbours are put in directly (a one-port change costs that port),
   * anything else is dumped again. Failed writes leave their kinds stale.
   */
  async afterWrites(kernel: KernelAdapter, plan: KernelPlan, failures: readonly BatchFailure[]): Promise<void> {
    const state = this.#state;
    if (state === undefined) return;
    this.#changes++;
    // Doubt during the writes: the next read lists everything anyway.
    if (this.#listedAt === Number.NEGATIVE_INFINITY) return;
    const kinds = kindsWritten(plan);
    const direct =
      failures.length === 0 &&
      [...kinds].every((k) => k === 'fdb' || k === 'neighbors') &&
      plan.removes.length + plan.creates.length <= DIRECT_UPDATE_MAX;
    if (direct && this.#putDirect(state, [...plan.removes, ...plan.creates])) return;
    for (const kind of ALL_KINDS) {
      if (!kinds.has(kind)) continue;
      this.#stale.delete(kind);
      this.stats.kindReads++;
      await this.#dump(kernel, state, kind);
    }
    if (failures.length > 0) this.#markStale(kinds);
  }

  #markStale(kinds: Iterable<StateKind>): void {
    for (const k of kinds) this.#stale.add(k);
    this.#changes++;
  }

  #isEcho(e: KernelEvent, line: string, now: number): boolean {
    this.#echoes = this.#echoes.filter((m) => m.until >= now);
    const m = this.#echoes.find((x) => x.matches(e, line));
    if (m === undefined) return false;
    // The monitors are separate processes and a big pass's echoes take a while: each one keeps the window open.
    if (m.until !== Number.POSITIVE_INFINITY) m.until = Math.max(m.until, now + ECHO_WINDOW_MS);
    return true;
  }

  async #dump(kernel: KernelAdapter, state: ActualKernelState, kind: StateKind): Promise<void> {
    switch (kind) {
      case 'links':
        state.links = await kernel.dumpLinks();
        this.#linkNames = new Set(state.links.map((l) => l.name));
        break;
      case 'bridgePorts':
        state.bridgePorts = await kernel.dumpBridgeVlans();
        break;
      case 'addrs':
        state.addrs = await kernel.dumpAddrs();
        break;
      case 'routes':
        state.routes = await kernel.dumpRoutes({ protocol: RTPROT_OVN_EVPN });
        break;
      case 'neighbors':
        state.neighbors = await kernel.dumpNeighbors();
        break;
      case 'fdb':
        state.fdb = await kernel.dumpFdb();
        break;
    }
  }

  /** Our FDB and neighbour writes, as the kernel reports them; false when one cannot be (unknown device): dump instead. */
  #putDirect(state: ActualKernelState, ops: readonly KernelOp[]): boolean {
    const links = new Map(state.links.map((l) => [l.name, l]));
    const fdb = new Map(state.fdb.map((e) => [fdbKey(e), e]));
    const neighbors = new Map(state.neighbors.map((n) => [neighKey(n.index, n.dst), n]));
    for (const op of ops) if (!putFdb(op, links, fdb) && !putNeighbor(op, links, neighbors)) return false;
    state.fdb = [...fdb.values()];
    state.neighbors = [...neighbors.values()];
    this.stats.direct += ops.length;
    return true;
  }
}
