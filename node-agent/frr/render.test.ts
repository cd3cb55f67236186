import { describe, expect, it } from 'vitest';
import { renderFrrConfig } from './render.ts';

const base = {
  asn: 65000,
  routerId: '10.0.0.1',
  underlayNeighbors: [{ address: '10.0.0.2', remoteAs: 'internal' as const, evpn: true }],
};

function block(conf: string, header: string): string {
  const start = conf.indexOf(`${header}\n`);
  if (start < 0) return '';
  const end = conf.indexOf('\nexit\n', start);
  return conf.slice(start, end);
}

describe('renderFrrConfig', () => {
  it('is deterministic: permuted lists render the same bytes', () => {
    const a = {
      ...base,
      vrfs: [
        { name: 'b', l3vni: 2, importRts: ['65000:2', '1.2.3.4:2'] },
        { name: 'a', l3vni: 1 },
      ],
      l2vnis: [{ vni: 20 }, { vni: 10, exportRts: ['65001:10', '65001:9'] }],
    };
    const b = {
      ...base,
      vrfs: [
        { name: 'a', l3vni: 1 },
        { name: 'b', l3vni: 2, importRts: ['1.2.3.4:2', '65000:2', '65000:2'] },
      ],
      l2vnis: [{ vni: 10, exportRts: ['65001:9', '65001:10'] }, { vni: 20 }],
    };
    expect(renderFrrConfig(a)).toBe(renderFrrConfig(b));
  });

  it('leaves hostname out and does not repeat datacenter defaults', () => {
    const conf = renderFrrConfig(base);
    expect(conf).not.toMatch(/hostname|ebgp-requires-policy|log-neighbor-changes/);
    expect(conf.startsWith('frr defaults datacenter\n')).toBe(true);
  });

  it('omits the RD when none is given, even for a VNI above 65535', () => {
    const conf = renderFrrConfig({ ...base, vrfs: [{ name: 'v', l3vni: 5_000_000 }], l2vnis: [{ vni: 5_000_001 }] });
    expect(conf).not.toMatch(/^\s*rd /m);
    expect(conf).not.toMatch(/vni 5000001/);
    expect(conf).toMatch(/^vrf v\n vni 5000000\nexit-vrf$/m);
  });

  it('applies local-pref through the advertise route-map, never through a neighbour', () => {
    const conf = renderFrrConfig({ ...base, vrfs: [{ name: 'v', l3vni: 7, localPref: 250, advertiseIpv6: true }] });
    const vrf = block(conf, 'router bgp 65000 vrf v');
    expect(vrf).toContain('  advertise ipv4 unicast route-map RM-v-LP');
    expect(vrf).toContain('  advertise ipv6 unicast route-map RM-v-LP');
    expect(vrf).not.toContain('neighbor');
    expect(conf).toMatch(/^route-map RM-v-LP permit 10\n set local-preference 250\nexit$/m);
  });

  it('omits an L2VNI RT list equal to the auto RT and writes the auto RT last otherwise', () => {
    const conf = renderFrrConfig({
      ...base,
      l2vnis: [
        { vni: 100, exportRts: ['65000:100'] },
        { vni: 200, importRts: ['65000:200', '1:1'] },
      ],
    });
    expect(conf).not.toMatch(/vni 100\n/);
    expect(conf).toContain('  vni 200\n   route-target import 1:1\n   route-target import 65000:200\n  exit-vni');
  });

  it('renders the complete config: a removed VRF and RT are simply absent', () => {
    const withVrf = renderFrrConfig({ ...base, vrfs: [{ name: 'v', l3vni: 7, exportRts: ['65000:7', '65000:8'] }] });
    const without = renderFrrConfig({ ...base, vrfs: [{ name: 'v', l3vni: 7, exportRts: ['65000:7'] }] });
    expect(withVrf).toContain('route-target export 65000:8');
    expect(without).not.toContain('65000:8');
    expect(renderFrrConfig(base)).not.toMatch(/vrf/);
  });

  it('names the BFD profile after its timers and lists only non-default ones', () => {
    const conf = renderFrrConfig({
      ...base,
      bfd: { detectMultiplier: 3, receiveInterval: 150, transmitInterval: 300 },
      underlayNeighbors: [{ address: '10.0.0.2', remoteAs: 1, bfd: true }],
    });
    expect(conf).toContain('bfd\n profile evpn-3-150-300\n  receive-interval 150\n exit\n !\nexit\n');
    expect(conf).toContain(' neighbor 10.0.0.2 bfd\n neighbor 10.0.0.2 bfd profile evpn-3-150-300\n');
  });
});
