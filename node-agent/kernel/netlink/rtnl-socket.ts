// The request socket: one NETLINK_ROUTE socket; writes are pipelined (up to
// `window` in flight), dumps run alone. The netlink package groups multipart
// replies per socket, so an ACK arriving in the middle of a dump would cut the
// dump short: a dump waits for in-flight writes and holds new ones back.
// Order is FIFO, so a dump queued after writes sees their effect.
import { createNetlink, type NetlinkMessage, type NetlinkSocket, Protocol } from 'netlink';
import * as C from './constants.ts';
import { KernelError, type KernelErrorContext } from './kernel-error.ts';

export interface RtnlSocketOptions {
  /**
   * requests in flight at most (default 64, at most 512): the kernel drops
   * ACKs that overflow our receive buffer, and netlink 0.3.0's native send
   * queue aborts the process under backpressure (seen at 2048 in flight).
   */
  readonly window?: number;
  /** per-request timeout in ms (default 30 s) */
  readonly timeoutMs?: number;
  /** SO_RCVBUF to ask for (capped by net.core.rmem_max; default 4 MiB) */
  readonly recvBufferSize?: number;
}

export interface RtnlStats {
  /** write requests (new/set/del) sent */
  readonly writes: number;
  /** all requests sent, including lookups */
  readonly requests: number;
  readonly dumps: number;
}

const MAX_WINDOW = 512;

interface Task {
  readonly dump: boolean;
  readonly run: () => Promise<void>;
}

export class RtnlSocket {
  readonly #sock: NetlinkSocket;
  readonly #window: number;
  readonly #timeoutMs: number;
  readonly #queue: Task[] = [];
  #inflight = 0;
  #dumping = false;
  #closed = false;
  #writes = 0;
  #requests = 0;
  #dumps = 0;

  constructor(opts: RtnlSocketOptions = {}) {
    this.#window = Math.min(MAX_WINDOW, Math.max(1, opts.window ?? 64));
    this.#timeoutMs = opts.timeoutMs ?? 30_000;
    // SO_RCVBUF is capped by net.core.rmem_max; the window keeps us within the default buffer anyway.
    this.#sock = createNetlink(Protocol.ROUTE, { recvBufferSize: opts.recvBufferSize ?? 4 << 20, sendBufferSize: 0 });
    // An unhandled 'error' event would crash the process; surface it per request instead.
    this.#sock.on('error', () => undefined);
  }

  get stats(): RtnlStats {
    return { writes: this.#writes, requests: this.#requests, dumps: this.#dumps };
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#sock.close();
  }

  /**
   * Sends one request with NLM_F_ACK and resolves with the reply messages
   * (empty for a plain ACK). Rejects with KernelError on an NLMSG_ERROR.
   */
  request(
    type: number,
    flags: number,
    payload: Buffer,
    ctx: KernelErrorContext,
    isWrite: boolean,
  ): Promise<NetlinkMessage[]> {
    return this.#enqueue(false, async () => {
      this.#requests++;
      if (isWrite) this.#writes++;
      return this.#send(type, flags, payload, ctx);
    });
  }

  /** NLM_F_DUMP request; resolves with every message of the multipart reply. */
  dump(type: number, payload: Buffer, ctx: KernelErrorContext): Promise<NetlinkMessage[]> {
    return this.#enqueue(true, async () => {
      this.#dumps++;
      return this.#send(type, C.NLM_F_DUMP, payload, ctx);
    });
  }

  async #send(type: number, flags: number, payload: Buffer, ctx: KernelErrorContext): Promise<NetlinkMessage[]> {
    if (this.#closed) throw new KernelError('EBADF', ctx);
    let msgs: NetlinkMessage[];
    try {
      [msgs] = await this.#sock.request(type, payload, { flags, checkError: false, timeout: this.#timeoutMs });
    } catch (err) {
      throw KernelError.fromUnknown(err, ctx);
    }
    const first = msgs[0];
    if (first?.type === C.NLMSG_ERROR) {
      const errno = first.data.readInt32LE(0);
      if (errno !== 0) throw KernelError.fromErrno(errno, ctx);
      return [];
    }
    return msgs;
  }

  #enqueue<T>(dump: boolean, fn: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#queue.push({
        dump,
        run: () => fn().then(resolve, reject),
      });
      this.#pump();
    });
  }

  #pump(): void {
    for (;;) {
      const head = this.#queue[0];
      if (head === undefined || this.#dumping) return;
      if (head.dump ? this.#inflight > 0 : this.#inflight >= this.#window) return;
      this.#queue.shift();
      this.#inflight++;
      if (head.dump) this.#dumping = true;
      void head.run().finally(() => {
        this.#inflight--;
        if (head.dump) this.#dumping = false;
        this.#pump();
      });
    }
  }
}
