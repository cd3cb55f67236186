// The node agent's typed netlink adapter: reads (dumps) and writes (single
// pipelined batches of KernelOp) over one rtnetlink request socket.
import { errorMessage } from '../../../lib/log.ts';
import type { NetlinkMessage } from 'netlink';
import * as C from './constants.ts';
import { type Addr, decodeAddr, decodeRoute, encodeAddrDump, encodeRouteDump, type Route } from './addr-route-codec.ts';
import { type BridgePort, decodeBridgePort } from './bridge-codec.ts';
import { KernelError } from './kernel-error.ts';
import { describeOp, encodeOp, type KernelOp, nameChangedBy, namesToResolve } from './kernel-ops.ts';
import { encodeLinkByName, encodeLinkDump, type Link } from './link-codec.ts';
import { decodeLink } from './link-decoder.ts';
import { decodeFdb, decodeNeighbor, encodeNeighDump, type FdbEntry, type Neighbor } from './neigh-codec.ts';
import { RtnlSocket, type RtnlSocketOptions, type RtnlStats } from './rtnl-socket.ts';

export interface BatchFailure {
  readonly op: KernelOp;
  readonly error: KernelError;
}

export interface BatchResult {
  readonly ok: number;
  readonly failed: readonly BatchFailure[];
}

export interface RouteFilter {
  readonly table?: number;
  readonly family?: 4 | 6;
  readonly protocol?: number;
}

/** How far applyBatch looks ahead to resolve link names in one pipelined round. */
const RESOLVE_LOOKAHEAD = 2048;

export class KernelAdapter {
  readonly #rtnl: RtnlSocket;

  constructor(opts: RtnlSocketOptions = {}) {
    this.#rtnl = new RtnlSocket(opts);
  }

  /** Netlink write requests issued so far: a no-op reconcile pass must leave it unchanged. */
  get writeCount(): number {
    return this.#rtnl.stats.writes;
  }

  get stats(): RtnlStats {
    return this.#rtnl.stats;
  }

  close(): void {
    this.#rtnl.close();
  }

  // --- reads --------------------------------------------------------------

  async dumpLinks(): Promise<Link[]> {
    const msgs = await this.#rtnl.dump(C.RTM_GETLINK, encodeLinkDump(C.AF_UNSPEC, C.RTEXT_FILTER_SKIP_STATS), {
      op: 'dump',
      object: 'links',
    });
    return pick(msgs, C.RTM_NEWLINK).map(decodeLink);
  }

  /** One link by name, or null when there is none. */
  async getLink(name: string): Promise<Link | null> {
    try {
      const msgs = await this.#rtnl.request(
        C.RTM_GETLINK,
        0,
        encodeLinkByName(name),
        { op: 'get link', object: name },
        false,
      );
      const m = pick(msgs, C.RTM_NEWLINK)[0];
      return m === undefined ? null : decodeLink(m);
    } catch (err) {
      if (err instanceof KernelError && err.errno === 'ENODEV') return null;
      throw err;
    }
  }

  async dumpAddrs(): Promise<Addr[]> {
    const msgs = await this.#rtnl.dump(C.RTM_GETADDR, encodeAddrDump(), { op: 'dump', object: 'addresses' });
    return pick(msgs, C.RTM_NEWADDR)
      .filter((b) => b.readUInt8(0) === C.AF_INET || b.readUInt8(0) === C.AF_INET6)
      .map(decodeAddr);
  }

  /** Routes of all tables (or one); the kernel dumps every table, we filter. */
  async dumpRoutes(filter: RouteFilter = {}): Promise<Route[]> {
    const families =
      filter.family === undefined ? [C.AF_INET, C.AF_INET6] : [filter.family === 4 ? C.AF_INET : C.AF_INET6];
    const out: Route[] = [];
    for (const f of families) {
      const msgs = await this.#rtnl.dump(C.RTM_GETROUTE, encodeRouteDump(f), { op: 'dump', object: 'routes' });
      for (const b of pick(msgs, C.RTM_NEWROUTE)) {
        if (b.readUInt8(0) !== f) continue;
        const r = decodeRoute(b);
        if (filter.table !== undefined && r.table !== filter.table) continue;
        if (filter.protocol !== undefined && r.protocol !== filter.protocol) continue;
        out.push(r);
      }
    }
    return out;
  }

  /** IPv4 and IPv6 neighbours (ARP/ND), optionally of one device. */
  async dumpNeighbors(filter: { readonly index?: number } = {}): Promise<Neighbor[]> {
    const out: Neighbor[] = [];
    for (const f of [C.AF_INET, C.AF_INET6]) {
      const msgs = await this.#rtnl.dump(C.RTM_GETNEIGH, encodeNeighDump(f), { op: 'dump', object: 'neighbours' });
      for (const b of pick(msgs, C.RTM_NEWNEIGH)) {
        if (b.readUInt8(0) !== f) continue;
        const n = decodeNeighbor(b);
        if (filter.index === undefined || n.index === filter.index) out.push(n);
      }
    }
    return out;
  }

  /** Bridge and vxlan FDB entries (AF_BRIDGE), optionally of one device or one bridge. */
  async dumpFdb(filter: { readonly index?: number; readonly master?: number } = {}): Promise<FdbEntry[]> {
    const msgs = await this.#rtnl.dump(C.RTM_GETNEIGH, encodeNeighDump(C.AF_BRIDGE), { op: 'dump', object: 'fdb' });
    const out: FdbEntry[] = [];
    for (const b of pick(msgs, C.RTM_NEWNEIGH)) {
      const e = decodeFdb(b);
      if (filter.index !== undefined && e.index !== filter.index) continue;
      if (filter.master !== undefined && e.master !== filter.master) continue;
      out.push(e);
    }
    return out;
  }

  /** Bridge ports and bridges with their VLANs (pvid/untagged) and port flags. */
  async dumpBridgeVlans(): Promise<BridgePort[]> {
    const msgs = await this.#rtnl.dump(C.RTM_GETLINK, encodeLinkDump(C.AF_BRIDGE, C.RTEXT_FILTER_BRVLAN), {
      op: 'dump',
      object: 'bridge vlans',
    });
    return pick(msgs, C.RTM_NEWLINK).map(decodeBridgePort);
  }

  // --- writes ---------------------------------------------------------------

  /**
   * Applies ops in order, pipelined: requests are sent without waiting for
   * each ACK (the kernel handles one socket's requests in order, so a link
   * created by an earlier op exists for a later one). Link names are resolved
   * to ifindexes in pipelined lookups ahead of the ops that need them. Every
   * op runs; failures are collected, not thrown.
   */
  async applyBatch(ops: readonly KernelOp[]): Promise<BatchResult> {
    const index = new Map<string, number>();
    const pending: Promise<void>[] = [];
    const failed: BatchFailure[] = [];
    let ok = 0;
    for (let i = 0; i < ops.length; i++) {
      const op = ops[i];
      if (op === undefined) continue;
      const missing = namesToResolve(op).filter((n) => !index.has(n));
      if (missing.length > 0) await this.#resolveAhead(ops, i, index);
      let reqs;
      try {
        reqs = encodeOp(op, (name) => {
          const ix = index.get(name);
          if (ix === undefined || ix < 0)
            throw new KernelError('ENODEV', {
              ...describeOp(op),
              object: `${describeOp(op).object} (no link "${name}")`,
            });
          return ix;
        });
      } catch (err) {
        const detail = errorMessage(err);
        failed.push({
          op,
          error:
            err instanceof KernelError ? err : new KernelError('EINVAL', { ...describeOp(op), detail }, { cause: err }),
        });
        continue;
      }
      const changed = nameChangedBy(op);
      if (changed !== null) index.delete(changed);
      const ctx = describeOp(op);
      pending.push(
        Promise.all(reqs.map((req) => this.#rtnl.request(req.type, req.flags, req.payload, ctx, true))).then(
          () => {
            ok++;
          },
          (err: unknown) => {
            failed.push({ op, error: KernelError.fromUnknown(err, ctx) });
          },
        ),
      );
    }
    await Promise.all(pending);
    return { ok, failed };
  }

  /**
   * Deletes links in chunks: each chunk is pipelined, chunks run one after the
   * other, so other rtnl users (FRR, the kernel's own work) get the lock in
   * between (a group delete would hold it for the whole set).
   */
  async deleteLinks(names: readonly string[], chunkSize = 256): Promise<BatchResult> {
    let ok = 0;
    const failed: BatchFailure[] = [];
    for (let i = 0; i < names.length; i += chunkSize) {
      const r = await this.applyBatch(
        names.slice(i, i + chunkSize).map((name) => ({ op: 'deleteLink', name }) satisfies KernelOp),
      );
      ok += r.ok;
      failed.push(...r.failed);
    }
    return { ok, failed };
  }

  // Looks up, in one pipelined round, every name needed by ops[from..] that no
  // earlier op in that window creates or deletes (those must be looked up after).
  async #resolveAhead(ops: readonly KernelOp[], from: number, index: Map<string, number>): Promise<void> {
    const wanted = new Set<string>();
    const changing = new Set<string>();
    const end = Math.min(ops.length, from + RESOLVE_LOOKAHEAD);
    for (let k = from; k < end; k++) {
      const op = ops[k];
      if (op === undefined) continue;
      for (const n of namesToResolve(op)) if (!index.has(n) && !changing.has(n)) wanted.add(n);
      const c = nameChangedBy(op);
      if (c !== null) changing.add(c);
    }
    await Promise.all(
      [...wanted].map(async (n) => {
        const link = await this.getLink(n);
        // -1: looked up and absent, so the ops needing it fail without another lookup each
        index.set(n, link?.index ?? -1);
      }),
    );
  }
}

function pick(msgs: readonly NetlinkMessage[], type: number): Buffer[] {
  return msgs.filter((m) => m.type === type).map((m) => m.data);
}

export function openKernel(opts: RtnlSocketOptions = {}): KernelAdapter {
  return new KernelAdapter(opts);
}
