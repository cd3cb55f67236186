import { describe, expect, it } from 'vitest';
import type { EvpnNetworkSpec, EvpnPortSetSpec, EvpnVrfSpec } from '../../crds/index.ts';
import { Label } from '../../crds/index.ts';
import { planMirror, type LiveObject, type PlanInput } from './plan-mirror.ts';
import { labelValueOf } from '../../crds/labels.ts';

const vrfSpec: EvpnVrfSpec = { vni: 10100, routeTargets: ['65000:10100'] };
const netSpec: EvpnNetworkSpec = { type: 'l2', vni: 16_000_001, vrf: 'vrf-10100', vlanId: 7 };
const portSpec: EvpnPortSetSpec = {
  network: 'net-a',
  nodeName: 'node-1',
  ports: [{ name: 'p1', mac: '02:00:00:00:00:01' }],
};

function desired(
  parts: {
    vrfs?: [string, EvpnVrfSpec][];
    networks?: [string, EvpnNetworkSpec][];
    portSets?: [string, EvpnPortSetSpec][];
  } = {},
): PlanInput['desired'] {
  const networks = new Map(parts.networks ?? []);
  return {
    vrfs: new Map(parts.vrfs ?? []),
    networks,
    portSets: new Map(parts.portSets ?? []),
    sources: new Map([...networks.keys()].map((k) => [k, 'network'])),
  };
}

const mirrored = (
  name: string,
  spec: unknown,
  labels: Record<string, string> = { [Label.MirroredFrom]: 'network' },
): LiveObject => ({ metadata: { name, uid: `uid-${name}`, resourceVersion: '1', labels }, spec });

function plan(input: Partial<PlanInput> & Pick<PlanInput, 'desired'>) {
  return planMirror({
    live: { vrfs: [], networks: [], portSets: [] },
    missingSince: new Map(),
    now: 1000,
    graceMs: 500,
    ...input,
  });
}

describe('planMirror', () => {
  it('creates what is missing, VRFs before networks before port sets', () => {
    const p = plan({
      desired: desired({
        vrfs: [['vrf-10100', vrfSpec]],
        networks: [['net-a', netSpec]],
        portSets: [['net-a.node-1', portSpec]],
      }),
    });
    expect(p.applies.map((a) => `${a.kind}/${a.name}`)).toEqual([
      'EvpnVrf/vrf-10100',
      'EvpnNetwork/net-a',
      'EvpnPortSet/net-a.node-1',
    ]);
    expect(p.applies[2]?.labels).toEqual({
      [Label.MirroredFrom]: 'port-binding',
      [Label.Node]: 'node-1',
      [Label.Network]: 'net-a',
    });
    expect(p.applies[0]?.labels).toEqual({ [Label.MirroredFrom]: 'network' });
  });

  it('writes nothing when the live objects already match (key order and extra labels do not matter)', () => {
    const liveNet = mirrored(
      'net-a',
      { vlanId: 7, vrf: 'vrf-10100', vni: 16_000_001, type: 'l2' },
      { [Label.MirroredFrom]: 'network', team: 'x' },
    );
    const p = plan({
      desired: desired({ vrfs: [['vrf-10100', vrfSpec]], networks: [['net-a', netSpec]] }),
      live: { vrfs: [mirrored('vrf-10100', vrfSpec)], networks: [liveNet], portSets: [] },
    });
    expect(p.applies).toEqual([]);
    expect(p.deletes).toEqual([]);
  });

  it('updates a mirrored object whose spec or source label changed', () => {
    const p = plan({
      desired: desired({ networks: [['net-a', netSpec]] }),
      live: { vrfs: [], networks: [mirrored('net-a', { ...netSpec, vlanId: 8 })], portSets: [] },
    });
    expect(p.applies.map((a) => a.name)).toEqual(['net-a']);
    const q = plan({
      desired: desired({ networks: [['net-a', netSpec]] }),
      live: { vrfs: [], networks: [mirrored('net-a', netSpec, { [Label.MirroredFrom]: 'router' })], portSets: [] },
    });
    expect(q.applies.map((a) => a.name)).toEqual(['net-a']);
  });

  it('never writes over or deletes a user-authored object', () => {
    const user: LiveObject = { metadata: { name: 'net-a', uid: 'u' }, spec: { type: 'l3', vrf: 'mine' } };
    const userVrf: LiveObject = { metadata: { name: 'vrf-9', uid: 'v' }, spec: { vni: 9 } };
    const p = plan({
      desired: desired({ networks: [['net-a', netSpec]] }),
      live: { vrfs: [userVrf], networks: [user], portSets: [] },
    });
    expect(p.applies).toEqual([]);
    expect(p.deletes).toEqual([]);
    expect(p.skipped).toEqual([
      { kind: 'EvpnNetwork', name: 'net-a', reason: expect.stringContaining('user-authored') as unknown },
    ]);
  });

  it('deletes a mirrored object only after it has been missing for the grace period', () => {
    const live = { vrfs: [mirrored('vrf-10100', vrfSpec)], networks: [mirrored('net-a', netSpec)], portSets: [] };
    const first = plan({ desired: desired(), live, now: 1000 });
    expect(first.deletes).toEqual([]);
    expect(first.nextCheckInMs).toBe(500);
    const second = plan({ desired: desired(), live, now: 1300, missingSince: first.missingSince });
    expect(second.deletes).toEqual([]);
    expect(second.nextCheckInMs).toBe(200);
    const third = plan({ desired: desired(), live, now: 1500, missingSince: second.missingSince });
    expect(third.deletes.map((d) => `${d.kind}/${d.name}`)).toEqual(['EvpnNetwork/net-a', 'EvpnVrf/vrf-10100']);
    expect(third.missingSince.size).toBe(0);
  });

  it('forgets a pending delete when the object is desired again (a northd blip)', () => {
    const live = { vrfs: [], networks: [mirrored('net-a', netSpec)], portSets: [] };
    const gone = plan({ desired: desired(), live, now: 1000 });
    const back = plan({
      desired: desired({ networks: [['net-a', netSpec]] }),
      live,
      now: 1200,
      missingSince: gone.missingSince,
    });
    expect(back.missingSince.size).toBe(0);
    const goneAgain = plan({ desired: desired(), live, now: 1600, missingSince: back.missingSince });
    expect(goneAgain.deletes).toEqual([]);
  });

  it('drops a port set at once when its network stays (the ports moved), but keeps it through a network blip', () => {
    const ps = mirrored('net-a.node-1', portSpec, { [Label.MirroredFrom]: 'port-binding' });
    const moved = plan({
      desired: desired({ networks: [['net-a', netSpec]] }),
      live: { vrfs: [], networks: [mirrored('net-a', netSpec)], portSets: [ps] },
    });
    expect(moved.deletes.map((d) => d.name)).toEqual(['net-a.node-1']);
    const blip = plan({
      desired: desired(),
      live: { vrfs: [], networks: [mirrored('net-a', netSpec)], portSets: [ps] },
    });
    expect(blip.deletes).toEqual([]);
  });

  it('leaves objects that are already being deleted alone', () => {
    const dying: LiveObject = {
      metadata: { ...mirrored('net-a', netSpec).metadata, deletionTimestamp: '2026-01-01T00:00:00Z' },
      spec: netSpec,
    };
    const p = plan({ desired: desired(), live: { vrfs: [], networks: [dying], portSets: [] }, graceMs: 0 });
    expect(p.deletes).toEqual([]);
  });
});

describe('labelValueOf', () => {
  it('keeps valid label values and hashes the rest stably', () => {
    expect(labelValueOf('node-1.example.com')).toBe('node-1.example.com');
    const long = `${'a'.repeat(70)}.example`;
    expect(labelValueOf(long)).toMatch(/^h-[0-9a-f]{32}$/);
    expect(labelValueOf(long)).toBe(labelValueOf(long));
  });
});
