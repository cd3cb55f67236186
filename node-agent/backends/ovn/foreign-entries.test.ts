// ovn-controller writes the local MACs (static FDB, master) and IPs (permanent
// neighbours) on the advertise dummy, and deletes entries it thinks are its
// own: the kernel diff must neither remove them (they sit on links we own) nor
// add any there. Entries of the same kind on the kernel backend's links stay
// ours, as before.
import { describe, expect, it } from 'vitest';
import { diffContext } from '../../kernel/diff/context.ts';
import { diffFdb } from '../../kernel/diff/fdb.ts';
import { diffNeighbors } from '../../kernel/diff/neighbors.ts';
import { ownerAlias } from '../../kernel/ownership.ts';
import { fdbEntry, link, neigh } from '../../../test/fixtures/node-agent/kernel-diff.ts';

const links = [
  link(1, 'ovnbr-10101', 'bridge', { alias: ownerAlias('ovn-bridge') }),
  link(2, 'ovnlo-10101', 'dummy', { master: 1, alias: ownerAlias('ovn-advertise') }),
  link(3, 'ovnvx-10101', 'vxlan', { master: 1, alias: ownerAlias('ovn-vxlan') }),
  link(4, 'br-evpn', 'bridge', { alias: ownerAlias('bridge') }),
  link(5, 'evpn-uplink', 'veth', { master: 4, alias: ownerAlias('uplink') }),
];
const ctx = diffContext(links, [], []);

describe("entries on the ovn backend's links are ovn-controller's", () => {
  it('lists exactly the ovn-role links as holding foreign entries', () => {
    expect([...ctx.foreignEntries].sort()).toEqual(['ovnbr-10101', 'ovnlo-10101', 'ovnvx-10101']);
  });

  it("leaves ovn-controller's static FDB entry on the advertise dummy, removes a stale one of ours on the uplink", () => {
    const plan = diffFdb(
      [],
      [fdbEntry(2, 'fa:16:3e:00:00:01', null, 1), fdbEntry(5, '02:00:00:00:01:02', 101, 4)],
      ctx,
    );
    expect(plan.creates).toEqual([]);
    expect(plan.removes).toEqual([
      { op: 'delFdb', fdb: { dev: 'evpn-uplink', mac: '02:00:00:00:01:02', vlan: 101, master: true } },
    ]);
  });

  it("leaves ovn-controller's permanent neighbours on the bridge and the dummy", () => {
    const plan = diffNeighbors(
      [],
      [neigh(1, '10.1.0.11', 'fa:16:3e:00:00:01'), neigh(2, '10.1.0.12', 'fa:16:3e:00:00:02')],
      ctx,
    );
    expect(plan).toEqual({ removes: [], creates: [] });
  });
});
