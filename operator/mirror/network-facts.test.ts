import { describe, expect, it } from 'vitest';
import type { Subnet } from '../../crds/index.ts';
import type { DhcpOptionsRow, LogicalRouterPortRow, LogicalSwitchPortRow } from '../ovn-source/ovn-snapshot.ts';
import { SnapshotBuilder } from '../../test/fixtures/mirror/snapshot-builder.ts';
import { mergeSubnets, mtuOf, networkFacts, providerPathOf, type MtuFact, type ProviderPath } from './network-facts.ts';

const localnet = (name: string, tag: number | undefined, physnet = 'physnet1'): LogicalSwitchPortRow => ({
  uuid: name,
  name,
  type: 'localnet',
  tag,
  options: { network_name: physnet },
});

describe('providerPathOf', () => {
  const cases: { name: string; localnets: LogicalSwitchPortRow[]; path: ProviderPath }[] = [
    {
      name: 'a VLAN provider network: the tag and network_name',
      localnets: [localnet('provnet-1', 101, 'datacentre')],
      path: { kind: 'vlan', vlanId: 101, physicalNetwork: 'datacentre' },
    },
    {
      name: 'a flat provider network: localnet without tag',
      localnets: [localnet('provnet-1', undefined)],
      path: { kind: 'flat', physicalNetwork: 'physnet1' },
    },
    { name: 'a Geneve tenant network: no localnet', localnets: [], path: { kind: 'tunnel' } },
    {
      name: 'a multi-segment network: several localnets',
      localnets: [localnet('ln-b', 5), localnet('ln-a', 6)],
      path: { kind: 'ambiguous', localnets: ['ln-a', 'ln-b'] },
    },
  ];
  it.each(cases)('$name', ({ localnets, path }) => {
    expect(providerPathOf(localnets)).toEqual(path);
  });
});

describe('mtuOf', () => {
  const cases: { raw: string | undefined; mtu: MtuFact }[] = [
    { raw: undefined, mtu: undefined },
    { raw: '1500', mtu: { ok: 1500 } },
    { raw: '1442', mtu: { ok: 1442 } },
    { raw: '576', mtu: { ok: 576 } },
    { raw: '9216', mtu: { ok: 9216 } },
    { raw: '575', mtu: { invalid: '575' } },
    { raw: '9217', mtu: { invalid: '9217' } },
    { raw: '1500.5', mtu: { invalid: '1500.5' } },
    { raw: '', mtu: { invalid: '' } },
    { raw: 'jumbo', mtu: { invalid: 'jumbo' } },
  ];
  it.each(cases)('neutron:mtu=$raw', ({ raw, mtu }) => {
    expect(mtuOf(raw === undefined ? {} : { 'neutron:mtu': raw })).toEqual(mtu);
  });
});

describe('mergeSubnets', () => {
  const dhcp = (cidr: string, options: Record<string, string> = {}): DhcpOptionsRow => ({ uuid: cidr, cidr, options });
  const lrp = (name: string, networks: string[]): LogicalRouterPortRow => ({
    uuid: name,
    name,
    networks,
    externalIds: {},
  });
  const cases: { name: string; dhcp: DhcpOptionsRow[]; lrps: LogicalRouterPortRow[]; subnets: Subnet[] }[] = [
    {
      name: 'IPv4 DHCP with router, no router port: the IRB holds the gateway',
      dhcp: [dhcp('10.0.0.0/24', { router: '10.0.0.1' })],
      lrps: [],
      subnets: [{ cidr: '10.0.0.0/24', gateway: '10.0.0.1' }],
    },
    {
      name: 'IPv6 DHCP has no router: no gateway without a router port',
      dhcp: [dhcp('fd00:1::/64', { server_id: '02:00:00:00:00:01' })],
      lrps: [],
      subnets: [{ cidr: 'fd00:1::/64' }],
    },
    {
      name: 'a router port holding the gateway: OVN owns it (v4 and v6)',
      dhcp: [dhcp('10.0.0.0/24', { router: '10.0.0.1' }), dhcp('fd00:1::/64')],
      lrps: [lrp('lrp-1', ['10.0.0.1/24', 'fd00:1::1/64'])],
      subnets: [
        { cidr: '10.0.0.0/24', gateway: '10.0.0.1', gatewayOwner: 'ovn' },
        { cidr: 'fd00:1::/64', gateway: 'fd00:1::1', gatewayOwner: 'ovn' },
      ],
    },
    {
      name: "a router port on another address: the DHCP gateway stays the IRB's",
      dhcp: [dhcp('10.0.0.0/24', { router: '10.0.0.1' })],
      lrps: [lrp('lrp-1', ['10.0.0.254/24'])],
      subnets: [{ cidr: '10.0.0.0/24', gateway: '10.0.0.1' }],
    },
    {
      name: 'a router port without DHCP: its subnet and address, OVN-owned',
      dhcp: [],
      lrps: [lrp('lrp-1', ['10.1.0.1/24'])],
      subnets: [{ cidr: '10.1.0.0/24', gateway: '10.1.0.1', gatewayOwner: 'ovn' }],
    },
    {
      name: 'duplicates merged, cidrs normalised, sorted',
      dhcp: [dhcp('fd00:0001:0::/64'), dhcp('10.2.0.0/24'), dhcp('10.2.0.0/24', { router: '10.2.0.1' })],
      lrps: [lrp('lrp-b', ['fd00:1::1/64']), lrp('lrp-a', ['10.2.0.1/24'])],
      subnets: [
        { cidr: '10.2.0.0/24', gateway: '10.2.0.1', gatewayOwner: 'ovn' },
        { cidr: 'fd00:1::/64', gateway: 'fd00:1::1', gatewayOwner: 'ovn' },
      ],
    },
    {
      name: 'a DHCP router outside the cidr is ignored',
      dhcp: [dhcp('10.0.0.0/24', { router: '10.9.0.1' })],
      lrps: [],
      subnets: [{ cidr: '10.0.0.0/24' }],
    },
    {
      name: 'an unparsable DHCP cidr is skipped',
      dhcp: [dhcp('not-a-cidr', { router: '10.0.0.1' })],
      lrps: [],
      subnets: [],
    },
  ];
  it.each(cases)('$name', ({ dhcp: rows, lrps, subnets }) => {
    expect(mergeSubnets(rows, lrps)).toEqual(subnets);
  });
});

describe('networkFacts', () => {
  it("joins a switch's localnet, DHCP options its ports reference, router ports and MTU", () => {
    const b = new SnapshotBuilder();
    b.network('n1', {}, { localnet: { tag: 120, physnet: 'datacentre' }, mtu: '1450' });
    const v4 = b.dhcp('10.1.0.0/24', { router: '10.1.0.1' });
    const v6 = b.dhcp('fd00:1::/64');
    b.dhcp('10.99.0.0/24', { router: '10.99.0.1' }); // referenced by no port of n1
    b.vmSwitchPort('n1', 'vm-1', { v4, v6 });
    b.routerInterface('rp-1', 'n1', ['fd00:1::1/64']);
    b.network('n2', {}, { localnet: false });
    const facts = networkFacts(b.snapshot);
    expect(facts.get('n1')).toEqual({
      provider: { kind: 'vlan', vlanId: 120, physicalNetwork: 'datacentre' },
      mtu: { ok: 1450 },
      subnets: [
        { cidr: '10.1.0.0/24', gateway: '10.1.0.1' },
        { cidr: 'fd00:1::/64', gateway: 'fd00:1::1', gatewayOwner: 'ovn' },
      ],
    });
    expect(facts.get('n2')).toEqual({ provider: { kind: 'tunnel' }, mtu: undefined, subnets: [] });
  });
});
