import { describe, expect, it } from 'vitest';
import { API_GROUP_VERSION } from '../../crds/index.ts';
import type { EvpnNetwork, EvpnVrf } from '../../crds/index.ts';
import { selectApplicable } from './select-applicable.ts';

const vrf = (name: string, vni: number): EvpnVrf => ({
  apiVersion: API_GROUP_VERSION,
  kind: 'EvpnVrf',
  metadata: { name },
  spec: { vni },
});
const net = (name: string, spec: EvpnNetwork['spec']): EvpnNetwork => ({
  apiVersion: API_GROUP_VERSION,
  kind: 'EvpnNetwork',
  metadata: { name },
  spec,
});

describe('selectApplicable', () => {
  it('refuses the newcomer that claims a VLAN in use, and the holder keeps working', () => {
    const older = net('b', { type: 'l2', vni: 12, vrf: 'v', vlanId: 5 });
    older.metadata.creationTimestamp = '2026-01-01T00:00:00Z';
    const newer = net('a', { type: 'l2', vni: 11, vrf: 'v', vlanId: 5 });
    newer.metadata.creationTimestamp = '2026-02-01T00:00:00Z';
    const s = selectApplicable([vrf('v', 10)], [newer, older, net('c', { type: 'l2', vni: 13, vrf: 'v', vlanId: 6 })]);
    expect(s.networks.map((n) => n.metadata.name).sort()).toEqual(['b', 'c']);
    expect(s.rejectedNetworks.get('a')?.message).toBe('EVPN-004: VLAN 5 is already used by EvpnNetwork b');
  });
  it('refuses an L2VNI equal to an L3VNI (measured: one VNI cannot be both)', () => {
    const s = selectApplicable([vrf('v', 10)], [net('a', { type: 'l2', vni: 10, vrf: 'v', vlanId: 5 })]);
    expect(s.rejectedNetworks.get('a')?.message).toContain('one VNI cannot be both');
  });
  it('reports a missing VRF as EVPN-003', () => {
    const s = selectApplicable([], [net('a', { type: 'l3', vrf: 'nope', vlanId: 5 })]);
    expect(s.rejectedNetworks.get('a')).toMatchObject({ code: 'EVPN-003', reason: 'VrfNotFound' });
  });
  it('skips a mirrored network OVN gives no VLAN path (flat/Geneve), not a user l3 network without VLAN', () => {
    const s = selectApplicable(
      [vrf('v', 10)],
      [
        net('a', { type: 'l2', vni: 11, vrf: 'v', source: { association: 'network', networkId: 'a' } }),
        net('u', { type: 'l3', vrf: 'v' }),
      ],
    );
    expect(s.rejectedNetworks.get('a')).toMatchObject({ code: 'EVPN-001', reason: 'NoProviderPath' });
    expect(s.networks.map((n) => n.metadata.name)).toEqual(['u']);
  });
});
