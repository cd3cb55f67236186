import { describe, expect, it } from 'vitest';
import { holdDeletesWhileUnsynced, UNSYNCED_RETRY_MS, type DeleteHoldInput } from './hold-deletes.ts';
import type { PlannedDelete } from './plan-mirror.ts';

const del = (name: string): PlannedDelete => ({ kind: 'EvpnNetwork', name, uid: `uid-${name}` });
const base: DeleteHoldInput = {
  synced: true,
  deletes: [],
  missingSince: new Map(),
  previouslyMissing: new Map(),
  nextCheckInMs: undefined,
  now: 5000,
};

describe('holdDeletesWhileUnsynced', () => {
  it('passes the plan through while OVN is synced', () => {
    const out = holdDeletesWhileUnsynced({
      ...base,
      deletes: [del('a')],
      missingSince: new Map([['EvpnNetwork/b', 4000]]),
      nextCheckInMs: 300,
    });
    expect(out).toEqual({
      deletes: [del('a')],
      missingSince: new Map([['EvpnNetwork/b', 4000]]),
      nextCheckInMs: 300,
      held: 0,
    });
  });

  it('passes an unsynced pass with nothing to delete through', () => {
    const out = holdDeletesWhileUnsynced({ ...base, synced: false, nextCheckInMs: 3000 });
    expect(out).toEqual({ deletes: [], missingSince: new Map(), nextCheckInMs: 3000, held: 0 });
  });

  it('holds every delete while unsynced, keeping when each object first went missing', () => {
    const out = holdDeletesWhileUnsynced({
      ...base,
      synced: false,
      deletes: [del('a'), del('b')],
      missingSince: new Map([['EvpnNetwork/c', 4500]]),
      previouslyMissing: new Map([['EvpnNetwork/a', 1000]]),
    });
    expect(out.deletes).toEqual([]);
    expect(out.held).toBe(2);
    expect(out.missingSince).toEqual(
      new Map([
        ['EvpnNetwork/c', 4500],
        ['EvpnNetwork/a', 1000],
        ['EvpnNetwork/b', 5000],
      ]),
    );
    expect(out.nextCheckInMs).toBe(UNSYNCED_RETRY_MS);
  });

  it("looks again at the sooner of the plan's next check and the unsynced retry", () => {
    const out = holdDeletesWhileUnsynced({ ...base, synced: false, deletes: [del('a')], nextCheckInMs: 200 });
    expect(out.nextCheckInMs).toBe(200);
  });

  it('does not change the maps it is given', () => {
    const missingSince = new Map([['EvpnNetwork/c', 4500]]);
    holdDeletesWhileUnsynced({ ...base, synced: false, deletes: [del('a')], missingSince });
    expect(missingSince).toEqual(new Map([['EvpnNetwork/c', 4500]]));
  });
});
