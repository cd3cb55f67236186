import { describe, expect, it } from 'vitest';
import { TransactionError } from './errors.ts';
import { decodeTransactResults, encodeOperation, type Operation } from './operations.ts';
import { TEST_SCHEMA, U1 } from '../../test/fixtures/ovsdb/test-schema.ts';

describe('encodeOperation', () => {
  it('encodes rows and conditions against the schema', () => {
    expect(
      encodeOperation(TEST_SCHEMA, {
        op: 'insert',
        table: 'Logical_Switch',
        row: { name: 'n', external_ids: { k: 'v' }, ports: ['p1'] },
        'uuid-name': 'ls1',
      }),
    ).toEqual({
      op: 'insert',
      table: 'Logical_Switch',
      'uuid-name': 'ls1',
      row: { name: 'n', external_ids: ['map', [['k', 'v']]], ports: ['set', [['named-uuid', 'p1']]] },
    });
    expect(
      encodeOperation(TEST_SCHEMA, {
        op: 'mutate',
        table: 'Logical_Switch',
        where: [['_uuid', '==', U1]],
        mutations: [['external_ids', 'delete', ['k']]],
      }),
    ).toEqual({
      op: 'mutate',
      table: 'Logical_Switch',
      where: [['_uuid', '==', ['uuid', U1]]],
      mutations: [['external_ids', 'delete', ['set', ['k']]]],
    });
  });

  it('names the table and column of a bad value', () => {
    expect(() =>
      encodeOperation(TEST_SCHEMA, { op: 'update', table: 'Logical_Switch', where: [], row: { nope: 1 } }),
    ).toThrow('Logical_Switch column nope: no such column');
    expect(() => encodeOperation(TEST_SCHEMA, { op: 'delete', table: 'Nope', where: [] })).toThrow(
      /table Nope is not in the Test_NB schema/,
    );
  });
});

describe('decodeTransactResults', () => {
  const ops: Operation[] = [
    { op: 'insert', table: 'Logical_Switch', row: { name: 'a' } },
    { op: 'select', table: 'Logical_Switch', where: [], columns: ['_uuid', 'name'] },
    { op: 'delete', table: 'Logical_Switch', where: [] },
  ];

  it('decodes uuid, rows and count', () => {
    const reply = [{ uuid: ['uuid', U1] }, { rows: [{ _uuid: ['uuid', U1], name: 'a' }] }, { count: 1 }];
    expect(decodeTransactResults(TEST_SCHEMA, ops, reply)).toEqual([
      { uuid: U1 },
      { rows: [{ _uuid: U1, name: 'a' }] },
      { count: 1 },
    ]);
  });

  it('turns the first failed operation into a TransactionError', () => {
    const reply = [{ uuid: ['uuid', U1] }, { error: 'constraint violation', details: 'duplicate name' }, null];
    expect(() => decodeTransactResults(TEST_SCHEMA, ops, reply)).toThrow(
      new TransactionError('Test_NB', 1, 'select', 'constraint violation', 'duplicate name'),
    );
  });

  it('reports a commit failure (the extra result)', () => {
    const reply = [
      { uuid: ['uuid', U1] },
      { rows: [] },
      { count: 0 },
      { error: 'referential integrity violation', details: 'x' },
    ];
    expect(() => decodeTransactResults(TEST_SCHEMA, ops, reply)).toThrow(
      /failed at operation 3 \(commit\): referential integrity violation: x/,
    );
  });
});
