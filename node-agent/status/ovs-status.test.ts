import { describe, expect, it } from 'vitest';
import type { KernelPassResult } from '../kernel/kernel-pass.ts';
import type { OvsOutcome } from '../ovs/ovs-uplink.ts';
import { buildNodeStateStatus } from './build-node-status.ts';

const kernel = {
  vrfs: new Map(),
  networks: new Map([
    ['plugged', { name: 'plugged', devices: ['vx-1'], ready: true }],
    ['lost', { name: 'lost', devices: ['vx-2'], ready: true }],
    [
      'broken',
      {
        name: 'broken',
        devices: [],
        ready: false,
        reason: 'InfrastructureFailed',
        message: 'EVPN-005: kernel said no',
      },
    ],
  ]),
  nodeErrors: [],
  writes: 0,
  planned: 0,
  heldBack: [],
} as unknown as KernelPassResult;
const ovs = (over: Partial<OvsOutcome> = {}): OvsOutcome => ({
  applied: true,
  writes: 0,
  loopRisks: [],
  systemId: 'chassis-1',
  port: { bridge: 'br-prov', name: 'evpn-ovs', trunks: [100, 101], externalIds: {} },
  networks: new Map([
    ['plugged', { physicalNetwork: 'physnet1', bridge: 'br-prov', plugged: true }],
    [
      'lost',
      {
        physicalNetwork: 'physnet9',
        plugged: false,
        reason: 'NoBridgeMapping',
        message: 'physical network physnet9 has no bridge',
      },
    ],
    ['broken', { physicalNetwork: 'physnet9', plugged: false, reason: 'NoBridgeMapping', message: 'x' }],
  ]),
  ...over,
});
const build = (o: OvsOutcome | undefined) =>
  buildNodeStateStatus({
    vtepIp: '10.0.0.1',
    asn: 65000,
    kernel,
    frr: { enabled: false, running: false },
    ...(o ? { ovs: o } : {}),
    generations: { vrfs: new Map(), networks: new Map() },
    previous: [],
    now: new Date(0),
  });
const cond = (s: ReturnType<typeof build>, type: string) => s.conditions?.find((c) => c.type === type);

describe('node status with the OVS step', () => {
  it('marks a kernel-ready network that cannot be plugged not ready with the OVS reason; kernel failures keep theirs', () => {
    const s = build(ovs());
    expect(s.networks?.find((n) => n.name === 'plugged')).toMatchObject({ ready: true });
    expect(s.networks?.find((n) => n.name === 'lost')).toMatchObject({
      ready: false,
      reason: 'NoBridgeMapping',
      message: 'EVPN-005: physical network physnet9 has no bridge',
    });
    expect(s.networks?.find((n) => n.name === 'broken')).toMatchObject({
      ready: false,
      reason: 'InfrastructureFailed',
    });
    expect(cond(s, 'OvsApplied')).toMatchObject({
      status: 'True',
      message: 'port evpn-ovs on bridge br-prov trunks VLANs 100,101 (OVS system-id chassis-1)',
    });
    expect(cond(s, 'VlanLoopRisk')).toMatchObject({ status: 'False', reason: 'NoneDetected' });
  });

  it('raises VlanLoopRisk as a warning: the uplink stays applied', () => {
    const s = build(ovs({ loopRisks: [{ bridge: 'br-prov', port: 'eth1', vlans: [100] }] }));
    expect(cond(s, 'VlanLoopRisk')).toMatchObject({
      status: 'True',
      reason: 'VlanOnOtherPort',
      message: 'VLAN 100 also leaves bridge br-prov through port eth1',
    });
    expect(cond(s, 'OvsApplied')?.status).toBe('True');
  });

  it('makes the node not Ready when OVS is unavailable', () => {
    const s = build(
      ovs({
        applied: false,
        reason: 'OvsUnavailable',
        error: 'Open vSwitch database unix:/x unavailable: ENOENT',
        networks: new Map(),
      }),
    );
    expect(cond(s, 'OvsApplied')).toMatchObject({
      status: 'False',
      reason: 'OvsUnavailable',
      message: 'EVPN-005: Open vSwitch database unix:/x unavailable: ENOENT',
    });
    expect(cond(s, 'Ready')?.status).toBe('False');
    expect(cond(s, 'Ready')?.message).toContain('unavailable');
  });

  it('adds no OVS condition when the agent does not manage OVS', () => {
    const s = build(undefined);
    expect(cond(s, 'OvsApplied')).toBeUndefined();
    expect(s.networks?.find((n) => n.name === 'lost')?.ready).toBe(true);
  });
});
