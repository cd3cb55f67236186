// Adapter: the NB rows the ovn backend writes its keys into (Logical_Switch
// other_config, Logical_Router options, and the external_ids ownership marker),
// read from their own replica on the operator's NB connection, and written
// with single-key map mutations in one transaction (never a whole column).
import { mapKeyMutations, type Operation, type OvsdbClient, type Replica, type Row } from '../../lib/ovsdb/index.ts';
import type { KeyRow, RowEdit } from '../ovn-keys/plan-ovn-keys.ts';
import type { OvnKeyPort } from '../ovn-keys/ovn-key-sync.ts';
import { KEY_COLUMN, rowKey, type KeyTable } from '../ovn-keys/render-ovn-keys.ts';
import { OWNED_KEYS_MARKER } from '../ovn-keys/plan-ovn-keys.ts';
import { NB_DB } from './ovn-rows.ts';

export const keyTables = {
  Logical_Switch: ['name', 'other_config', 'external_ids'],
  Logical_Router: ['name', 'options', 'external_ids'],
} as const;

export type KeyRows = Record<keyof typeof keyTables, Row>;

function stringMap(value: unknown): Record<string, string> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return {};
  return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, String(v)]));
}

function toKeyRow(table: KeyTable, r: Row): KeyRow {
  return {
    table,
    uuid: r._uuid,
    name: typeof r['name'] === 'string' ? r['name'] : '',
    column: stringMap(r[KEY_COLUMN[table]]),
    externalIds: stringMap(r['external_ids']),
  };
}

function editOperation(e: RowEdit): Operation {
  return {
    op: 'mutate',
    table: e.table,
    where: [['_uuid', '==', e.uuid]],
    mutations: [...mapKeyMutations(KEY_COLUMN[e.table], e.column), ...mapKeyMutations('external_ids', e.externalIds)],
  };
}

/** The OvnKeyPort over one NB client and its key replica. */
export function ovnKeyPort(client: OvsdbClient, replica: Replica<KeyRows>, schemaVersion: string): OvnKeyPort {
  return {
    schemaVersion: () => schemaVersion,
    rows: (wanted) => {
      const out: KeyRow[] = [];
      for (const table of Object.keys(keyTables) as KeyTable[]) {
        for (const r of replica.table(table).values()) {
          const name = typeof r['name'] === 'string' ? r['name'] : '';
          const ids = r['external_ids'];
          const marked = ids !== null && typeof ids === 'object' && OWNED_KEYS_MARKER in ids;
          if (marked || wanted.has(rowKey(table, name))) out.push(toKeyRow(table, r));
        }
      }
      return out;
    },
    write: async (edits) => {
      await client.transact(NB_DB, edits.map(editOperation));
    },
  };
}
