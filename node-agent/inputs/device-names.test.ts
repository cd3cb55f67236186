import { describe, expect, it } from 'vitest';
import { API_GROUP_VERSION } from '../../crds/index.ts';
import type { EvpnNetwork, EvpnVrf } from '../../crds/index.ts';
import { simulateApplied } from '../../cli/kubectl-evpn/simulate-applied.ts';
import { diffKernelState, planPhases } from '../kernel/diff-kernel-state.ts';
import { renderKernelState } from '../kernel/render-kernel-state.ts';
import { irbDevice, l2VxlanDevice, l3BridgeDevice, l3VxlanDevice, vrfDevice } from './device-names.ts';
import { NodeConfig } from './node-config.ts';

const MAX_VNI = 16_777_215;
const perL3vni = [vrfDevice, l3BridgeDevice, l3VxlanDevice];

describe('device names', () => {
  it("names the L2VNI device vxlan-<vni>, the name seed 000's verify-evpn.sh checks", () => {
    expect(l2VxlanDevice(10100)).toBe('vxlan-10100');
  });

  it.each([1, 9, 10100, 1_010_100, MAX_VNI])(
    'fits IFNAMSIZ and stays distinct from every other device for VNI %i',
    (vni) => {
      const names = [l2VxlanDevice(vni), ...perL3vni.map((f) => f(vni)), irbDevice('br-evpn', 4094)];
      for (const n of names) expect(n.length, n).toBeLessThanOrEqual(15);
      // One VNI is never both an L2VNI and an L3VNI, but even if the same number
      // were both, no two devices would share a name.
      expect(new Set(names).size).toBe(names.length);
    },
  );

  it('no L2VNI device name equals an L3VNI device name of another VNI (the prefixes differ)', () => {
    const l2 = new Set([1, 3, 10, 33, 100, 333].map(l2VxlanDevice));
    for (const vni of [1, 3, 10, 33, 100, 333]) for (const f of perL3vni) expect(l2.has(f(vni))).toBe(false);
  });
});

describe('adoption of a node an older agent named vx-<vni>', () => {
  const node = NodeConfig.parse({ nodeName: 'node-1', vtepIp: '10.0.0.1' });
  const vrf: EvpnVrf = {
    apiVersion: API_GROUP_VERSION,
    kind: 'EvpnVrf',
    metadata: { name: 'vrf-10100' },
    spec: { vni: 1_010_100 },
  };
  const net: EvpnNetwork = {
    apiVersion: API_GROUP_VERSION,
    kind: 'EvpnNetwork',
    metadata: { name: 'net-a' },
    spec: {
      type: 'l2',
      vni: 10100,
      vrf: 'vrf-10100',
      vlanId: 101,
      subnets: [{ cidr: '10.1.0.0/24', gateway: '10.1.0.1' }],
    },
  };
  const desired = renderKernelState(node, [vrf], [net], []).desired;
  // The node as the older agent left it: the same devices, the L2VNI one named vx-10100.
  // (simulateApplied: the kernel state after an exact apply, as netlink reads it back.)
  const applied = simulateApplied(desired);
  const actual = {
    ...applied,
    links: applied.links.map((l) => (l.name === 'vxlan-10100' ? { ...l, name: 'vx-10100' } : l)),
  };
  const plan = diffKernelState(desired, actual);

  it('deletes vx-10100 and creates vxlan-10100 in one pass, the delete first (one VNI, one device)', () => {
    expect(plan.linkDeletes).toEqual(['vx-10100']);
    expect(plan.linkCreates.map((o) => (o.op === 'createLink' ? o.link.name : ''))).toEqual(['vxlan-10100']);
    // The kernel pass runs the phases in this order.
    const phases = planPhases(plan).map((p) => p.phase);
    expect(phases.indexOf('linkDeletes')).toBeLessThan(phases.indexOf('linkCreates'));
  });

  it('leaves every other device of the node in place', () => {
    expect(plan.linkDeletes.filter((n) => n !== 'vx-10100')).toEqual([]);
  });
});
