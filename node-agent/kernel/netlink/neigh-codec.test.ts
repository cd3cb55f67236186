import { describe, expect, it } from 'vitest';
import * as C from './constants.ts';
import { decodeFdb, decodeNeighbor, encodeFdb, encodeNeighbor, stateNames } from './neigh-codec.ts';

describe('fdb entries', () => {
  it('a static MAC entry with master and vlan is NUD_NOARP + NTF_MASTER', () => {
    const buf = encodeFdb({ dev: 4, mac: '02:00:00:00:01:02', vlan: 101, master: true });
    expect(buf.readUInt8(0)).toBe(C.AF_BRIDGE);
    expect(buf.readUInt8(10)).toBe(C.NTF_MASTER);
    expect(decodeFdb(buf)).toMatchObject({
      index: 4,
      mac: '02:00:00:00:01:02',
      vlan: 101,
      states: ['noarp'],
      self: false,
      dst: null,
    });
  });

  it('the zero-MAC flood entry is NUD_PERMANENT + NTF_SELF with dst', () => {
    const e = decodeFdb(
      encodeFdb({ dev: 5, mac: '00:00:00:00:00:00', dst: '10.0.0.2', self: true, state: 'permanent' }),
    );
    expect(e).toMatchObject({
      mac: '00:00:00:00:00:00',
      dst: '10.0.0.2',
      self: true,
      states: ['permanent'],
      vlan: null,
    });
  });
});

describe('neighbours', () => {
  it('defaults to permanent and keeps the address family', () => {
    expect(decodeNeighbor(encodeNeighbor({ dev: 6, dst: '10.101.0.9', lladdr: '02:00:00:00:01:09' }))).toMatchObject({
      family: 4,
      dst: '10.101.0.9',
      lladdr: '02:00:00:00:01:09',
      states: ['permanent'],
    });
    expect(
      decodeNeighbor(encodeNeighbor({ dev: 6, dst: 'fd00::9', lladdr: '02:00:00:00:01:09', state: 'noarp' })),
    ).toMatchObject({ family: 6, states: ['noarp'] });
  });

  it('names combined NUD states', () => {
    expect(stateNames(C.NUD_REACHABLE | C.NUD_NOARP)).toEqual(['reachable', 'noarp']);
  });
});
