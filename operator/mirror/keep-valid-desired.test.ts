import { describe, expect, it } from 'vitest';
import type { EvpnNetworkSpec, EvpnPortSetSpec, EvpnVrfSpec } from '../../crds/index.ts';
import { Label } from '../../crds/index.ts';
import { keepValidDesired, schemaFailure } from './keep-valid-desired.ts';
import type { LiveObject } from './plan-mirror.ts';

const mirrored = (name: string, spec: unknown): LiveObject => ({
  metadata: { name, uid: `uid-${name}`, labels: { [Label.MirroredFrom]: 'network' } },
  spec,
});
const user = (name: string, spec: unknown): LiveObject => ({ metadata: { name, uid: `uid-${name}` }, spec });
const goodVrf: EvpnVrfSpec = { vni: 100, routeTargets: ['65000:100'] };
const tooManyRts = { vni: 100, routeTargets: Array.from({ length: 33 }, (_, i) => `65000:${i + 1}`) } as EvpnVrfSpec;
const l3: EvpnNetworkSpec = { type: 'l3', vrf: 'vrf-100', vlanId: 10 };

describe('schemaFailure', () => {
  it.each([
    { name: 'a good VRF', kind: 'EvpnVrf' as const, obj: 'vrf-100', spec: goodVrf, code: undefined },
    {
      name: '33 route targets',
      kind: 'EvpnVrf' as const,
      obj: 'vrf-100',
      spec: tooManyRts,
      code: 'EVPN-002',
      field: 'spec.routeTargets',
    },
    {
      name: 'a VNI out of range',
      kind: 'EvpnVrf' as const,
      obj: 'vrf-0',
      spec: { vni: 0 },
      code: 'EVPN-001',
      field: 'spec.vni',
    },
    {
      name: 'a bad route distinguisher',
      kind: 'EvpnVrf' as const,
      obj: 'vrf-1',
      spec: { vni: 1, routeDistinguishers: ['x'] },
      code: 'EVPN-002',
      field: 'spec.routeDistinguishers.0',
    },
    {
      name: 'a VLAN out of range',
      kind: 'EvpnNetwork' as const,
      obj: 'net',
      spec: { ...l3, vlanId: 5000 },
      code: 'EVPN-001',
      field: 'spec.vlanId',
    },
    { name: 'an invalid name', kind: 'EvpnNetwork' as const, obj: 'Net_A', spec: l3, code: 'EVPN-007' },
  ])('$name', ({ kind, obj, spec, code, field }) => {
    const f = schemaFailure(kind, obj, spec);
    if (code === undefined) {
      expect(f).toBeUndefined();
      return;
    }
    expect(f?.startsWith(`${code}: `), f).toBe(true);
    if (field !== undefined) expect(f).toContain(field);
  });
});

describe('keepValidDesired', () => {
  const empty = { vrfs: [], networks: [], portSets: [] };

  it('passes valid objects through with no problem', () => {
    const out = keepValidDesired(
      { vrfs: new Map([['vrf-100', goodVrf]]), networks: new Map([['net', l3]]), portSets: new Map() },
      empty,
    );
    expect([...out.desired.vrfs]).toEqual([['vrf-100', goodVrf]]);
    expect(out.problems).toEqual([]);
  });

  it('keeps the live spec of a mirrored object whose new spec fails, so it is not pruned', () => {
    const out = keepValidDesired(
      { vrfs: new Map([['vrf-100', tooManyRts]]), networks: new Map(), portSets: new Map() },
      { ...empty, vrfs: [mirrored('vrf-100', goodVrf)] },
    );
    expect(out.desired.vrfs.get('vrf-100')).toEqual(goodVrf);
    expect(out.problems).toEqual([
      expect.objectContaining({
        kind: 'EvpnVrf',
        name: 'vrf-100',
        reason: 'LastGoodSpecKept',
        keptLastGood: true,
        message: expect.stringMatching(/^EVPN-002: spec\.routeTargets: .*; the last good spec is kept$/) as unknown,
      }),
    ]);
  });

  it('drops a new object that fails, with a problem saying it is not written', () => {
    const out = keepValidDesired(
      { vrfs: new Map([['vrf-100', tooManyRts]]), networks: new Map(), portSets: new Map() },
      empty,
    );
    expect(out.desired.vrfs.size).toBe(0);
    expect(out.problems).toEqual([
      expect.objectContaining({
        reason: 'MalformedAssociation',
        keptLastGood: false,
        message: expect.stringMatching(/the object is not written$/) as unknown,
      }),
    ]);
  });

  it('does not take the spec of a user object of the same name', () => {
    const out = keepValidDesired(
      { vrfs: new Map([['vrf-100', tooManyRts]]), networks: new Map(), portSets: new Map() },
      { ...empty, vrfs: [user('vrf-100', goodVrf)] },
    );
    expect(out.desired.vrfs.size).toBe(0);
  });

  it('reports a failing port set on its network', () => {
    const bad = {
      network: 'net',
      nodeName: 'node-1',
      ports: [{ name: 'p'.repeat(300) }],
    } as unknown as EvpnPortSetSpec;
    const out = keepValidDesired(
      { vrfs: new Map(), networks: new Map(), portSets: new Map([['net.node-1', bad]]) },
      empty,
    );
    expect(out.desired.portSets.size).toBe(0);
    expect(out.problems).toEqual([
      expect.objectContaining({
        kind: 'EvpnNetwork',
        name: 'net',
        message: expect.stringContaining('(EvpnPortSet net.node-1)') as unknown,
      }),
    ]);
  });
});
