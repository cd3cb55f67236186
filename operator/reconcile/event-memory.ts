// Which mirror Events were already recorded, so that a problem or a notice is
// one Event while it lasts: in this process (the problem book says which
// problems are new; notices are remembered here), and before it started (a
// restart or failover: the first pass with something to report reads the
// controller's past Events once, through recorded-events.ts). Pure.
import type { MirrorNotice, MirrorProblem } from '../mirror/mirror-problem.ts';

/** What identifies an Event of ours: the object, the reason and the note. */
export const eventIdentity = (kind: string, name: string, reason: string, note: string): string =>
  JSON.stringify([kind, name, reason, note]);

/** The apiserver keeps 1 KiB of a note: a past Event is matched on that much. */
const NOTE_LIMIT = 1024;
const identityOf = (e: MirrorProblem | MirrorNotice, limit = Infinity): string =>
  eventIdentity(e.kind, e.name, e.reason, e.message.slice(0, limit));

export class EventMemory {
  #noticesSeen = new Set<string>();
  #firstPass = true;
  #recordedBefore: ReadonlySet<string> = new Set();

  /** The first pass, with something to report: read the past Events first (setRecordedBefore). */
  wantsPastEvents(fresh: number, notices: number): boolean {
    return this.#firstPass && fresh + notices > 0;
  }

  setRecordedBefore(identities: ReadonlySet<string>): void {
    this.#recordedBefore = identities;
  }

  /** A Warning about this problem was recorded before this process started. */
  recordedBefore(p: MirrorProblem): boolean {
    return this.#recordedBefore.has(identityOf(p, NOTE_LIMIT));
  }

  /** The notices to record now: those not seen in the last pass nor recorded before this process. */
  noticesToRecord(notices: readonly MirrorNotice[]): MirrorNotice[] {
    const now = new Set<string>();
    const out: MirrorNotice[] = [];
    for (const n of notices) {
      const id = identityOf(n);
      now.add(id);
      if (!this.#noticesSeen.has(id) && !this.#recordedBefore.has(identityOf(n, NOTE_LIMIT))) out.push(n);
    }
    this.#noticesSeen = now;
    return out;
  }

  /** Past Events matter only to the first pass: later ones know what they recorded. */
  endPass(): void {
    this.#firstPass = false;
    this.#recordedBefore = new Set();
  }
}
