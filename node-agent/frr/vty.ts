// A client of an FRR daemon's vtysh socket (`/var/run/frr[/pathspace]/<daemon>.vty`),
// the protocol vtysh itself speaks (FRR 8.4 lib/vty.c, vtysh/vtysh.c): each
// command is its text followed by one NUL; the daemon runs it in the
// connection's current node (after `enable`, which vtysh sends first) and
// answers with the output, three NULs and the command's status byte
// (0 success, 1 warning, 2 no match, 3 ambiguous, 4 incomplete,
// 13 config failed, …).
//
// Why not vtysh: `vtysh -f` parses every line against the merged command tree
// of all daemons, sends it to each daemon with that node, and one vtysh
// process costs ~0.2 s to start in the UML guest; talking to the owning
// daemon directly sends each line once, to one daemon, in one connection.
import { createConnection, type Socket } from 'node:net';

export type VtyReply = { readonly status: number; readonly output: string };

const CMD_SUCCESS = 0;
const CMD_WARNING = 1;
/** CMD_SUCCESS_DAEMON: vtysh-only; daemons answer 0 for success. */
export const isVtyFailure = (status: number): boolean => status !== CMD_SUCCESS && status !== CMD_WARNING;
/**
 * A configuration line the daemon did not take: a failure status, or
 * CMD_WARNING with a `%` message. bgpd answers some refusals with a plain
 * warning (measured on 8.4: `vni N` for an L3VNI prints "% Failed to create VNI"
 * and returns 1, and the lines after it then run in the wrong node); `vtysh -f`
 * counts every warning as an error too.
 */
export const isVtyRefusal = (reply: VtyReply): boolean =>
  isVtyFailure(reply.status) || (reply.status === CMD_WARNING && /^%/m.test(reply.output));

export class VtyError extends Error {
  override readonly name = 'VtyError';
}

/** One connection to one daemon; commands run one after the other (replies are matched in order). */
export class VtyConnection {
  readonly #socket: Socket;
  readonly #path: string;
  #buffer: Buffer = Buffer.alloc(0);
  #pending: { resolve: (r: VtyReply) => void; reject: (e: Error) => void }[] = [];
  /** A daemon that does not answer within this many ms fails the connection (and every pending command). */
  #timeoutMs = 120_000;
  #timer: NodeJS.Timeout | undefined;
  #closed: Error | undefined;

  private constructor(socket: Socket, path: string) {
    this.#socket = socket;
    this.#path = path;
    socket.on('data', (chunk: Buffer) => {
      this.#onData(chunk);
    });
    socket.on('error', (e) => {
      this.#fail(new VtyError(`${path}: ${e.message}`));
    });
    socket.on('close', () => {
      this.#fail(new VtyError(`${path}: connection closed`));
    });
  }

  /** `commandTimeoutMs`: how long one reply may take (a busy daemon at 1,000 VRFs needs seconds for some lines). */
  static async open(path: string, timeoutMs = 5_000, commandTimeoutMs = 120_000): Promise<VtyConnection> {
    return new Promise((resolve, reject) => {
      const socket = createConnection(path);
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new VtyError(`${path}: connect timed out`));
      }, timeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        const conn = new VtyConnection(socket, path);
        conn.#timeoutMs = commandTimeoutMs;
        // vtysh's first command on every connection (the daemon starts it in view mode).
        conn.run('enable').then(() => {
          resolve(conn);
        }, reject);
      });
      socket.once('error', (e) => {
        clearTimeout(timer);
        reject(new VtyError(`${path}: ${e.message}`));
      });
    });
  }

  /** Runs one command; rejects only when the connection fails. */
  run(command: string): Promise<VtyReply> {
    if (this.#closed !== undefined) return Promise.reject(this.#closed);
    return new Promise((resolve, reject) => {
      this.#pending.push({ resolve, reject });
      this.#arm();
      this.#socket.write(`${command}\0`);
    });
  }

  /**
   * Runs the commands in order with up to `window` in flight (the daemon
   * reads its socket buffer command by command, so replies come in order).
   */
  async runAll(commands: readonly string[], window = 64): Promise<VtyReply[]> {
    const replies: Promise<VtyReply>[] = [];
    for (let i = 0; i < commands.length; i++) {
      if (i >= window) await replies[i - window];
      replies.push(this.run(commands[i] ?? ''));
    }
    return Promise.all(replies);
  }

  close(): void {
    this.#closed ??= new VtyError(`${this.#path}: closed`);
    this.#socket.destroy();
  }

  #onData(chunk: Buffer): void {
    this.#buffer = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk]);
    for (;;) {
      const end = findEnd(this.#buffer);
      if (end < 0) return;
      const output = this.#buffer.subarray(0, end).toString('utf8');
      const status = this.#buffer[end + 3] ?? 0;
      this.#buffer = this.#buffer.subarray(end + 4);
      this.#pending.shift()?.resolve({ status, output });
      this.#arm();
    }
  }

  /** (Re)starts the reply timer while commands are pending. */
  #arm(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#pending.length === 0) return;
    this.#timer = setTimeout(() => {
      this.#fail(new VtyError(`${this.#path}: no reply within ${this.#timeoutMs} ms`));
      this.#socket.destroy();
    }, this.#timeoutMs);
  }

  #fail(error: Error): void {
    clearTimeout(this.#timer);
    this.#closed ??= error;
    for (const p of this.#pending.splice(0)) p.reject(error);
  }
}

/** Index of the three NULs that end a reply (followed by the status byte), or -1. */
function findEnd(buf: Buffer): number {
  let from = 0;
  for (;;) {
    const i = buf.indexOf(0, from);
    if (i < 0 || i + 3 >= buf.length) return -1;
    if (buf[i + 1] === 0 && buf[i + 2] === 0) return i;
    from = i + 1;
  }
}
