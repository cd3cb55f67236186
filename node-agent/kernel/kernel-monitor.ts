// The monitoring socket: a second NETLINK_ROUTE socket subscribed to the
// link, neighbour, address and route groups, for drift detection. When the
// kernel drops notifications (receive buffer overflow, ENOBUFS) the monitor
// reports `overflow`: the consumer must re-read everything (relist).
import { createNetlink, type NetlinkMessage, type NetlinkSocket, Protocol } from 'netlink';
import * as C from './constants.ts';
import { type Addr, decodeAddr, decodeRoute, type Route } from './addr-route-codec.ts';
import { type BridgePort, decodeBridgePort } from './bridge-codec.ts';
import { decodeLink, type Link } from './link-codec.ts';
import { decodeFdb, decodeNeighbor, type FdbEntry, type Neighbor } from './neigh-codec.ts';

export type MonitorGroup = 'link' | 'neigh' | 'addr' | 'route';
export type KernelAction = 'new' | 'del';

export type KernelEvent =
  | { readonly kind: 'link'; readonly action: KernelAction; readonly link: Link }
  | { readonly kind: 'bridgePort'; readonly action: KernelAction; readonly port: BridgePort }
  | { readonly kind: 'addr'; readonly action: KernelAction; readonly addr: Addr }
  | { readonly kind: 'route'; readonly action: KernelAction; readonly route: Route }
  | { readonly kind: 'neigh'; readonly action: KernelAction; readonly neighbor: Neighbor }
  | { readonly kind: 'fdb'; readonly action: KernelAction; readonly fdb: FdbEntry }
  | { readonly kind: 'overflow'; readonly error: string };

export type KernelEventListener = (e: KernelEvent) => void;

export interface MonitorOptions {
  /** default: all four */
  readonly groups?: readonly MonitorGroup[];
  /** keep the event loop alive while open (default false) */
  readonly ref?: boolean;
  /** SO_RCVBUF to ask for (default 8 MiB; capped by net.core.rmem_max) */
  readonly recvBufferSize?: number;
}

const GROUPS: Readonly<Record<MonitorGroup, readonly number[]>> = {
  link: [C.RTNLGRP_LINK],
  neigh: [C.RTNLGRP_NEIGH],
  addr: [C.RTNLGRP_IPV4_IFADDR, C.RTNLGRP_IPV6_IFADDR],
  route: [C.RTNLGRP_IPV4_ROUTE, C.RTNLGRP_IPV6_ROUTE],
};

/** Decodes one notification; null for messages we do not report. Pure. */
export function decodeEvent(type: number, body: Buffer): KernelEvent | null {
  const family = body.length > 0 ? body.readUInt8(0) : -1;
  const ip = family === C.AF_INET || family === C.AF_INET6;
  switch (type) {
    case C.RTM_NEWLINK:
    case C.RTM_DELLINK: {
      const action = type === C.RTM_NEWLINK ? 'new' : 'del';
      return family === C.AF_BRIDGE ? { kind: 'bridgePort', action, port: decodeBridgePort(body) } : { kind: 'link', action, link: decodeLink(body) };
    }
    case C.RTM_NEWADDR:
    case C.RTM_DELADDR:
      return ip ? { kind: 'addr', action: type === C.RTM_NEWADDR ? 'new' : 'del', addr: decodeAddr(body) } : null;
    case C.RTM_NEWROUTE:
    case C.RTM_DELROUTE:
      return ip ? { kind: 'route', action: type === C.RTM_NEWROUTE ? 'new' : 'del', route: decodeRoute(body) } : null;
    case C.RTM_NEWNEIGH:
    case C.RTM_DELNEIGH: {
      const action = type === C.RTM_NEWNEIGH ? 'new' : 'del';
      if (family === C.AF_BRIDGE) return { kind: 'fdb', action, fdb: decodeFdb(body) };
      return ip ? { kind: 'neigh', action, neighbor: decodeNeighbor(body) } : null;
    }
    default:
      return null;
  }
}

export class KernelMonitor {
  readonly #sock: NetlinkSocket;
  readonly #listeners = new Set<KernelEventListener>();
  #pending: KernelEvent[] = [];
  #deliveryScheduled = false;
  #closed = false;

  constructor(opts: MonitorOptions = {}) {
    // SO_RCVBUF is capped by net.core.rmem_max; overflow is reported, not silent.
    this.#sock = createNetlink(Protocol.ROUTE, { ref: opts.ref === true, recvBufferSize: opts.recvBufferSize ?? 8 << 20, sendBufferSize: 0 });
    for (const g of opts.groups ?? (['link', 'neigh', 'addr', 'route'] as const)) {
      for (const n of GROUPS[g]) this.#sock.addMembership(n);
    }
    // This runs inside the netlink package's native callback (MakeCallback):
    // anything thrown there, or by the ticks and microtasks drained when that
    // callback returns, aborts the whole process. So decode defensively here
    // (an undecodable message becomes `overflow`: the consumer re-reads
    // everything) and hand events to listeners on a later turn of the loop.
    this.#sock.on('message', (msgs: NetlinkMessage[]) => {
      for (const m of msgs) {
        let e: KernelEvent | null;
        try {
          e = decodeEvent(m.type, m.data);
        } catch (err: unknown) {
          e = { kind: 'overflow', error: `undecodable message type ${m.type}: ${err instanceof Error ? err.message : String(err)}` };
        }
        if (e !== null) this.#pending.push(e);
      }
      this.#scheduleDelivery();
    });
    this.#sock.on('error', (err: Error & { code?: string }) => {
      this.#pending.push({ kind: 'overflow', error: err.code ?? err.message });
      this.#scheduleDelivery();
    });
  }

  /** Adds a listener; returns the function that removes it. */
  subscribe(listener: KernelEventListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Resolves with the first event matching `pred`, rejects after timeoutMs. */
  waitFor(pred: (e: KernelEvent) => boolean, timeoutMs: number): Promise<KernelEvent> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        off();
        reject(new Error(`no matching kernel event within ${timeoutMs} ms`));
      }, timeoutMs);
      const off = this.subscribe((e) => {
        if (!pred(e)) return;
        clearTimeout(timer);
        off();
        resolve(e);
      });
    });
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#listeners.clear();
    this.#sock.close();
  }

  #scheduleDelivery(): void {
    if (this.#deliveryScheduled) return;
    this.#deliveryScheduled = true;
    setImmediate(() => {
      this.#deliveryScheduled = false;
      const batch = this.#pending;
      this.#pending = [];
      for (const e of batch) this.#emit(e);
    });
  }

  #emit(e: KernelEvent): void {
    for (const l of [...this.#listeners]) {
      try {
        l(e);
      } catch (err: unknown) {
        // Same reason as above: never let a listener's error reach native code.
        process.emitWarning(`kernel monitor listener failed: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  }
}

export function openMonitor(opts: MonitorOptions = {}): KernelMonitor {
  return new KernelMonitor(opts);
}
