// The adapter against the real Linux 6.1 kernel in the UML guest, with
// iproute2 as the independent oracle.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bridgeJson, ipJson, ipLink, requireUmlGuest, run } from '../../../test/harness/uml/oracle.ts';
import {
  type KernelAdapter,
  KernelError,
  type KernelOp,
  OWNED_LINK_GROUP,
  openKernel,
  ownerAlias,
  RTPROT_OVN_EVPN,
} from './index.ts';

type Json = Record<string, unknown>;
const info = (l: Json): Json => (l.linkinfo as Json | undefined) ?? {};
const infoData = (l: Json): Json => (info(l).info_data as Json | undefined) ?? {};

const TABLE = 1010100;
const UNREACHABLE_METRIC = 4278198272;

let k: KernelAdapter;

/** One op through the batch API, throwing its KernelError. */
async function applyOne(op: KernelOp): Promise<void> {
  const f = (await k.applyBatch([op])).failed[0];
  if (f !== undefined) throw f.error;
}

beforeAll(() => {
  requireUmlGuest();
  k = openKernel();
});

afterAll(async () => {
  const ours = (await k.dumpLinks()).filter((l) => l.name.startsWith('ka-')).map((l) => l.name);
  await k.deleteLinks(ours);
  k.close();
});

describe('link builders', () => {
  it('creates a vrf with its table, alias and group', async () => {
    await applyOne({
      op: 'createLink',
      link: {
        kind: 'vrf',
        name: 'ka-vrf',
        table: TABLE,
        up: true,
        alias: ownerAlias('vrf/10100'),
        group: OWNED_LINK_GROUP,
      },
    });
    const l = ipLink('ka-vrf');
    expect(info(l).info_kind).toBe('vrf');
    expect(infoData(l).table).toBe(TABLE);
    expect(l.ifalias).toBe('ovn-evpn:vrf/10100');
    expect(String(l.group)).toBe(String(OWNED_LINK_GROUP));
    expect(l.flags).toContain('UP');
  });

  it('gives a vrf an alternative name (RTM_NEWLINKPROP): ip link show and ip route show vrf find it, dumpLinks reads it', async () => {
    await applyOne({
      op: 'createLink',
      link: { kind: 'vrf', name: 'ka-vrf-alt', table: TABLE + 1, up: true, altName: 'ka-alt-1' },
    });
    expect(ipLink('ka-alt-1').ifname).toBe('ka-vrf-alt');
    expect(run('ip', ['route', 'show', 'vrf', 'ka-alt-1']).trim()).toBe('');
    await applyOne({ op: 'setLink', name: 'ka-vrf-alt', change: { altName: 'ka-alt-2' } });
    expect((await k.dumpLinks()).find((l) => l.name === 'ka-vrf-alt')?.altNames).toEqual(['ka-alt-1', 'ka-alt-2']);
    // A name another link has is refused by the kernel (the diff never asks for one: vrf-alt-name.test.ts).
    await expect(applyOne({ op: 'setLink', name: 'ka-vrf-alt', change: { altName: 'ka-vrf' } })).rejects.toThrow(
      KernelError,
    );
  });

  it('creates a VLAN-aware bridge: vlan_filtering 1, default pvid 0, stp off, addrgenmode none, MAC', async () => {
    await applyOne({
      op: 'createLink',
      link: { kind: 'bridge', name: 'ka-br', address: '02:00:00:00:aa:01', addrGenModeNone: true, mtu: 9000, up: true },
    });
    const l = ipLink('ka-br');
    expect(info(l).info_kind).toBe('bridge');
    expect(infoData(l)).toMatchObject({ vlan_filtering: 1, vlan_default_pvid: 0, stp_state: 0 });
    expect(l.address).toBe('02:00:00:00:aa:01');
    expect(l.mtu).toBe(9000);
    expect(l.inet6_addr_gen_mode).toBe('none');
  });

  it('creates a vxlan: id, local, dstport 4789, nolearning, master', async () => {
    await applyOne({
      op: 'createLink',
      link: {
        kind: 'vxlan',
        name: 'ka-vx',
        vni: 10101,
        local: '10.0.0.1',
        master: 'ka-br',
        addrGenModeNone: true,
        up: true,
      },
    });
    const l = ipLink('ka-vx');
    expect(info(l).info_kind).toBe('vxlan');
    expect(infoData(l)).toMatchObject({ id: 10101, local: '10.0.0.1', port: 4789, learning: false });
    expect(l.master).toBe('ka-br');
    expect(info(l).info_slave_kind).toBe('bridge');
  });

  it('creates a vlan on the bridge (an SVI) enslaved to the vrf', async () => {
    await applyOne({
      op: 'createLink',
      link: { kind: 'vlan', name: 'ka-br.101', link: 'ka-br', vlanId: 101, master: 'ka-vrf', up: true },
    });
    const l = ipLink('ka-br.101');
    expect(info(l).info_kind).toBe('vlan');
    expect(infoData(l)).toMatchObject({ protocol: '802.1Q', id: 101 });
    expect(l.link).toBe('ka-br');
    expect(l.master).toBe('ka-vrf');
  });

  it('creates a veth pair with the peer name and MAC', async () => {
    await applyOne({
      op: 'createLink',
      link: { kind: 'veth', name: 'ka-ve0', peer: { name: 'ka-ve1', address: '02:00:00:00:aa:02' } },
    });
    expect(info(ipLink('ka-ve0')).info_kind).toBe('veth');
    expect(ipLink('ka-ve1').address).toBe('02:00:00:00:aa:02');
    expect(ipLink('ka-ve0').link).toBe('ka-ve1');
  });

  it('creates a dummy', async () => {
    await applyOne({ op: 'createLink', link: { kind: 'dummy', name: 'ka-dum', master: 'ka-vrf', mtu: 1400 } });
    const l = ipLink('ka-dum');
    expect(info(l).info_kind).toBe('dummy');
    expect(l.master).toBe('ka-vrf');
    expect(l.mtu).toBe(1400);
  });

  it('rejects names longer than 15 bytes before asking the kernel', async () => {
    const writes = k.writeCount;
    await expect(applyOne({ op: 'createLink', link: { kind: 'dummy', name: 'ka-sixteen-chars' } })).rejects.toThrow(
      /invalid link name/,
    );
    expect(k.writeCount).toBe(writes);
  });
});

describe('link changes', () => {
  it('sets mtu, alias, master/nomaster, up/down', async () => {
    await applyOne({ op: 'setLink', name: 'ka-dum', change: { mtu: 1300, alias: ownerAlias('lo/10100'), up: true } });
    let l = ipLink('ka-dum');
    expect(l.mtu).toBe(1300);
    expect(l.ifalias).toBe('ovn-evpn:lo/10100');
    expect(l.flags).toContain('UP');
    await applyOne({ op: 'setLink', name: 'ka-dum', change: { master: null, alias: null, up: false } });
    l = ipLink('ka-dum');
    expect(l.master).toBeUndefined();
    expect(l.ifalias).toBeUndefined();
    expect(l.flags).not.toContain('UP');
    await applyOne({ op: 'setLink', name: 'ka-dum', change: { master: 'ka-vrf' } });
    expect(ipLink('ka-dum').master).toBe('ka-vrf');
  });
});

describe('dumps', () => {
  it('dumpLinks parses kind data, master, alias, mtu, mac, operstate', async () => {
    const links = await k.dumpLinks();
    const by = new Map(links.map((l) => [l.name, l]));
    const br = by.get('ka-br');
    const vrf = by.get('ka-vrf');
    expect(vrf).toMatchObject({
      kind: 'vrf',
      vrf: { table: TABLE },
      alias: 'ovn-evpn:vrf/10100',
      group: OWNED_LINK_GROUP,
      up: true,
    });
    expect(br).toMatchObject({
      kind: 'bridge',
      bridge: { vlanFiltering: true, vlanDefaultPvid: 0, stp: false },
      address: '02:00:00:00:aa:01',
      mtu: 9000,
    });
    // the MTU is set after create, so it sticks when ports with a smaller MTU join
    expect(by.get('ka-vx')).toMatchObject({
      kind: 'vxlan',
      vxlan: { vni: 10101, local: '10.0.0.1', port: 4789, learning: false },
      master: br?.index,
      slaveKind: 'bridge',
    });
    expect(by.get('ka-br.101')).toMatchObject({ kind: 'vlan', vlan: { id: 101 }, link: br?.index, master: vrf?.index });
    expect(by.get('ka-ve0')?.link).toBe(by.get('ka-ve1')?.index);
    // operstate agrees with iproute2 for every link
    for (const l of ipJson(['link', 'show']) as Json[]) {
      expect(by.get(String(l.ifname))?.operstate.toUpperCase()).toBe(l.operstate);
    }
  });

  it('getLink returns null for a missing link', async () => {
    expect(await k.getLink('ka-missing')).toBeNull();
  });
});

describe('addresses and routes', () => {
  it('adds and deletes an address, visible in dumpAddrs', async () => {
    await applyOne({ op: 'addAddr', addr: { dev: 'ka-br.101', address: '10.101.0.2/24' } });
    await applyOne({ op: 'addAddr', addr: { dev: 'ka-br.101', address: 'fd00:101::2/64' } });
    const idx = (await k.getLink('ka-br.101'))?.index;
    const addrs = (await k.dumpAddrs()).filter((a) => a.index === idx);
    expect(addrs).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ family: 4, address: '10.101.0.2', prefixLen: 24 }),
        expect.objectContaining({ family: 6, address: 'fd00:101::2', prefixLen: 64 }),
      ]),
    );
    const ip = ipJson(['addr', 'show', 'dev', 'ka-br.101']) as Json[];
    expect(JSON.stringify(ip)).toContain('"local":"10.101.0.2","prefixlen":24');
    await applyOne({ op: 'delAddr', addr: { dev: 'ka-br.101', address: 'fd00:101::2/64' } });
    expect(JSON.stringify(ipJson(['addr', 'show', 'dev', 'ka-br.101']))).not.toContain('fd00:101::2');
  });

  it('installs unreachable default metric 4278198272 in table 1010100 with our protocol', async () => {
    await applyOne({
      op: 'replaceRoute',
      route: { table: TABLE, dst: 'default', type: 'unreachable', metric: UNREACHABLE_METRIC },
    });
    const ip = ipJson(['route', 'show', 'table', String(TABLE)]) as Json[];
    expect(ip).toContainEqual(
      expect.objectContaining({
        type: 'unreachable',
        dst: 'default',
        metric: UNREACHABLE_METRIC,
        protocol: String(RTPROT_OVN_EVPN),
      }),
    );
    const ours = await k.dumpRoutes({ table: TABLE, protocol: RTPROT_OVN_EVPN });
    expect(ours).toEqual([
      expect.objectContaining({
        family: 4,
        dst: 'default',
        type: 'unreachable',
        metric: UNREACHABLE_METRIC,
        table: TABLE,
      }),
    ]);
    // replace is idempotent
    await applyOne({
      op: 'replaceRoute',
      route: { table: TABLE, dst: 'default', type: 'unreachable', metric: UNREACHABLE_METRIC },
    });
    expect(await k.dumpRoutes({ table: TABLE, protocol: RTPROT_OVN_EVPN })).toHaveLength(1);
  });

  it('installs a route via a nexthop on the SVI and deletes it', async () => {
    await applyOne({
      op: 'addRoute',
      route: { table: TABLE, dst: '172.16.9.0/24', via: '10.101.0.9', dev: 'ka-br.101' },
    });
    const ip = ipJson(['route', 'show', 'table', String(TABLE), '172.16.9.0/24']) as Json[];
    expect(ip).toEqual([expect.objectContaining({ dst: '172.16.9.0/24', gateway: '10.101.0.9', dev: 'ka-br.101' })]);
    const idx = (await k.getLink('ka-br.101'))?.index;
    expect(await k.dumpRoutes({ table: TABLE, family: 4 })).toContainEqual(
      expect.objectContaining({ dst: '172.16.9.0/24', gateway: '10.101.0.9', oif: idx, protocol: RTPROT_OVN_EVPN }),
    );
    await applyOne({
      op: 'delRoute',
      route: { table: TABLE, dst: '172.16.9.0/24', via: '10.101.0.9', dev: 'ka-br.101' },
    });
    expect(ipJson(['route', 'show', 'table', String(TABLE), '172.16.9.0/24'])).toEqual([]);
  });

  it('does not delete a route of another protocol', async () => {
    run('ip', ['route', 'add', '172.16.10.0/24', 'via', '10.101.0.9', 'table', String(TABLE), 'proto', 'static']);
    await expect(
      applyOne({ op: 'delRoute', route: { table: TABLE, dst: '172.16.10.0/24', via: '10.101.0.9' } }),
    ).rejects.toMatchObject({ errno: 'ESRCH' });
    expect(ipJson(['route', 'show', 'table', String(TABLE), '172.16.10.0/24'])).toHaveLength(1);
  });
});

describe('neighbours', () => {
  it('replaces permanent and noarp neighbours on the SVI; dumpNeighbors parses them', async () => {
    await applyOne({
      op: 'replaceNeighbor',
      neighbor: { dev: 'ka-br.101', dst: '10.101.0.9', lladdr: '02:00:00:00:01:09' },
    });
    await applyOne({
      op: 'replaceNeighbor',
      neighbor: { dev: 'ka-br.101', dst: '10.101.0.10', lladdr: '02:00:00:00:01:0a', state: 'noarp' },
    });
    await applyOne({
      op: 'replaceNeighbor',
      neighbor: { dev: 'ka-br.101', dst: '10.101.0.9', lladdr: '02:00:00:00:01:19' },
    });
    const ip = ipJson(['neigh', 'show', 'nud', 'all', 'dev', 'ka-br.101']) as Json[];
    expect(ip).toContainEqual(
      expect.objectContaining({ dst: '10.101.0.9', lladdr: '02:00:00:00:01:19', state: ['PERMANENT'] }),
    );
    expect(ip).toContainEqual(
      expect.objectContaining({ dst: '10.101.0.10', lladdr: '02:00:00:00:01:0a', state: ['NOARP'] }),
    );
    const idx = (await k.getLink('ka-br.101'))?.index;
    const ns = await k.dumpNeighbors({ ...(idx !== undefined ? { index: idx } : {}) });
    expect(ns).toContainEqual(
      expect.objectContaining({ dst: '10.101.0.9', lladdr: '02:00:00:00:01:19', states: ['permanent'] }),
    );
    await applyOne({
      op: 'delNeighbor',
      neighbor: { dev: 'ka-br.101', dst: '10.101.0.10', lladdr: '02:00:00:00:01:0a' },
    });
    expect(JSON.stringify(ipJson(['neigh', 'show', 'nud', 'all', 'dev', 'ka-br.101']))).not.toContain('10.101.0.10');
  });
});

describe('bridge vlans, port flags and FDB', () => {
  it('adds the bridge self vlan and the vxlan port vlan as pvid untagged', async () => {
    await applyOne({ op: 'addBridgeVlan', vlan: { dev: 'ka-br', vid: 101, self: true } });
    await applyOne({ op: 'addBridgeVlan', vlan: { dev: 'ka-vx', vid: 101, pvid: true, untagged: true } });
    const vl = bridgeJson(['vlan', 'show']) as Json[];
    const of = (n: string): Json[] => (vl.find((p) => p.ifname === n)?.vlans as Json[] | undefined) ?? [];
    expect(of('ka-br')).toEqual([{ vlan: 101 }]);
    expect(of('ka-vx')).toEqual([{ vlan: 101, flags: ['PVID', 'Egress Untagged'] }]);
    const ports = await k.dumpBridgeVlans();
    expect(ports.find((p) => p.name === 'ka-br')?.vlans).toEqual([{ vid: 101, pvid: false, untagged: false }]);
    expect(ports.find((p) => p.name === 'ka-vx')?.vlans).toEqual([{ vid: 101, pvid: true, untagged: true }]);
  });

  it('deletes a port vlan', async () => {
    await applyOne({ op: 'addBridgeVlan', vlan: { dev: 'ka-vx', vid: 102 } });
    await applyOne({ op: 'delBridgeVlan', vlan: { dev: 'ka-vx', vid: 102 } });
    expect((await k.dumpBridgeVlans()).find((p) => p.name === 'ka-vx')?.vlans.map((v) => v.vid)).toEqual([101]);
  });

  it('sets learning off and neigh_suppress on', async () => {
    await applyOne({ op: 'setBridgePort', port: { dev: 'ka-vx', learning: false, neighSuppress: true } });
    const l = ipLink('ka-vx');
    expect(info(l).info_slave_data as Json).toMatchObject({ learning: false, neigh_suppress: true });
    expect((await k.dumpBridgeVlans()).find((p) => p.name === 'ka-vx')).toMatchObject({
      learning: false,
      neighSuppress: true,
    });
  });

  it('adds static MAC entries with master+vlan and the zero-MAC flood entries with dst', async () => {
    await applyOne({ op: 'addFdb', fdb: { dev: 'ka-vx', mac: '02:00:00:00:01:02', vlan: 101, master: true } });
    await applyOne({
      op: 'appendFdb',
      fdb: { dev: 'ka-vx', mac: '00:00:00:00:00:00', dst: '10.0.0.2', self: true, state: 'permanent' },
    });
    await applyOne({
      op: 'appendFdb',
      fdb: { dev: 'ka-vx', mac: '00:00:00:00:00:00', dst: '10.0.0.3', self: true, state: 'permanent' },
    });
    const fdb = bridgeJson(['fdb', 'show', 'dev', 'ka-vx']) as Json[];
    expect(fdb).toContainEqual(
      expect.objectContaining({ mac: '02:00:00:00:01:02', vlan: 101, master: 'ka-br', state: 'static' }),
    );
    expect(fdb).toContainEqual(
      expect.objectContaining({ mac: '00:00:00:00:00:00', dst: '10.0.0.2', flags: ['self'], state: 'permanent' }),
    );
    expect(fdb).toContainEqual(
      expect.objectContaining({ mac: '00:00:00:00:00:00', dst: '10.0.0.3', flags: ['self'], state: 'permanent' }),
    );
    const vx = await k.getLink('ka-vx');
    const br = await k.getLink('ka-br');
    const ours = await k.dumpFdb({ ...(vx !== null ? { index: vx.index } : {}) });
    expect(ours).toContainEqual(
      expect.objectContaining({
        mac: '02:00:00:00:01:02',
        vlan: 101,
        master: br?.index,
        states: ['noarp'],
        self: false,
      }),
    );
    expect(
      ours
        .filter((e) => e.mac === '00:00:00:00:00:00')
        .map((e) => e.dst)
        .sort(),
    ).toEqual(['10.0.0.2', '10.0.0.3']);
    await applyOne({ op: 'delFdb', fdb: { dev: 'ka-vx', mac: '00:00:00:00:00:00', dst: '10.0.0.3', self: true } });
    await applyOne({ op: 'delFdb', fdb: { dev: 'ka-vx', mac: '02:00:00:00:01:02', vlan: 101, master: true } });
    const after = bridgeJson(['fdb', 'show', 'dev', 'ka-vx']) as Json[];
    expect(after.filter((e) => e.mac === '00:00:00:00:00:00').map((e) => e.dst)).toEqual(['10.0.0.2']);
    expect(after.some((e) => e.mac === '02:00:00:00:01:02')).toBe(false);
  });
});

describe('errors', () => {
  it('creating a link twice is a KernelError EEXIST naming the link', async () => {
    const err = await applyOne({ op: 'createLink', link: { kind: 'vxlan', name: 'ka-vx', vni: 10101 } }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(KernelError);
    expect(err).toMatchObject({ errno: 'EEXIST', code: 17, op: 'create link', object: 'ka-vx' });
    expect((err as Error).message).toBe('create link ka-vx: EEXIST (file exists)');
  });

  it('deleting a missing link is ENODEV, a missing route ESRCH, a missing fdb entry ENOENT', async () => {
    await expect(applyOne({ op: 'deleteLink', name: 'ka-missing' })).rejects.toMatchObject({
      errno: 'ENODEV',
      message: 'delete link ka-missing: ENODEV (no such device)',
    });
    await expect(
      applyOne({ op: 'delRoute', route: { table: TABLE, dst: '192.0.2.0/24', via: '10.101.0.9' } }),
    ).rejects.toMatchObject({ errno: 'ESRCH' });
    await expect(
      applyOne({ op: 'delFdb', fdb: { dev: 'ka-vx', mac: '02:00:00:00:09:09', vlan: 101, master: true } }),
    ).rejects.toMatchObject({ errno: 'ENOENT' });
  });

  it('an op on a missing device fails without a write and names the device', async () => {
    const writes = k.writeCount;
    await expect(
      applyOne({ op: 'addFdb', fdb: { dev: 'ka-nodev', mac: '02:00:00:00:09:09', master: true } }),
    ).rejects.toMatchObject({ errno: 'ENODEV', message: expect.stringContaining('(no link "ka-nodev")') as unknown });
    expect(k.writeCount).toBe(writes);
  });

  it('a batch reports every failure and applies the rest', async () => {
    const r = await k.applyBatch([
      { op: 'createLink', link: { kind: 'dummy', name: 'ka-b1' } },
      { op: 'createLink', link: { kind: 'dummy', name: 'ka-b1' } },
      { op: 'createLink', link: { kind: 'dummy', name: 'ka-b2' } },
      { op: 'deleteLink', name: 'ka-missing' },
    ]);
    expect(r.ok).toBe(2);
    expect(r.failed.map((f) => f.error.message)).toEqual([
      'create link ka-b1: EEXIST (file exists)',
      'delete link ka-missing: ENODEV (no such device)',
    ]);
  });
});

describe('write counter', () => {
  it('reads and failed lookups make no writes; each write request counts once', async () => {
    const before = k.writeCount;
    await k.dumpLinks();
    await k.dumpRoutes();
    await k.dumpFdb();
    await k.dumpBridgeVlans();
    await k.dumpNeighbors();
    await k.dumpAddrs();
    expect(k.writeCount).toBe(before);
    await applyOne({ op: 'setLink', name: 'ka-b2', change: { mtu: 1280 } });
    expect(k.writeCount).toBe(before + 1);
  });
});
