import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import type { EvpnNetwork, EvpnNodeState, EvpnNodeStateStatus, EvpnPortSet, EvpnVrf } from '../../crds/index.ts';
import { diffKernelState, planSize } from '../../node-agent/kernel/diff-kernel-state.ts';
import { NodeConfig } from '../../node-agent/inputs/node-config.ts';
import { renderKernelState } from '../../node-agent/kernel/render-kernel-state.ts';
import { formatNodePlan } from './format-plan.ts';
import { applyManifest, emptyObjects, ManifestError, parseManifest } from './objects.ts';
import type { EvpnObjects } from './objects.ts';
import { isEmptyPlan, planManifest, PLACEHOLDER_VTEP } from './plan.ts';
import { simulateApplied } from './simulate-applied.ts';

const apiVersion = 'evpn.ovn-evpn.dev/v1alpha1' as const;
function defined<T>(x: T | undefined): T {
  if (x === undefined) throw new Error('expected a value');
  return x;
}
const vrf = (name: string, vni: number): EvpnVrf => ({
  apiVersion,
  kind: 'EvpnVrf',
  metadata: { name },
  spec: { vni },
});
const l2 = (name: string, vni: number, vlanId: number, vrfName?: string): EvpnNetwork => ({
  apiVersion,
  kind: 'EvpnNetwork',
  metadata: { name },
  spec: {
    type: 'l2',
    vni,
    vlanId,
    ...(vrfName === undefined ? {} : { vrf: vrfName }),
    subnets: [{ cidr: '10.1.0.0/24', gateway: '10.1.0.1' }],
    routeTargets: ['65000:10101'],
  },
});
const nodeState = (
  name: string,
  vtepIp: string,
  results: Pick<EvpnNodeStateStatus, 'vrfs' | 'networks'> = {},
): EvpnNodeState => ({
  apiVersion,
  kind: 'EvpnNodeState',
  metadata: { name },
  spec: { nodeName: name },
  status: { vtepIp, asn: 4200049263, lastSyncTime: '2026-12-01T00:00:00Z', ...results },
});
/** The results a node in sync with `o` reports (every object applied, at its generation). */
const inSync = (o: Pick<EvpnObjects, 'vrfs' | 'networks'>): Pick<EvpnNodeStateStatus, 'vrfs' | 'networks'> => ({
  vrfs: o.vrfs.map((v) => ({ name: v.metadata.name, ready: true, vni: v.spec.vni })),
  networks: o.networks.map((n) => ({
    name: n.metadata.name,
    ready: true,
    ...(n.spec.vni === undefined ? {} : { vni: n.spec.vni }),
    ...(n.spec.vlanId === undefined ? {} : { vlanId: n.spec.vlanId }),
  })),
});
const portSet = (network: string, node: string, macs: string[]): EvpnPortSet => ({
  apiVersion,
  kind: 'EvpnPortSet',
  metadata: { name: `${network}.${node}` },
  spec: {
    network,
    nodeName: node,
    ports: macs.map((mac, i) => ({ name: `port-${i}`, mac, ips: [`10.1.0.${10 + i}`] })),
  },
});

const current = (): EvpnObjects => {
  const objects = { vrfs: [vrf('vrf-10100', 10100)], networks: [l2('net-a', 10101, 101, 'vrf-10100')] };
  return {
    ...objects,
    portSets: [portSet('net-a', 'worker-1', ['02:00:00:00:01:01'])],
    nodeStates: [
      nodeState('worker-1', '10.0.192.111', inSync(objects)),
      nodeState('worker-2', '10.0.192.112', inSync(objects)),
    ],
  };
};

describe('simulateApplied', () => {
  it("is a fixed point of the agent's diff: an applied render needs no operation", () => {
    const o = current();
    const rendered = renderKernelState(
      NodeConfig.parse({ nodeName: 'worker-1', vtepIp: '10.0.192.111' }),
      [...o.vrfs, vrf('vrf-20000', 20000)],
      [
        ...o.networks,
        {
          ...l2('net-b', 10102, 102, 'vrf-10100'),
          spec: {
            type: 'l3',
            vrf: 'vrf-20000',
            vlanId: 200,
            subnets: [{ cidr: '10.2.0.0/24' }],
            routes: [{ type: 'prefix', destination: '10.9.0.0/16', nexthop: '10.2.0.5' }],
          },
        },
      ],
      o.portSets,
    );
    expect(rendered.desired.links.length).toBeGreaterThan(8);
    const plan = diffKernelState(rendered.desired, simulateApplied(rendered.desired));
    expect(plan).toEqual({ linkDeletes: [], removes: [], linkCreates: [], updates: [], creates: [], blocked: [] });
  });
});

describe('plan', () => {
  it('shows nothing for a manifest equal to the cluster', () => {
    const o = current();
    const m = { ...emptyObjects(), networks: o.networks };
    const plans = planManifest(o, applyManifest(o, m), m);
    expect(plans.map((p) => p.node.name)).toEqual(['worker-1', 'worker-2']);
    expect(plans.every(isEmptyPlan)).toBe(true);
    expect(formatNodePlan(defined(plans[0]))).toContain('no changes');
  });

  it('lists the kernel objects and FRR lines a new VRF and network add, on every node', () => {
    const o = current();
    const m = { ...emptyObjects(), vrfs: [vrf('vrf-20000', 20000)], networks: [l2('net-c', 10201, 201, 'vrf-20000')] };
    const [w1, w2] = planManifest(o, applyManifest(o, m), m);
    if (w1 === undefined || w2 === undefined) throw new Error('two nodes expected');
    const names = w1.kernel.linkCreates.map((op) => (op.op === 'createLink' ? op.link.name : ''));
    expect(names).toEqual(['vrf-20000', 'br3-20000', 'vx3-20000', 'vxlan-10201', 'br-evpn.201']);
    expect(w1.kernel.linkDeletes).toEqual([]);
    expect(w1.frr).toEqual(
      expect.arrayContaining([
        '+ vrf vrf-20000',
        '+  vni 20000',
        '+ router bgp 4200049263 vrf vrf-20000',
        '+   advertise ipv4 unicast',
      ]),
    );
    expect(w1.frr.join('\n')).toContain('vni 10201');
    const text = formatNodePlan(w1);
    expect(text).toContain('Node worker-1 (VTEP 10.0.192.111, AS 4200049263)');
    expect(text).toContain('+ link vrf-20000 (vrf, table 1020000)');
    expect(text).toContain('+ link vxlan-10201 (vxlan, vni 10201 local 10.0.192.111, master br-evpn');
    expect(text).toContain('EvpnNetwork net-c: absent -> applied');
    expect(w2.kernel.linkCreates.find((op) => op.op === 'createLink' && op.link.name === 'vxlan-10201')).toMatchObject({
      link: { local: '10.0.192.112' },
    });
  });

  it('deletes what a changed VNI replaces, and only on nodes that have it', () => {
    const o = current();
    const m = { ...emptyObjects(), networks: [l2('net-a', 10111, 101, 'vrf-10100')] };
    const [w1] = planManifest(o, applyManifest(o, m), m);
    expect(w1?.kernel.linkDeletes).toEqual(['vxlan-10101']);
    const text = formatNodePlan(defined(w1));
    expect(text).toContain('- link vxlan-10101');
    expect(text).toContain('+ link vxlan-10111');
    expect(w1?.frr).toEqual(['  router bgp 4200049263', '+   vni 10111', '-   vni 10101']);
  });

  it('reports an object the agent would reject; the holder of the VLAN keeps working', () => {
    const o = current();
    const m = { ...emptyObjects(), networks: [l2('net-dup', 10199, 101, 'vrf-10100')] };
    const [w1] = planManifest(o, applyManifest(o, m), m);
    expect(w1?.objects).toEqual([
      {
        kind: 'EvpnNetwork',
        name: 'net-dup',
        before: 'absent',
        after: 'EVPN-004: VLAN 101 is already used by EvpnNetwork net-a',
      },
    ]);
    expect(planSize(defined(w1).kernel)).toBe(0);
    expect(w1?.frr).toEqual([]);
    expect(formatNodePlan(defined(w1))).toContain(
      'EvpnNetwork net-dup: absent -> EVPN-004: VLAN 101 is already used by EvpnNetwork net-a',
    );
  });

  it('adds FDB entries and neighbours for new ports only on their node', () => {
    const o = current();
    const m = {
      ...emptyObjects(),
      portSets: [portSet('net-a', 'worker-2', ['02:00:00:00:02:01', '02:00:00:00:02:02'])],
    };
    const [w1, w2] = planManifest(o, applyManifest(o, m), m);
    expect(isEmptyPlan(defined(w1))).toBe(true);
    const ops = w2?.kernel.creates.map((op) => op.op) ?? [];
    expect(ops.filter((op) => op === 'replaceFdb')).toHaveLength(2);
    expect(ops.filter((op) => op === 'replaceNeighbor')).toHaveLength(2);
    expect(planSize(defined(w2).kernel)).toBe(4);
  });

  it('plans for a placeholder node when no agent reported yet, and says so', () => {
    const m = { ...emptyObjects(), vrfs: [vrf('vrf-10100', 10100)] };
    const plans = planManifest(emptyObjects(), m, m);
    expect(plans.map((p) => p.node.vtepIp)).toEqual([PLACEHOLDER_VTEP]);
    expect(formatNodePlan(defined(plans[0]))).toContain('[placeholder: no EvpnNodeState status yet]');
  });
});

describe('plan from what each node reports applied', () => {
  const linkNames = (ops: readonly { op: string; link?: { name: string } }[]): string[] =>
    ops.map((op) => op.link?.name ?? '');

  it('is empty without a manifest when every node is in sync', () => {
    const o = current();
    const plans = planManifest(o, o, emptyObjects());
    expect(plans.every(isEmptyPlan)).toBe(true);
    expect(formatNodePlan(defined(plans[0]))).toContain(
      'from: what the node reports applied (EvpnNodeState, last sync 2026-12-01T00:00:00Z)',
    );
  });

  it('creates again what a node failed, on that node only', () => {
    const o = current();
    o.nodeStates[1] = nodeState('worker-2', '10.0.192.112', {
      ...inSync(o),
      networks: [
        { name: 'net-a', ready: false, reason: 'InfrastructureFailed', message: 'EVPN-005: vxlan-10101: File exists' },
      ],
    });
    const [w1, w2] = planManifest(o, o, emptyObjects());
    expect(isEmptyPlan(defined(w1))).toBe(true);
    // The shared bridge and uplink belong to no object's result: planned as created with the first network.
    expect(linkNames(defined(w2).kernel.linkCreates)).toEqual(['br-evpn', 'evpn-uplink', 'vxlan-10101', 'br-evpn.101']);
    expect(w2?.objects).toEqual([
      {
        kind: 'EvpnNetwork',
        name: 'net-a',
        before: 'InfrastructureFailed: EVPN-005: vxlan-10101: File exists',
        after: 'applied',
      },
    ]);
    expect(w2?.frr.join('\n')).toContain('+   vni 10101');
  });

  it('deletes what a node still has of an object gone from the cluster, its reported devices included', () => {
    const o = current();
    o.nodeStates[0] = nodeState('worker-1', '10.0.192.111', {
      ...inSync(o),
      networks: [
        ...(inSync(o).networks ?? []),
        { name: 'net-old', ready: true, vni: 10150, vlanId: 150, devices: ['vxlan-10150', 'br-evpn.150'] },
      ],
    });
    const [w1, w2] = planManifest(o, o, emptyObjects());
    expect(defined(w1).kernel.linkDeletes.sort()).toEqual(['br-evpn.150', 'vxlan-10150']);
    expect(w1?.objects).toEqual([{ kind: 'EvpnNetwork', name: 'net-old', before: 'applied', after: 'absent' }]);
    // FRR drops the gone L2VNI's block; the status holds no RD or route targets, so a note says those lines are not listed.
    expect(w1?.frr).toEqual(['  router bgp 4200049263', '-   vni 10150', '-   exit-vni']);
    expect(w1?.basis.notes).toEqual([
      'EvpnNetwork net-old: gone from the cluster, still applied on the node',
      "EvpnNetwork net-old: FRR drops its `vni 10150` block (under address-family l2vpn evpn) with the RD and route targets it had; the node's status does not hold them, so those lines are not listed",
    ]);
    const text = formatNodePlan(defined(w1));
    expect(text).toContain('- link vxlan-10150');
    expect(text).toContain('- link br-evpn.150');
    expect(text).toContain('note: EvpnNetwork net-old: gone from the cluster, still applied on the node');
    expect(text).toContain(
      'frr: 0 lines added, 2 removed\n      router bgp 4200049263\n    -   vni 10150\n    -   exit-vni',
    );
    expect(isEmptyPlan(defined(w2))).toBe(true);
  });

  it('deletes the FRR stanzas of a VRF gone from the cluster, and the L2VNI block of its network', () => {
    const o = current();
    o.nodeStates[0] = nodeState('worker-1', '10.0.192.111', {
      vrfs: [
        ...(inSync(o).vrfs ?? []),
        { name: 'vrf-20000', ready: true, vni: 20000, devices: ['vrf-20000', 'br3-20000', 'vx3-20000'] },
      ],
      networks: [
        ...(inSync(o).networks ?? []),
        { name: 'net-gone', ready: true, vni: 10160, vlanId: 160, devices: ['vxlan-10160', 'br-evpn.160'] },
      ],
    });
    const [w1, w2] = planManifest(o, o, emptyObjects());
    const frr = defined(w1).frr;
    for (const line of [
      '- vrf vrf-20000',
      '-  vni 20000',
      '- router bgp 4200049263 vrf vrf-20000',
      '-   advertise ipv4 unicast',
      '-   vni 10160',
    ])
      expect(frr).toContain(line);
    expect(frr.filter((l) => l.startsWith('+'))).toEqual([]);
    // Nothing of the objects still in the cluster goes.
    expect(frr.some((l) => /vrf-10100|vni 10101/.test(l))).toBe(false);
    expect(w1?.basis.notes).toContain(
      "EvpnVrf vrf-20000: FRR drops `router bgp 4200049263 vrf vrf-20000` whole, its RD and route targets too (not in the node's status, not listed)",
    );
    expect(defined(w1).kernel.linkDeletes.sort()).toEqual([
      'br-evpn.160',
      'br3-20000',
      'vrf-20000',
      'vx3-20000',
      'vxlan-10160',
    ]);
    expect(isEmptyPlan(defined(w2))).toBe(true);
  });

  it('replaces what a node applied at an older generation with another VNI', () => {
    const o = current();
    o.networks = [{ ...l2('net-a', 10111, 101, 'vrf-10100'), metadata: { name: 'net-a', generation: 3 } }];
    o.nodeStates[0] = nodeState('worker-1', '10.0.192.111', {
      ...inSync(o),
      networks: [{ name: 'net-a', ready: true, generation: 2, vni: 10101, vlanId: 101 }],
    });
    const [w1] = planManifest(o, o, emptyObjects());
    expect(w1?.kernel.linkDeletes).toEqual(['vxlan-10101']);
    expect(linkNames(defined(w1).kernel.linkCreates)).toEqual(['vxlan-10111']);
    expect(w1?.basis.notes[0]).toContain('the node applied generation 2, the cluster has 3');
  });

  it('plans everything as new on a node that reported no pass', () => {
    const o = current();
    o.nodeStates[1] = {
      apiVersion,
      kind: 'EvpnNodeState',
      metadata: { name: 'worker-2' },
      spec: { nodeName: 'worker-2' },
    };
    const [, w2] = planManifest(o, o, emptyObjects());
    expect(linkNames(defined(w2).kernel.linkCreates)).toEqual([
      'vrf-10100',
      'br3-10100',
      'vx3-10100',
      'br-evpn',
      'evpn-uplink',
      'vxlan-10101',
      'br-evpn.101',
    ]);
    expect(formatNodePlan(defined(w2))).toContain(
      'from: nothing (the node reported no pass yet: planned as an empty node)',
    );
  });
});

describe('parseManifest', () => {
  it('reads multi-document YAML and Lists', () => {
    const text = `${stringify(vrf('vrf-1', 1))}---\n${stringify({ apiVersion: 'v1', kind: 'List', items: [l2('n', 2, 2, 'vrf-1')] })}`;
    const m = parseManifest(text);
    expect(m.vrfs.map((v) => v.metadata.name)).toEqual(['vrf-1']);
    expect(m.networks.map((n) => n.metadata.name)).toEqual(['n']);
  });

  it.each([
    [
      stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } }),
      'ConfigMap/x (v1) is not an evpn.ovn-evpn.dev/v1alpha1',
    ],
    [stringify({ ...vrf('bad', 1), spec: { vni: 16_777_216 } }), 'EVPN-001'],
    [stringify({ ...l2('bad', 5, 5), spec: { type: 'l2', vni: 5 } }), 'an l2 network needs vlanId'],
    ['a: [', 'manifest:'],
  ])('refuses bad input with a clear message (%#)', (text, message) => {
    expect(() => parseManifest(text)).toThrow(ManifestError);
    expect(() => parseManifest(text)).toThrow(message);
  });
});
