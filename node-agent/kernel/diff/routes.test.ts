import { describe, expect, it } from 'vitest';
import type { Route, RouteSpec } from '../netlink/addr-route-codec.ts';
import type { KindPlan } from './context.ts';
import { diffRoutes } from './routes.ts';
import { ctx, route } from '../../../test/fixtures/node-agent/kernel-diff.ts';

const unreachable: RouteSpec = { table: 11, dst: 'default', type: 'unreachable', metric: 4278198272, family: 6 };

describe('diffRoutes: from → to', () => {
  const cases: { name: string; from: Route[]; to: RouteSpec[]; cycled?: string[]; plan: Partial<KindPlan> }[] = [
    {
      name: 'none → a subnet route: replaced in',
      from: [],
      to: [{ table: 11, dst: '10.1.0.0/24', dev: 'br-evpn.101' }],
      plan: { creates: [{ op: 'replaceRoute', route: { table: 11, dst: '10.1.0.0/24', dev: 'br-evpn.101' } }] },
    },
    {
      name: 'the subnet route on its device → nothing',
      from: [route(11, '10.1.0.0/24', { oif: 3 })],
      to: [{ table: 11, dst: '10.1.0.0/24', dev: 'br-evpn.101' }],
      plan: {},
    },
    {
      name: 'the subnet route on a link this pass cycles → put back',
      from: [route(11, '10.1.0.0/24', { oif: 3 })],
      to: [{ table: 11, dst: '10.1.0.0/24', dev: 'br-evpn.101' }],
      cycled: ['br-evpn.101'],
      plan: { creates: [{ op: 'replaceRoute', route: { table: 11, dst: '10.1.0.0/24', dev: 'br-evpn.101' } }] },
    },
    {
      name: 'an IPv6 unreachable default reported on lo as ::/0 → nothing',
      from: [route(11, '::/0', { family: 6, type: 'unreachable', metric: 4278198272, oif: 99 })],
      to: [unreachable],
      plan: {},
    },
    {
      name: 'a gateway route whose nexthop moved → old removed, new in',
      from: [route(11, '10.20.0.0/24', { gateway: '10.1.0.9', oif: 3 })],
      to: [{ table: 11, dst: '10.20.0.0/24', via: '10.1.0.11' }],
      plan: {
        removes: [
          { op: 'delRoute', route: { table: 11, dst: '10.20.0.0/24', family: 4, type: 'unicast', via: '10.1.0.9' } },
        ],
        creates: [{ op: 'replaceRoute', route: { table: 11, dst: '10.20.0.0/24', via: '10.1.0.11' } }],
      },
    },
    {
      name: 'a route of ours nobody wants → removed',
      from: [route(11, '10.9.0.0/24', { oif: 3, metric: 20 })],
      to: [],
      plan: {
        removes: [{ op: 'delRoute', route: { table: 11, dst: '10.9.0.0/24', family: 4, type: 'unicast', metric: 20 } }],
      },
    },
    {
      name: 'an IPv6 subnet route, reported with the metric 1024 the kernel gave it → nothing',
      from: [route(11, 'fd00:200::/64', { oif: 3, metric: 1024 })],
      to: [{ table: 11, dst: 'fd00:200::/64', dev: 'br-evpn.101' }],
      plan: {},
    },
    {
      name: 'an IPv6 gateway route, reported with metric 1024 → nothing',
      from: [route(11, 'fd00:20::/64', { gateway: 'fd00:101::11', oif: 3, metric: 1024 })],
      to: [{ table: 11, dst: 'fd00:20::/64', via: 'fd00:101::11' }],
      plan: {},
    },
    {
      name: 'an IPv6 host route /128 spelt in full → nothing',
      from: [route(11, 'fd00:200:0:0::5/128', { oif: 3, metric: 1024 })],
      to: [{ table: 11, dst: 'fd00:200::5/128', dev: 'br-evpn.101' }],
      plan: {},
    },
    {
      name: 'an IPv6 route with another explicit metric → replaced',
      from: [route(11, 'fd00:20::/64', { gateway: 'fd00:101::11', oif: 3, metric: 1024 })],
      to: [{ table: 11, dst: 'fd00:20::/64', via: 'fd00:101::11', metric: 100 }],
      plan: {
        removes: [
          {
            op: 'delRoute',
            route: { table: 11, dst: 'fd00:20::/64', family: 6, type: 'unicast', metric: 1024, via: 'fd00:101::11' },
          },
        ],
        creates: [{ op: 'replaceRoute', route: { table: 11, dst: 'fd00:20::/64', via: 'fd00:101::11', metric: 100 } }],
      },
    },
    {
      name: 'an IPv4 route without RTA_PRIORITY is metric 0 → nothing',
      from: [route(11, '10.20.0.0/24', { gateway: '10.1.0.9', oif: 3, metric: null })],
      to: [{ table: 11, dst: '10.20.0.0/24', via: '10.1.0.9', metric: 0 }],
      plan: {},
    },
    {
      name: 'a route on a link this pass deletes → goes with the link, and is put back',
      from: [route(11, '10.20.0.0/24', { gateway: '10.1.0.9', oif: 4 }), route(11, '10.30.0.0/24', { oif: 4 })],
      to: [{ table: 11, dst: '10.20.0.0/24', via: '10.1.0.9' }],
      plan: { creates: [{ op: 'replaceRoute', route: { table: 11, dst: '10.20.0.0/24', via: '10.1.0.9' } }] },
    },
    {
      name: 'the same prefix in another table → not the same route',
      from: [route(12, '10.1.0.0/24', { oif: 3 })],
      to: [{ table: 11, dst: '10.1.0.0/24', dev: 'br-evpn.101' }],
      plan: {
        removes: [{ op: 'delRoute', route: { table: 12, dst: '10.1.0.0/24', family: 4, type: 'unicast' } }],
        creates: [{ op: 'replaceRoute', route: { table: 11, dst: '10.1.0.0/24', dev: 'br-evpn.101' } }],
      },
    },
    {
      name: 'a route of another protocol (zebra, the kernel) → left alone',
      from: [route(11, '10.9.0.0/24', { protocol: 186, oif: 3 })],
      to: [],
      plan: {},
    },
  ];
  it.each(cases)('$name', ({ from, to, cycled, plan }) => {
    expect(diffRoutes(to, from, ctx(cycled))).toEqual({ removes: [], creates: [], ...plan });
  });
});
