// Per-table state of the replica store (the monitored columns, rows, and rows
// that failed to decode) and the pure helpers that decode and compare its rows.
import { decodeDatum, defaultValue, valuesEqual, type OvsdbValue } from './datum.ts';
import { SchemaMismatchError } from './errors.ts';
import type { Row } from './replica-store.ts';
import type { DatabaseSchema, TableSchema } from './schema.ts';
import { errorMessage } from '../log.ts';

export interface TableState {
  readonly schema: TableSchema;
  readonly columns: readonly string[];
  rows: Map<string, Row>;
  /** Rows whose last update failed to decode; further diffs for them cannot be applied. */
  poisoned: Set<string>;
  version: number;
  snapshot: ReadonlyMap<string, Row> | undefined;
  snapshotVersion: number;
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function newTableState(schema: DatabaseSchema, table: string, wanted: readonly string[]): TableState {
  const tableSchema = schema.tables.get(table);
  if (tableSchema === undefined) throw new Error(`table ${table} is not in the ${schema.name} schema`);
  const all = [...tableSchema.columns.keys()].filter((c) => c !== '_uuid' && c !== '_version');
  const columns = wanted.length === 0 ? all : [...wanted];
  for (const column of columns) {
    if (!tableSchema.columns.has(column))
      throw new Error(`column ${column} is not in table ${table} of the ${schema.name} schema`);
  }
  return {
    schema: tableSchema,
    columns,
    rows: new Map(),
    poisoned: new Set(),
    version: 0,
    snapshot: undefined,
    snapshotVersion: -1,
  };
}

export function decodeRow(state: TableState, uuid: string, json: Record<string, unknown>, base: Row | undefined): Row {
  const row: Record<string, OvsdbValue> = { _uuid: uuid };
  for (const column of state.columns) {
    const schema = state.schema.columns.get(column);
    if (schema === undefined) continue;
    const value = json[column];
    try {
      row[column] =
        value === undefined ? (base?.[column] ?? defaultValue(schema.type)) : decodeDatum(schema.type, value);
    } catch (err) {
      throw new SchemaMismatchError(state.schema.name, column, uuid, errorMessage(err));
    }
  }
  return Object.freeze(row) as Row;
}

export function rowsEqual(state: TableState, a: Row, b: Row): boolean {
  return state.columns.every((c) => valuesEqual(a[c] ?? null, b[c] ?? null));
}

export function toMismatch(state: TableState, uuid: string, err: unknown): SchemaMismatchError {
  if (err instanceof SchemaMismatchError) return err;
  return new SchemaMismatchError(state.schema.name, '*', uuid, errorMessage(err));
}
