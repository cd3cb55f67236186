// One table of valid and invalid objects, asserted twice: against the zod
// schemas (unit) and against the real API server's OpenAPI + CEL validation
// (integration), so the two can never drift apart.
export interface ValidationCase {
  name: string;
  kind: 'EvpnVrf' | 'EvpnNetwork' | 'EvpnPortSet';
  spec: Record<string, unknown>;
  /** undefined: must be accepted; a string: must be rejected with a message containing it. */
  rejectedWith?: string;
}

const l2 = { type: 'l2', vni: 10101, vrf: 'vrf-10100', vlanId: 101 };
const l3 = { type: 'l3', vrf: 'vrf-20000' };

export const validationCases: ValidationCase[] = [
  // EvpnVrf
  { name: 'vrf minimal', kind: 'EvpnVrf', spec: { vni: 10100 } },
  { name: 'vrf full seed example', kind: 'EvpnVrf', spec: { vni: 10100, routingTable: 1010100, bgpAs: 65000, routeTargets: ['65000:10100'], importTargets: ['65000:1'], exportTargets: ['65000:2'], routeDistinguishers: ['192.0.2.1:10100'], localPref: 100 } },
  { name: 'vrf max vni', kind: 'EvpnVrf', spec: { vni: 16777215 } },
  { name: 'vrf vni zero', kind: 'EvpnVrf', spec: { vni: 0 }, rejectedWith: 'EVPN-001' },
  { name: 'vrf vni too large', kind: 'EvpnVrf', spec: { vni: 16777216 }, rejectedWith: 'EVPN-001' },
  { name: 'vrf reserved table 254', kind: 'EvpnVrf', spec: { vni: 100, routingTable: 254 }, rejectedWith: 'reserved table' },
  { name: 'vrf reserved table 253', kind: 'EvpnVrf', spec: { vni: 100, routingTable: 253 }, rejectedWith: 'reserved table' },
  { name: 'vrf table 252 allowed', kind: 'EvpnVrf', spec: { vni: 100, routingTable: 252 } },
  { name: 'vrf table max u32', kind: 'EvpnVrf', spec: { vni: 100, routingTable: 4294967295 } },
  { name: 'vrf rt 4-byte asn form', kind: 'EvpnVrf', spec: { vni: 100, routeTargets: ['4200000001:100'] } },
  { name: 'vrf rt 2-byte asn with 4-byte number', kind: 'EvpnVrf', spec: { vni: 100, routeTargets: ['65000:4000000000'] } },
  { name: 'vrf rt ipv4 form', kind: 'EvpnVrf', spec: { vni: 100, routeTargets: ['192.0.2.1:65535'] } },
  { name: 'vrf rt ipv4 form number too large', kind: 'EvpnVrf', spec: { vni: 100, routeTargets: ['192.0.2.1:65536'] }, rejectedWith: 'EVPN-002' },
  { name: 'vrf rt 4-byte asn with 4-byte number', kind: 'EvpnVrf', spec: { vni: 100, routeTargets: ['4200000001:70000'] }, rejectedWith: 'EVPN-002' },
  { name: 'vrf rt asn 0', kind: 'EvpnVrf', spec: { vni: 100, routeTargets: ['0:100'] }, rejectedWith: 'EVPN-002' },
  { name: 'vrf rt asn with leading zero', kind: 'EvpnVrf', spec: { vni: 100, importTargets: ['065000:1'] }, rejectedWith: 'EVPN-002' },
  { name: 'vrf rd ipv4 number with leading zeros', kind: 'EvpnVrf', spec: { vni: 100, routeDistinguishers: ['192.0.2.1:00100'] }, rejectedWith: 'EVPN-002' },
  { name: 'vrf rt garbage', kind: 'EvpnVrf', spec: { vni: 100, routeTargets: ['not-a-target'] }, rejectedWith: 'EVPN-002' },
  { name: 'vrf rt with injected newline', kind: 'EvpnVrf', spec: { vni: 100, importTargets: ['65000:1\n exit'] }, rejectedWith: 'EVPN-002' },
  { name: 'vrf rd bad octet', kind: 'EvpnVrf', spec: { vni: 100, routeDistinguishers: ['300.0.2.1:1'] }, rejectedWith: 'EVPN-002' },
  { name: 'vrf rd asn too large', kind: 'EvpnVrf', spec: { vni: 100, routeDistinguishers: ['4294967296:1'] }, rejectedWith: 'EVPN-002' },
  { name: 'vrf local pref negative', kind: 'EvpnVrf', spec: { vni: 100, localPref: -1 }, rejectedWith: 'localPref' },
  // EvpnNetwork
  { name: 'network l2 with subnets', kind: 'EvpnNetwork', spec: { ...l2, mtu: 1450, subnets: [{ cidr: '10.101.0.0/24', gateway: '10.101.0.1' }, { cidr: 'fd00:101::/64', gateway: 'fd00:101::1' }] } },
  { name: 'network l3', kind: 'EvpnNetwork', spec: { ...l3, subnets: [{ cidr: '10.200.0.0/24', gateway: '10.200.0.1' }] } },
  { name: 'network with prefix routes', kind: 'EvpnNetwork', spec: { ...l2, routes: [{ type: 'prefix', destination: '10.20.0.0/24', nexthop: '192.168.1.10' }] } },
  { name: 'network bad type', kind: 'EvpnNetwork', spec: { ...l2, type: 'l4' }, rejectedWith: 'Unsupported value' },
  { name: 'network l2 without vni', kind: 'EvpnNetwork', spec: { type: 'l2', vrf: 'vrf-1', vlanId: 5 }, rejectedWith: 'an l2 network needs vni' },
  { name: 'network l2 without vlan', kind: 'EvpnNetwork', spec: { type: 'l2', vni: 5, vrf: 'vrf-1' }, rejectedWith: 'an l2 network needs vlanId' },
  { name: 'network mirrored l2 without vlan (no provider path)', kind: 'EvpnNetwork', spec: { type: 'l2', vni: 5, vrf: 'vrf-1', source: { association: 'network', networkId: 'n1' } } },
  { name: 'network provider with vlan', kind: 'EvpnNetwork', spec: { ...l2, provider: { physicalNetwork: 'physnet1' } } },
  { name: 'network provider without vlan', kind: 'EvpnNetwork', spec: { type: 'l3', vrf: 'vrf-1', provider: { physicalNetwork: 'physnet1' } }, rejectedWith: 'provider needs vlanId' },
  { name: 'network physical network with colon', kind: 'EvpnNetwork', spec: { ...l2, provider: { physicalNetwork: 'phys:net' } }, rejectedWith: 'physicalNetwork' },
  { name: 'network gateway owned by ovn', kind: 'EvpnNetwork', spec: { ...l2, subnets: [{ cidr: '10.101.0.0/24', gateway: '10.101.0.1', gatewayOwner: 'ovn' }, { cidr: 'fd00:101::/64', gateway: 'fd00:101::1', gatewayOwner: 'evpn' }] } },
  { name: 'network gateway owner ovn without gateway', kind: 'EvpnNetwork', spec: { ...l2, subnets: [{ cidr: '10.101.0.0/24', gatewayOwner: 'ovn' }] }, rejectedWith: 'gatewayOwner ovn needs gateway' },
  { name: 'network gateway owner unknown', kind: 'EvpnNetwork', spec: { ...l2, subnets: [{ cidr: '10.101.0.0/24', gateway: '10.101.0.1', gatewayOwner: 'router' }] }, rejectedWith: 'gatewayOwner' },
  { name: 'network l3 without vrf', kind: 'EvpnNetwork', spec: { type: 'l3' }, rejectedWith: 'an l3 network needs vrf' },
  { name: 'network vlan 0', kind: 'EvpnNetwork', spec: { ...l2, vlanId: 0 }, rejectedWith: 'vlanId' },
  { name: 'network vlan 4095', kind: 'EvpnNetwork', spec: { ...l2, vlanId: 4095 }, rejectedWith: 'vlanId' },
  { name: 'network vni out of range', kind: 'EvpnNetwork', spec: { ...l2, vni: 20000000 }, rejectedWith: 'EVPN-001' },
  { name: 'network gateway outside subnet', kind: 'EvpnNetwork', spec: { ...l2, subnets: [{ cidr: '10.101.0.0/24', gateway: '10.102.0.1' }] }, rejectedWith: 'gateway must be an address inside cidr' },
  { name: 'network ipv6 gateway outside subnet', kind: 'EvpnNetwork', spec: { ...l2, subnets: [{ cidr: 'fd00:101::/64', gateway: 'fd00:102::1' }] }, rejectedWith: 'gateway must be an address inside cidr' },
  { name: 'network gateway family mismatch', kind: 'EvpnNetwork', spec: { ...l2, subnets: [{ cidr: '10.101.0.0/24', gateway: 'fd00::1' }] }, rejectedWith: 'gateway must be an address inside cidr' },
  { name: 'network cidr with host bits', kind: 'EvpnNetwork', spec: { ...l2, subnets: [{ cidr: '10.101.0.1/24' }] }, rejectedWith: 'no host bits' },
  { name: 'network route type other than prefix', kind: 'EvpnNetwork', spec: { ...l2, routes: [{ type: 'host', destination: '10.20.0.0/24', nexthop: '192.168.1.10' }] }, rejectedWith: 'route type must be "prefix"' },
  { name: 'network route bad nexthop', kind: 'EvpnNetwork', spec: { ...l2, routes: [{ type: 'prefix', destination: '10.20.0.0/24', nexthop: 'router-1' }] }, rejectedWith: 'must be an IPv4 or IPv6 address' },
  { name: 'network bad rt', kind: 'EvpnNetwork', spec: { ...l2, exportTargets: ['65000'] }, rejectedWith: 'EVPN-002' },
  { name: 'network mtu too small', kind: 'EvpnNetwork', spec: { ...l2, mtu: 100 }, rejectedWith: 'mtu must be 576' },
  { name: 'network vrf name invalid', kind: 'EvpnNetwork', spec: { ...l2, vrf: 'VRF_10100' }, rejectedWith: 'vrf' },
  // EvpnPortSet
  { name: 'portset valid', kind: 'EvpnPortSet', spec: { network: 'net-a', nodeName: 'node-1', ports: [{ name: 'p1', mac: '02:00:00:00:01:01', ips: ['10.101.0.11'] }] } },
  { name: 'portset bad mac', kind: 'EvpnPortSet', spec: { network: 'net-a', nodeName: 'node-1', ports: [{ name: 'p1', mac: '02:00:00:00:01' }] }, rejectedWith: 'mac' },
];
