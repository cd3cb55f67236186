import { describe, expect, it } from 'vitest';
import * as C from './constants.ts';
import { decodeAddr, decodeRoute, encodeAddr, encodeRoute } from './addr-route-codec.ts';
import { RTPROT_OVN_EVPN } from '../ownership.ts';

describe('routes', () => {
  it('a table above 255 goes in RTA_TABLE with rtm_table RT_TABLE_COMPAT', () => {
    const buf = encodeRoute({ table: 1010100, dst: 'default', type: 'unreachable', metric: 4278198272 });
    expect(buf.readUInt8(4)).toBe(C.RT_TABLE_COMPAT);
    expect(buf.readUInt8(5)).toBe(RTPROT_OVN_EVPN);
    expect(buf.readUInt8(7)).toBe(C.RTN_UNREACHABLE);
    expect(decodeRoute(buf)).toMatchObject({
      family: 4,
      table: 1010100,
      dst: 'default',
      type: 'unreachable',
      metric: 4278198272,
      protocol: RTPROT_OVN_EVPN,
      scope: C.RT_SCOPE_UNIVERSE,
    });
  });

  it('a route via a gateway has universe scope, a device route link scope', () => {
    expect(decodeRoute(encodeRoute({ table: 254, dst: '172.16.0.0/24', via: '10.0.0.2', dev: 5 }))).toMatchObject({
      dst: '172.16.0.0/24',
      gateway: '10.0.0.2',
      oif: 5,
      scope: C.RT_SCOPE_UNIVERSE,
      table: 254,
    });
    expect(decodeRoute(encodeRoute({ table: 254, dst: '172.16.0.0/24', dev: 5 })).scope).toBe(C.RT_SCOPE_LINK);
  });

  it('a delete matches any scope', () => {
    expect(encodeRoute({ table: 254, dst: '172.16.0.0/24', dev: 5 }, true).readUInt8(6)).toBe(C.RT_SCOPE_NOWHERE);
  });

  it('an IPv6 default takes its family from the gateway', () => {
    expect(decodeRoute(encodeRoute({ table: 10, dst: 'default', via: 'fd00::1' }))).toMatchObject({
      family: 6,
      dst: 'default',
      gateway: 'fd00::1',
    });
  });

  it('refuses a gateway of the other family', () => {
    expect(() => encodeRoute({ table: 10, dst: '10.0.0.0/8', via: 'fd00::1' })).toThrow(/another address family/);
  });
});

describe('addresses', () => {
  it('round-trips an IPv4 and an IPv6 address', () => {
    expect(decodeAddr(encodeAddr({ dev: 4, address: '10.101.0.2/24' }))).toMatchObject({
      index: 4,
      family: 4,
      address: '10.101.0.2',
      prefixLen: 24,
      local: null,
    });
    expect(decodeAddr(encodeAddr({ dev: 4, address: 'fd00::2/64' }))).toMatchObject({
      family: 6,
      address: 'fd00::2',
      prefixLen: 64,
    });
  });
});
