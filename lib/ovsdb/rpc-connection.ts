// One JSON-RPC session on one socket: request/response matching, answers to the
// server's echo, and our own echo probe on an idle connection. It never reconnects;
// the client replaces it. Every failure ends in exactly one 'close' event.
import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import { ConnectError, DisconnectedError, FramingError, RpcError } from './errors.ts';
import { JsonFramer } from './framer.ts';
import { IncomingMessage, isRequest, parseRpcError, type IncomingRequest } from './messages.ts';
import { openSocket, REFUSED_CERT, tlsFailure } from './open-socket.ts';
import type { Remote, SslFiles } from './remote.ts';

export interface RpcConnectionOptions {
  readonly connectTimeoutMs: number;
  /** Send an echo after this long without inbound traffic; close if nothing arrives for as long again. 0 disables. */
  readonly probeIntervalMs: number;
  readonly maxMessageBytes: number;
  /** Counters to add to; lets a client keep totals across connections. */
  readonly counters?: RpcCounters;
  /** Required by ssl: remotes; read at every connect, so a renewed Secret is picked up on reconnect. */
  readonly ssl?: SslFiles | undefined;
}

export interface RpcCounters {
  echoesAnswered: number;
  echoesSent: number;
  messagesReceived: number;
  messagesSent: number;
}

interface RpcConnectionEvents {
  notification: [method: string, params: unknown[]];
  close: [reason: Error];
}

interface Pending {
  readonly method: string;
  resolve(result: unknown): void;
  reject(error: Error): void;
}

export class RpcConnection extends EventEmitter<RpcConnectionEvents> {
  readonly remote: Remote;
  readonly counters: RpcCounters;
  readonly #socket: Socket;
  readonly #framer: JsonFramer;
  readonly #probeIntervalMs: number;
  readonly #pending = new Map<number, Pending>();
  #nextId = 1;
  #lastReceived = Date.now();
  #echoOutstandingSince: number | undefined;
  #probeTimer: NodeJS.Timeout | undefined;
  #closed: Error | undefined;

  private constructor(remote: Remote, socket: Socket, options: RpcConnectionOptions) {
    super();
    this.remote = remote;
    this.#socket = socket;
    this.counters = options.counters ?? { echoesAnswered: 0, echoesSent: 0, messagesReceived: 0, messagesSent: 0 };
    this.#framer = new JsonFramer(options.maxMessageBytes);
    this.#probeIntervalMs = options.probeIntervalMs;
    socket.on('data', (chunk: Buffer) => {
      this.#onData(chunk);
    });
    socket.on('error', (err: NodeJS.ErrnoException) => {
      // With TLS 1.3 the server's verdict on our certificate comes after the handshake, on the first read.
      const refused = remote.kind === 'ssl' && options.ssl !== undefined && REFUSED_CERT.test(err.message);
      const message = refused
        ? tlsFailure(remote, options.ssl, err).replace(/^cannot connect to/, 'connection to')
        : `connection to ${remote.text} failed: ${err.message}`;
      this.#shutdown(new DisconnectedError(message, { cause: err }));
    });
    socket.on('close', () => {
      this.#shutdown(new DisconnectedError(`connection to ${remote.text} closed by the server`));
    });
    this.#armProbe();
  }

  /** Opens the socket; rejects with ConnectError naming the remote and the errno. */
  static open(remote: Remote, options: RpcConnectionOptions): Promise<RpcConnection> {
    return new Promise((resolve, reject) => {
      const { socket, ready } = openSocket(remote, options.ssl);
      const timer = setTimeout(() => {
        socket.destroy();
        reject(
          new ConnectError(
            remote.text,
            `cannot connect to ${remote.text}: timed out after ${options.connectTimeoutMs} ms`,
            'ETIMEDOUT',
          ),
        );
      }, options.connectTimeoutMs);
      const onError = (err: NodeJS.ErrnoException): void => {
        clearTimeout(timer);
        socket.destroy();
        const message =
          remote.kind === 'ssl' && options.ssl !== undefined
            ? tlsFailure(remote, options.ssl, err)
            : `cannot connect to ${remote.text}: ${err.code ?? err.message}`;
        reject(new ConnectError(remote.text, message, err.code, { cause: err }));
      };
      socket.once('error', onError);
      socket.once(ready, () => {
        clearTimeout(timer);
        socket.off('error', onError);
        socket.setNoDelay(true);
        resolve(new RpcConnection(remote, socket, options));
      });
    });
  }

  get closed(): boolean {
    return this.#closed !== undefined;
  }

  request(method: string, params: readonly unknown[]): Promise<unknown> {
    if (this.#closed) return Promise.reject(this.#closed);
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { method, resolve, reject });
      this.#send({ id, method, params });
    });
  }

  notify(method: string, params: readonly unknown[]): void {
    if (!this.#closed) this.#send({ id: null, method, params });
  }

  /** Closes the socket; pending requests reject with `reason`. */
  close(reason: Error = new DisconnectedError(`connection to ${this.remote.text} closed by the client`)): void {
    this.#shutdown(reason);
  }

  #send(message: object): void {
    this.counters.messagesSent++;
    this.#socket.write(JSON.stringify(message));
  }

  #onData(chunk: Buffer): void {
    this.#lastReceived = Date.now();
    this.#echoOutstandingSince = undefined;
    let messages: unknown[];
    try {
      messages = this.#framer.push(chunk);
    } catch (err) {
      this.#shutdown(
        err instanceof FramingError ? new FramingError(`from ${this.remote.text}: ${err.message}`) : toError(err),
      );
      return;
    }
    for (const raw of messages) {
      if (this.#closed) return;
      this.counters.messagesReceived++;
      const parsed = IncomingMessage.safeParse(raw);
      if (!parsed.success) {
        this.#shutdown(
          new FramingError(`from ${this.remote.text}: not a JSON-RPC message: ${JSON.stringify(raw).slice(0, 120)}`),
        );
        return;
      }
      const message = parsed.data;
      if (isRequest(message)) this.#onRequest(message);
      else this.#onResponse(message.id, message.result, message.error);
    }
  }

  #onRequest(message: IncomingRequest): void {
    const isNotification = message.id === undefined || message.id === null;
    if (isNotification) {
      this.emit('notification', message.method, message.params);
      return;
    }
    if (message.method === 'echo') {
      this.counters.echoesAnswered++;
      this.#send({ id: message.id, result: message.params, error: null });
      return;
    }
    this.#send({ id: message.id, result: null, error: { error: 'unknown method', details: message.method } });
  }

  #onResponse(id: number | string, result: unknown, error: unknown): void {
    if (typeof id !== 'number') return;
    const pending = this.#pending.get(id);
    if (pending === undefined) return;
    this.#pending.delete(id);
    const rpcError = parseRpcError(error);
    if (rpcError === undefined) pending.resolve(result);
    else pending.reject(new RpcError(pending.method, rpcError.error, rpcError.details));
  }

  // Checked ten times per interval, so a dead peer (a stopped or cut-off member) is left within
  // 2.2 intervals (it was 2.5): the member list has others to move on to.
  #armProbe(): void {
    if (this.#probeIntervalMs <= 0) return;
    this.#probeTimer = setTimeout(() => {
      this.#checkLiveness();
    }, this.#probeIntervalMs / 10);
  }

  #checkLiveness(): void {
    if (this.#closed) return;
    const now = Date.now();
    if (this.#echoOutstandingSince !== undefined) {
      if (now - this.#echoOutstandingSince >= this.#probeIntervalMs) {
        this.#shutdown(
          new DisconnectedError(
            `no reply from ${this.remote.text} to echo within ${this.#probeIntervalMs} ms; peer considered dead`,
          ),
        );
        return;
      }
    } else if (now - this.#lastReceived >= this.#probeIntervalMs) {
      this.#echoOutstandingSince = now;
      this.counters.echoesSent++;
      // The reply (or any traffic) clears the outstanding mark in #onData; the result itself does not matter.
      this.request('echo', []).catch(() => undefined);
    }
    this.#armProbe();
  }

  #shutdown(reason: Error): void {
    if (this.#closed) return;
    this.#closed = reason;
    clearTimeout(this.#probeTimer);
    this.#socket.destroy();
    const pending = [...this.#pending.values()];
    this.#pending.clear();
    for (const p of pending) p.reject(reason);
    this.emit('close', reason);
  }
}

function toError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}
