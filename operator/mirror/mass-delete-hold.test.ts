// The guard's memory across passes: adoption of an earlier process's hold,
// port moves left unguarded, the hold's start and end told once.
import { describe, expect, it } from 'vitest';
import { API_GROUP_VERSION, Label, type EvpnNetwork, type EvpnPortSet, type EvpnVrf } from '../../crds/index.ts';
import type { Live } from '../object-key.ts';
import { CONFIRM_DELETE_ANNOTATION, DEFAULT_MASS_DELETE_POLICY } from './mass-delete-guard.ts';
import { heldProblems, MassDeleteHold, type LiveLists } from './mass-delete-hold.ts';
import type { PlannedDelete } from './plan-mirror.ts';

const meta = (name: string, extra: Record<string, unknown> = {}) => ({
  name,
  uid: `uid-${name}`,
  labels: { [Label.MirroredFrom]: 'network' },
  ...extra,
});
const network = (
  name: string,
  extra: Record<string, unknown> = {},
  status?: EvpnNetwork['status'],
): Live<EvpnNetwork> => ({
  apiVersion: API_GROUP_VERSION,
  kind: 'EvpnNetwork',
  metadata: meta(name, extra),
  spec: { type: 'l3', vrf: 'vrf-1' },
  ...(status ? { status } : {}),
});
const portSet = (name: string, net: string): Live<EvpnPortSet> => ({
  apiVersion: API_GROUP_VERSION,
  kind: 'EvpnPortSet',
  metadata: meta(name),
  spec: { network: net, nodeName: 'n1', ports: [] },
});
const lists = (networks: Live<EvpnNetwork>[], portSets: Live<EvpnPortSet>[] = []): LiveLists => ({
  vrfs: [] as Live<EvpnVrf>[],
  networks,
  portSets,
});
const del = (kind: PlannedDelete['kind'], name: string): PlannedDelete => ({ kind, name, uid: `uid-${name}` });
const none = { vrfs: new Map(), networks: new Map<string, unknown>(), portSets: new Map() };
const T0 = Date.parse('2026-01-01T00:00:00Z');

describe('MassDeleteHold', () => {
  const ten = Array.from({ length: 10 }, (_, i) => network(`net-${i}`));

  it('holds a mass deletion once, says so once, and keeps the missing times', () => {
    const hold = new MassDeleteHold();
    const deletes = ten.map((n) => del('EvpnNetwork', n.metadata.name));
    const first = hold.guard({
      deletes,
      missingSince: new Map(),
      live: lists(ten),
      desired: none,
      now: T0,
      policy: DEFAULT_MASS_DELETE_POLICY,
    });
    expect(first).toMatchObject({ deletes: [], transition: 'held', mirrored: 10, heldSince: T0 });
    expect(first.held).toHaveLength(10);
    expect(hold.missingSince.get('EvpnNetwork/net-0')).toBe(T0);
    const again = hold.guard({
      deletes,
      missingSince: new Map(),
      live: lists(ten),
      desired: none,
      now: T0 + 1000,
      policy: DEFAULT_MASS_DELETE_POLICY,
    });
    expect(again.transition).toBeUndefined();
    expect(again.heldSince).toBe(T0);
    const over = hold.guard({
      deletes,
      missingSince: new Map(),
      live: lists(ten),
      desired: none,
      now: T0 + DEFAULT_MASS_DELETE_POLICY.holdMs,
      policy: DEFAULT_MASS_DELETE_POLICY,
    });
    expect(over.transition).toBe('released');
    expect(over.deletes).toHaveLength(10);
  });

  it('deletes a confirmed object at once, and never guards a port set whose network is still wanted', () => {
    const hold = new MassDeleteHold();
    const live = lists(
      [...ten.slice(1), network('net-0', { annotations: { [CONFIRM_DELETE_ANNOTATION]: 'true' } })],
      [portSet('ps-1', 'net-keep')],
    );
    const deletes = [...ten.map((n) => del('EvpnNetwork', n.metadata.name)), del('EvpnPortSet', 'ps-1')];
    const out = hold.guard({
      deletes,
      missingSince: new Map(),
      live,
      desired: { ...none, networks: new Map([['net-keep', {}]]) },
      now: T0,
      policy: DEFAULT_MASS_DELETE_POLICY,
    });
    expect(out.deletes.map((d) => d.name).sort()).toEqual(['net-0', 'ps-1']);
    expect(out.held).toHaveLength(9);
  });

  it('adopts the hold an earlier process recorded in the conditions', () => {
    const hold = new MassDeleteHold();
    const since = new Date(T0 - 60_000).toISOString();
    const held = network(
      'net-0',
      {},
      {
        conditions: [
          {
            type: 'SourceDegraded',
            status: 'True',
            reason: 'DeletesHeld',
            message: `EVPN-003: a mass deletion began at ${since}; …`,
            lastTransitionTime: since,
          },
        ],
      },
    );
    hold.adopt(lists([held]));
    expect(hold.missingSince.get('EvpnNetwork/net-0')).toBe(T0 - 60_000);
  });
});

describe('heldProblems', () => {
  it('puts a coded DeletesHeld problem on each held network and VRF, none on port sets', () => {
    const out = heldProblems([del('EvpnNetwork', 'net-a'), del('EvpnPortSet', 'ps-a')], T0, 60_000, T0);
    expect(out).toEqual([
      expect.objectContaining({
        kind: 'EvpnNetwork',
        name: 'net-a',
        reason: 'DeletesHeld',
        code: 'EVPN-003',
        keptLastGood: true,
      }),
    ]);
    expect(out[0]?.message).toMatch(
      /^EVPN-003: gone from OVN, but its delete is held: a mass deletion began at 2026-01-01T00:00:00.000Z; it is deleted at 2026-01-01T00:01:00.000Z/,
    );
    expect(heldProblems([], T0, 0, T0)).toEqual([]);
  });
});
