// The options, state, statistics and events of OvsdbClient: its public shape,
// apart from the class so the connection lifecycle in client.ts reads on its own.
import type { BackoffOptions } from './backoff.ts';
import type { DatabaseReplaced } from './cluster-tracker.ts';
import type { SslFiles } from './remote.ts';
import type { RpcCounters } from './rpc-connection.ts';

/** The subset of a pino logger the client uses. */
export interface OvsdbLogger {
  debug(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export const silentLogger: OvsdbLogger = { debug: () => undefined, info: () => undefined, warn: () => undefined };

export interface OvsdbClientOptions {
  /** unix:PATH, tcp:HOST:PORT or ssl:HOST:PORT, or several members of a cluster, comma-separated; tried in a random order. */
  readonly remote: string;
  /** Key, certificate and CA files of an ssl: remote, and optionally the server name its certificate must carry. */
  readonly ssl?: SslFiles | undefined;
  /** Databases that must be served; connect() rejects (and reconnects retry) otherwise. */
  readonly databases?: readonly string[];
  /** Echo after this much inbound silence, and declare the peer dead after as much again. 0 disables. Default 5000. */
  readonly probeIntervalMs?: number;
  /** Default 5000. */
  readonly connectTimeoutMs?: number;
  readonly backoff?: Partial<BackoffOptions>;
  /** Largest single JSON-RPC message accepted. Default 128 MiB. */
  readonly maxMessageBytes?: number;
  readonly logger?: OvsdbLogger;
}

export type ConnectionState = 'connecting' | 'connected' | 'disconnected' | 'closed';

export interface ClientStats extends RpcCounters {
  readonly state: ConnectionState;
  /** Successful connections, the first included. */
  readonly connects: number;
  readonly disconnects: number;
  readonly reconnectAttempts: number;
  readonly lastError: string | undefined;
  readonly connectedSince: Date | undefined;
}

export interface ClientEvents {
  state: [state: ConnectionState];
  connected: [info: { reconnect: boolean }];
  disconnected: [reason: Error];
  reconnecting: [info: { attempt: number; delayMs: number }];
  connectFailed: [reason: Error];
  /** A member was left because its `_Server` row says it must not be read from. */
  memberLeft: [info: { remote: string; reason: string }];
  /** A database's cluster id changed (re-created); its replicas resync from scratch. */
  databaseReplaced: [info: DatabaseReplaced];
}

/** The client's own counters in ClientStats, kept across connections. */
export type SessionCounters = {
  -readonly [K in Exclude<keyof ClientStats, keyof RpcCounters | 'state'>]: ClientStats[K];
};

export const NO_SESSION: Readonly<SessionCounters> = {
  connects: 0,
  disconnects: 0,
  reconnectAttempts: 0,
  lastError: undefined,
  connectedSince: undefined,
};
