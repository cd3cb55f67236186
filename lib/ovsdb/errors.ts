// Error classes the client surfaces. Each carries the structured fields a caller
// (or a status condition) needs, and a message that reads well on its own.

/** The byte stream is not a sequence of JSON objects, or a message is too large. */
export class FramingError extends Error {
  override name = 'FramingError';
}

/** Connecting to the remote failed (socket error, timeout, missing database). */
export class ConnectError extends Error {
  override name = 'ConnectError';
  readonly remote: string;
  readonly code: string | undefined;
  constructor(remote: string, message: string, code?: string, options?: ErrorOptions) {
    super(message, options);
    this.remote = remote;
    this.code = code;
  }
}

/**
 * The member answers but must not be read from: cut off from its cluster, not
 * joined yet, or behind what was already read (its `_Server` row says so).
 */
export class ClusterStateError extends ConnectError {
  override name = 'ClusterStateError';
  constructor(remote: string, message: string) {
    super(remote, message, 'ECLUSTER');
  }
}

/** A request could not complete because the connection went away (or was never up). */
export class DisconnectedError extends Error {
  override name = 'DisconnectedError';
}

/** The server answered a JSON-RPC request with an error (RFC 7047 §3.1 / JSON-RPC 1.0). */
export class RpcError extends Error {
  override name = 'RpcError';
  readonly method: string;
  /** The OVSDB error tag, e.g. "unknown method", "unknown database". */
  readonly error: string;
  readonly details: string | undefined;
  constructor(method: string, error: string, details?: string) {
    super(`${method}: ${error}${details === undefined ? '' : `: ${details}`}`);
    this.method = method;
    this.error = error;
    this.details = details;
  }
}

/** One operation of a transaction failed, or the commit did (RFC 7047 §5.2). */
export class TransactionError extends Error {
  override name = 'TransactionError';
  readonly db: string;
  /** Index of the failing operation; equals the number of operations when the commit failed. */
  readonly index: number;
  readonly error: string;
  readonly details: string | undefined;
  constructor(db: string, index: number, op: string, error: string, details?: string) {
    super(
      `transaction on ${db} failed at operation ${index} (${op}): ${error}${details === undefined ? '' : `: ${details}`}`,
    );
    this.db = db;
    this.index = index;
    this.error = error;
    this.details = details;
  }
}

/** A value does not match the column type from the database schema. */
export class SchemaMismatchError extends Error {
  override name = 'SchemaMismatchError';
  readonly table: string;
  readonly column: string;
  readonly uuid: string | undefined;
  constructor(table: string, column: string, uuid: string | undefined, reason: string) {
    super(`${table}${uuid === undefined ? '' : ` row ${uuid}`} column ${column}: ${reason}`);
    this.table = table;
    this.column = column;
    this.uuid = uuid;
  }
}
