import { describe, expect, it } from 'vitest';
import { API_GROUP_VERSION, Label, type EvpnNetwork, type EvpnNetworkSpec, type EvpnVrf } from '../../crds/index.ts';
import { renderOvnKeys } from '../ovn-keys/render-ovn-keys.ts';
import { keyRenderInput } from './ovn-key-pass.ts';

const spec: EvpnNetworkSpec = { type: 'l2', vni: 10100, vrf: 'vrf-10100', source: { association: 'network' } };
const network = (name: string, s: EvpnNetworkSpec, mirrored = true): EvpnNetwork => ({
  apiVersion: API_GROUP_VERSION,
  kind: 'EvpnNetwork',
  metadata: { name, ...(mirrored ? { labels: { [Label.MirroredFrom]: 'network' } } : {}) },
  spec: s,
});
const vrf: EvpnVrf = {
  apiVersion: API_GROUP_VERSION,
  kind: 'EvpnVrf',
  metadata: { name: 'vrf-10100', labels: { [Label.MirroredFrom]: 'network' } },
  spec: { vni: 1010100, backend: 'ovn' },
};

describe('keyRenderInput', () => {
  it('keeps the keys of a mirrored network that left OVN while its object lives (prune grace, mass-delete hold)', () => {
    const input = keyRenderInput({
      desired: { networks: new Map(), vrfs: new Map() },
      liveNetworks: [network('held', { ...spec, backend: 'ovn' })],
      liveVrfs: [vrf],
      defaultBackend: 'kernel',
    });
    expect([...renderOvnKeys(input).rows.keys()]).toEqual(['Logical_Switch/neutron-held']);
  });

  it("takes the desired spec over the live one, each object's own backend, and the cluster default otherwise", () => {
    const input = keyRenderInput({
      desired: { networks: new Map([['a', { ...spec, vni: 10200 }]]), vrfs: new Map() },
      liveNetworks: [network('a', { ...spec, backend: 'ovn' }), network('b', spec), network('user', spec, false)],
      liveVrfs: [vrf],
      defaultBackend: 'kernel',
    });
    expect(input.networks.get('a')?.vni).toBe(10200);
    expect(input.networks.has('user')).toBe(false);
    expect([input.backendOf('a'), input.backendOf('b'), input.vrfBackendOf('vrf-10100')]).toEqual([
      'ovn',
      'kernel',
      'ovn',
    ]);
  });
});
