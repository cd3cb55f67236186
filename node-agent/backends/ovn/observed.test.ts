// What OVN and zebra wrote, told apart by device and entry kind: the local MACs
// and IPs ovn-controller put on the advertise dummy and bridge, zebra's remote
// MACs and flood list on the VXLAN device, OVN's routes by table.
import { describe, expect, it } from 'vitest';
import { fdbEntry, link, neigh, route, NUD_PERMANENT } from '../../../test/fixtures/node-agent/kernel-diff.ts';
import { observeOvn, RTPROT_OVN } from './observed.ts';
import { withOvnBackend } from './ovn-status.ts';

const links = [
  link(1, 'ovnbr-10101', 'bridge'),
  link(2, 'ovnlo-10101', 'dummy', { master: 1 }),
  link(3, 'ovnvx-10101', 'vxlan', { master: 1 }),
  link(9, 'eth0', 'veth', { owned: false }),
];
const dumps = {
  links,
  fdb: [
    fdbEntry(2, 'fa:16:3e:00:00:01', null, 1),
    fdbEntry(2, 'fa:16:3e:00:00:02', null, 1),
    fdbEntry(3, 'fa:16:3e:00:00:99', null, 1, { externLearn: true }),
    fdbEntry(3, '00:00:00:00:00:00', null, null, { self: true, state: NUD_PERMANENT, dst: '10.0.0.2' }),
    fdbEntry(3, '00:00:00:00:00:00', null, null, { self: true, state: NUD_PERMANENT, dst: '10.0.0.3' }),
    fdbEntry(9, 'fa:16:3e:00:00:03', null, null),
  ],
  neighbors: [neigh(1, '10.1.0.11', 'fa:16:3e:00:00:01'), neigh(9, '192.0.2.1', '02:00:00:00:00:09')],
  routes: [
    route(1010100, '10.1.0.0/24', { protocol: RTPROT_OVN, type: 'blackhole' }),
    route(1010100, '10.8.0.0/24', { protocol: 186 }),
  ],
};

describe('observeOvn', () => {
  const o = observeOvn([10101, 10102], dumps);

  it("counts ovn-controller's local entries and zebra's remote ones per L2VNI", () => {
    expect(o.switches.get(10101)).toEqual({
      localMacs: 2,
      localIps: 1,
      remoteMacs: 1,
      remoteVteps: ['10.0.0.2', '10.0.0.3'],
    });
  });

  it('reports zeros for an L2VNI whose devices are not there (yet)', () => {
    expect(o.switches.get(10102)).toEqual({ localMacs: 0, localIps: 0, remoteMacs: 0, remoteVteps: [] });
  });

  it("counts OVN's routes by table, not BGP's", () => {
    expect([...o.advertisedRoutes]).toEqual([[1010100, 1]]);
  });
});

describe('withOvnBackend', () => {
  const base = { name: 'geneve-a', devices: [], ready: true };
  const input = { networks: new Set(['geneve-a']), observed: observeOvn([10101], dumps) };

  it('shows what OVN wrote as the entries of an ovn network', () => {
    expect(withOvnBackend(base, input, 10101)).toMatchObject({ ready: true, fdbEntries: 2, neighbors: 1 });
  });

  it('fails an ovn network on a chassis key held by someone else, with EVPN-004', () => {
    const r = withOvnBackend(base, { ...input, chassisConflict: 'ovn-evpn-local-ip=192.0.2.7' }, 10101);
    expect(r).toMatchObject({ ready: false, reason: 'ChassisKeyConflict', code: 'EVPN-004' });
    expect(r.message).toBe('EVPN-004: ovn-evpn-local-ip=192.0.2.7');
  });

  it('leaves a kernel network as it is', () => {
    const k = { ...base, name: 'vlan-b', fdbEntries: 3 };
    expect(withOvnBackend(k, { ...input, chassisConflict: 'x' }, 20101)).toBe(k);
  });
});
