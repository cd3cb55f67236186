import { describe, expect, it } from 'vitest';
import * as C from './constants.ts';
import { decodeEvent } from './kernel-monitor.ts';
import { encodeCreateLink } from './link-codec.ts';
import { encodeFdb } from './neigh-codec.ts';
import { encodeRoute } from './addr-route-codec.ts';

describe('decodeEvent', () => {
  it('classifies link, fdb and route notifications', () => {
    expect(decodeEvent(C.RTM_DELLINK, encodeCreateLink({ kind: 'dummy', name: 'd0' }))).toMatchObject({ kind: 'link', action: 'del', link: { name: 'd0' } });
    expect(decodeEvent(C.RTM_NEWNEIGH, encodeFdb({ dev: 3, mac: '02:00:00:00:00:01', master: true }))).toMatchObject({ kind: 'fdb', action: 'new', fdb: { mac: '02:00:00:00:00:01' } });
    expect(decodeEvent(C.RTM_NEWROUTE, encodeRoute({ table: 5, dst: '10.0.0.0/8', dev: 2 }))).toMatchObject({ kind: 'route', route: { table: 5 } });
  });

  it('ignores message types and families it does not report', () => {
    expect(decodeEvent(C.NLMSG_DONE, Buffer.alloc(4))).toBeNull();
    const ipmr = encodeRoute({ table: 5, dst: '10.0.0.0/8', dev: 2 });
    ipmr.writeUInt8(128, 0);
    expect(decodeEvent(C.RTM_NEWROUTE, ipmr)).toBeNull();
  });
});
