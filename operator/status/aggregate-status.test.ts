import { describe, expect, it } from 'vitest';
import type { EvpnNetwork, EvpnNodeState, EvpnVrf } from '../../crds/index.ts';
import { API_GROUP_VERSION } from '../../crds/index.ts';
import type { MirrorProblem } from '../mirror/build-desired.ts';
import {
  desiredNetworkStatus,
  desiredVrfStatus,
  foldNodeResults,
  indexNodeState,
  problemConditions,
} from './aggregate-status.ts';
import { statusDiffers } from './status-diff.ts';

const now = new Date('2026-01-02T03:04:05.678Z');

function node(
  name: string,
  networks: EvpnNodeState['status'] extends infer S ? (S extends { networks?: infer N } ? N : never) : never = [],
  vrfs: NonNullable<EvpnNodeState['status']>['vrfs'] = [],
) {
  return indexNodeState({
    apiVersion: API_GROUP_VERSION,
    kind: 'EvpnNodeState',
    metadata: { name },
    spec: { nodeName: name },
    status: { networks, vrfs },
  });
}

const net: EvpnNetwork = {
  apiVersion: API_GROUP_VERSION,
  kind: 'EvpnNetwork',
  metadata: { name: 'net-a', generation: 3 },
  spec: { type: 'l3', vrf: 'vrf-1' },
};
const vrf: EvpnVrf = {
  apiVersion: API_GROUP_VERSION,
  kind: 'EvpnVrf',
  metadata: { name: 'vrf-1', generation: 1 },
  spec: { vni: 1 },
};

describe('foldNodeResults', () => {
  it('says NoNodes when no agent reported', () => {
    const f = foldNodeResults('EvpnNetwork', 'net-a', 3, []);
    expect(f).toMatchObject({
      ready: '0/0',
      readyNodes: 0,
      totalNodes: 0,
      failingNodes: [],
      condition: { status: 'False', reason: 'NoNodes', observedGeneration: 3 },
    });
  });

  it('counts ready nodes of the current generation and lists failing nodes with why', () => {
    const nodes = [
      node('n1', [{ name: 'net-a', ready: true, generation: 3 }]),
      node('n2', [{ name: 'net-a', ready: true, generation: 2 }]), // stale generation: pending
      node('n3', [{ name: 'net-a', ready: false, reason: 'FrrFailed', message: 'vtysh: bad vni' }]),
      node('n4', []), // not reported: pending
    ];
    const f = foldNodeResults('EvpnNetwork', 'net-a', 3, nodes);
    expect(f.ready).toBe('1/4');
    expect(f.failingNodes).toEqual([{ node: 'n3', reason: 'FrrFailed', message: 'vtysh: bad vni' }]);
    expect(f.condition).toMatchObject({
      status: 'False',
      reason: 'NodesFailing',
      message: '1 of 4 nodes failed: n3 (FrrFailed: vtysh: bad vni)',
    });
  });

  it('is Applied when every node is ready, Pending when some have not caught up', () => {
    const ready = [
      node('n1', [{ name: 'net-a', ready: true }]),
      node('n2', [{ name: 'net-a', ready: true, generation: 3 }]),
    ];
    expect(foldNodeResults('EvpnNetwork', 'net-a', 3, ready).condition).toMatchObject({
      status: 'True',
      reason: 'Applied',
    });
    const pending = [...ready, node('n3', [{ name: 'net-a', ready: false, reason: 'Pending' }])];
    expect(foldNodeResults('EvpnNetwork', 'net-a', 3, pending).condition).toMatchObject({
      status: 'False',
      reason: 'Pending',
      message: 'applied on 2 of 3 nodes; waiting for the others',
    });
  });

  it("counts an applying node ready only once it has the other applying nodes' routes (Converging until then)", () => {
    const at = (name: string, vtepIp: string, remoteVtepIps: string[], remoteHosts: string[]) =>
      indexNodeState({
        apiVersion: API_GROUP_VERSION,
        kind: 'EvpnNodeState',
        metadata: { name },
        spec: { nodeName: name },
        status: {
          vtepIp,
          networks: [{ name: 'net-a', ready: true, generation: 3, remoteVtepIps }],
          vrfs: [{ name: 'vrf-1', ready: true, remoteHosts }],
        },
      });
    const hostsByNode = new Map([
      ['n1', ['10.1.0.11']],
      ['n2', ['10.1.0.12']],
    ]);
    const l2 = { type: 'l2' as const, vrf: 'vrf-1', hostsByNode };
    const early = [at('n1', '10.0.0.1', [], []), at('n2', '10.0.0.2', ['10.0.0.1'], [])];
    const f = foldNodeResults('EvpnNetwork', 'net-a', 3, early, l2);
    expect(f.ready).toBe('1/2');
    expect(f.condition).toMatchObject({
      status: 'False',
      reason: 'Converging',
      message:
        'applied on all 2 nodes; waiting for the EVPN routes between them: n1 lacks the type-3 route of n2 (10.0.0.2)',
    });
    const l3 = { type: 'l3' as const, vrf: 'vrf-1', hostsByNode };
    const f3 = foldNodeResults('EvpnNetwork', 'net-a', 3, early, l3);
    expect(f3.condition).toMatchObject({ status: 'False', reason: 'Converging' });
    expect(f3.condition.message).toBe(
      "applied on all 2 nodes; waiting for the EVPN routes between them: n1 lacks the host routes of n2's 10.1.0.12; n2 lacks the host routes of n1's 10.1.0.11",
    );
    const done = [at('n1', '10.0.0.1', ['10.0.0.2'], ['10.1.0.12']), at('n2', '10.0.0.2', ['10.0.0.1'], ['10.1.0.11'])];
    for (const c of [l2, l3])
      expect(foldNodeResults('EvpnNetwork', 'net-a', 3, done, c)).toMatchObject({
        ready: '2/2',
        condition: { status: 'True', reason: 'Applied' },
      });
  });

  it('keeps at most 20 failing nodes, sorted', () => {
    const nodes = Array.from({ length: 25 }, (_, i) =>
      node(`n${String(i).padStart(2, '0')}`, [], [{ name: 'vrf-1', ready: false, reason: 'KernelUnsupported' }]),
    );
    const f = foldNodeResults('EvpnVrf', 'vrf-1', 1, nodes);
    expect(f.failingNodes).toHaveLength(20);
    expect(f.failingNodes[0]?.node).toBe('n00');
    expect(f.condition.message).toContain('25 of 25 nodes failed');
  });
});

describe('problemConditions', () => {
  const conflict: MirrorProblem = {
    kind: 'EvpnNetwork',
    name: 'net-a',
    reason: 'Conflict',
    code: 'EVPN-004',
    message: 'EVPN-004: two BGPVPNs',
    keptLastGood: false,
  };
  const kept: MirrorProblem = {
    kind: 'EvpnNetwork',
    name: 'net-a',
    reason: 'LastGoodSpecKept',
    code: 'EVPN-002',
    message: 'EVPN-002: bad rt; the last good spec is kept',
    keptLastGood: true,
  };
  it('is Accepted and not degraded without problems', () => {
    expect(problemConditions([], true, 1).map((c) => `${c.type}=${c.status}/${c.reason}`)).toEqual([
      'Accepted=True/Valid',
      'SourceDegraded=False/SourceHealthy',
    ]);
    expect(problemConditions([], false, 1).map((c) => c.type)).toEqual(['Accepted']);
  });
  it('refuses with the first reason and every message; flags a kept last good spec', () => {
    const cs = problemConditions([conflict, kept], true, 1);
    expect(cs[0]).toMatchObject({
      type: 'Accepted',
      status: 'False',
      reason: 'Conflict',
      message: 'EVPN-004: two BGPVPNs',
    });
    expect(cs[1]).toMatchObject({
      type: 'SourceDegraded',
      status: 'True',
      reason: 'LastGoodSpecKept',
      message: expect.stringMatching(/^EVPN-002/) as unknown,
    });
  });
});

describe('desired status', () => {
  it("has the network's L3VNI and port count, and the VRF's table and network count", () => {
    const s = desiredNetworkStatus(net, {
      nodes: [],
      problems: [],
      mirrored: true,
      now,
      vrf: { vni: 20000 },
      ports: 4,
    });
    expect(s).toMatchObject({ observedGeneration: 3, l3vni: 20000, ports: 4, ready: '0/0', failingNodes: [] });
    const v = desiredVrfStatus(vrf, { nodes: [], problems: [], mirrored: false, now, networkCount: 2 });
    expect(v).toMatchObject({ routingTable: 1_000_001, networkCount: 2, observedGeneration: 1 });
  });

  it('compares equal to itself once written, so nothing is written twice', () => {
    const s = desiredNetworkStatus(net, {
      nodes: [node('n1', [{ name: 'net-a', ready: true }])],
      problems: [],
      mirrored: true,
      now,
      vrf: { vni: 1 },
      ports: 0,
    });
    const written = JSON.parse(JSON.stringify(s)) as Record<string, unknown>;
    const later = desiredNetworkStatus(
      { ...net, status: written },
      {
        nodes: [node('n1', [{ name: 'net-a', ready: true }])],
        problems: [],
        mirrored: true,
        now: new Date(now.getTime() + 60_000),
        vrf: { vni: 1 },
        ports: 0,
      },
    );
    expect(statusDiffers(written, later)).toBe(false);
    expect(
      statusDiffers(
        {
          ...written,
          conditions: [
            ...(written['conditions'] as unknown[]),
            { type: 'Other', status: 'True', reason: 'X', message: '', lastTransitionTime: 'x' },
          ],
        },
        later,
      ),
    ).toBe(false);
  });

  it("changes lastTransitionTime only when a condition's status flips", () => {
    const before = desiredNetworkStatus(net, {
      nodes: [node('n1', [])],
      problems: [],
      mirrored: true,
      now,
      vrf: undefined,
      ports: 0,
    });
    const later = new Date(now.getTime() + 60_000);
    const after = desiredNetworkStatus(
      { ...net, status: before },
      {
        nodes: [node('n1', [{ name: 'net-a', ready: true }])],
        problems: [],
        mirrored: true,
        now: later,
        vrf: undefined,
        ports: 0,
      },
    );
    const time = (s: Record<string, unknown>, t: string): string | undefined =>
      (s['conditions'] as { type: string; lastTransitionTime: string }[]).find((c) => c.type === t)?.lastTransitionTime;
    expect(time(after, 'Ready')).toBe('2026-01-02T03:05:05Z');
    expect(time(after, 'Accepted')).toBe('2026-01-02T03:04:05Z');
    expect(statusDiffers(before, after)).toBe(true);
    expect(after['l3vni']).toBeUndefined();
  });
});
