// The in-memory copy of monitored tables and the pure logic that applies OVSDB
// table updates to it: "update" (monitor), "update2"/"update3" (monitor_cond,
// monitor_cond_since) and full snapshots. Every application returns the change
// batch it caused; nothing here does I/O.
import { applyDatumDiff, DatumError, defaultValue, type OvsdbValue } from './datum.ts';
import { SchemaMismatchError } from './errors.ts';
import type { DatabaseSchema } from './schema.ts';
import { BatchBuilder } from './change-batch-builder.ts';
import { decodeRow, isObject, newTableState, rowsEqual, toMismatch, type TableState } from './table-state.ts';
import { errorMessage } from '../log.ts';

export type Row = Readonly<{ _uuid: string } & Record<string, OvsdbValue>>;

export interface TableChanges<R = Row> {
  readonly added: readonly R[];
  readonly modified: readonly { readonly old: R; readonly new: R }[];
  readonly removed: readonly R[];
}

export type ChangeKind = 'initial' | 'update' | 'resync';

export interface ChangeBatch<Rows extends Record<string, Row> = Record<string, Row>> {
  /** Replica version after this batch. */
  readonly version: number;
  readonly kind: ChangeKind;
  /** Only tables with at least one change appear. */
  readonly tables: Partial<{ readonly [T in keyof Rows]: TableChanges<Rows[T]> }>;
}

export type UpdateFormat = 'update' | 'update2';

export interface Snapshot<Rows extends Record<string, Row> = Record<string, Row>> {
  readonly version: number;
  readonly tables: { readonly [T in keyof Rows]: ReadonlyMap<string, Rows[T]> };
}

export class ReplicaStore {
  readonly db: string;
  readonly #tables = new Map<string, TableState>();
  #version = 0;

  /** `columns`: table → monitored columns (empty: all columns of the schema). */
  constructor(schema: DatabaseSchema, columns: Readonly<Record<string, readonly string[]>>) {
    this.db = schema.name;
    for (const [table, wanted] of Object.entries(columns)) {
      this.#tables.set(table, newTableState(schema, table, wanted));
    }
  }

  get version(): number {
    return this.#version;
  }

  tableNames(): string[] {
    return [...this.#tables.keys()];
  }

  /** The columns monitored in `table`, as sent in the monitor request. */
  columns(table: string): readonly string[] {
    return this.#tables.get(table)?.columns ?? [];
  }

  /** Switches to a new schema (after reconnect); rows are replaced by the following resync. */
  setSchema(schema: DatabaseSchema): void {
    for (const [name, state] of this.#tables) {
      const next = newTableState(schema, name, state.columns);
      next.rows = state.rows;
      this.#tables.set(name, next);
    }
  }

  get(table: string, uuid: string): Row | undefined {
    return this.#tables.get(table)?.rows.get(uuid);
  }

  /** Current rows; tables unchanged since the previous call return the same Map object. */
  snapshot(): Snapshot {
    const tables: Record<string, ReadonlyMap<string, Row>> = {};
    for (const [name, state] of this.#tables) {
      if (state.snapshot === undefined || state.snapshotVersion !== state.version) {
        state.snapshot = new Map(state.rows);
        state.snapshotVersion = state.version;
      }
      tables[name] = state.snapshot;
    }
    return { version: this.#version, tables };
  }

  /**
   * Applies incremental table updates. Returns the batch (undefined if nothing changed)
   * and the rows that could not be decoded; those are left out of the replica.
   */
  applyUpdates(
    format: UpdateFormat,
    tableUpdates: unknown,
  ): { batch: ChangeBatch | undefined; errors: SchemaMismatchError[] } {
    const builder = new BatchBuilder();
    const errors: SchemaMismatchError[] = [];
    this.#forEachRowUpdate(tableUpdates, errors, (state, uuid, update) => {
      try {
        if (format === 'update2') this.#applyUpdate2(state, uuid, update, builder);
        else this.#applyUpdate1(state, uuid, update, builder);
      } catch (err) {
        errors.push(this.#poison(state, uuid, err, builder));
      }
    });
    return { batch: this.#finish(builder, 'update'), errors };
  }

  /**
   * Replaces the whole replica by a snapshot (the initial monitor reply, or a resync
   * after reconnect) and reports the difference to what was there before: rows gone
   * are removed, new rows added, rows with any differing column modified.
   */
  replaceAll(
    format: UpdateFormat,
    tableUpdates: unknown,
    kind: 'initial' | 'resync',
  ): { batch: ChangeBatch | undefined; errors: SchemaMismatchError[] } {
    const errors: SchemaMismatchError[] = [];
    const fresh = new Map<string, Map<string, Row>>();
    for (const name of this.#tables.keys()) fresh.set(name, new Map());
    this.#forEachRowUpdate(tableUpdates, errors, (state, uuid, update) => {
      const rowJson = format === 'update2' ? (update.initial ?? update.insert) : update.new;
      try {
        if (!isObject(rowJson))
          throw new DatumError(`snapshot entry has no row: ${JSON.stringify(update).slice(0, 80)}`);
        fresh.get(state.schema.name)?.set(uuid, decodeRow(state, uuid, rowJson, undefined));
      } catch (err) {
        errors.push(toMismatch(state, uuid, err));
      }
    });
    const builder = new BatchBuilder();
    for (const [name, state] of this.#tables) {
      const next = fresh.get(name) ?? new Map<string, Row>();
      const poisoned = new Set(errors.filter((e) => e.table === name && e.uuid !== undefined).map((e) => e.uuid ?? ''));
      for (const [uuid, old] of state.rows) {
        const row = next.get(uuid);
        if (row === undefined && poisoned.has(uuid))
          next.set(uuid, old); // undecodable now: keep the last good version
        else if (row === undefined) builder.removed(name, old);
        else if (!rowsEqual(state, old, row)) builder.modified(name, old, row);
        else next.set(uuid, old); // keep identity for unchanged rows
      }
      for (const [uuid, row] of next) if (!state.rows.has(uuid)) builder.added(name, row);
      state.rows = next;
      state.poisoned = poisoned;
    }
    return { batch: this.#finish(builder, kind, kind === 'initial'), errors };
  }

  #finish(builder: BatchBuilder, kind: ChangeKind, always = false): ChangeBatch | undefined {
    if (builder.empty && !always) return undefined;
    this.#version++;
    for (const name of builder.tableNames()) {
      const state = this.#tables.get(name);
      if (state) state.version++;
    }
    return builder.build(this.#version, kind);
  }

  #forEachRowUpdate(
    tableUpdates: unknown,
    errors: SchemaMismatchError[],
    apply: (state: TableState, uuid: string, update: Record<string, unknown>) => void,
  ): void {
    if (!isObject(tableUpdates)) {
      errors.push(
        new SchemaMismatchError(
          '*',
          '*',
          undefined,
          `table updates are not an object: ${JSON.stringify(tableUpdates).slice(0, 80)}`,
        ),
      );
      return;
    }
    for (const [table, rows] of Object.entries(tableUpdates)) {
      const state = this.#tables.get(table);
      if (state === undefined || !isObject(rows)) {
        errors.push(
          new SchemaMismatchError(
            table,
            '*',
            undefined,
            state === undefined ? 'update for a table that is not monitored' : 'table update is not an object',
          ),
        );
        continue;
      }
      for (const [uuid, update] of Object.entries(rows)) {
        if (!isObject(update)) {
          errors.push(new SchemaMismatchError(table, '*', uuid, 'row update is not an object'));
          continue;
        }
        apply(state, uuid, update);
      }
    }
  }

  #applyUpdate2(state: TableState, uuid: string, update: Record<string, unknown>, builder: BatchBuilder): void {
    const table = state.schema.name;
    const old = state.rows.get(uuid);
    if ('delete' in update) {
      state.poisoned.delete(uuid);
      if (old !== undefined) {
        state.rows.delete(uuid);
        builder.removed(table, old);
      }
      return;
    }
    const full = update.initial ?? update.insert;
    if (full !== undefined) {
      if (!isObject(full)) throw new DatumError('insert row is not an object');
      const row = decodeRow(state, uuid, full, undefined);
      this.#store(state, uuid, old, row, builder);
      return;
    }
    const diff = update.modify;
    if (!isObject(diff))
      throw new DatumError(
        `row update has none of initial/insert/modify/delete: ${JSON.stringify(update).slice(0, 80)}`,
      );
    if (old === undefined) {
      if (state.poisoned.has(uuid)) return; // already reported; nothing to apply the diff to
      throw new DatumError('modify for a row the replica does not have');
    }
    const next: Record<string, OvsdbValue> = { ...old };
    for (const [column, value] of Object.entries(diff)) {
      const schema = state.schema.columns.get(column);
      if (schema === undefined || !state.columns.includes(column)) continue;
      try {
        next[column] = applyDatumDiff(schema.type, old[column] ?? defaultValue(schema.type), value);
      } catch (err) {
        throw new SchemaMismatchError(table, column, uuid, errorMessage(err));
      }
    }
    this.#store(state, uuid, old, Object.freeze(next) as Row, builder);
  }

  #applyUpdate1(state: TableState, uuid: string, update: Record<string, unknown>, builder: BatchBuilder): void {
    const old = state.rows.get(uuid);
    const rowJson = update.new;
    if (rowJson === undefined || rowJson === null) {
      state.poisoned.delete(uuid);
      if (old !== undefined) {
        state.rows.delete(uuid);
        builder.removed(state.schema.name, old);
      }
      return;
    }
    if (!isObject(rowJson)) throw new DatumError('"new" is not an object');
    // "new" carries every monitored column; merging over the old row also covers servers that omit defaults.
    this.#store(state, uuid, old, decodeRow(state, uuid, rowJson, old), builder);
  }

  #store(state: TableState, uuid: string, old: Row | undefined, row: Row, builder: BatchBuilder): void {
    state.poisoned.delete(uuid);
    state.rows.set(uuid, row);
    if (old === undefined) builder.added(state.schema.name, row);
    else if (!rowsEqual(state, old, row)) builder.modified(state.schema.name, old, row);
  }

  #poison(state: TableState, uuid: string, err: unknown, _builder: BatchBuilder): SchemaMismatchError {
    // Keep the last good version of the row (if any): consumers should not act on a
    // delete that never happened. Later diffs for it are skipped until a delete or resync.
    state.poisoned.add(uuid);
    return toMismatch(state, uuid, err);
  }
}
