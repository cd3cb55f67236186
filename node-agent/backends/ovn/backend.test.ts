// The backend in effect per object, and what it changes before the render:
// the VRF's device name, and a Geneve network (no VLAN path) is applicable on
// the ovn backend only.
import { describe, expect, it } from 'vitest';
import { API_GROUP_VERSION } from '../../../crds/index.ts';
import type { EvpnNetwork, EvpnVrf } from '../../../crds/index.ts';
import { selectApplicable } from '../../inputs/select-applicable.ts';
import { isOvnBackend, splitByBackend, vrfDeviceOf, withEffectiveBackend } from './backend.ts';

const vrf = (spec: EvpnVrf['spec']): EvpnVrf => ({
  apiVersion: API_GROUP_VERSION,
  kind: 'EvpnVrf',
  metadata: { name: 'vrf-10100' },
  spec,
});
const geneve = (backend?: 'kernel' | 'ovn'): EvpnNetwork => ({
  apiVersion: API_GROUP_VERSION,
  kind: 'EvpnNetwork',
  metadata: { name: 'geneve-a' },
  spec: {
    type: 'l2',
    vni: 10101,
    vrf: 'vrf-10100',
    source: { association: 'network', networkId: 'geneve-a' },
    ...(backend === undefined ? {} : { backend }),
  },
});

describe('the backend in effect', () => {
  it("takes spec.backend, else the node's default", () => {
    expect(withEffectiveBackend(geneve('kernel'), 'ovn').spec.backend).toBe('kernel');
    expect(withEffectiveBackend(geneve(), 'ovn').spec.backend).toBe('ovn');
    expect(withEffectiveBackend(geneve(), 'kernel').spec.backend).toBe('kernel');
    expect(isOvnBackend(geneve())).toBe(false);
  });

  it("names the VRF device after its backend (OVN's dynamic-routing-vrf-name on ovn)", () => {
    expect(vrfDeviceOf(vrf({ vni: 10100, backend: 'ovn' }))).toBe('ovnvrf-10100');
    expect(vrfDeviceOf(vrf({ vni: 10100 }))).toBe('vrf-10100');
  });

  it('splits keeping the order', () => {
    const list = [geneve('ovn'), { ...geneve('kernel'), metadata: { name: 'k' } }];
    expect(splitByBackend(list).ovn.map((n) => n.metadata.name)).toEqual(['geneve-a']);
    expect(splitByBackend(list).kernel.map((n) => n.metadata.name)).toEqual(['k']);
  });

  it('applies a Geneve network (no VLAN path) on the ovn backend, and refuses it on the kernel one (NoProviderPath)', () => {
    const v = vrf({ vni: 10100 });
    expect(selectApplicable([v], [geneve('ovn')]).networks.map((n) => n.metadata.name)).toEqual(['geneve-a']);
    expect(selectApplicable([v], [geneve('kernel')]).rejectedNetworks.get('geneve-a')?.reason).toBe('NoProviderPath');
  });
});
