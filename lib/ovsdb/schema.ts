// The database schema as returned by get_schema (RFC 7047 §3.2), parsed with zod
// at the boundary and normalised so that decoding never has to look at the
// shorthand forms ("string" for a column type, max "unlimited", enum as a set).
import { z } from 'zod';

export type AtomicType = 'integer' | 'real' | 'boolean' | 'string' | 'uuid';
export type Atom = string | number | boolean;

export interface BaseType {
  readonly type: AtomicType;
  readonly enum?: readonly Atom[];
  readonly minInteger?: number;
  readonly maxInteger?: number;
  readonly minReal?: number;
  readonly maxReal?: number;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly refTable?: string;
}

export interface ColumnType {
  readonly key: BaseType;
  readonly value?: BaseType;
  readonly min: number;
  /** Infinity for "unlimited". */
  readonly max: number;
}

export interface ColumnSchema {
  readonly name: string;
  readonly type: ColumnType;
  readonly mutable: boolean;
}

export interface TableSchema {
  readonly name: string;
  readonly columns: ReadonlyMap<string, ColumnSchema>;
  readonly isRoot: boolean;
}

export interface DatabaseSchema {
  readonly name: string;
  readonly version: string;
  readonly tables: ReadonlyMap<string, TableSchema>;
}

const AtomicTypeSchema = z.enum(['integer', 'real', 'boolean', 'string', 'uuid']);
const AtomJson = z.union([z.string(), z.number(), z.boolean()]);
const EnumJson = z.union([AtomJson, z.tuple([z.literal('set'), z.array(AtomJson)])]);

const BaseTypeJson = z.union([
  AtomicTypeSchema,
  z.object({
    type: AtomicTypeSchema,
    enum: EnumJson.optional(),
    minInteger: z.number().optional(),
    maxInteger: z.number().optional(),
    minReal: z.number().optional(),
    maxReal: z.number().optional(),
    minLength: z.number().optional(),
    maxLength: z.number().optional(),
    refTable: z.string().optional(),
    refType: z.enum(['strong', 'weak']).optional(),
  }),
]);

const TypeJson = z.union([
  AtomicTypeSchema,
  z.object({
    key: BaseTypeJson,
    value: BaseTypeJson.optional(),
    min: z.number().int().min(0).optional(),
    max: z.union([z.number().int().min(1), z.literal('unlimited')]).optional(),
  }),
]);

const DatabaseSchemaJson = z.object({
  name: z.string(),
  version: z.string().default('0.0.0'),
  cksum: z.string().optional(),
  tables: z.record(
    z.string(),
    z.object({
      columns: z.record(
        z.string(),
        z.object({ type: TypeJson, ephemeral: z.boolean().optional(), mutable: z.boolean().optional() }),
      ),
      maxRows: z.number().optional(),
      isRoot: z.boolean().optional(),
      indexes: z.array(z.array(z.string())).optional(),
    }),
  ),
});

function normaliseBaseType(json: z.infer<typeof BaseTypeJson>): BaseType {
  if (typeof json === 'string') return { type: json };
  const { enum: enumJson, refType: _refType, ...rest } = json;
  const base: BaseType = Object.fromEntries(
    Object.entries(rest).filter(([, v]) => v !== undefined),
  ) as unknown as BaseType;
  if (enumJson === undefined) return base;
  const values = Array.isArray(enumJson) ? enumJson[1] : [enumJson];
  return { ...base, enum: values };
}

export function normaliseColumnType(json: z.infer<typeof TypeJson>): ColumnType {
  if (typeof json === 'string') return { key: { type: json }, min: 1, max: 1 };
  const key = normaliseBaseType(json.key);
  const max = json.max === 'unlimited' ? Infinity : (json.max ?? 1);
  const type: ColumnType = { key, min: json.min ?? 1, max };
  return json.value === undefined ? type : { ...type, value: normaliseBaseType(json.value) };
}

const UUID_COLUMN: ColumnType = { key: { type: 'uuid' }, min: 1, max: 1 };

/** Parses a get_schema result; throws a zod error naming the bad field. */
export function parseDatabaseSchema(json: unknown): DatabaseSchema {
  const parsed = DatabaseSchemaJson.parse(json);
  const tables = new Map<string, TableSchema>();
  for (const [tableName, table] of Object.entries(parsed.tables)) {
    const columns = new Map<string, ColumnSchema>();
    // Every table implicitly has _uuid and _version (RFC 7047 §3.2).
    columns.set('_uuid', { name: '_uuid', type: UUID_COLUMN, mutable: false });
    columns.set('_version', { name: '_version', type: UUID_COLUMN, mutable: false });
    for (const [name, column] of Object.entries(table.columns)) {
      columns.set(name, { name, type: normaliseColumnType(column.type), mutable: column.mutable ?? true });
    }
    tables.set(tableName, { name: tableName, columns, isRoot: table.isRoot ?? false });
  }
  return { name: parsed.name, version: parsed.version, tables };
}

export function isMapType(type: ColumnType): boolean {
  return type.value !== undefined;
}

/** A column holding exactly one value (not a set, not a map). */
export function isScalarType(type: ColumnType): boolean {
  return type.value === undefined && type.min === 1 && type.max === 1;
}

/** A column holding zero or one value, decoded as value-or-null. */
export function isOptionalType(type: ColumnType): boolean {
  return type.value === undefined && type.min === 0 && type.max === 1;
}
