import { describe, expect, it } from 'vitest';
import type { EvpnNetwork, EvpnVrf } from '../../crds/index.ts';
import { selectFrrApplicable } from './select-frr.ts';

const node = { asn: 65000, routerId: '10.0.0.1' };
const vrf = (name: string, vni: number, spec: object = {}): EvpnVrf =>
  ({ metadata: { name }, spec: { vni, ...spec } }) as unknown as EvpnVrf;
const l2 = (name: string, vni: number, vrfName: string, spec: object = {}): EvpnNetwork =>
  ({ metadata: { name }, spec: { type: 'l2', vni, vrf: vrfName, ...spec } }) as unknown as EvpnNetwork;

describe('selectFrrApplicable', () => {
  it("a bad route target fails its VRF (and that VRF's networks) alone; every other object is in the config", () => {
    const s = selectFrrApplicable(
      node,
      [
        vrf('red', 100, { routeTargets: ['65000:100'] }),
        vrf('bad', 200, { importTargets: ['065000:1'] }),
        vrf('blue', 300),
      ],
      [
        l2('red-net', 1100, 'red'),
        l2('bad-net', 1200, 'bad'),
        l2('blue-net', 1300, 'blue', { exportTargets: ['0:100'] }),
      ],
    );
    expect(s.config.ok).toBe(true);
    expect(s.vrfs.map((v) => v.metadata.name)).toEqual(['red', 'blue']);
    expect(s.networks.map((n) => n.metadata.name)).toEqual(['red-net']);
    expect(s.rejectedVrfs.get('bad')?.message).toMatch(
      /^EVPN-006: FRR cannot take it: importRts\[0\]: the administrator must be an ASN/,
    );
    expect(s.rejectedNetworks.get('bad-net')?.message).toMatch(/^EVPN-006: its EvpnVrf bad is not applied/);
    expect(s.rejectedNetworks.get('blue-net')?.message).toMatch(
      /^EVPN-006: FRR cannot take it: exportRts\[0\]: the ASN must be 1-4294967295/,
    );
    expect(s.config.ok && s.config.config.vrfVnis).toEqual([
      { vrf: 'vrf-100', vni: 100 },
      { vrf: 'vrf-300', vni: 300 },
    ]);
  });

  it('node-level errors still fail the whole model and reject no object', () => {
    const s = selectFrrApplicable({ asn: 65000, routerId: 'not-an-ip' }, [vrf('red', 100)], []);
    expect(s.config.ok).toBe(false);
    expect(s.rejectedVrfs.size).toBe(0);
    expect(s.vrfs).toHaveLength(1);
  });
});
