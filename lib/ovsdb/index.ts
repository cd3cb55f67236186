// Public surface of the OVSDB client.
export { OvsdbClient } from './client.ts';
export type { ClientEvents, ClientStats, ConnectionState, OvsdbClientOptions, OvsdbLogger } from './client-options.ts';
export {
  Replica,
  MONITOR_METHODS,
  type Condition,
  type ConditionFunction,
  type MonitorMethod,
  type MonitorSpec,
  type MonitorTableSpec,
  type ReplicaEvents,
  type ReplicaState,
  type ResyncInfo,
} from './replica.ts';
export type { ChangeBatch, ChangeKind, Row, Snapshot, TableChanges } from './replica-store.ts';
export type { Mutation, Mutator, Operation, OperationResult, RowInput, TransactResults } from './operations.ts';
export { mapKeyMutations, type MapKeyEdits } from './map-mutations.ts';
export type { OvsdbInput, OvsdbMap, OvsdbValue } from './datum.ts';
export type { AtomicType, Atom, BaseType, ColumnSchema, ColumnType, DatabaseSchema, TableSchema } from './schema.ts';
export {
  ClusterStateError,
  ConnectError,
  DisconnectedError,
  FramingError,
  RpcError,
  SchemaMismatchError,
  TransactionError,
} from './errors.ts';
export { parseRemote, parseRemoteList, type Remote, type SslFiles } from './remote.ts';
export type { DatabaseReplaced, MemberState } from './cluster-tracker.ts';
export type { ClusterView } from './cluster-member.ts';
export { DEFAULT_BACKOFF, type BackoffOptions } from './backoff.ts';
