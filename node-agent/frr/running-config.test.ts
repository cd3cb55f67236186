import { describe, expect, it } from 'vitest';
import { findVniProblems, parseReloadTestOutput, planVniRepair, residualDiff } from './running-config.ts';

// Shape of `show running-config` after the FRR 8.4 pass-2 misparse (seen on real FRR).
const broken = `frr version 8.4.4
frr defaults datacenter
hostname vm
!
vni 10100
!
vrf vrf-10200
 vni 10200
exit-vrf
!
router bgp 65000
 bgp router-id 10.0.0.1
 vrf-policy vrf-10100
 exit-vrf-policy
 !
 address-family l2vpn evpn
  advertise-all-vni
 exit-address-family
exit
!
router bgp 65000 vrf vrf-10100
 bgp router-id 10.0.0.1
exit
!
end
`;

describe('findVniProblems / planVniRepair', () => {
  it('finds a VRF whose VNI went to the global node and the stray vrf-policy', () => {
    const p = findVniProblems(broken, [
      { vrf: 'vrf-10100', vni: 10100 },
      { vrf: 'vrf-10200', vni: 10200 },
    ]);
    expect(p).toEqual({
      missing: [{ vrf: 'vrf-10100', vni: 10100 }],
      strayGlobalVnis: [10100],
      strayVrfPolicies: [{ asn: 65000, name: 'vrf-10100' }],
    });
    expect(planVniRepair(p)).toEqual([
      'configure terminal',
      'no vni 10100',
      'router bgp 65000',
      'no vrf-policy vrf-10100',
      'exit',
      'vrf vrf-10100',
      'vni 10100',
      'exit-vrf',
      'end',
    ]);
  });

  it('replaces a wrong VNI and plans nothing when all is well', () => {
    const running = 'vrf a\n vni 5\nexit-vrf\n!\n';
    const wrong = findVniProblems(running, [{ vrf: 'a', vni: 6 }]);
    expect(planVniRepair(wrong)).toEqual(['configure terminal', 'vrf a', 'no vni 5', 'vni 6', 'exit-vrf', 'end']);
    expect(planVniRepair(findVniProblems(running, [{ vrf: 'a', vni: 5 }]))).toEqual([]);
  });
});

describe('parseReloadTestOutput / residualDiff', () => {
  it('splits the sections and drops the benign hostname and bfd lines', () => {
    const out =
      '\nLines To Delete\n===============\nno hostname vm\nno bfd\nrouter bgp 1\n no neighbor 10.0.0.2 bfd\n\nLines To Add\n============\nvrf a\n vni 5\n';
    const diff = parseReloadTestOutput(out);
    expect(diff.toAdd).toEqual(['vrf a', ' vni 5']);
    expect(residualDiff(diff)).toEqual({
      toDelete: ['router bgp 1', ' no neighbor 10.0.0.2 bfd'],
      toAdd: ['vrf a', ' vni 5'],
    });
    expect(residualDiff(parseReloadTestOutput('\nLines To Delete\n===============\nno hostname uml\n'))).toEqual({
      toDelete: [],
      toAdd: [],
    });
  });

  it("keeps FRR 10.7.1's deletion of use-underlays-nexthop-weight: with our render it means deterministic-med is on", () => {
    const out =
      '\nLines To Delete\n===============\nno hostname uml\nrouter bgp 65000\n no use-underlays-nexthop-weight\nexit\n';
    expect(residualDiff(parseReloadTestOutput(out))).toEqual({
      toDelete: ['router bgp 65000', ' no use-underlays-nexthop-weight', 'exit'],
      toAdd: [],
    });
  });
});
