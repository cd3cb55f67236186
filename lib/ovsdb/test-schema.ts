// A small schema in the shape of OVN's, for unit tests that must not depend on installed files.
import { parseDatabaseSchema, type DatabaseSchema } from './schema.ts';

export const TEST_SCHEMA_JSON = {
  name: 'Test_NB',
  version: '1.2.3',
  tables: {
    Logical_Switch: {
      isRoot: true,
      columns: {
        name: { type: 'string' },
        ports: { type: { key: { type: 'uuid', refTable: 'Logical_Switch_Port', refType: 'strong' }, min: 0, max: 'unlimited' } },
        external_ids: { type: { key: 'string', value: 'string', min: 0, max: 'unlimited' } },
        copp: { type: { key: { type: 'uuid', refTable: 'Copp', refType: 'weak' }, min: 0, max: 1 } },
      },
    },
    Logical_Switch_Port: {
      columns: {
        name: { type: 'string' },
        type: { type: { key: { type: 'string', enum: ['set', ['', 'router', 'localnet']] } } },
        tag: { type: { key: { type: 'integer', minInteger: 1, maxInteger: 4095 }, min: 0, max: 1 } },
        addresses: { type: { key: 'string', min: 0, max: 'unlimited' } },
        enabled: { type: { key: 'boolean', min: 0, max: 1 } },
        options: { type: { key: 'string', value: 'string', min: 0, max: 'unlimited' } },
        up: { type: 'boolean' },
        priority: { type: 'real' },
      },
    },
    Queue: {
      columns: {
        queues: { type: { key: { type: 'integer', minInteger: 0, maxInteger: 4294967295 }, value: { type: 'uuid', refTable: 'Queue' }, min: 0, max: 'unlimited' } },
        pair: { type: { key: 'string', min: 2, max: 2 } },
      },
    },
  },
};

export const TEST_SCHEMA: DatabaseSchema = parseDatabaseSchema(TEST_SCHEMA_JSON);

export const U1 = '11111111-1111-4111-8111-111111111111';
export const U2 = '22222222-2222-4222-8222-222222222222';
export const U3 = '33333333-3333-4333-8333-333333333333';

export function column(table: string, name: string) {
  const type = TEST_SCHEMA.tables.get(table)?.columns.get(name)?.type;
  if (type === undefined) throw new Error(`no ${table}.${name} in the test schema`);
  return type;
}
