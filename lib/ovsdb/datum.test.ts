import { describe, expect, it } from 'vitest';
import { applyDatumDiff, decodeDatum, defaultValue, encodeDatum, valuesEqual } from './datum.ts';
import { parseDatabaseSchema } from './schema.ts';
import { column, TEST_SCHEMA, U1, U2, U3 } from '../../test/fixtures/ovsdb/test-schema.ts';

describe('parseDatabaseSchema', () => {
  it('normalises shorthand types, "unlimited", enums and adds _uuid/_version', () => {
    const ls = TEST_SCHEMA.tables.get('Logical_Switch');
    expect(ls?.columns.get('name')?.type).toEqual({ key: { type: 'string' }, min: 1, max: 1 });
    expect(ls?.columns.get('ports')?.type).toEqual({
      key: { type: 'uuid', refTable: 'Logical_Switch_Port' },
      min: 0,
      max: Infinity,
    });
    expect(ls?.columns.get('_uuid')?.type.key.type).toBe('uuid');
    expect(column('Logical_Switch_Port', 'type').key.enum).toEqual(['', 'router', 'localnet']);
    expect(TEST_SCHEMA.version).toBe('1.2.3');
  });

  it('names the bad field of a malformed schema', () => {
    expect(() => parseDatabaseSchema({ name: 'X', tables: { T: { columns: { c: { type: 'bytes' } } } } })).toThrow(
      /tables/,
    );
  });
});

describe('decodeDatum', () => {
  it.each([
    { name: 'scalar string', t: ['Logical_Switch', 'name'], json: 'net1', out: 'net1' },
    { name: 'scalar boolean', t: ['Logical_Switch_Port', 'up'], json: true, out: true },
    { name: 'real accepts an integer', t: ['Logical_Switch_Port', 'priority'], json: 3, out: 3 },
    { name: 'optional set, empty → null', t: ['Logical_Switch_Port', 'tag'], json: ['set', []], out: null },
    { name: 'optional set, bare atom → atom', t: ['Logical_Switch_Port', 'tag'], json: 100, out: 100 },
    { name: 'optional uuid', t: ['Logical_Switch', 'copp'], json: ['uuid', U1], out: U1 },
    {
      name: 'set of uuids, sorted',
      t: ['Logical_Switch', 'ports'],
      json: [
        'set',
        [
          ['uuid', U2],
          ['uuid', U1],
        ],
      ],
      out: [U1, U2],
    },
    { name: 'one-element set as bare uuid atom', t: ['Logical_Switch', 'ports'], json: ['uuid', U3], out: [U3] },
    {
      name: 'set of strings',
      t: ['Logical_Switch_Port', 'addresses'],
      json: ['set', ['router', '02:00:00:00:00:01 10.0.0.1']],
      out: ['02:00:00:00:00:01 10.0.0.1', 'router'],
    },
    {
      name: 'string map, keys with colons',
      t: ['Logical_Switch', 'external_ids'],
      json: [
        'map',
        [
          ['neutron_bgpvpn:vni', '10100'],
          ['a', 'b'],
        ],
      ],
      out: { a: 'b', 'neutron_bgpvpn:vni': '10100' },
    },
    {
      name: 'integer→uuid map, keys stringified',
      t: ['Queue', 'queues'],
      json: ['map', [[0, ['uuid', U1]]]],
      out: { '0': U1 },
    },
    { name: 'enum member', t: ['Logical_Switch_Port', 'type'], json: 'router', out: 'router' },
  ])('$name', ({ t, json, out }) => {
    const [table = '', col = ''] = t;
    expect(decodeDatum(column(table, col), json)).toEqual(out);
  });

  it.each([
    {
      name: 'string for an integer',
      t: ['Logical_Switch_Port', 'tag'],
      json: 'ten',
      error: /expected integer, got "ten"/,
    },
    { name: 'integer below minInteger', t: ['Logical_Switch_Port', 'tag'], json: 0, error: /below the minimum 1/ },
    {
      name: 'integer above maxInteger',
      t: ['Logical_Switch_Port', 'tag'],
      json: 4096,
      error: /above the maximum 4095/,
    },
    { name: 'fraction for an integer', t: ['Logical_Switch_Port', 'tag'], json: 1.5, error: /expected integer/ },
    { name: 'not in enum', t: ['Logical_Switch_Port', 'type'], json: 'vtep', error: /"vtep" is not one of/ },
    { name: 'bare string for a uuid', t: ['Logical_Switch', 'copp'], json: U1, error: /expected \["uuid", <uuid>\]/ },
    { name: 'malformed uuid', t: ['Logical_Switch', 'copp'], json: ['uuid', 'abc'], error: /expected \["uuid"/ },
    {
      name: 'too many elements for optional',
      t: ['Logical_Switch_Port', 'tag'],
      json: ['set', [1, 2]],
      error: /has 2 elements, the column allows 0 to 1/,
    },
    { name: 'too few for a min-2 set', t: ['Queue', 'pair'], json: ['set', ['a']], error: /allows exactly 2/ },
    {
      name: 'empty set for a scalar',
      t: ['Logical_Switch', 'name'],
      json: ['set', []],
      error: /has 0 elements, the column allows exactly 1/,
    },
    { name: 'set for a map', t: ['Logical_Switch', 'external_ids'], json: ['set', []], error: /expected \["map"/ },
    {
      name: 'map value of the wrong type',
      t: ['Logical_Switch', 'external_ids'],
      json: ['map', [['a', 1]]],
      error: /expected string, got 1/,
    },
    {
      name: 'malformed map pair',
      t: ['Logical_Switch', 'external_ids'],
      json: ['map', [['a']]],
      error: /malformed map pair/,
    },
  ])('rejects $name', ({ t, json, error }) => {
    const [table = '', col = ''] = t;
    expect(() => decodeDatum(column(table, col), json)).toThrow(error);
  });
});

describe('defaultValue', () => {
  it.each([
    ['Logical_Switch', 'name', ''],
    ['Logical_Switch', 'external_ids', {}],
    ['Logical_Switch', 'ports', []],
    ['Logical_Switch_Port', 'tag', null],
    ['Logical_Switch_Port', 'up', false],
    ['Queue', 'pair', ['', '']],
  ])('%s.%s', (table, col, out) => {
    expect(defaultValue(column(table, col))).toEqual(out);
  });
});

describe('applyDatumDiff (update2 modify)', () => {
  it('replaces a scalar', () => {
    expect(applyDatumDiff(column('Logical_Switch', 'name'), 'a', 'b')).toBe('b');
  });

  it('toggles set elements (symmetric difference)', () => {
    const ports = column('Logical_Switch', 'ports');
    expect(
      applyDatumDiff(
        ports,
        [U1, U2],
        [
          'set',
          [
            ['uuid', U2],
            ['uuid', U3],
          ],
        ],
      ),
    ).toEqual([U1, U3]);
    expect(applyDatumDiff(ports, [U1], ['uuid', U1])).toEqual([]);
  });

  it('sets, clears and changes an optional value', () => {
    const tag = column('Logical_Switch_Port', 'tag');
    expect(applyDatumDiff(tag, null, 5)).toBe(5);
    expect(applyDatumDiff(tag, 5, 5)).toBeNull();
    // Changing 5 → 7 arrives as the two-element difference {5, 7}.
    expect(applyDatumDiff(tag, 5, ['set', [5, 7]])).toBe(7);
  });

  it('adds, removes and updates map keys', () => {
    const ids = column('Logical_Switch', 'external_ids');
    const old = { keep: '1', drop: '2', change: '3' };
    const diff = [
      'map',
      [
        ['drop', '2'],
        ['change', '4'],
        ['new', '5'],
      ],
    ];
    expect(applyDatumDiff(ids, old, diff)).toEqual({ change: '4', keep: '1', new: '5' });
  });

  it('checks the result against the column size', () => {
    // ovsdb-server sends an optional column's new value, not a toggle (seen
    // when a Port_Binding moves from one chassis to another).
    expect(applyDatumDiff(column('Logical_Switch_Port', 'tag'), 5, ['set', [7]])).toBe(7);
  });
});

describe('encodeDatum', () => {
  it.each([
    { name: 'scalar', t: ['Logical_Switch', 'name'], input: 'n', json: 'n' },
    { name: 'null → empty set', t: ['Logical_Switch_Port', 'tag'], input: null, json: ['set', []] },
    { name: 'null → empty map', t: ['Logical_Switch', 'external_ids'], input: null, json: ['map', []] },
    { name: 'uuid string → uuid', t: ['Logical_Switch', 'copp'], input: U1, json: ['uuid', U1] },
    {
      name: 'identifier → named-uuid',
      t: ['Logical_Switch', 'ports'],
      input: ['new_port', U2],
      json: [
        'set',
        [
          ['named-uuid', 'new_port'],
          ['uuid', U2],
        ],
      ],
    },
    {
      name: 'record → map',
      t: ['Logical_Switch', 'external_ids'],
      input: { 'neutron_bgpvpn:vni': '10100' },
      json: ['map', [['neutron_bgpvpn:vni', '10100']]],
    },
    {
      name: 'Map with integer keys',
      t: ['Queue', 'queues'],
      input: new Map([[1, U1]]),
      json: ['map', [[1, ['uuid', U1]]]],
    },
    {
      name: 'record keys parsed as integers',
      t: ['Queue', 'queues'],
      input: { '7': U1 },
      json: ['map', [[7, ['uuid', U1]]]],
    },
    {
      name: 'array against a map = set of keys (mutate delete)',
      t: ['Logical_Switch', 'external_ids'],
      input: ['a', 'b'],
      json: ['set', ['a', 'b']],
    },
  ])('$name', ({ t, input, json }) => {
    const [table = '', col = ''] = t;
    expect(encodeDatum(column(table, col), input)).toEqual(json);
  });

  it('rejects a value that is neither uuid nor identifier', () => {
    expect(() => encodeDatum(column('Logical_Switch', 'copp'), 'not a uuid')).toThrow(
      /neither a uuid nor a named-uuid/,
    );
  });
  it('rejects an object for a non-map column', () => {
    expect(() => encodeDatum(column('Logical_Switch', 'ports'), { a: 'b' })).toThrow(/not a map/);
  });
});

describe('valuesEqual', () => {
  it.each([
    [{ a: '1' }, { a: '1' }, true],
    [{ a: '1' }, { a: '2' }, false],
    [{ a: '1' }, { b: '1' }, false],
    [[U1, U2], [U1, U2], true],
    [[U1], [U1, U2], false],
    [null, [], false],
    [null, null, true],
    [5, 5, true],
  ] as const)('%j vs %j → %s', (a, b, equal) => {
    expect(valuesEqual(a, b)).toBe(equal);
  });
});
