import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { GOLDEN_FRR_DIR, listGoldenFrrCases } from '../../test/golden/golden-frr-cases.ts';
import { renderFrrConfig } from './render.ts';
import { blocksOf, diffStanzas, ownersOf, parseStanzas, vrfsOfKeys } from './stanzas.ts';

const node = {
  asn: 65000,
  routerId: '10.0.0.1',
  underlayNeighbors: [{ address: '10.0.0.2', remoteAs: 'internal', ipv4Unicast: false, evpn: true }],
};
const vrf = (vni: number, extra: object = {}): object => ({ name: `vrf-${vni}`, l3vni: vni, ...extra });
const stanzas = (model: object): ReturnType<typeof parseStanzas> => parseStanzas(renderFrrConfig(model));

describe('parseStanzas', () => {
  it('keeps only what the agent owns from a running config', () => {
    const running = [
      'Building configuration...',
      '',
      'Current configuration:',
      '!',
      'frr version 8.4.4',
      'frr defaults datacenter',
      'hostname vm',
      'no ip forwarding',
      'no ipv6 forwarding',
      'service integrated-vtysh-config',
      '!',
      'vrf vrf-1',
      ' vni 100',
      ' ip route 1.0.0.0/8 blackhole',
      'exit-vrf',
      '!',
      'vrf mgmt',
      'exit-vrf',
      '!',
      'interface eth0',
      ' ip address 1.1.1.1/32',
      'exit',
      '!',
      'bfd',
      'exit',
      '!',
      'router bgp 65000',
      ' bgp router-id 10.0.0.1',
      ' !',
      ' address-family l2vpn evpn',
      '  advertise-all-vni',
      ' exit-address-family',
      'exit',
      '!',
      'route-map RM-vrf-1-LP permit 10',
      ' set local-preference 200',
      'exit',
      '!',
      'route-map OTHER permit 10',
      'exit',
      '!',
      'end',
    ].join('\n');
    const s = parseStanzas(running);
    expect([...s.keys()]).toEqual([
      'ipv6 forwarding',
      'vrf vrf-1',
      'router bgp 65000',
      'route-map RM-vrf-1-LP permit 10',
    ]);
    expect(s.get('vrf vrf-1')).toEqual({ line: 'vrf vrf-1', children: [{ line: 'vni 100', children: [] }] });
    expect(s.get('router bgp 65000')?.children.map((c) => c.line)).toEqual([
      'bgp router-id 10.0.0.1',
      'address-family l2vpn evpn',
    ]);
  });
});

describe("the kernel route map that keeps each VRF's unreachable default from leaving as type-5", () => {
  it('owns both prefix-lists OVN-EVPN-KERNEL denies, so the delta sends them and the read-back compares them', () => {
    const conf = readFileSync(join(GOLDEN_FRR_DIR, '03-l3-only-type5.frr.conf'), 'utf8');
    expect(conf).toContain('ip prefix-list OVN-EVPN-DEFAULT-V4 seq 5 permit 0.0.0.0/0');
    const keys = [...parseStanzas(conf).keys()];
    expect(keys).toContain('ip prefix-list OVN-EVPN-DEFAULT-V4 seq 5 permit 0.0.0.0/0');
    expect(keys).toContain('ipv6 prefix-list OVN-EVPN-DEFAULT-V6 seq 5 permit ::/0');
    // A cold apply (nothing running) carries them before the route map that matches them.
    const batch = diffStanzas(parseStanzas(''), parseStanzas(conf)).batch;
    const at = (line: string): number => batch.findIndex((l) => l.startsWith(line));
    expect(at('ip prefix-list OVN-EVPN-DEFAULT-V4 ')).toBeGreaterThanOrEqual(0);
    expect(at('ip prefix-list OVN-EVPN-DEFAULT-V4 ')).toBeLessThan(at('route-map OVN-EVPN-KERNEL deny 5'));
  });
});

describe('diffStanzas', () => {
  it.each(listGoldenFrrCases())('$name: nothing to do against itself, everything from empty', ({ confPath }) => {
    const want = parseStanzas(readFileSync(confPath, 'utf8'));
    expect(diffStanzas(want, want)).toEqual({ batch: [], changed: [] });
    const cold = diffStanzas(new Map(), want);
    expect(cold.changed).toEqual([...want.keys()].filter((k) => cold.changed.includes(k)));
    expect(new Set(cold.changed)).toEqual(new Set(want.keys()));
    // The batch, read as a config, is exactly the wanted stanzas.
    expect(parseStanzas(cold.batch.join('\n'))).toEqual(want);
  });

  it('adds one VRF among many with its own stanzas only, closed blocks, VNI before its BGP instance', () => {
    const before = stanzas({ ...node, vrfs: [vrf(100), vrf(200)] });
    const after = stanzas({
      ...node,
      vrfs: [vrf(100), vrf(200), vrf(300, { localPref: 150, importRts: ['65000:1'] })],
    });
    const d = diffStanzas(before, after);
    expect(new Set(d.changed)).toEqual(
      new Set(['route-map RM-vrf-300-LP permit 10', 'vrf vrf-300', 'router bgp 65000 vrf vrf-300']),
    );
    expect(vrfsOfKeys(d.changed)).toEqual(['vrf-300']);
    expect(d.batch).toEqual([
      'route-map RM-vrf-300-LP permit 10',
      ' set local-preference 150',
      'exit',
      'vrf vrf-300',
      ' vni 300',
      'exit-vrf',
      'router bgp 65000 vrf vrf-300',
      ' bgp router-id 10.0.0.1',
      ' no bgp deterministic-med',
      ' address-family ipv4 unicast',
      '  redistribute connected',
      ' exit-address-family',
      ' address-family l2vpn evpn',
      '  advertise ipv4 unicast route-map RM-vrf-300-LP',
      '  route-target import 65000:1',
      ' exit-address-family',
      'exit',
    ]);
  });

  it('removes one VRF: its VNI first, then its BGP instance, then its route-map; `no vrf` never', () => {
    const before = stanzas({ ...node, vrfs: [vrf(100), vrf(300, { localPref: 150 })] });
    const after = stanzas({ ...node, vrfs: [vrf(100)] });
    expect(diffStanzas(before, after).batch).toEqual([
      'vrf vrf-300',
      ' no vni 300',
      'exit-vrf',
      'no router bgp 65000 vrf vrf-300',
      'no route-map RM-vrf-300-LP permit 10',
    ]);
  });

  it('changes a route target in place, deletion first, inside its address family', () => {
    const before = stanzas({ ...node, vrfs: [vrf(100, { importRts: ['65000:1'] })] });
    const after = stanzas({ ...node, vrfs: [vrf(100, { importRts: ['65000:2'] })] });
    expect(diffStanzas(before, after).batch).toEqual([
      'router bgp 65000 vrf vrf-100',
      ' address-family l2vpn evpn',
      '  no route-target import 65000:1',
      ' exit-address-family',
      'exit',
      'router bgp 65000 vrf vrf-100',
      ' address-family l2vpn evpn',
      '  route-target import 65000:2',
      ' exit-address-family',
      'exit',
    ]);
  });

  it('an L2VNI block is added and removed under l2vpn evpn with exit-vni', () => {
    const before = stanzas({ ...node, l2vnis: [] });
    const after = stanzas({ ...node, l2vnis: [{ vni: 500, rd: '10.0.0.1:5' }] });
    expect(diffStanzas(before, after).batch).toEqual([
      'router bgp 65000',
      ' address-family l2vpn evpn',
      '  vni 500',
      '   rd 10.0.0.1:5',
      '  exit-vni',
      ' exit-address-family',
      'exit',
    ]);
    expect(diffStanzas(after, before).batch).toEqual([
      'router bgp 65000',
      ' address-family l2vpn evpn',
      '  no vni 500',
      ' exit-address-family',
      'exit',
    ]);
  });

  it('a removed neighbour goes with one line, not one per setting', () => {
    const before = stanzas({
      ...node,
      underlayNeighbors: [{ address: '10.0.0.9', remoteAs: 65009, timers: { keepalive: 3, hold: 9 }, evpn: true }],
    });
    const d = diffStanzas(before, stanzas(node));
    expect(d.batch.filter((l) => l.includes('10.0.0.9'))).toEqual([' no neighbor 10.0.0.9 remote-as 65009']);
  });

  it("a removed peer group's listen ranges go first (FRR 10.7.1 refuses the group before them), its members with it", () => {
    const text = [
      'router bgp 65000',
      ' neighbor EVPN-RR peer-group',
      ' neighbor EVPN-RR remote-as internal',
      ' bgp listen range 10.0.192.0/24 peer-group EVPN-RR',
      ' neighbor 192.168.100.11 peer-group EVPN-RR',
      'exit',
      '',
    ].join('\n');
    const d = diffStanzas(parseStanzas(text), parseStanzas('router bgp 65000\nexit\n'));
    expect(d.batch).toEqual([
      'router bgp 65000',
      ' no bgp listen range 10.0.192.0/24 peer-group EVPN-RR',
      ' no neighbor EVPN-RR peer-group',
      'exit',
    ]);
  });

  it('ipv6 forwarding flips in one line', () => {
    const d = diffStanzas(stanzas(node), stanzas({ ...node, ipv6Forwarding: true }));
    expect(d).toEqual({ batch: ['ipv6 forwarding'], changed: ['ipv6 forwarding'] });
  });
});

describe("blocksOf / ownersOf (the batch sent to each daemon's socket)", () => {
  it('splits a delta into top-level blocks keyed by stanza, each owned by the daemons that hold it', () => {
    const from = stanzas({ ...node, vrfs: [vrf(100), vrf(200)] });
    const to = stanzas({ ...node, vrfs: [vrf(100), vrf(300)], prefixLists: [] });
    const blocks = blocksOf(diffStanzas(from, to).batch);
    expect(blocks.map((b) => b.key)).toEqual([
      'vrf vrf-200',
      'router bgp 65000 vrf vrf-200',
      'vrf vrf-300',
      'router bgp 65000 vrf vrf-300',
    ]);
    expect(blocks[0]?.lines).toEqual(['vrf vrf-200', ' no vni 200', 'exit-vrf']);
    expect(blocks[1]?.lines).toEqual(['no router bgp 65000 vrf vrf-200']);
    expect(blocks[3]?.lines.at(-1)).toBe('exit');
    expect(blocks.map((b) => ownersOf(b.key))).toEqual([['zebra'], ['bgpd'], ['zebra'], ['bgpd']]);
    expect(ownersOf('route-map RM-vrf-1-LP permit 10')).toEqual(['zebra', 'bgpd']);
    expect(ownersOf('ip prefix-list OVN-EVPN-DEFAULT-V4 seq 5 permit 0.0.0.0/0')).toEqual(['zebra', 'bgpd']);
    expect(ownersOf('ipv6 prefix-list OVN-EVPN-DEFAULT-V6 seq 5 permit ::/0')).toEqual(['zebra', 'bgpd']);
    expect(ownersOf('ipv6 forwarding')).toEqual(['zebra']);
    expect(ownersOf('bfd')).toEqual(['bfdd']);
    expect(ownersOf('hostname x')).toBeUndefined();
  });
});

describe('FRR 10.7.1 running config: deterministic-med', () => {
  // Measured on bgpd 10.7.1 (render.ts, DETERMINISTIC_MED_OFF): a `router bgp` with deterministic-med on
  // (bgpd's default) prints ` use-underlays-nexthop-weight` and nothing about deterministic-med.
  const withDeterministicMed = 'router bgp 65000\n bgp router-id 10.0.0.1\n use-underlays-nexthop-weight\nexit\n';
  const withoutDeterministicMed = 'router bgp 65000\n bgp router-id 10.0.0.1\n no bgp deterministic-med\nexit\n';

  it('renders no bgp deterministic-med in every router bgp, and nothing of use-underlays-nexthop-weight', () => {
    const rendered = stanzas({ ...node, vrfs: [vrf(100), vrf(200)] });
    const bgp = [...rendered.values()].filter((n) => n.line.startsWith('router bgp '));
    expect(bgp.map((n) => n.line)).toEqual([
      'router bgp 65000',
      'router bgp 65000 vrf vrf-100',
      'router bgp 65000 vrf vrf-200',
    ]);
    for (const n of bgp) {
      expect(n.children.map((c) => c.line)).toContain('no bgp deterministic-med');
      expect(n.children.map((c) => c.line).filter((l) => l.includes('use-underlays'))).toEqual([]);
    }
  });

  it('sees deterministic-med on as a difference, and the delta turns it off', () => {
    expect(diffStanzas(parseStanzas(withDeterministicMed), parseStanzas(withoutDeterministicMed)).batch).toEqual([
      'router bgp 65000',
      ' no use-underlays-nexthop-weight',
      'exit',
      'router bgp 65000',
      ' no bgp deterministic-med',
      'exit',
    ]);
    // What 10.7.1 then prints is the rendered text.
    expect(diffStanzas(parseStanzas(withoutDeterministicMed), parseStanzas(withoutDeterministicMed)).batch).toEqual([]);
  });
});
