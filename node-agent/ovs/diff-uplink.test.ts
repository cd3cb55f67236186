import { describe, expect, it } from 'vitest';
import { diffUplink } from './diff-uplink.ts';
import { fixtureView, type FixturePort } from './ovs-view.fixture.ts';
import { ownerIds, type DesiredUplinkPort } from './render-uplink.ts';

const ours = ownerIds(['physnet1']);
const desired: DesiredUplinkPort = { bridge: 'br-prov', name: 'evpn-ovs', trunks: [100, 101], externalIds: ours };
const ourPort = (over: Partial<FixturePort> = {}): FixturePort => ({
  bridge: 'br-prov',
  name: 'evpn-ovs',
  trunks: [100, 101],
  vlanMode: 'trunk',
  externalIds: ours,
  ...over,
});
const opsOf = (d: ReturnType<typeof diffUplink>): string[] =>
  d.ops.map((o) => `${o.op} ${'table' in o ? o.table : ''}`.trim());

describe('diffUplink', () => {
  it('inserts Interface + Port and references it from the bridge, guarded by a wait on the bridge', () => {
    const d = diffUplink(desired, fixtureView(['br-prov', 'br-int'], []), 'evpn-ovs');
    expect(opsOf(d)).toEqual(['comment', 'wait Bridge', 'insert Interface', 'insert Port', 'mutate Bridge']);
    expect(d.ops[3]).toMatchObject({
      row: {
        name: 'evpn-ovs',
        interfaces: ['uplink_iface'],
        trunks: [100, 101],
        vlan_mode: 'trunk',
        tag: null,
        external_ids: ours,
      },
    });
    expect(d.ops[4]).toMatchObject({ mutations: [['ports', 'insert', ['uplink_port']]] });
  });

  it('plans nothing when the port matches (adoption after a restart: zero writes)', () => {
    expect(
      diffUplink(
        desired,
        fixtureView(['br-prov'], [ourPort(), { bridge: 'br-prov', name: 'eth1', tag: 100 }]),
        'evpn-ovs',
      ).ops,
    ).toEqual([]);
  });

  it.each([
    ['trunks', { trunks: [100] }],
    ['vlan_mode', { vlanMode: null }],
    ['a tag', { tag: 5 }],
  ])('updates only the Port row when %s differ, never its external_ids', (_, over) => {
    const d = diffUplink(
      desired,
      fixtureView(['br-prov'], [ourPort({ ...over, externalIds: { ...ours, 'other-tool': 'x' } })]),
      'evpn-ovs',
    );
    expect(opsOf(d)).toEqual(['comment', 'update Port']);
    expect(d.ops[1]).toMatchObject({ row: { trunks: [100, 101], vlan_mode: 'trunk', tag: null } });
    expect(d.ops[1]).not.toHaveProperty('row.external_ids');
  });

  it('leaves foreign external_ids keys alone: a port that differs only by them needs no write', () => {
    expect(
      diffUplink(
        desired,
        fixtureView(['br-prov'], [ourPort({ externalIds: { ...ours, extra: 'x', 'iface-id': 'vm1' } })]),
        'evpn-ovs',
      ).ops,
    ).toEqual([]);
  });

  it('mutates only our keys when they differ: deletes the changed and stale ones, inserts the desired values', () => {
    const actual = {
      'ovn-evpn:owner': 'node-agent',
      'ovn-evpn:physical-networks': 'physnet0',
      'ovn-evpn:old': 'y',
      extra: 'x',
    };
    const d = diffUplink(desired, fixtureView(['br-prov'], [ourPort({ externalIds: actual })]), 'evpn-ovs');
    expect(opsOf(d)).toEqual(['comment', 'mutate Port']);
    expect(d.ops[1]).toMatchObject({
      mutations: [
        ['external_ids', 'delete', ['ovn-evpn:old', 'ovn-evpn:physical-networks']],
        ['external_ids', 'insert', { 'ovn-evpn:physical-networks': 'physnet1' }],
      ],
    });
    expect(JSON.stringify(d.ops)).not.toContain('extra');
  });

  it('removes our port (bridge reference only; OVSDB collects Port and Interface) when nothing is stretched', () => {
    const view = fixtureView(['br-prov'], [ourPort(), { bridge: 'br-prov', name: 'eth1' }]);
    const d = diffUplink(undefined, view, 'evpn-ovs');
    expect(opsOf(d)).toEqual(['comment', 'mutate Bridge']);
    const portUuid = [...view.ports.values()].find((p) => p.name === 'evpn-ovs')?.uuid;
    expect(d.ops[1]).toMatchObject({ mutations: [['ports', 'delete', [portUuid]]] });
  });

  it('moves the port between bridges by reference, in one transaction', () => {
    const d = diffUplink({ ...desired, bridge: 'br-ex' }, fixtureView(['br-ex', 'br-prov'], [ourPort()]), 'evpn-ovs');
    expect(opsOf(d)).toEqual(['comment', 'wait Bridge', 'mutate Bridge', 'mutate Bridge']);
  });

  it('drops stale ports of ours under another name (a renamed uplink)', () => {
    const d = diffUplink(desired, fixtureView(['br-prov'], [ourPort({ name: 'old-ovs' })]), 'evpn-ovs');
    expect(opsOf(d)).toEqual([
      'comment',
      'mutate Bridge',
      'wait Bridge',
      'insert Interface',
      'insert Port',
      'mutate Bridge',
    ]);
  });

  it('never touches a foreign port holding our name, and says so', () => {
    for (const want of [desired, undefined]) {
      const d = diffUplink(
        want,
        fixtureView(['br-prov'], [{ bridge: 'br-prov', name: 'evpn-ovs', tag: 100 }]),
        'evpn-ovs',
      );
      expect(d.ops).toEqual([]);
      if (want) expect(d.blocked).toMatch(/port named evpn-ovs exists and is not ours/);
    }
  });

  it('never touches anything but our port', () => {
    const view = fixtureView(
      ['br-prov', 'br-int'],
      [
        { bridge: 'br-prov', name: 'eth1', trunks: [100] },
        { bridge: 'br-int', name: 'patch-x', type: 'patch' },
      ],
    );
    const d = diffUplink(desired, view, 'evpn-ovs');
    const foreign = [...view.ports.values()].map((p) => p.uuid);
    expect(JSON.stringify(d.ops)).not.toMatch(new RegExp(foreign.join('|')));
  });
});
