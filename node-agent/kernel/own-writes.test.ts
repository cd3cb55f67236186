import { describe, expect, it } from 'vitest';
import { API_GROUP_VERSION } from '../../crds/index.ts';
import type { EvpnNetwork, EvpnPortSet, EvpnVrf } from '../../crds/index.ts';
import { NodeConfig } from '../inputs/node-config.ts';
import { diffKernelState } from './diff-kernel-state.ts';
import { reportedState } from '../../test/fixtures/node-agent/kernel-diff.ts';
import { ECHO_WINDOW_MS, marksOfPlan, matchesMark, OwnWrites, parseDeletion, type EchoMark } from './own-writes.ts';
import { renderKernelState } from './render-kernel-state.ts';

describe('parseDeletion: lines of `ip -o monitor label` and `bridge monitor fdb`', () => {
  const cases: [string, ReturnType<typeof parseDeletion>][] = [
    [
      '[LINK]Deleted 12: vx-10101: <BROADCAST,MULTICAST> mtu 1500 qdisc noop master br-evpn state DOWN group 234 \\    link/ether 3e:b3:10:7d:da:5a',
      { kind: 'link', devs: ['vx-10101', 'br-evpn'] },
    ],
    [
      '[LINK]Deleted 4: d0@NONE: <BROADCAST,MULTICAST> mtu 1500 qdisc noop state DOWN group default',
      { kind: 'link', devs: ['d0'] },
    ],
    [
      '[ADDR]Deleted 14: br-evpn.101    inet6 fd00:1::1/64 scope global \\       valid_lft forever preferred_lft forever',
      { kind: 'addr', devs: ['br-evpn.101'] },
    ],
    [
      '[ROUTE]Deleted 10.101.0.0/24 via 10.1.0.11 dev br-evpn.101 table 1005001 proto 234',
      { kind: 'route', devs: ['br-evpn.101'], table: '1005001', dst: '10.101.0.0/24' },
    ],
    [
      '[ROUTE]Deleted 10.3.0.11 dev br-evpn.103 table 2020 proto 234',
      { kind: 'route', devs: ['br-evpn.103'], table: '2020', dst: '10.3.0.11/32' },
    ],
    [
      '[ROUTE]Deleted unreachable default table 100 proto 234 metric 4278198272 ',
      { kind: 'route', devs: [], table: '100', dst: 'default' },
    ],
    [
      '[ROUTE]Deleted unreachable default dev lo table 100 proto 234 metric 4278198272 pref medium',
      { kind: 'route', devs: ['lo'], table: '100', dst: 'default' },
    ],
    [
      '[ROUTE]Deleted fd00:0003:0:0::/64 dev br-evpn.103 table 2020 proto 234 metric 1024 pref medium',
      { kind: 'route', devs: ['br-evpn.103'], table: '2020', dst: 'fd00:3::/64' },
    ],
    [
      '[NEIGH]Deleted 10.7.0.5 dev br0.7 lladdr 02:00:00:00:00:05 PERMANENT',
      { kind: 'neigh', devs: ['br0.7'], dst: '10.7.0.5' },
    ],
    [
      'Deleted 02:00:00:00:01:0B dev evpn-uplink vlan 101 master br-evpn static',
      { kind: 'fdb', devs: ['evpn-uplink', 'br-evpn'], mac: '02:00:00:00:01:0b', vlan: 101 },
    ],
    [
      '[NEIGH]Deleted dev evpn-uplink lladdr D6:46:02:f8:b2:90 PERMANENT ',
      { kind: 'fdb', devs: ['evpn-uplink'], mac: 'd6:46:02:f8:b2:90' },
    ],
    ['[LINK]5: br0: <BROADCAST> mtu 1500', undefined],
    ['02:00:00:00:01:0b dev evpn-uplink vlan 101 master br-evpn static', undefined],
    ['[NSID]Deleted nsid 3', undefined],
  ];
  it.each(cases)('%s', (line, want) => {
    expect(parseDeletion(line)).toEqual(want);
  });
});

describe('matchesMark', () => {
  const fdbLine = parseDeletion('Deleted 02:00:00:00:01:0b dev evpn-uplink vlan 101 master br-evpn static');
  const cases: [string, EchoMark, boolean][] = [
    ['the entry we deleted', { scope: 'fdb', dev: 'evpn-uplink', mac: '02:00:00:00:01:0b', vlan: 101 }, true],
    ['another MAC on the same port', { scope: 'fdb', dev: 'evpn-uplink', mac: '02:00:00:00:01:0c', vlan: 101 }, false],
    ['the VLAN we took off the port', { scope: 'fdb', dev: 'evpn-uplink', vlan: 101 }, true],
    ['another VLAN', { scope: 'fdb', dev: 'evpn-uplink', vlan: 102 }, false],
    ["the bridge we deleted (its ports' entries go)", { scope: 'device', dev: 'br-evpn' }, true],
    ['an address removed elsewhere', { scope: 'addrs', dev: 'evpn-uplink' }, false],
  ];
  it.each(cases)('%s', (_, mark, want) => {
    expect(fdbLine && matchesMark(fdbLine, mark)).toBe(want);
  });
});

describe('marksOfPlan: the echoes of a VLAN change are ours, a foreign deletion is not', () => {
  const node = NodeConfig.parse({ nodeName: 'n1', vtepIp: '10.0.0.1' });
  const vrf: EvpnVrf = {
    apiVersion: API_GROUP_VERSION,
    kind: 'EvpnVrf',
    metadata: { name: 'red' },
    spec: { vni: 5001 },
  };
  const net = (vlanId: number): EvpnNetwork => ({
    apiVersion: API_GROUP_VERSION,
    kind: 'EvpnNetwork',
    metadata: { name: 'net-1' },
    spec: {
      type: 'l2',
      vni: 10001,
      vrf: 'red',
      vlanId,
      subnets: [
        { cidr: '10.1.0.0/24', gateway: '10.1.0.1' },
        { cidr: 'fd00:1::/64', gateway: 'fd00:1::1' },
      ],
      routes: [{ type: 'prefix', destination: 'fd00:20::/64', nexthop: 'fd00:1::11' }],
    },
  });
  const ports: EvpnPortSet = {
    apiVersion: API_GROUP_VERSION,
    kind: 'EvpnPortSet',
    metadata: { name: 'net-1.n1' },
    spec: {
      network: 'net-1',
      nodeName: 'n1',
      ports: [{ name: 'p', mac: '02:00:00:00:01:0b', ips: ['10.1.0.11', 'fd00:1::11'] }],
    },
  };
  const before = renderKernelState(node, [vrf], [net(101)], [ports]).desired;
  const actual = reportedState(before);
  const plan = diffKernelState(renderKernelState(node, [vrf], [net(102)], [ports]).desired, actual);
  const writes = new OwnWrites();
  const done = writes.begin(marksOfPlan(plan, actual.links));

  const echoes = [
    'Deleted 02:00:00:00:01:0b dev evpn-uplink vlan 101 master br-evpn static',
    'Deleted 02:00:5e:00:01:01 dev br-evpn vlan 101 master br-evpn permanent',
    '[LINK]Deleted 9: br-evpn.101@br-evpn: <BROADCAST,MULTICAST,UP> mtu 1500 master vrf-5001',
    '[ROUTE]Deleted 10.1.0.0/24 dev br-evpn.101 table 1005001 proto kernel scope link src 10.1.0.1',
    '[ROUTE]Deleted fd00:20::/64 via fd00:1::11 dev br-evpn.101 table 1005001 proto 234 metric 1024 pref medium',
    '[NEIGH]Deleted fd00:1::11 dev br-evpn.101 lladdr 02:00:00:00:01:0b PERMANENT',
    '[ADDR]Deleted 9: br-evpn.101    inet 10.1.0.1/24 scope global br-evpn.101',
    // The bridge's and the ports' own addresses in the VLAN that left them, as both monitors show them.
    'Deleted d6:46:02:f8:b2:90 dev evpn-uplink vlan 101 master br-evpn permanent',
    '[NEIGH]Deleted dev evpn-uplink lladdr d6:46:02:f8:b2:90 PERMANENT ',
    '[NEIGH]Deleted dev br-evpn lladdr 02:00:5e:00:01:01 PERMANENT ',
    '[NEIGH]Deleted ff02::2 dev br-evpn.101 lladdr 33:33:00:00:00:02 NOARP ',
    '[ROUTE]Deleted multicast ff00::/8 dev br-evpn.101 table 1005001 proto kernel metric 256 pref medium',
  ];
  it.each(echoes)('echo: %s', (line) => {
    expect(writes.isEcho(line, Date.now())).toBe(true);
  });

  const drift = [
    'Deleted 02:00:00:00:09:09 dev evpn-uplink vlan 102 master br-evpn static',
    '[LINK]Deleted 7: vx-10001: <BROADCAST,MULTICAST,UP> mtu 1500 master br-evpn',
    '[ROUTE]Deleted unreachable default table 1005001 proto 234 metric 4278198272',
    '[NEIGH]Deleted 10.9.0.9 dev br3-5001 lladdr 02:00:00:00:09:09 PERMANENT',
    '[NEIGH]Deleted dev br3-5001 lladdr 02:00:00:00:09:09 PERMANENT',
  ];
  it.each(drift)('drift: %s', (line) => {
    expect(writes.isEcho(line, Date.now())).toBe(false);
  });

  it('marks last for the window after the writes end, and no longer', () => {
    const now = Date.now();
    done(now);
    expect(writes.isEcho(echoes[0] ?? '', now + ECHO_WINDOW_MS - 1)).toBe(true);
    expect(writes.isEcho(echoes[0] ?? '', now + ECHO_WINDOW_MS + 1)).toBe(false);
  });
});
