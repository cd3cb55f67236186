import { describe, expect, it } from 'vitest';
import type { FrrOutcome } from '../frr/frr-unit.ts';
import type { KernelPassResult } from '../kernel/kernel-pass.ts';
import { buildNodeStateStatus } from './build-node-status.ts';
import { nodeEvents, resultsOf, type ObjectResult } from './emit-node-events.ts';

const now = new Date('2026-01-01T00:00:00Z');
const applied = (name: string, devices: string[]) => ({ name, devices, ready: true });

/** A kernel pass that applied everything: one VRF and two networks. */
const kernel: KernelPassResult = {
  vrfs: new Map([['red', applied('red', ['vrf-100'])]]),
  networks: new Map([
    ['net-a', applied('net-a', ['vx-1100'])],
    ['net-b', applied('net-b', ['vx-1200'])],
  ]),
  nodeErrors: [],
  writes: 0,
  failed: 0,
  planned: 0,
  heldBack: [],
  changes: [],
  skipped: false,
  durationMs: 1,
};
const generations = {
  vrfs: new Map([['red', { generation: 1, vni: 100 }]]),
  networks: new Map([
    ['net-a', { generation: 1, vni: 1100 }],
    ['net-b', { generation: 1, vni: 1200 }],
  ]),
};
const statusWith = (frr: FrrOutcome) =>
  buildNodeStateStatus({ vtepIp: '10.0.0.1', asn: 65000, kernel, frr, generations, previous: [], now });
const condition = (s: ReturnType<typeof statusWith>, type: string) => s.conditions?.find((c) => c.type === type);
const results = (s: ReturnType<typeof statusWith>): ObjectResult[] => resultsOf(s);

describe('buildNodeStateStatus with FRR refusals', () => {
  it('a refused L2VNI fails its network alone: EVPN-006, not Ready, an Event; FRR stays applied for the rest', () => {
    const s = statusWith({
      enabled: true,
      running: true,
      rejectedNetworks: new Map([
        [
          'net-a',
          {
            code: 'EVPN-006',
            reason: 'FrrRejected',
            message: 'EVPN-006: FRR refused its L2VNI configuration: bgpd: vni 1100: % Failed to create VNI',
          },
        ],
      ]),
    });
    expect(s.networks?.find((n) => n.name === 'net-a')).toMatchObject({
      ready: false,
      reason: 'FrrRejected',
      message: 'EVPN-006: FRR refused its L2VNI configuration: bgpd: vni 1100: % Failed to create VNI',
    });
    expect(s.networks?.find((n) => n.name === 'net-b')?.ready).toBe(true);
    expect(s.vrfs?.[0]?.ready).toBe(true);
    expect(condition(s, 'FrrApplied')?.status).toBe('True');
    expect(condition(s, 'Ready')).toMatchObject({ status: 'False', message: '1 of 3 objects not applied' });
    const { events } = nodeEvents('node-1', results(s), new Map(), { now: 0 });
    expect(events.map((e) => [e.regarding.kind, e.regarding.name, e.type, e.reason, e.note])).toEqual([
      [
        'EvpnNetwork',
        'net-a',
        'Warning',
        'FrrRejected',
        'node node-1: EVPN-006: FRR refused its L2VNI configuration: bgpd: vni 1100: % Failed to create VNI',
      ],
    ]);
  });

  it('a refused VRF line fails that VRF alone', () => {
    const s = statusWith({
      enabled: true,
      running: true,
      rejectedVrfs: new Map([
        [
          'red',
          {
            code: 'EVPN-006',
            reason: 'FrrRejected',
            message: 'EVPN-006: FRR refused its configuration: zebra: vni 100: % in use',
          },
        ],
      ]),
    });
    expect(s.vrfs?.[0]).toMatchObject({ name: 'red', ready: false, reason: 'FrrRejected' });
    expect(s.networks?.every((n) => n.ready)).toBe(true);
  });

  it('a refused underlay line fails the node: FrrApplied False, and every object reports it is not applied', () => {
    const error =
      "FRR refused the node's configuration: bgpd: neighbor 10.0.0.1 remote-as internal: % Can not configure the local system as neighbor";
    const s = statusWith({ enabled: true, running: true, error });
    expect(condition(s, 'FrrApplied')).toMatchObject({
      status: 'False',
      reason: 'FrrFailed',
      message: `EVPN-006: ${error}`,
    });
    expect(condition(s, 'Ready')?.status).toBe('False');
    for (const r of [...(s.vrfs ?? []), ...(s.networks ?? [])])
      expect(r).toMatchObject({ ready: false, reason: 'FrrFailed', message: `EVPN-006: ${error}` });
    expect(s.frr?.message).toBe(error);
    const { events } = nodeEvents('node-1', results(s), new Map(), { now: 0 });
    expect(events).toHaveLength(3);
    expect(events.every((e) => e.type === 'Warning' && e.note.includes('local system as neighbor'))).toBe(true);
  });
});

describe("buildNodeStateStatus: what the node received from the others (the operator's Ready waits on it)", () => {
  const vni = (v: number, floodVteps: string[]) => ({
    vni: v,
    type: 'L2' as const,
    vxlanInterface: null,
    tenantVrf: null,
    macs: 0,
    arpNd: 0,
    remoteVteps: floodVteps.length - 1,
    macIpRoutes: 0,
    multicastRoutes: floodVteps.length,
    floodVteps,
  });
  const frr: FrrOutcome = {
    enabled: true,
    running: true,
    status: {
      vnis: [vni(1100, ['10.0.0.1', '10.0.0.2']), vni(1200, ['10.0.0.1'])],
      vrfs: [],
      evpnPeers: [],
      prefixRoutes: 0,
    },
  };
  const withTable = { ...generations, vrfs: new Map([['red', { generation: 1, vni: 100, table: 1100 }]]) };

  it('lists per L2VNI the other VTEPs it floods to (not its own), and per VRF the BGP host routes of its table', () => {
    const s = buildNodeStateStatus({
      vtepIp: '10.0.0.1',
      asn: 65000,
      kernel,
      frr,
      generations: withTable,
      previous: [],
      now,
      remoteHosts: new Map([
        [1100, ['10.1.0.12']],
        [254, ['192.0.2.1']],
      ]),
    });
    expect(s.networks?.map((n) => [n.name, n.remoteVtepIps])).toEqual([
      ['net-a', ['10.0.0.2']],
      ['net-b', []],
    ]);
    expect(s.vrfs?.[0]?.remoteHosts).toEqual(['10.1.0.12']);
  });

  it('reports nothing it could not read, so nothing is waited on: no FRR status, no route dump', () => {
    const s = buildNodeStateStatus({
      vtepIp: '10.0.0.1',
      asn: 65000,
      kernel,
      frr: { enabled: true, running: true },
      generations: withTable,
      previous: [],
      now,
    });
    expect(s.networks?.every((n) => n.remoteVtepIps === undefined)).toBe(true);
    expect(s.vrfs?.[0]?.remoteHosts).toBeUndefined();
  });
});
