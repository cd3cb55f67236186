import { describe, expect, it } from 'vitest';
import { API_GROUP_VERSION, Label } from '../crds/index.ts';
import type { EvpnNetwork, EvpnNodeState, EvpnPortSet, EvpnVrf } from '../crds/index.ts';
import { keysForEvent, watchEventsOf, type EventKeys, type WatchEvent } from './event-keys.ts';

const meta = (name: string, generation = 1, labels: Record<string, string> = {}) => ({
  name,
  generation,
  labels,
  uid: `uid-${name}`,
  resourceVersion: '1',
});
const vrf = (name: string, generation = 1, labels: Record<string, string> = {}): EvpnVrf => ({
  apiVersion: API_GROUP_VERSION,
  kind: 'EvpnVrf',
  metadata: meta(name, generation, labels),
  spec: { vni: 10100 },
});
const net = (name: string, vrfName: string | undefined, generation = 1): EvpnNetwork => ({
  apiVersion: API_GROUP_VERSION,
  kind: 'EvpnNetwork',
  metadata: meta(name, generation),
  spec: { type: 'l3', ...(vrfName === undefined ? {} : { vrf: vrfName }) },
});
const ps = (network: string, generation = 1): EvpnPortSet => ({
  apiVersion: API_GROUP_VERSION,
  kind: 'EvpnPortSet',
  metadata: meta(`${network}.node-1`, generation),
  spec: { network, nodeName: 'node-1', ports: [] },
});
const node = (vrfReady: boolean, netReady: boolean): EvpnNodeState => ({
  apiVersion: API_GROUP_VERSION,
  kind: 'EvpnNodeState',
  metadata: meta('node-1'),
  spec: { nodeName: 'node-1' },
  status: { vrfs: [{ name: 'vrf-a', ready: vrfReady }], networks: [{ name: 'net-a', ready: netReady }] },
});
const networksOfVrf = (v: string): string[] => (v === 'vrf-a' ? ['EvpnNetwork/net-a', 'EvpnNetwork/net-b'] : []);

const mirror = (obj: EvpnVrf | EvpnNetwork | EvpnPortSet, deleted = false) => ({ kind: obj.kind, obj, deleted });

const cases: { name: string; event: WatchEvent; keys: EventKeys }[] = [
  {
    name: "a VRF appears: mirror, its status and its networks' status",
    event: { kind: 'EvpnVrf', type: 'add', obj: vrf('vrf-a') },
    keys: { mirror: mirror(vrf('vrf-a')), status: ['EvpnVrf/vrf-a', 'EvpnNetwork/net-a', 'EvpnNetwork/net-b'] },
  },
  {
    name: "a VRF's spec changes: mirror, its networks, then itself",
    event: { kind: 'EvpnVrf', type: 'update', old: vrf('vrf-a', 1), obj: vrf('vrf-a', 2) },
    keys: { mirror: mirror(vrf('vrf-a', 2)), status: ['EvpnNetwork/net-a', 'EvpnNetwork/net-b', 'EvpnVrf/vrf-a'] },
  },
  {
    name: "a VRF's labels change: mirror",
    event: {
      kind: 'EvpnVrf',
      type: 'update',
      old: vrf('vrf-a'),
      obj: vrf('vrf-a', 1, { [Label.MirroredFrom]: 'network' }),
    },
    keys: {
      mirror: mirror(vrf('vrf-a', 1, { [Label.MirroredFrom]: 'network' })),
      status: ['EvpnNetwork/net-a', 'EvpnNetwork/net-b', 'EvpnVrf/vrf-a'],
    },
  },
  {
    name: "a VRF's status changes: only its own status key, no mirror",
    event: { kind: 'EvpnVrf', type: 'update', old: vrf('vrf-a'), obj: vrf('vrf-a') },
    keys: { status: ['EvpnVrf/vrf-a'] },
  },
  {
    name: "a VRF goes: mirror (as a delete) and its networks' status",
    event: { kind: 'EvpnVrf', type: 'delete', obj: vrf('vrf-a') },
    keys: { mirror: mirror(vrf('vrf-a'), true), status: ['EvpnNetwork/net-a', 'EvpnNetwork/net-b'] },
  },
  {
    name: "a network appears: counts stale, mirror, its status and its VRF's",
    event: { kind: 'EvpnNetwork', type: 'add', obj: net('net-a', 'vrf-a') },
    keys: {
      mirror: mirror(net('net-a', 'vrf-a')),
      invalidate: 'network-counts',
      status: ['EvpnNetwork/net-a', 'EvpnVrf/vrf-a'],
    },
  },
  {
    name: 'a network without a VRF appears',
    event: { kind: 'EvpnNetwork', type: 'add', obj: net('net-a', undefined) },
    keys: { mirror: mirror(net('net-a', undefined)), invalidate: 'network-counts', status: ['EvpnNetwork/net-a'] },
  },
  {
    name: 'a network moves to another VRF: both VRFs, then the network',
    event: { kind: 'EvpnNetwork', type: 'update', old: net('net-a', 'vrf-a', 1), obj: net('net-a', 'vrf-b', 2) },
    keys: {
      mirror: mirror(net('net-a', 'vrf-b', 2)),
      invalidate: 'network-counts',
      status: ['EvpnVrf/vrf-a', 'EvpnVrf/vrf-b', 'EvpnNetwork/net-a'],
    },
  },
  {
    name: "a network's spec changes within one VRF: that VRF once",
    event: { kind: 'EvpnNetwork', type: 'update', old: net('net-a', 'vrf-a', 1), obj: net('net-a', 'vrf-a', 2) },
    keys: {
      mirror: mirror(net('net-a', 'vrf-a', 2)),
      invalidate: 'network-counts',
      status: ['EvpnVrf/vrf-a', 'EvpnNetwork/net-a'],
    },
  },
  {
    name: "a network's status changes: only its status key",
    event: { kind: 'EvpnNetwork', type: 'update', old: net('net-a', 'vrf-a'), obj: net('net-a', 'vrf-a') },
    keys: { status: ['EvpnNetwork/net-a'] },
  },
  {
    name: 'a network goes: counts stale, mirror (as a delete), its VRF',
    event: { kind: 'EvpnNetwork', type: 'delete', obj: net('net-a', 'vrf-a') },
    keys: { mirror: mirror(net('net-a', 'vrf-a'), true), invalidate: 'network-counts', status: ['EvpnVrf/vrf-a'] },
  },
  {
    name: 'a port set appears: port counts stale, mirror, its network',
    event: { kind: 'EvpnPortSet', type: 'add', obj: ps('net-a') },
    keys: { mirror: mirror(ps('net-a')), invalidate: 'port-counts', status: ['EvpnNetwork/net-a'] },
  },
  {
    name: 'a port set changes network: both networks',
    event: { kind: 'EvpnPortSet', type: 'update', old: ps('net-a', 1), obj: ps('net-b', 2) },
    keys: {
      mirror: mirror(ps('net-b', 2)),
      invalidate: 'port-counts',
      status: ['EvpnNetwork/net-a', 'EvpnNetwork/net-b'],
    },
  },
  {
    name: 'a port set update that changes neither spec nor labels: nothing',
    event: { kind: 'EvpnPortSet', type: 'update', old: ps('net-a'), obj: ps('net-a') },
    keys: { status: [] },
  },
  {
    name: 'a port set goes: mirror (as a delete), its network',
    event: { kind: 'EvpnPortSet', type: 'delete', obj: ps('net-a') },
    keys: { mirror: mirror(ps('net-a'), true), invalidate: 'port-counts', status: ['EvpnNetwork/net-a'] },
  },
  {
    name: 'a node appears: every status key',
    event: { kind: 'EvpnNodeState', type: 'add', obj: node(true, true) },
    keys: { status: [], allStatus: true },
  },
  {
    name: 'a node goes: every status key',
    event: { kind: 'EvpnNodeState', type: 'delete', obj: node(true, true) },
    keys: { status: [], allStatus: true },
  },
  {
    name: "a node's network result changes: that network only",
    event: { kind: 'EvpnNodeState', type: 'update', old: node(true, false), obj: node(true, true) },
    keys: { status: ['EvpnNetwork/net-a'] },
  },
  {
    name: "a node's VRF result changes (its host routes): the VRF and its networks, whose Ready waits on them",
    event: { kind: 'EvpnNodeState', type: 'update', old: node(false, true), obj: node(true, true) },
    keys: { status: ['EvpnVrf/vrf-a', 'EvpnNetwork/net-a', 'EvpnNetwork/net-b'] },
  },
  {
    name: "a node's VTEP changes: every status key (the others' Ready waits for its routes)",
    event: {
      kind: 'EvpnNodeState',
      type: 'update',
      old: node(true, true),
      obj: { ...node(true, true), status: { ...node(true, true).status, vtepIp: '10.0.0.9' } },
    },
    keys: { status: [], allStatus: true },
  },
  {
    name: 'a node update with the same results: nothing',
    event: { kind: 'EvpnNodeState', type: 'update', old: node(true, true), obj: node(true, true) },
    keys: { status: [] },
  },
];

describe('keysForEvent', () => {
  it.each(cases)('$name', ({ event, keys }) => {
    expect(keysForEvent(event, networksOfVrf)).toEqual(keys);
  });

  it('treats a deletion mark as a change worth a mirror pass', () => {
    const dying: EvpnVrf = {
      ...vrf('vrf-a'),
      metadata: { ...meta('vrf-a'), deletionTimestamp: '2026-01-01T00:00:00Z' },
    };
    expect(
      keysForEvent({ kind: 'EvpnVrf', type: 'update', old: vrf('vrf-a'), obj: dying }, networksOfVrf).mirror,
    ).toEqual(mirror(dying));
  });
});

describe('watchEventsOf', () => {
  it('hands each add, update and delete of one kind on as a WatchEvent of that kind', () => {
    const got: WatchEvent[] = [];
    const h = watchEventsOf('EvpnVrf', (e) => got.push(e));
    const a = vrf('vrf-1');
    const b = vrf('vrf-1', 2);
    h.add?.(a);
    h.update?.(a, b);
    h.delete?.(b);
    expect(got).toEqual([
      { kind: 'EvpnVrf', type: 'add', obj: a },
      { kind: 'EvpnVrf', type: 'update', old: a, obj: b },
      { kind: 'EvpnVrf', type: 'delete', obj: b },
    ]);
  });
});
