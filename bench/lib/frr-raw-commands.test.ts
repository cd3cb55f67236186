import { describe, expect, it } from 'vitest';
import { rawVrfCommands, runtimeLinesOf } from './frr-raw-commands.ts';

const rendered = [
  'frr defaults datacenter',
  '!',
  'vrf vrf-1',
  ' vni 1',
  'exit-vrf',
  '!',
  'vrf vrf-2',
  ' vni 2',
  'exit-vrf',
  '!',
  'router bgp 65000 vrf vrf-2',
  ' bgp router-id 10.0.0.1',
  ' !',
  ' address-family l2vpn evpn',
  '  advertise ipv4 unicast',
  ' exit-address-family',
  'exit',
  '!',
  '',
].join('\n');

describe('rawVrfCommands', () => {
  it('adds the VRF with its two stanzas as rendered and removes its VNI before its instance', () => {
    const c = rawVrfCommands(rendered, 'vrf-2', 65000);
    expect(c.add).toBe(
      'vrf vrf-2\n vni 2\nexit-vrf\nrouter bgp 65000 vrf vrf-2\n bgp router-id 10.0.0.1\n !\n address-family l2vpn evpn\n  advertise ipv4 unicast\n exit-address-family\nexit\n',
    );
    expect(c.remove).toBe('vrf vrf-2\n no vni 2\nexit-vrf\nno router bgp 65000 vrf vrf-2\n');
    expect(c.vty).toEqual({
      zebraAdd: ['vrf vrf-2', 'vni 2', 'exit-vrf'],
      bgpAdd: [
        'router bgp 65000 vrf vrf-2',
        'bgp router-id 10.0.0.1',
        'address-family l2vpn evpn',
        'advertise ipv4 unicast',
        'exit-address-family',
        'exit',
      ],
      zebraRemove: ['vrf vrf-2', 'no vni 2', 'exit-vrf'],
      bgpRemove: 'no router bgp 65000 vrf vrf-2',
    });
  });

  it('refuses a VRF the config does not hold', () => {
    expect(() => rawVrfCommands(rendered, 'vrf-1', 65000)).toThrow(/no vrf and router bgp stanza for vrf-1/);
  });

  it('drops the start-up options from a config sent at runtime', () => {
    expect(runtimeLinesOf(rendered)).not.toMatch(/frr defaults/);
    expect(runtimeLinesOf(rendered)).toMatch(/^vrf vrf-1$/m);
  });
});
