import { describe, expect, it } from 'vitest';
import type { MirrorNotice, MirrorProblem } from '../mirror/mirror-problem.ts';
import { EventMemory, eventIdentity } from './event-memory.ts';

const problem: MirrorProblem = {
  kind: 'EvpnNetwork',
  name: 'net-a',
  reason: 'Conflict',
  code: 'EVPN-004',
  message: 'EVPN-004: two BGPVPNs',
  keptLastGood: false,
};
const notice = (message: string): MirrorNotice => ({
  kind: 'EvpnNetwork',
  name: 'net-a',
  reason: 'AssociationWarning',
  message,
});

describe('EventMemory', () => {
  it('asks for the past Events on the first pass only, and only with something to report', () => {
    const m = new EventMemory();
    expect(m.wantsPastEvents(0, 0)).toBe(false);
    expect(m.wantsPastEvents(1, 0)).toBe(true);
    m.endPass();
    expect(m.wantsPastEvents(1, 1)).toBe(false);
  });

  it('knows a problem recorded before this process started, in the first pass only', () => {
    const m = new EventMemory();
    m.setRecordedBefore(new Set([eventIdentity('EvpnNetwork', 'net-a', 'Conflict', 'EVPN-004: two BGPVPNs')]));
    expect(m.recordedBefore(problem)).toBe(true);
    expect(m.recordedBefore({ ...problem, name: 'net-b' })).toBe(false);
    m.endPass();
    expect(m.recordedBefore(problem)).toBe(false);
  });

  it('matches a past Event on the first 1 KiB of its note, as the apiserver keeps it', () => {
    const long = `EVPN-004: ${'x'.repeat(2000)}`;
    const m = new EventMemory();
    m.setRecordedBefore(new Set([eventIdentity('EvpnNetwork', 'net-a', 'Conflict', long.slice(0, 1024))]));
    expect(m.recordedBefore({ ...problem, message: long })).toBe(true);
  });

  it('records a notice once while it lasts, again after it went away', () => {
    const m = new EventMemory();
    expect(m.noticesToRecord([notice('no AS')])).toHaveLength(1);
    expect(m.noticesToRecord([notice('no AS')])).toEqual([]);
    expect(m.noticesToRecord([])).toEqual([]);
    expect(m.noticesToRecord([notice('no AS')])).toHaveLength(1);
  });

  it('does not repeat a notice recorded before this process started', () => {
    const m = new EventMemory();
    m.setRecordedBefore(new Set([eventIdentity('EvpnNetwork', 'net-a', 'AssociationWarning', 'no AS')]));
    expect(m.noticesToRecord([notice('no AS'), notice('other')]).map((n) => n.message)).toEqual(['other']);
  });
});
