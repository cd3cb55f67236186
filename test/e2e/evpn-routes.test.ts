import { describe, expect, it } from 'vitest';
import { describeRoute, flattenEvpnRoutes, routeTargets } from './evpn-routes.ts';

// Shaped like FRR 8.4's `show bgp l2vpn evpn route json` (RD → prefix → paths as a list of lists).
const sample = {
  '10.0.0.2:4': {
    rd: '10.0.0.2:4',
    '[2]:[0]:[48]:[fa:16:3e:01:00:12]:[32]:[10.1.0.12]': {
      prefix: '[2]:[0]:[48]:[fa:16:3e:01:00:12]:[32]:[10.1.0.12]',
      prefixLen: 352,
      paths: [
        [
          {
            valid: true,
            bestpath: true,
            nexthops: [{ ip: '10.0.0.2', afi: 'ipv4', used: true }],
            extendedCommunity: { string: 'RT:59906:16511563 RT:65000:10100 ET:8 Rmac:02:11:b1:9b:f8:9e' },
          },
        ],
      ],
    },
    '[3]:[0]:[32]:[10.0.0.2]': {
      paths: [[{ nexthops: [{ ip: '10.0.0.2' }], extendedCommunity: { string: 'RT:59906:16511563 ET:8' } }]],
    },
  },
  '192.0.2.1:20000': {
    rd: '192.0.2.1:20000',
    '[5]:[0]:[32]:[10.3.0.12]': {
      paths: [
        [{ nexthops: [{ ip: '10.0.0.2' }], extendedCommunity: { string: 'RT:65000:20000 ET:8' } }],
        [{ nexthops: [{ ip: '10.0.0.1' }] }],
      ],
    },
  },
  numPrefix: 3,
  totalPrefix: 3,
};

describe('flattenEvpnRoutes', () => {
  const routes = flattenEvpnRoutes(sample);

  it('gives one row per path with type, MAC, IP and next hop', () => {
    expect(routes.map((r) => [r.type, r.mac, r.ip, r.nexthop])).toEqual([
      [2, 'fa:16:3e:01:00:12', '10.1.0.12', '10.0.0.2'],
      [3, undefined, '10.0.0.2', '10.0.0.2'],
      [5, undefined, '10.3.0.12/32', '10.0.0.2'],
      [5, undefined, '10.3.0.12/32', '10.0.0.1'],
    ]);
  });

  it('reads the route targets, L2VNI auto RT and VRF RT alike', () => {
    const [first] = routes;
    expect(first && routeTargets(first)).toEqual(['59906:16511563', '65000:10100']);
  });

  it('ignores the summary counters and anything that is not a route', () => {
    expect(flattenEvpnRoutes({ numPrefix: 0 })).toEqual([]);
    expect(flattenEvpnRoutes(null)).toEqual([]);
  });

  it('describes a route for people, naming the node itself', () => {
    const [own] = flattenEvpnRoutes({
      x: {
        '[5]:[0]:[24]:[10.1.0.0]': {
          paths: [[{ nexthops: [{ ip: '10.0.0.1' }], extendedCommunity: { string: 'RT:65000:10100' } }]],
        },
      },
    });
    expect(own && describeRoute(own, '10.0.0.1')).toMatch(
      /^type-5 {2}10\.1\.0\.0\/24 +from this node +RT 65000:10100$/,
    );
  });
});
