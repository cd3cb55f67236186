import { describe, expect, it } from 'vitest';
import { findLoopRisks } from './loop-risk.ts';
import { fixtureView, type FixturePort } from './ovs-view.fixture.ts';
import { ownerIds } from './render-uplink.ts';

const uplink: FixturePort = {
  bridge: 'br-prov',
  name: 'evpn-ovs',
  trunks: [100, 101],
  vlanMode: 'trunk',
  externalIds: ownerIds(['physnet1']),
};
const risks = (p: FixturePort) =>
  findLoopRisks(fixtureView(['br-prov', 'br-other'], [uplink, p]), 'br-prov', [100, 101]);

describe('findLoopRisks', () => {
  it.each([
    ['access port with the same tag', { tag: 100 }, [100]],
    ['trunk port listing the VLAN', { trunks: [7, 101] }, [101]],
    ['port with no tag and no trunks (every VLAN)', {}, [100, 101]],
    ['native-untagged with the VLAN as native', { tag: 101, vlanMode: 'native-untagged', trunks: [5] }, [101]],
    ['native-tagged with empty trunks', { tag: 5, vlanMode: 'native-tagged' }, [100, 101]],
  ])('warns about a %s', (_, over, vlans) => {
    expect(risks({ bridge: 'br-prov', name: 'eth1', ...over })).toEqual([{ bridge: 'br-prov', port: 'eth1', vlans }]);
  });

  it.each([
    ['an access port of another VLAN', { bridge: 'br-prov', name: 'eth1', tag: 7 }],
    ['a trunk of other VLANs', { bridge: 'br-prov', name: 'eth1', trunks: [7, 8] }],
    ['a patch port (OVN localnet → br-int)', { bridge: 'br-prov', name: 'patch-provnet', type: 'patch' }],
    ['an internal port (the host stack)', { bridge: 'br-prov', name: 'br-prov', type: 'internal' }],
    ['a port on another bridge', { bridge: 'br-other', name: 'eth2' }],
  ])('is quiet about %s', (_, p) => {
    expect(risks(p)).toEqual([]);
  });
});
