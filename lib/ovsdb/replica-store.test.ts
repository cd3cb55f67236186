import { describe, expect, it } from 'vitest';
import { ReplicaStore, type ChangeBatch } from './replica-store.ts';
import { TEST_SCHEMA, U1, U2, U3 } from '../../test/fixtures/ovsdb/test-schema.ts';

function newStore(): ReplicaStore {
  return new ReplicaStore(TEST_SCHEMA, {
    Logical_Switch: ['name', 'external_ids', 'ports'],
    Logical_Switch_Port: ['name', 'tag'],
  });
}

function names(batch: ChangeBatch | undefined, table = 'Logical_Switch') {
  const t = batch?.tables[table];
  return {
    added: t?.added.map((r) => r.name) ?? [],
    modified: t?.modified.map((m) => m.new.name) ?? [],
    removed: t?.removed.map((r) => r.name) ?? [],
  };
}

function seeded(): ReplicaStore {
  const store = newStore();
  store.replaceAll(
    'update2',
    {
      Logical_Switch: {
        [U1]: { initial: { name: 'net1', external_ids: ['map', [['neutron_bgpvpn:vni', '10100']]] } },
        [U2]: { initial: { name: 'net2' } },
      },
    },
    'initial',
  );
  return store;
}

describe('ReplicaStore.replaceAll', () => {
  it('fills columns the server omitted (defaults) and reports every row as added', () => {
    const store = newStore();
    const { batch, errors } = store.replaceAll(
      'update2',
      { Logical_Switch: { [U1]: { initial: { name: 'net1' } } } },
      'initial',
    );
    expect(errors).toEqual([]);
    expect(batch?.kind).toBe('initial');
    expect(store.get('Logical_Switch', U1)).toEqual({ _uuid: U1, name: 'net1', external_ids: {}, ports: [] });
    expect(names(batch)).toEqual({ added: ['net1'], modified: [], removed: [] });
  });

  it('emits an initial batch even for an empty database, so consumers learn it is synced', () => {
    const { batch } = newStore().replaceAll('update2', {}, 'initial');
    expect(batch).toMatchObject({ kind: 'initial', version: 1, tables: {} });
  });

  it('resync: diffs the fresh snapshot against what consumers saw', () => {
    const store = seeded();
    const before = store.get('Logical_Switch', U2);
    const { batch } = store.replaceAll(
      'update2',
      {
        Logical_Switch: {
          // U1 changed while we were away, U2 unchanged, U3 new; nothing about a deleted row is sent.
          [U1]: { initial: { name: 'net1', external_ids: ['map', [['neutron_bgpvpn:vni', '10200']]] } },
          [U2]: { initial: { name: 'net2' } },
          [U3]: { initial: { name: 'net3' } },
        },
      },
      'resync',
    );
    expect(batch?.kind).toBe('resync');
    expect(names(batch)).toEqual({ added: ['net3'], modified: ['net1'], removed: [] });
    expect(batch?.tables.Logical_Switch?.modified[0]?.old.external_ids).toEqual({ 'neutron_bgpvpn:vni': '10100' });
    // Unchanged rows keep their identity, so consumers can compare by reference.
    expect(store.get('Logical_Switch', U2)).toBe(before);
  });

  it('resync: rows missing from the snapshot are removed', () => {
    const store = seeded();
    const { batch } = store.replaceAll(
      'update2',
      { Logical_Switch: { [U2]: { initial: { name: 'net2' } } } },
      'resync',
    );
    expect(names(batch)).toEqual({ added: [], modified: [], removed: ['net1'] });
    expect([...(store.snapshot().tables.Logical_Switch?.keys() ?? [])]).toEqual([U2]);
  });

  it('resync with no differences changes nothing', () => {
    const store = seeded();
    const version = store.version;
    const { batch } = store.replaceAll(
      'update2',
      {
        Logical_Switch: {
          [U2]: { initial: { name: 'net2' } },
          [U1]: { initial: { name: 'net1', external_ids: ['map', [['neutron_bgpvpn:vni', '10100']]] } },
        },
      },
      'resync',
    );
    expect(batch).toBeUndefined();
    expect(store.version).toBe(version);
  });

  it('accepts monitor (v1) snapshots', () => {
    const store = newStore();
    store.replaceAll(
      'update',
      { Logical_Switch: { [U1]: { new: { name: 'a', external_ids: ['map', []], ports: ['set', []] } } } },
      'initial',
    );
    expect(store.get('Logical_Switch', U1)?.name).toBe('a');
  });
});

describe('ReplicaStore.applyUpdates (update2)', () => {
  it('insert, modify (map diff), delete', () => {
    const store = seeded();
    expect(
      names(store.applyUpdates('update2', { Logical_Switch: { [U3]: { insert: { name: 'net3' } } } }).batch),
    ).toEqual({ added: ['net3'], modified: [], removed: [] });
    const modify = store.applyUpdates('update2', {
      Logical_Switch: {
        [U1]: {
          modify: {
            external_ids: [
              'map',
              [
                ['neutron_bgpvpn:vni', '10200'],
                ['x', 'y'],
              ],
            ],
          },
        },
      },
    });
    expect(modify.batch?.tables.Logical_Switch?.modified[0]?.new.external_ids).toEqual({
      'neutron_bgpvpn:vni': '10200',
      x: 'y',
    });
    expect(names(store.applyUpdates('update2', { Logical_Switch: { [U2]: { delete: null } } }).batch)).toEqual({
      added: [],
      modified: [],
      removed: ['net2'],
    });
    expect(store.snapshot().tables.Logical_Switch?.size).toBe(2);
  });

  it('groups one notification for several tables into one batch', () => {
    const store = seeded();
    const { batch } = store.applyUpdates('update2', {
      Logical_Switch: { [U1]: { modify: { ports: ['uuid', U3] } } },
      Logical_Switch_Port: { [U3]: { insert: { name: 'vm1', tag: 10 } } },
    });
    expect(Object.keys(batch?.tables ?? {}).sort()).toEqual(['Logical_Switch', 'Logical_Switch_Port']);
    expect(store.get('Logical_Switch', U1)?.ports).toEqual([U3]);
    expect(store.get('Logical_Switch_Port', U3)).toEqual({ _uuid: U3, name: 'vm1', tag: 10 });
  });

  it('ignores unmonitored columns in a diff', () => {
    const store = seeded();
    const { batch, errors } = store.applyUpdates('update2', {
      Logical_Switch: { [U1]: { modify: { other_config: ['map', [['a', 'b']]] } } },
    });
    expect(errors).toEqual([]);
    expect(batch).toBeUndefined();
  });

  it('reports a row that violates the schema, leaves it out, and keeps going', () => {
    const store = seeded();
    const { batch, errors } = store.applyUpdates('update2', {
      Logical_Switch_Port: { [U1]: { insert: { name: 'bad', tag: 9999 } }, [U2]: { insert: { name: 'good' } } },
    });
    expect(errors.map((e) => e.message)).toEqual([
      `Logical_Switch_Port row ${U1} column tag: 9999 is above the maximum 4095`,
    ]);
    expect(errors[0]).toMatchObject({ table: 'Logical_Switch_Port', column: 'tag', uuid: U1 });
    expect(names(batch, 'Logical_Switch_Port').added).toEqual(['good']);
    expect(store.get('Logical_Switch_Port', U1)).toBeUndefined();
    // Further diffs for the bad row are skipped quietly; a delete clears it.
    expect(store.applyUpdates('update2', { Logical_Switch_Port: { [U1]: { modify: { tag: 5 } } } }).errors).toEqual([]);
    expect(store.applyUpdates('update2', { Logical_Switch_Port: { [U1]: { delete: null } } }).batch).toBeUndefined();
  });

  it('keeps the last good version when a modify does not decode', () => {
    const store = seeded();
    const before = store.get('Logical_Switch', U1);
    const { errors } = store.applyUpdates('update2', { Logical_Switch: { [U1]: { modify: { name: 42 } } } });
    expect(errors[0]?.message).toMatch(/column name: expected string, got 42/);
    expect(store.get('Logical_Switch', U1)).toBe(before);
  });

  it('reports a modify for an unknown row and updates for unmonitored tables', () => {
    const { errors } = seeded().applyUpdates('update2', {
      Logical_Switch: { [U3]: { modify: { name: 'x' } } },
      ACL: {},
    });
    expect(errors.map((e) => e.message)).toEqual([
      `Logical_Switch row ${U3} column *: modify for a row the replica does not have`,
      'ACL column *: update for a table that is not monitored',
    ]);
  });
});

describe('ReplicaStore.applyUpdates (update, monitor v1)', () => {
  it('insert (new), modify (old+new), delete (old)', () => {
    const store = seeded();
    expect(
      names(
        store.applyUpdates('update', {
          Logical_Switch: { [U3]: { new: { name: 'net3', external_ids: ['map', []], ports: ['set', []] } } },
        }).batch,
      ).added,
    ).toEqual(['net3']);
    const modified = store.applyUpdates('update', {
      Logical_Switch: {
        [U3]: { old: { name: 'net3' }, new: { name: 'net3b', external_ids: ['map', []], ports: ['set', []] } },
      },
    });
    expect(names(modified.batch).modified).toEqual(['net3b']);
    expect(
      names(store.applyUpdates('update', { Logical_Switch: { [U3]: { old: { name: 'net3b' } } } }).batch).removed,
    ).toEqual(['net3b']);
  });
});

describe('ReplicaStore.snapshot', () => {
  it('returns the same Map for tables that did not change', () => {
    const store = seeded();
    const first = store.snapshot();
    store.applyUpdates('update2', { Logical_Switch_Port: { [U3]: { insert: { name: 'vm1' } } } });
    const second = store.snapshot();
    expect(second.version).toBe(first.version + 1);
    expect(second.tables.Logical_Switch).toBe(first.tables.Logical_Switch);
    expect(second.tables.Logical_Switch_Port).not.toBe(first.tables.Logical_Switch_Port);
    expect(first.tables.Logical_Switch_Port?.size).toBe(0);
  });

  it('rejects unknown tables and columns up front', () => {
    expect(() => new ReplicaStore(TEST_SCHEMA, { Nope: [] })).toThrow(/table Nope is not in the Test_NB schema/);
    expect(() => new ReplicaStore(TEST_SCHEMA, { Logical_Switch: ['nope'] })).toThrow(
      /column nope is not in table Logical_Switch/,
    );
  });
});
