// The objects the operator mirrors for the seed's example associations become
// the FRR model of golden case 13: the l2 BGPVPN's RD/RT on its L2VNI 10100,
// vrf-10100's offset L3VNI (1010100) as the FRR VRF, the l3 BGPVPN's VRF as is.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { API_GROUP_VERSION } from '../../crds/index.ts';
import type { EvpnNetwork, EvpnVrf } from '../../crds/index.ts';
import { buildFrrModel, type FrrNodeSettings } from './build-frr-model.ts';
import { GOLDEN_FRR_DIR } from '../../test/golden/golden-frr-cases.ts';
import { parseFrrModel } from './model.ts';

const vrf = (name: string, spec: EvpnVrf['spec']): EvpnVrf => ({
  apiVersion: API_GROUP_VERSION,
  kind: 'EvpnVrf',
  metadata: { name },
  spec,
});
const net = (name: string, spec: EvpnNetwork['spec']): EvpnNetwork => ({
  apiVersion: API_GROUP_VERSION,
  kind: 'EvpnNetwork',
  metadata: { name },
  spec,
});

describe('buildFrrModel with the standard EVPN mapping', () => {
  it("gives the seed's l2 network its BGPVPN's RD/RT on L2VNI 10100 and its VRF the offset L3VNI (golden 13)", () => {
    const golden = JSON.parse(
      readFileSync(join(GOLDEN_FRR_DIR, '13-l2vni-bgpvpn-rt-offset-l3vni.model.json'), 'utf8'),
    ) as FrrNodeSettings & Record<string, unknown>;
    const { vrfs: _v, l2vnis: _l, ...node } = golden;
    const model = buildFrrModel(
      node,
      [
        vrf('vrf-10100', { vni: 1_010_100, routingTable: 1_010_100, bgpAs: 65000 }),
        vrf('vrf-20000', {
          vni: 20000,
          bgpAs: 65000,
          routeTargets: ['65000:20000'],
          routeDistinguishers: ['192.0.2.1:20000'],
        }),
      ],
      [
        net('net-l2', {
          type: 'l2',
          vni: 10100,
          vrf: 'vrf-10100',
          vlanId: 100,
          bgpAs: 65000,
          routeTargets: ['65000:10100'],
          routeDistinguishers: ['192.0.2.1:10100'],
          localPref: 100,
          subnets: [{ cidr: '10.101.0.0/24', gateway: '10.101.0.1' }],
        }),
        net('net-l3', { type: 'l3', vni: 20000, vrf: 'vrf-20000', vlanId: 200 }),
      ],
    );
    expect(parseFrrModel(model)).toEqual(parseFrrModel(golden));
  });

  it("gives two nodes different RDs of a BGPVPN's RD list, each one deterministically (golden 15, one per node)", () => {
    const rds = (vni: number): string[] => [`192.0.2.1:${String(vni)}`, `192.0.2.2:${String(vni)}`];
    const objects = (): [EvpnVrf[], EvpnNetwork[]] => [
      [
        vrf('vrf-10100', { vni: 1_010_100, routingTable: 1_010_100, bgpAs: 65000 }),
        vrf('vrf-20000', { vni: 20000, bgpAs: 65000, routeTargets: ['65000:20000'], routeDistinguishers: rds(20000) }),
      ],
      [
        net('net-l2', {
          type: 'l2',
          vni: 10100,
          vrf: 'vrf-10100',
          vlanId: 100,
          bgpAs: 65000,
          routeTargets: ['65000:10100'],
          routeDistinguishers: rds(10100),
          subnets: [{ cidr: '10.101.0.0/24', gateway: '10.101.0.1' }],
        }),
      ],
    ];
    const models = [1, 2].map((n) => {
      const golden = JSON.parse(
        readFileSync(join(GOLDEN_FRR_DIR, `15-bgpvpn-rd-list-node-${String(n)}.model.json`), 'utf8'),
      ) as FrrNodeSettings & Record<string, unknown>;
      const { vrfs: _v, l2vnis: _l, ...node } = golden;
      const model = buildFrrModel(node, ...objects());
      expect(parseFrrModel(model)).toEqual(parseFrrModel(golden));
      expect(buildFrrModel(node, ...objects())).toEqual(model);
      return model;
    });
    const rdsOf = (m: (typeof models)[number]): (string | undefined)[] => [
      ...(m.vrfs ?? []).map((v) => v.rd),
      ...(m.l2vnis ?? []).map((l) => l.rd),
    ];
    const [a = [], b = []] = models.map(rdsOf);
    expect(a).toEqual(['192.0.2.2:20000', undefined, '192.0.2.2:10100']);
    expect(b).toEqual(['192.0.2.1:20000', undefined, '192.0.2.1:10100']);
  });
});
