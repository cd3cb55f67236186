import { describe, expect, it } from 'vitest';
import { EMPTY_VIEW, judgeMember, toServerDatabase, type ClusterView, type ServerDatabase } from './cluster-member.ts';

const CID = '11111111-1111-1111-1111-111111111111';
const NEW_CID = '22222222-2222-2222-2222-222222222222';
const DB = 'OVN_Northbound';
const member = (over: Partial<ServerDatabase> = {}): ServerDatabase => ({
  name: DB,
  model: 'clustered',
  connected: true,
  leader: false,
  schema: '{}',
  cid: CID,
  sid: 'sid-1',
  index: 40,
  ...over,
});
const seen = (minIndex: number, cid: string | undefined = CID): ClusterView => ({ cid, minIndex });

describe('judgeMember', () => {
  it.each<{
    name: string;
    row: ServerDatabase | undefined;
    view: ClusterView;
    ok: boolean;
    reason?: RegExp;
    next?: ClusterView;
    replaced?: boolean;
  }>([
    {
      name: 'a follower in good standing is used, its index becomes the floor',
      row: member(),
      view: EMPTY_VIEW,
      ok: true,
      next: seen(40),
    },
    {
      name: 'the leader is used too',
      row: member({ leader: true, index: 41 }),
      view: seen(40),
      ok: true,
      next: seen(41),
    },
    {
      name: 'a member cut off from its cluster is left',
      row: member({ connected: false }),
      view: seen(10),
      ok: false,
      reason: /disconnected from its cluster/,
    },
    {
      name: 'a member cut off is left even on first contact',
      row: member({ connected: false }),
      view: EMPTY_VIEW,
      ok: false,
      reason: /disconnected/,
    },
    {
      name: 'a member that has not joined yet (no schema) is left',
      row: member({ schema: null, connected: false }),
      view: EMPTY_VIEW,
      ok: false,
      reason: /not joined its cluster yet/,
    },
    {
      name: 'a member behind what was already read is left',
      row: member({ index: 39 }),
      view: seen(40),
      ok: false,
      reason: /stale data \(index 39, already read up to 40\)/,
    },
    {
      name: 'a member at the same index is used, the floor does not move back',
      row: member({ index: 40 }),
      view: seen(40),
      ok: true,
      next: seen(40),
    },
    {
      name: 'a re-created database (new cid) is used, said, and its index starts a new floor',
      row: member({ cid: NEW_CID, index: 3 }),
      view: seen(4000),
      ok: true,
      next: seen(3, NEW_CID),
      replaced: true,
    },
    {
      name: 'a standalone database is always used',
      row: member({ model: 'standalone', cid: null, index: null, connected: true }),
      view: seen(40),
      ok: true,
      next: seen(40),
    },
    {
      name: 'a connected relay is used',
      row: member({ model: 'relay', cid: null, index: null }),
      view: EMPTY_VIEW,
      ok: true,
      next: EMPTY_VIEW,
    },
    {
      name: 'a relay cut off from its source is left',
      row: member({ model: 'relay', connected: false }),
      view: EMPTY_VIEW,
      ok: false,
      reason: /relay of OVN_Northbound is disconnected/,
    },
    {
      name: 'a server without the database is left',
      row: undefined,
      view: EMPTY_VIEW,
      ok: false,
      reason: /does not serve OVN_Northbound/,
    },
  ])('$name', ({ row, view, ok, reason, next, replaced }) => {
    const verdict = judgeMember(DB, row, view);
    expect(verdict.ok).toBe(ok);
    if (verdict.ok) {
      expect(verdict.view).toEqual(next);
      expect(verdict.replaced !== undefined).toBe(replaced ?? false);
    } else {
      expect(verdict.reason).toMatch(reason ?? /./);
    }
  });

  it('names the old and the new cluster id of a re-created database', () => {
    const verdict = judgeMember(DB, member({ cid: NEW_CID }), seen(5));
    expect(verdict).toMatchObject({ ok: true, replaced: { from: CID, to: NEW_CID } });
  });
});

describe('toServerDatabase', () => {
  it('reads the decoded row, optional columns as null when empty', () => {
    expect(
      toServerDatabase({
        name: DB,
        model: 'clustered',
        connected: true,
        leader: true,
        schema: null,
        cid: CID,
        sid: null,
        index: 7,
      }),
    ).toEqual({
      name: DB,
      model: 'clustered',
      connected: true,
      leader: true,
      schema: null,
      cid: CID,
      sid: null,
      index: 7,
    });
  });
});
