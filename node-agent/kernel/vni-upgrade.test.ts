// Upgrade to the standard EVPN mapping (docs/api.md, "VNIs"): the operator
// rewrites the example l2 network from a pool L2VNI (16000101) in vrf-10100
// with L3VNI 10100 to L2VNI 10100 in vrf-10100 with L3VNI 1010100. The agent's
// level-based diff leaves nothing of the old state behind, and deletes the old
// L3VNI device (VNI 10100) before it creates the new L2VNI device with the
// same VNI (the kernel refuses two VXLAN devices with one VNI on one VTEP).
import { describe, expect, it } from 'vitest';
import { API_GROUP_VERSION } from '../../crds/index.ts';
import type { EvpnNetwork, EvpnVrf } from '../../crds/index.ts';
import { NodeConfig } from '../inputs/node-config.ts';
import { link } from '../../test/fixtures/node-agent/kernel-diff.ts';
import { diffKernelState } from './diff-kernel-state.ts';
import { renderKernelState } from './render-kernel-state.ts';

const node = NodeConfig.parse({ nodeName: 'node-1', vtepIp: '10.0.0.1' });
const vrf = (spec: EvpnVrf['spec']): EvpnVrf => ({
  apiVersion: API_GROUP_VERSION,
  kind: 'EvpnVrf',
  metadata: { name: 'vrf-10100' },
  spec,
});
const net = (spec: EvpnNetwork['spec']): EvpnNetwork => ({
  apiVersion: API_GROUP_VERSION,
  kind: 'EvpnNetwork',
  metadata: { name: 'net-a' },
  spec,
});
const subnets = [{ cidr: '10.101.0.0/24', gateway: '10.101.0.1' }];

describe("a network moving from the L2VNI pool to its BGPVPN's VNI", () => {
  const before = renderKernelState(
    node,
    [vrf({ vni: 10100, routeTargets: ['65000:10100'] })],
    [net({ type: 'l2', vni: 16_000_101, vrf: 'vrf-10100', vlanId: 101, subnets })],
    [],
  ).desired;
  const after = renderKernelState(
    node,
    [vrf({ vni: 1_010_100, routingTable: 1_010_100 })],
    [net({ type: 'l2', vni: 10100, vrf: 'vrf-10100', vlanId: 101, routeTargets: ['65000:10100'], subnets })],
    [],
  ).desired;
  // The node as the old pass left it: every rendered link exists and is ours.
  const actual = {
    links: before.links.map((l, i) => link(i + 1, l.name, l.kind)),
    bridgePorts: [],
    addrs: [],
    routes: [],
    neighbors: [],
    fdb: [],
  };
  const plan = diffKernelState(after, actual);
  const created = plan.linkCreates.map((o) => (o.op === 'createLink' ? o.link : undefined));

  it('deletes the pool VXLAN and the old L3VNI devices, and nothing old stays', () => {
    expect(plan.linkDeletes).toEqual(expect.arrayContaining(['vxlan-16000101', 'vrf-10100', 'br3-10100', 'vx3-10100']));
    const left = new Set(before.links.map((l) => l.name).filter((n) => !plan.linkDeletes.includes(n)));
    for (const name of left)
      expect(
        after.links.map((l) => l.name),
        `${name} stays without being desired`,
      ).toContain(name);
  });

  it('creates the L2VNI 10100 device and the VRF of L3VNI 1010100 with table 1010100', () => {
    expect(created).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'vxlan-10100', kind: 'vxlan', vni: 10100 }),
        expect.objectContaining({ name: 'vrf-1010100', kind: 'vrf', table: 1_010_100 }),
        expect.objectContaining({ name: 'vx3-1010100', kind: 'vxlan', vni: 1_010_100 }),
      ]),
    );
    // VNI 10100 is on one device only after the pass.
    expect(after.links.filter((l) => l.kind === 'vxlan' && l.vni === 10100).map((l) => l.name)).toEqual([
      'vxlan-10100',
    ]);
  });
});
