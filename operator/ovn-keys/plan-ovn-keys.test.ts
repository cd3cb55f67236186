import { describe, expect, it } from 'vitest';
import { OWNED_KEYS_MARKER, ownedKeysMarker, planOvnKeys, type KeyRow } from './plan-ovn-keys.ts';
import { rowKey, switchKeys, type DesiredRowKeys } from './render-ovn-keys.ts';

const LS = 'neutron-net-a';
const ours = switchKeys(10100);
const marker = ownedKeysMarker(new Map(Object.entries(ours)));
const markerOf = (keys: Record<string, string>): string => ownedKeysMarker(new Map(Object.entries(keys)));

const row = (column: Record<string, string>, externalIds: Record<string, string> = {}): KeyRow => ({
  table: 'Logical_Switch',
  uuid: 'u1',
  name: LS,
  column,
  externalIds,
});
const want = (keys: Record<string, string> = ours): Map<string, DesiredRowKeys> =>
  new Map([[rowKey('Logical_Switch', LS), { table: 'Logical_Switch', name: LS, keys, networks: ['net-a'] }]]);

describe('planOvnKeys', () => {
  it("inserts missing keys next to Neutron's, and marks them ours", () => {
    const plan = planOvnKeys(want(), [row({ mcast_snoop: 'true' }, { 'neutron:mtu': '1500' })], false);
    expect(plan.problems).toEqual([]);
    expect(plan.edits).toEqual([
      {
        table: 'Logical_Switch',
        uuid: 'u1',
        name: LS,
        column: { insert: ours, delete: {} },
        externalIds: { insert: { [OWNED_KEYS_MARKER]: marker } },
      },
    ]);
  });

  it('plans nothing when our keys and marker are in place (a restart writes nothing)', () => {
    expect(
      planOvnKeys(want(), [row({ ...ours, mcast_snoop: 'true' }, { [OWNED_KEYS_MARKER]: marker })], false),
    ).toEqual({
      edits: [],
      problems: [],
      heldRemovals: 0,
    });
  });

  it('replaces a value of ours that changed (the VNI), pair by pair', () => {
    const changed = switchKeys(10200);
    const plan = planOvnKeys(want(changed), [row(ours, { [OWNED_KEYS_MARKER]: marker })], false);
    const newMarker = markerOf(changed);
    expect(plan.edits[0]?.column).toEqual({
      delete: {
        'dynamic-routing-vni': '10100',
        'dynamic-routing-bridge-ifname': 'ovnbr-10100',
        'dynamic-routing-vxlan-ifname': 'ovnvx-10100',
        'dynamic-routing-advertise-ifname': 'ovnlo-10100',
      },
      insert: {
        'dynamic-routing-vni': '10200',
        'dynamic-routing-bridge-ifname': 'ovnbr-10200',
        'dynamic-routing-vxlan-ifname': 'ovnvx-10200',
        'dynamic-routing-advertise-ifname': 'ovnlo-10200',
      },
    });
    expect(plan.edits[0]?.externalIds).toEqual({
      delete: { [OWNED_KEYS_MARKER]: marker },
      insert: { [OWNED_KEYS_MARKER]: newMarker },
    });
  });

  it('treats a key of ours that someone else overwrote as theirs: a conflict, never overwritten back, never removed', () => {
    const overwritten = { ...ours, 'dynamic-routing-vni': '4242' };
    const plan = planOvnKeys(want(), [row(overwritten, { [OWNED_KEYS_MARKER]: marker })], false);
    expect(plan.problems.map((p) => p.code)).toEqual(['EVPN-004']);
    expect(plan.edits[0]?.column).toEqual({ insert: {}, delete: {} });
    const { 'dynamic-routing-vni': _vni, ...rest } = ours;
    expect(plan.edits[0]?.externalIds.insert?.[OWNED_KEYS_MARKER]).toBe(markerOf(rest));
    const gone = planOvnKeys(new Map(), [row(overwritten, { [OWNED_KEYS_MARKER]: marker })], false);
    expect(gone.edits[0]?.column.delete).not.toHaveProperty('dynamic-routing-vni');
    expect(Object.keys(gone.edits[0]?.column.delete ?? {})).toHaveLength(4);
  });

  it("reports another writer's different value as EVPN-004 and writes nothing on the row", () => {
    const plan = planOvnKeys(want(), [row({ 'dynamic-routing-vni': '4242' })], false);
    expect(plan.edits).toEqual([]);
    expect(plan.problems).toEqual([
      expect.objectContaining({ kind: 'EvpnNetwork', name: 'net-a', reason: 'Conflict', code: 'EVPN-004' }),
    ]);
    expect(plan.problems[0]?.message).toMatch(/dynamic-routing-vni="4242" \(we would write "10100"\)/);
  });

  it('leaves a key someone else set to our value theirs: not marked, never removed', () => {
    const plan = planOvnKeys(want(), [row({ 'dynamic-routing-redistribute': 'fdb,ip' })], false);
    const inserted = Object.keys(plan.edits[0]?.column.insert ?? {});
    expect(inserted).not.toContain('dynamic-routing-redistribute');
    expect(plan.edits[0]?.externalIds.insert?.[OWNED_KEYS_MARKER]).not.toContain('dynamic-routing-redistribute');
    expect(planOvnKeys(want(), [row(ours, { [OWNED_KEYS_MARKER]: 'not json' })], false).problems).toEqual([]);
    const vniOnly = markerOf({ 'dynamic-routing-vni': '10100' });
    const gone = planOvnKeys(new Map(), [row({ ...ours }, { [OWNED_KEYS_MARKER]: vniOnly })], false);
    expect(gone.edits[0]?.column).toEqual({ insert: {}, delete: { 'dynamic-routing-vni': '10100' } });
    expect(gone.edits[0]?.externalIds).toEqual({ delete: { [OWNED_KEYS_MARKER]: vniOnly } });
  });

  it('removes our keys and the marker when the row is no longer wanted, unless removals are held', () => {
    const live = [row({ ...ours, mcast_snoop: 'true' }, { [OWNED_KEYS_MARKER]: marker })];
    const plan = planOvnKeys(new Map(), live, false);
    expect(plan.edits[0]?.column).toEqual({ insert: {}, delete: ours });
    expect(plan.edits[0]?.externalIds).toEqual({ delete: { [OWNED_KEYS_MARKER]: marker } });
    expect(planOvnKeys(new Map(), live, true)).toEqual({ edits: [], problems: [], heldRemovals: 5 });
  });

  it('ignores rows that are neither wanted nor marked', () => {
    expect(planOvnKeys(new Map(), [row({ 'dynamic-routing-vni': '7' })], false).edits).toEqual([]);
  });
});
