import { describe, expect, it } from 'vitest';
import {
  CONFIRM_DELETE_ANNOTATION,
  guardMassDeletes,
  heldSinceFromConditions,
  type MassDeleteInput,
} from './mass-delete-guard.ts';
import type { PlannedDelete } from './plan-mirror.ts';

const del = (name: string): PlannedDelete => ({ kind: 'EvpnNetwork', name, uid: `uid-${name}` });
const dels = (n: number): PlannedDelete[] => Array.from({ length: n }, (_, i) => del(`n${i}`));
const policy = { maxShare: 0.5, floor: 5, holdMs: 600_000 };
const base: MassDeleteInput = {
  deletes: [],
  mirroredCount: 100,
  sourceEmpty: false,
  confirmed: new Set(),
  heldSince: undefined,
  missingSince: new Map(),
  previouslyMissing: new Map(),
  now: 1_000_000,
  policy,
};

interface Row {
  name: string;
  input: Partial<MassDeleteInput>;
  deleted: number;
  held: number;
  heldSince: number | undefined;
  why?: RegExp;
}
const rows: Row[] = [
  { name: 'nothing to delete', input: {}, deleted: 0, held: 0, heldSince: undefined },
  { name: 'a few deletes pass', input: { deletes: dels(3) }, deleted: 3, held: 0, heldSince: undefined },
  {
    name: 'half of the objects pass (not more than the share)',
    input: { deletes: dels(50) },
    deleted: 50,
    held: 0,
    heldSince: undefined,
  },
  {
    name: 'more than half are held',
    input: { deletes: dels(51) },
    deleted: 0,
    held: 51,
    heldSince: 1_000_000,
    why: /51 of 100 mirrored objects \(more than 50%\)/,
  },
  {
    name: 'at the floor a large share still passes (small clouds)',
    input: { deletes: dels(5), mirroredCount: 6 },
    deleted: 5,
    held: 0,
    heldSince: undefined,
  },
  {
    name: 'above the floor a large share is held',
    input: { deletes: dels(6), mirroredCount: 6 },
    deleted: 0,
    held: 6,
    heldSince: 1_000_000,
  },
  {
    name: 'an empty OVN is held and said so',
    input: { deletes: dels(40), mirroredCount: 40, sourceEmpty: true },
    deleted: 0,
    held: 40,
    heldSince: 1_000_000,
    why: /OVN holds no BGPVPN association at all/,
  },
  {
    name: 'an empty OVN is held below the floor too (a small cloud)',
    input: { deletes: dels(2), mirroredCount: 2, sourceEmpty: true },
    deleted: 0,
    held: 2,
    heldSince: 1_000_000,
    why: /OVN holds no BGPVPN association at all; this pass would delete all 2 of 2/,
  },
  {
    name: 'a pass deleting every mirrored object is held below the floor',
    input: { deletes: dels(3), mirroredCount: 3 },
    deleted: 0,
    held: 3,
    heldSince: 1_000_000,
    why: /would delete every mirrored object \(3 of 3\)/,
  },
  {
    name: 'a re-created OVN database holds even a single delete',
    input: { deletes: dels(1), sourceReplaced: true },
    deleted: 0,
    held: 1,
    heldSince: 1_000_000,
    why: /an OVN database was re-created \(new cluster id\); this pass would delete 1 of 100/,
  },
  {
    name: 'a re-created database with nothing to delete holds nothing',
    input: { sourceReplaced: true },
    deleted: 0,
    held: 0,
    heldSince: undefined,
  },
  {
    name: 'a hold in progress keeps its start',
    input: { deletes: dels(60), heldSince: 900_000 },
    deleted: 0,
    held: 60,
    heldSince: 900_000,
  },
  {
    name: 'a hold in progress continues below the share (after some were confirmed)',
    input: { deletes: dels(10), heldSince: 900_000 },
    deleted: 0,
    held: 10,
    heldSince: 900_000,
  },
  {
    name: 'the hold ends after holdMs',
    input: { deletes: dels(60), heldSince: 400_000 },
    deleted: 60,
    held: 0,
    heldSince: 400_000,
  },
  {
    name: 'the hold resets once nothing is left to delete',
    input: { heldSince: 900_000 },
    deleted: 0,
    held: 0,
    heldSince: undefined,
  },
  {
    name: 'confirmed objects go at once, the others wait',
    input: { deletes: dels(60), confirmed: new Set(['EvpnNetwork/n1', 'EvpnNetwork/n7']) },
    deleted: 2,
    held: 58,
    heldSince: 1_000_000,
  },
];

describe('guardMassDeletes', () => {
  it.each(rows)('$name', (row) => {
    const out = guardMassDeletes({ ...base, ...row.input });
    expect(out.deletes).toHaveLength(row.deleted);
    expect(out.held).toHaveLength(row.held);
    expect(out.heldSince).toBe(row.heldSince);
    if (row.held > 0) {
      expect(out.why).toContain(CONFIRM_DELETE_ANNOTATION);
      expect(out.releaseInMs).toBe((row.heldSince ?? 0) + policy.holdMs - base.now);
    } else {
      expect(out.why).toBeUndefined();
    }
    if (row.why) expect(out.why).toMatch(row.why);
  });

  it('keeps held objects due: their first-missing time is carried to the next pass', () => {
    const out = guardMassDeletes({
      ...base,
      deletes: dels(10),
      mirroredCount: 10,
      previouslyMissing: new Map([['EvpnNetwork/n0', 100]]),
      missingSince: new Map([['EvpnVrf/v', 999_000]]),
    });
    expect(out.missingSince.get('EvpnNetwork/n0')).toBe(100);
    expect(out.missingSince.get('EvpnNetwork/n9')).toBe(base.now);
    expect(out.missingSince.get('EvpnVrf/v')).toBe(999_000);
  });
});

describe('heldSinceFromConditions', () => {
  const held = (at: string): { status: { conditions: { reason: string; message: string }[] } } => ({
    status: {
      conditions: [
        {
          reason: 'DeletesHeld',
          message: `EVPN-003: gone from OVN, but its delete is held: a mass deletion began at ${at}; it is deleted at …`,
        },
      ],
    },
  });
  it('recovers the earliest hold start an earlier process recorded', () => {
    expect(heldSinceFromConditions([held('2026-12-04T23:10:00.500Z'), {}, held('2026-12-04T23:09:00.000Z')])).toBe(
      Date.parse('2026-12-04T23:09:00.000Z'),
    );
  });
  it('finds none when no object carries a hold', () => {
    expect(
      heldSinceFromConditions([{}, { status: { conditions: [{ reason: 'Ready', message: 'ok' }] } }]),
    ).toBeUndefined();
  });
});
