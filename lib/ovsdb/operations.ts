// transact (RFC 7047 §4.1.3, §5.2): plain-JavaScript operations encoded against the
// schema, and results decoded back, with the first failing operation (or a failed
// commit) turned into a TransactionError.
import { z } from 'zod';
import { DatumError, decodeDatum, encodeDatum, isUuid, type OvsdbInput, type OvsdbValue } from './datum.ts';
import { SchemaMismatchError, TransactionError } from './errors.ts';
import type { Row } from './replica-store.ts';
import type { Condition } from './replica.ts';
import type { DatabaseSchema, TableSchema } from './schema.ts';
import { errorMessage } from '../log.ts';

export type Mutator = '+=' | '-=' | '*=' | '/=' | '%=' | 'insert' | 'delete';
export type Mutation = readonly [column: string, mutator: Mutator, value: OvsdbInput];
export type RowInput = Readonly<Record<string, OvsdbInput>>;

export type Operation =
  | {
      readonly op: 'insert';
      readonly table: string;
      readonly row: RowInput;
      readonly 'uuid-name'?: string;
      readonly uuid?: string;
    }
  | {
      readonly op: 'select';
      readonly table: string;
      readonly where: readonly Condition[];
      readonly columns?: readonly string[];
    }
  | { readonly op: 'update'; readonly table: string; readonly where: readonly Condition[]; readonly row: RowInput }
  | {
      readonly op: 'mutate';
      readonly table: string;
      readonly where: readonly Condition[];
      readonly mutations: readonly Mutation[];
    }
  | { readonly op: 'delete'; readonly table: string; readonly where: readonly Condition[] }
  | {
      readonly op: 'wait';
      readonly table: string;
      readonly where: readonly Condition[];
      readonly columns: readonly string[];
      readonly until: '==' | '!=';
      readonly rows: readonly RowInput[];
      readonly timeout?: number;
    }
  | { readonly op: 'commit'; readonly durable: boolean }
  | { readonly op: 'abort' }
  | { readonly op: 'comment'; readonly comment: string }
  | { readonly op: 'assert'; readonly lock: string };

export type OperationResult<O extends Operation> = O extends { op: 'insert' }
  ? { readonly uuid: string }
  : O extends { op: 'select' }
    ? { readonly rows: readonly Row[] }
    : O extends { op: 'update' | 'mutate' | 'delete' }
      ? { readonly count: number }
      : Readonly<Record<string, never>>;

export type TransactResults<Ops extends readonly Operation[]> = { -readonly [K in keyof Ops]: OperationResult<Ops[K]> };

function tableOf(schema: DatabaseSchema, name: string): TableSchema {
  const table = schema.tables.get(name);
  if (table === undefined) throw new Error(`table ${name} is not in the ${schema.name} schema`);
  return table;
}

function encodeColumn(table: TableSchema, column: string, value: OvsdbInput): unknown {
  const schema = table.columns.get(column);
  if (schema === undefined) throw new SchemaMismatchError(table.name, column, undefined, 'no such column');
  try {
    return encodeDatum(schema.type, value);
  } catch (err) {
    throw new SchemaMismatchError(table.name, column, undefined, errorMessage(err));
  }
}

function encodeRow(table: TableSchema, row: RowInput): Record<string, unknown> {
  return Object.fromEntries(Object.entries(row).map(([c, v]) => [c, encodeColumn(table, c, v)]));
}

function encodeWhere(table: TableSchema, where: readonly Condition[]): unknown[] {
  return where.map(([column, fn, value]) => [column, fn, encodeColumn(table, column, value)]);
}

export function encodeOperation(schema: DatabaseSchema, op: Operation): Record<string, unknown> {
  switch (op.op) {
    case 'insert': {
      const table = tableOf(schema, op.table);
      const encoded: Record<string, unknown> = { op: 'insert', table: op.table, row: encodeRow(table, op.row) };
      if (op['uuid-name'] !== undefined) encoded['uuid-name'] = op['uuid-name'];
      if (op.uuid !== undefined) {
        if (!isUuid(op.uuid)) throw new Error(`insert into ${op.table}: "${op.uuid}" is not a uuid`);
        encoded.uuid = op.uuid;
      }
      return encoded;
    }
    case 'select': {
      const table = tableOf(schema, op.table);
      const encoded: Record<string, unknown> = { op: 'select', table: op.table, where: encodeWhere(table, op.where) };
      if (op.columns !== undefined) encoded.columns = op.columns;
      return encoded;
    }
    case 'update': {
      const table = tableOf(schema, op.table);
      return { op: 'update', table: op.table, where: encodeWhere(table, op.where), row: encodeRow(table, op.row) };
    }
    case 'mutate': {
      const table = tableOf(schema, op.table);
      return {
        op: 'mutate',
        table: op.table,
        where: encodeWhere(table, op.where),
        mutations: op.mutations.map(([column, mutator, value]) => [
          column,
          mutator,
          encodeColumn(table, column, value),
        ]),
      };
    }
    case 'delete': {
      const table = tableOf(schema, op.table);
      return { op: 'delete', table: op.table, where: encodeWhere(table, op.where) };
    }
    case 'wait': {
      const table = tableOf(schema, op.table);
      const encoded: Record<string, unknown> = {
        op: 'wait',
        table: op.table,
        where: encodeWhere(table, op.where),
        columns: op.columns,
        until: op.until,
        rows: op.rows.map((r) => encodeRow(table, r)),
      };
      if (op.timeout !== undefined) encoded.timeout = op.timeout;
      return encoded;
    }
    case 'commit':
    case 'abort':
    case 'comment':
    case 'assert':
      return { ...op };
  }
}

const ResultJson = z.union([
  z.null(),
  z.object({
    uuid: z.tuple([z.literal('uuid'), z.string()]).optional(),
    rows: z.array(z.record(z.string(), z.unknown())).optional(),
    count: z.number().optional(),
    error: z.string().optional(),
    details: z.string().optional(),
  }),
]);
const ResultsJson = z.array(ResultJson);

function decodeSelectedRow(table: TableSchema, json: Record<string, unknown>): Row {
  const row: Record<string, OvsdbValue> = {};
  for (const [column, value] of Object.entries(json)) {
    const schema = table.columns.get(column);
    if (schema === undefined) throw new SchemaMismatchError(table.name, column, undefined, 'no such column');
    try {
      row[column] = decodeDatum(schema.type, value);
    } catch (err) {
      if (err instanceof DatumError)
        throw new SchemaMismatchError(
          table.name,
          column,
          typeof row._uuid === 'string' ? row._uuid : undefined,
          err.message,
        );
      throw err;
    }
  }
  return Object.freeze(row) as Row;
}

/** Checks the transact reply and decodes each result; throws TransactionError for the first failure. */
export function decodeTransactResults(schema: DatabaseSchema, ops: readonly Operation[], reply: unknown): unknown[] {
  const results = ResultsJson.parse(reply);
  results.forEach((result, index) => {
    if (result?.error !== undefined) {
      const op = index < ops.length ? (ops[index]?.op ?? '?') : 'commit';
      throw new TransactionError(schema.name, index, op, result.error, result.details);
    }
  });
  if (results.length < ops.length)
    throw new Error(`transact on ${schema.name}: ${results.length} results for ${ops.length} operations`);
  return ops.map((op, index) => {
    const result = results[index];
    if (result === null || result === undefined)
      throw new Error(`transact on ${schema.name}: operation ${index} (${op.op}) was not executed`);
    switch (op.op) {
      case 'insert':
        if (result.uuid === undefined) throw new Error(`transact on ${schema.name}: insert result has no uuid`);
        return { uuid: result.uuid[1] };
      case 'select': {
        const table = tableOf(schema, op.table);
        return { rows: (result.rows ?? []).map((r) => decodeSelectedRow(table, r)) };
      }
      case 'update':
      case 'mutate':
      case 'delete':
        return { count: result.count ?? 0 };
      default:
        return {};
    }
  });
}
