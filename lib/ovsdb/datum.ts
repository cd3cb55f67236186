// OVSDB values (RFC 7047 §5.1) ↔ plain JavaScript, checked against the column type.
//   scalar column (min 1, max 1)  → the atom
//   optional column (min 0, max 1) → the atom or null
//   set column (max > 1)          → array of atoms, sorted
//   map column                    → Record<string, atom> (keys stringified), sorted by key
//   uuid atoms                    → the uuid string
// Sorting gives one canonical form, so two decodings of the same datum compare equal.
import type { Atom, BaseType, ColumnType } from './schema.ts';
import { isMapType, isOptionalType, isScalarType } from './schema.ts';

export type OvsdbMap = Readonly<Record<string, Atom>>;
export type OvsdbValue = Atom | null | readonly Atom[] | OvsdbMap;

/** A value that does not fit its column type; callers add table/column/row context. */
export class DatumError extends Error {
  override name = 'DatumError';
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const NAMED_UUID_RE = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export function isUuid(text: string): boolean {
  return UUID_RE.test(text);
}

function describe(json: unknown): string {
  const text = JSON.stringify(json);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

export function decodeAtom(base: BaseType, json: unknown): Atom {
  const atom = decodeTypedAtom(base, json);
  if (base.enum !== undefined && !base.enum.includes(atom)) {
    throw new DatumError(`${describe(atom)} is not one of ${describe(base.enum)}`);
  }
  return atom;
}

/** The atom of `json` checked against the base type, before the enum check. */
function decodeTypedAtom(base: BaseType, json: unknown): Atom {
  switch (base.type) {
    case 'integer':
      return decodeInteger(base, json);
    case 'real':
      if (typeof json !== 'number') throw new DatumError(`expected real, got ${describe(json)}`);
      return json;
    case 'boolean':
      if (typeof json !== 'boolean') throw new DatumError(`expected boolean, got ${describe(json)}`);
      return json;
    case 'string':
      if (typeof json !== 'string') throw new DatumError(`expected string, got ${describe(json)}`);
      return json;
    case 'uuid':
      return decodeUuidAtom(json);
  }
}

function decodeInteger(base: BaseType, json: unknown): number {
  if (typeof json !== 'number' || !Number.isInteger(json))
    throw new DatumError(`expected integer, got ${describe(json)}`);
  if (base.minInteger !== undefined && json < base.minInteger)
    throw new DatumError(`${json} is below the minimum ${base.minInteger}`);
  if (base.maxInteger !== undefined && json > base.maxInteger)
    throw new DatumError(`${json} is above the maximum ${base.maxInteger}`);
  return json;
}

function decodeUuidAtom(json: unknown): string {
  if (
    !Array.isArray(json) ||
    json.length !== 2 ||
    json[0] !== 'uuid' ||
    typeof json[1] !== 'string' ||
    !isUuid(json[1])
  ) {
    throw new DatumError(`expected ["uuid", <uuid>], got ${describe(json)}`);
  }
  return json[1];
}

/** Elements of a set datum: ["set", [...]] or a bare atom standing for a one-element set. */
function setElements(json: unknown): unknown[] {
  if (Array.isArray(json) && json[0] === 'set') {
    if (json.length !== 2 || !Array.isArray(json[1])) throw new DatumError(`malformed set ${describe(json)}`);
    return json[1] as unknown[];
  }
  return [json];
}

function mapPairs(json: unknown): [unknown, unknown][] {
  if (!Array.isArray(json) || json.length !== 2 || json[0] !== 'map' || !Array.isArray(json[1])) {
    throw new DatumError(`expected ["map", [[key, value], ...]], got ${describe(json)}`);
  }
  return (json[1] as unknown[]).map((pair) => {
    if (!Array.isArray(pair) || pair.length !== 2) throw new DatumError(`malformed map pair ${describe(pair)}`);
    return [pair[0], pair[1]] as [unknown, unknown];
  });
}

export function compareAtoms(a: Atom, b: Atom): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const x = String(a);
  const y = String(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

function checkSize(type: ColumnType, size: number): void {
  if (size < type.min || size > type.max) {
    const bound =
      type.max === Infinity
        ? `at least ${type.min}`
        : type.min === type.max
          ? `exactly ${type.min}`
          : `${type.min} to ${type.max}`;
    throw new DatumError(`has ${size} element${size === 1 ? '' : 's'}, the column allows ${bound}`);
  }
}

function shapeSet(type: ColumnType, atoms: Atom[]): OvsdbValue {
  checkSize(type, atoms.length);
  if (isScalarType(type)) return atoms[0] ?? null;
  if (isOptionalType(type)) return atoms[0] ?? null;
  return atoms.sort(compareAtoms);
}

function buildMap(pairs: Iterable<[string, Atom]>): OvsdbMap {
  const sorted = [...pairs].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return Object.freeze(Object.fromEntries(sorted));
}

/** Decodes a full datum from the wire into its JavaScript form. */
export function decodeDatum(type: ColumnType, json: unknown): OvsdbValue {
  const valueType = type.value;
  if (valueType !== undefined) {
    const pairs = mapPairs(json).map(([k, v]): [string, Atom] => [
      String(decodeAtom(type.key, k)),
      decodeAtom(valueType, v),
    ]);
    checkSize(type, pairs.length);
    return buildMap(pairs);
  }
  return shapeSet(
    type,
    setElements(json).map((e) => decodeAtom(type.key, e)),
  );
}

/** The value of a column that the server omitted because it holds the default (update2 insert/initial). */
export function defaultValue(type: ColumnType): OvsdbValue {
  if (isMapType(type)) return buildMap([]);
  if (type.min === 0) return isOptionalType(type) ? null : [];
  const atom = defaultAtom(type.key);
  return isScalarType(type) ? atom : Array.from({ length: type.min }, () => atom);
}

function defaultAtom(base: BaseType): Atom {
  switch (base.type) {
    case 'integer':
    case 'real':
      return 0;
    case 'boolean':
      return false;
    case 'string':
      return '';
    case 'uuid':
      return '00000000-0000-0000-0000-000000000000';
  }
}

function valueAtoms(value: OvsdbValue): Atom[] {
  if (value === null) return [];
  if (Array.isArray(value)) return [...(value as readonly Atom[])];
  if (typeof value === 'object') throw new DatumError(`expected a set, got a map`);
  return [value];
}

/**
 * Applies an update2 "modify" diff (ovsdb-server(7)): a scalar is replaced; a set
 * toggles each listed element (symmetric difference); a map adds absent keys, removes
 * keys listed with their current value and replaces keys listed with a new value.
 */
export function applyDatumDiff(type: ColumnType, old: OvsdbValue, diffJson: unknown): OvsdbValue {
  if (isScalarType(type)) return decodeDatum(type, diffJson);
  const valueType = type.value;
  if (valueType !== undefined) {
    const result = new Map<string, Atom>(Object.entries((old ?? {}) as OvsdbMap));
    for (const [k, v] of mapPairs(diffJson)) {
      const key = String(decodeAtom(type.key, k));
      const value = decodeAtom(valueType, v);
      if (!result.has(key)) result.set(key, value);
      else if (result.get(key) === value) result.delete(key);
      else result.set(key, value);
    }
    checkSize(type, result.size);
    return buildMap(result);
  }
  const atoms = valueAtoms(old);
  // An optional column (a set of at most one) is sent as its new value: the
  // same atom as before means removed, another atom replaces it (rebinding a
  // Port_Binding from one chassis to another), not a two-element set.
  // (A two-element diff {old, new}, the symmetric-difference form, is read the same way.)
  if (type.max === 1) {
    const diff = setElements(diffJson).map((e) => decodeAtom(type.key, e));
    const next = diff.filter((a) => a !== atoms[0]);
    if (diff.length === 0) return shapeSet(type, atoms);
    return shapeSet(type, next.length === 0 ? [] : [next[0] as Atom]);
  }
  for (const element of setElements(diffJson)) {
    const atom = decodeAtom(type.key, element);
    const at = atoms.indexOf(atom);
    if (at >= 0) atoms.splice(at, 1);
    else atoms.push(atom);
  }
  return shapeSet(type, atoms);
}

export function valuesEqual(a: OvsdbValue, b: OvsdbValue): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => x === b[i]);
  }
  const ka = Object.keys(a);
  const mb = b as OvsdbMap;
  const ma = a as OvsdbMap;
  return ka.length === Object.keys(mb).length && ka.every((k) => Object.hasOwn(mb, k) && ma[k] === mb[k]);
}

/** Plain JavaScript input accepted by encodeDatum for transact operations. */
export type OvsdbInput = Atom | null | readonly Atom[] | ReadonlyMap<Atom, Atom> | Readonly<Record<string, Atom>>;

function encodeAtom(base: BaseType, value: Atom): unknown {
  switch (base.type) {
    case 'uuid': {
      if (typeof value !== 'string') throw new DatumError(`expected a uuid string, got ${describe(value)}`);
      if (isUuid(value)) return ['uuid', value];
      if (NAMED_UUID_RE.test(value)) return ['named-uuid', value];
      throw new DatumError(`"${value}" is neither a uuid nor a named-uuid`);
    }
    case 'integer':
    case 'real':
      // Map keys arrive as strings from Record input.
      return typeof value === 'string' ? Number(value) : value;
    case 'boolean':
      return typeof value === 'string' ? value === 'true' : value;
    case 'string':
      return typeof value === 'string' ? value : String(value);
  }
}

/**
 * Encodes JavaScript input for a column: atom → atom, null/array → set, object or
 * Map → map. An array against a map column is a set of keys (the "delete" mutator).
 * A uuid-column string that is not a UUID is sent as a named-uuid.
 */
export function encodeDatum(type: ColumnType, value: OvsdbInput): unknown {
  const valueType = type.value;
  if (value === null) return valueType === undefined ? ['set', []] : ['map', []];
  if (Array.isArray(value)) return ['set', (value as readonly Atom[]).map((v) => encodeAtom(type.key, v))];
  if (value instanceof Map) {
    if (valueType === undefined) throw new DatumError('a Map was given for a column that is not a map');
    return [
      'map',
      [...(value as ReadonlyMap<Atom, Atom>)].map(([k, v]) => [encodeAtom(type.key, k), encodeAtom(valueType, v)]),
    ];
  }
  if (typeof value === 'object') {
    if (valueType === undefined) throw new DatumError('an object was given for a column that is not a map');
    return [
      'map',
      Object.entries(value as Readonly<Record<string, Atom>>).map(([k, v]) => [
        encodeAtom(type.key, k),
        encodeAtom(valueType, v),
      ]),
    ];
  }
  return encodeAtom(type.key, value);
}
