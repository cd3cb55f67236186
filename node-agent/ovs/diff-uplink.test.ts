import { describe, expect, it } from 'vitest';
import { diffUplink } from './diff-uplink.ts';
import { fixtureView, type FixturePort } from './ovs-view.fixture.ts';
import { ownerIds, type DesiredUplinkPort } from './render-uplink.ts';

const ours = ownerIds(['physnet1']);
const desired: DesiredUplinkPort = { bridge: 'br-prov', name: 'evpn-ovs', trunks: [100, 101], externalIds: ours };
const ourPort = (over: Partial<FixturePort> = {}): FixturePort => ({ bridge: 'br-prov', name: 'evpn-ovs', trunks: [100, 101], vlanMode: 'trunk', externalIds: ours, ...over });
const opsOf = (d: ReturnType<typeof diffUplink>): string[] => d.ops.map((o) => `${o.op} ${'table' in o ? o.table : ''}`.trim());

describe('diffUplink', () => {
  it('inserts Interface + Port and references it from the bridge, guarded by a wait on the bridge', () => {
    const d = diffUplink(desired, fixtureView(['br-prov', 'br-int'], []), 'evpn-ovs');
    expect(opsOf(d)).toEqual(['comment', 'wait Bridge', 'insert Interface', 'insert Port', 'mutate Bridge']);
    expect(d.ops[3]).toMatchObject({ row: { name: 'evpn-ovs', interfaces: ['uplink_iface'], trunks: [100, 101], vlan_mode: 'trunk', tag: null, external_ids: ours } });
    expect(d.ops[4]).toMatchObject({ mutations: [['ports', 'insert', ['uplink_port']]] });
  });

  it('plans nothing when the port matches (adoption after a restart: zero writes)', () => {
    expect(diffUplink(desired, fixtureView(['br-prov'], [ourPort(), { bridge: 'br-prov', name: 'eth1', tag: 100 }]), 'evpn-ovs').ops).toEqual([]);
  });

  it.each([
    ['trunks', { trunks: [100] }],
    ['vlan_mode', { vlanMode: null }],
    ['a tag', { tag: 5 }],
    ['external_ids', { externalIds: { ...ours, extra: 'x' } }],
  ])('updates only the Port row when %s differ', (_, over) => {
    const d = diffUplink(desired, fixtureView(['br-prov'], [ourPort(over)]), 'evpn-ovs');
    expect(opsOf(d)).toEqual(['comment', 'update Port']);
    expect(d.ops[1]).toMatchObject({ row: { trunks: [100, 101], vlan_mode: 'trunk', tag: null, external_ids: ours } });
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
    expect(opsOf(d)).toEqual(['comment', 'mutate Bridge', 'wait Bridge', 'insert Interface', 'insert Port', 'mutate Bridge']);
  });

  it('never touches a foreign port holding our name, and says so', () => {
    for (const want of [desired, undefined]) {
      const d = diffUplink(want, fixtureView(['br-prov'], [{ bridge: 'br-prov', name: 'evpn-ovs', tag: 100 }]), 'evpn-ovs');
      expect(d.ops).toEqual([]);
      if (want) expect(d.blocked).toMatch(/port named evpn-ovs exists and is not ours/);
    }
  });

  it('never touches anything but our port', () => {
    const view = fixtureView(['br-prov', 'br-int'], [{ bridge: 'br-prov', name: 'eth1', trunks: [100] }, { bridge: 'br-int', name: 'patch-x', type: 'patch' }]);
    const d = diffUplink(desired, view, 'evpn-ovs');
    const foreign = [...view.ports.values()].map((p) => p.uuid);
    expect(JSON.stringify(d.ops)).not.toMatch(new RegExp(foreign.join('|')));
  });
});
