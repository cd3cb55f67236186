import { describe, expect, it } from 'vitest';
import { effectiveBackend, withoutUserHeldFields } from './backend.ts';
import { ovnEvpnSwitchDevices, ovnEvpnVrfDevice } from './ovn-evpn-names.ts';

const allNames = (vni: number): string[] => {
  const d = ovnEvpnSwitchDevices(vni);
  return [d.bridge, d.vxlan, d.advertise, ovnEvpnVrfDevice(vni)];
};
import { MAX_VNI } from './primitives.ts';
import { EvpnNetwork } from './evpn-network.ts';
import { EvpnVrfSpec } from './evpn-vrf.ts';

describe('effectiveBackend', () => {
  it.each([
    [{}, 'kernel', 'kernel'],
    [{}, 'ovn', 'ovn'],
    [{ backend: 'ovn' as const }, 'kernel', 'ovn'],
    [{ backend: 'kernel' as const }, 'ovn', 'kernel'],
  ] as const)('spec %j with cluster default %s → %s', (spec, clusterDefault, want) => {
    expect(effectiveBackend(spec, clusterDefault)).toBe(want);
  });

  it('refuses any other backend at the API boundary', () => {
    expect(EvpnVrfSpec.safeParse({ vni: 10, backend: 'ovs' }).success).toBe(false);
    expect(EvpnVrfSpec.safeParse({ vni: 10, backend: 'ovn' }).success).toBe(true);
  });

  it('drops the user-held fields only, and keeps an object without them as it is', () => {
    const spec = { type: 'l2', vni: 1, backend: 'ovn' };
    expect(withoutUserHeldFields(spec)).toEqual({ type: 'l2', vni: 1 });
    const plain = { type: 'l2', vni: 1 };
    expect(withoutUserHeldFields(plain)).toBe(plain);
  });

  it('is shown in status', () => {
    const n = {
      apiVersion: 'evpn.ovn-evpn.dev/v1alpha1',
      kind: 'EvpnNetwork',
      metadata: { name: 'n' },
      spec: { type: 'l3', vrf: 'v' },
      status: { backend: 'ovn' },
    };
    expect(EvpnNetwork.parse(n).status?.backend).toBe('ovn');
  });
});

describe('ovn backend device names', () => {
  it('are Linux interface names (at most 15 characters) for every VNI', () => {
    for (const vni of [1, 10100, MAX_VNI]) {
      for (const name of allNames(vni)) {
        expect(name.length).toBeLessThanOrEqual(15);
        expect(name).toMatch(/^[a-z]+-[0-9]+$/);
      }
    }
    expect(ovnEvpnSwitchDevices(10100)).toEqual({
      bridge: 'ovnbr-10100',
      vxlan: 'ovnvx-10100',
      advertise: 'ovnlo-10100',
    });
    expect(ovnEvpnVrfDevice(1010100)).toBe('ovnvrf-1010100');
  });

  it("never take the kernel backend's prefixes", () => {
    const names = allNames(5);
    for (const kernelPrefix of ['vrf-', 'br3-', 'vx3-', 'vxlan-'])
      for (const n of names) expect(n.startsWith(kernelPrefix)).toBe(false);
  });

  it('refuse a number that is no VNI', () => {
    expect(() => ovnEvpnSwitchDevices(0)).toThrow(RangeError);
    expect(() => ovnEvpnVrfDevice(MAX_VNI + 1)).toThrow(RangeError);
  });
});
