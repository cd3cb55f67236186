import { describe, expect, it } from 'vitest';
import type { Route } from '../kernel/netlink/addr-route-codec.ts';
import { RTPROT_BGP, remoteHostsByTable } from './remote-hosts.ts';

const route = (table: number, dst: string, protocol = RTPROT_BGP, family: 4 | 6 = 4): Route => ({
  family,
  table,
  dst,
  type: 'unicast',
  protocol,
  scope: 0,
  metric: 20,
  gateway: null,
  oif: 7,
  prefsrc: null,
});

describe('remoteHostsByTable', () => {
  it('keeps the IPv4 host routes BGP installed, per table, sorted', () => {
    const hosts = remoteHostsByTable([
      route(1100, '10.1.0.13/32'),
      route(1100, '10.1.0.12/32'),
      route(1200, '10.2.0.5/32'),
      route(1100, '10.1.0.0/24'), // a type-5 subnet: not a host
      route(1100, '10.1.0.1/32', 234), // ours (the gateway's), not BGP's
      route(1100, 'fd00::12/128', RTPROT_BGP, 6),
    ]);
    expect([...hosts.entries()]).toEqual([
      [1100, ['10.1.0.12', '10.1.0.13']],
      [1200, ['10.2.0.5']],
    ]);
  });
});
