import { describe, expect, it } from 'vitest';
import * as C from './constants.ts';
import { describeOp, encodeOp, type KernelOp, nameChangedBy, namesToResolve } from './kernel-ops.ts';
import { decodeLink } from './link-decoder.ts';

const must = <T>(x: T | undefined): T => {
  if (x === undefined) throw new Error('missing');
  return x;
};

const ix = (n: string): number => ({ br: 3, vrf: 2, vx: 4, svi: 5 })[n] ?? 99;

describe('kernel ops', () => {
  it('lists the names a request needs as ifindexes', () => {
    expect(
      namesToResolve({ op: 'createLink', link: { kind: 'vlan', name: 'svi', link: 'br', vlanId: 101, master: 'vrf' } }),
    ).toEqual(['vrf', 'br']);
    expect(namesToResolve({ op: 'deleteLink', name: 'vx' })).toEqual([]);
    expect(namesToResolve({ op: 'addFdb', fdb: { dev: 'vx', mac: '02:00:00:00:00:01' } })).toEqual(['vx']);
    expect(nameChangedBy({ op: 'createLink', link: { kind: 'dummy', name: 'd' } })).toBe('d');
  });

  it('a plain create is one RTM_NEWLINK with CREATE|EXCL', () => {
    const reqs = encodeOp(
      { op: 'createLink', link: { kind: 'vxlan', name: 'vx', vni: 1, master: 'br', up: true } },
      ix,
    );
    expect(reqs.map((r) => [r.type, r.flags])).toEqual([[C.RTM_NEWLINK, C.NLM_F_CREATE | C.NLM_F_EXCL]]);
    expect(decodeLink(must(reqs[0]).payload)).toMatchObject({ master: 3, up: true });
  });

  it('alias and addrgenmode follow the create in an RTM_SETLINK that also brings the link up', () => {
    const reqs = encodeOp(
      {
        op: 'createLink',
        link: { kind: 'bridge', name: 'br', alias: 'ovn-evpn:b', addrGenModeNone: true, up: true, mtu: 9000 },
      },
      ix,
    );
    expect(reqs.map((r) => r.type)).toEqual([C.RTM_NEWLINK, C.RTM_SETLINK]);
    expect(decodeLink(must(reqs[0]).payload)).toMatchObject({ up: false, alias: null, mtu: 0 });
    expect(decodeLink(must(reqs[1]).payload)).toMatchObject({ name: 'br', up: true, alias: 'ovn-evpn:b', mtu: 9000 });
  });

  it('fdb append and replace use the matching netlink flags', () => {
    const fdb = { dev: 'vx', mac: '00:00:00:00:00:00', dst: '10.0.0.2', self: true, state: 'permanent' } as const;
    expect(encodeOp({ op: 'appendFdb', fdb }, ix)[0]?.flags).toBe(C.NLM_F_CREATE | C.NLM_F_APPEND);
    expect(encodeOp({ op: 'replaceFdb', fdb }, ix)[0]?.flags).toBe(C.NLM_F_CREATE | C.NLM_F_REPLACE);
    expect(encodeOp({ op: 'delFdb', fdb }, ix)[0]?.type).toBe(C.RTM_DELNEIGH);
  });

  it.each<[KernelOp, string]>([
    [
      { op: 'replaceRoute', route: { table: 1010100, dst: 'default', type: 'unreachable', metric: 4278198272 } },
      'replace route unreachable default table 1010100 metric 4278198272',
    ],
    [
      { op: 'appendFdb', fdb: { dev: 'vx', mac: '00:00:00:00:00:00', dst: '10.0.0.2', self: true } },
      'append fdb entry 00:00:00:00:00:00 dev vx dst 10.0.0.2 self',
    ],
    [{ op: 'addBridgeVlan', vlan: { dev: 'br', vid: 101, self: true } }, 'add bridge vlan vid 101 dev br self'],
  ])('describes %j for error messages', (op, text) => {
    const d = describeOp(op);
    expect(`${d.op} ${d.object}`).toBe(text);
  });
});
