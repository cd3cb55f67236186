import { describe, expect, it } from 'vitest';
import { driverExternalIds } from '../../test/fixtures/mirror/driver-rows.ts';
import { malformedCases } from '../../test/fixtures/mirror/malformed-cases.ts';
import { parseAssociation } from './parse-association.ts';

describe('parseAssociation: what the driver writes', () => {
  it('reads an l2 network association as the driver writes it', () => {
    const r = parseAssociation(
      driverExternalIds({
        vni: 10100,
        type: 'l2',
        routeTargets: ['65000:10100'],
        routeDistinguishers: ['192.0.2.1:10100'],
        localPref: 100,
      }),
    );
    expect(r).toEqual({
      ok: true,
      association: {
        vni: 10100,
        type: 'l2',
        bgpAs: 65000,
        routeTargets: ['65000:10100'],
        importTargets: [],
        exportTargets: [],
        routeDistinguishers: ['192.0.2.1:10100'],
        localPref: 100,
        routes: [],
        warnings: [],
      },
    });
  });

  it('defaults a missing type to l3, as the driver does', () => {
    const r = parseAssociation({ 'neutron_bgpvpn:vni': '20000' });
    expect(r.ok && r.association.type).toBe('l3');
  });

  it('flags, but accepts, an as missing because there are no route targets', () => {
    const r = parseAssociation(driverExternalIds({ vni: 20000, type: 'l3' }));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.association.bgpAs).toBeUndefined();
    expect(r.association.warnings.join()).toContain('no neutron_bgpvpn:as');
  });

  it('flags an as that is an IP copied from an IP-form route target', () => {
    const r = parseAssociation(driverExternalIds({ vni: 20000, routeTargets: ['192.0.2.1:20000'] }));
    expect(r.ok && r.association.bgpAs).toBeUndefined();
    expect(r.ok && r.association.warnings.join()).toContain('is an IP address (192.0.2.1');
  });

  it('reads asdot', () => {
    const r = parseAssociation({ 'neutron_bgpvpn:vni': '5', 'neutron_bgpvpn:as': '1.10' });
    expect(r.ok && r.association.bgpAs).toBe(65546);
  });

  it('accepts the legacy key names, the current ones winning', () => {
    const r = parseAssociation({
      'neutron_bgpvpn:vni': '10100',
      'neutron_bgpvpn:evpn_type': 'l2',
      'neutron_bgpvpn:route_targets': '["65000:1"]',
      'neutron_bgpvpn:rt': '["65000:2"]',
      'neutron_bgpvpn:import_targets': '["65000:3"]',
      'neutron_bgpvpn:export_targets': '["65000:4"]',
      'neutron_bgpvpn:route_distinguishers': '["65000:5"]',
    });
    expect(r.ok && r.association).toMatchObject({
      type: 'l2',
      routeTargets: ['65000:2'],
      importTargets: ['65000:3'],
      exportTargets: ['65000:4'],
      routeDistinguishers: ['65000:5'],
    });
  });

  it('reads port association routes and the advertise flag as Python writes them', () => {
    const r = parseAssociation(
      driverExternalIds({
        vni: 10100,
        type: 'l2',
        advertiseFixedIps: true,
        routes: [{ destination: '10.20.0.0/24', nexthop: '192.168.1.10' }],
      }),
    );
    expect(r.ok && r.association.advertiseFixedIps).toBe(true);
    expect(r.ok && r.association.routes).toEqual([
      { type: 'prefix', destination: '10.20.0.0/24', nexthop: '192.168.1.10' },
    ]);
  });
});

describe('parseAssociation: malformed input gives a coded problem, never a throw', () => {
  it('has at least 20 cases', () => {
    expect(malformedCases.length).toBeGreaterThanOrEqual(20);
  });
  it.each(malformedCases)('$name', (c) => {
    const r = parseAssociation(c.externalIds);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problem.code).toBe(c.code);
    expect(r.problem.message.startsWith(`${c.code}: `)).toBe(true);
    expect(r.problem.message).toContain(c.says);
  });
});
