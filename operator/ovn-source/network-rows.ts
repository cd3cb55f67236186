// What the OVN source hands the mirror: the rows of one network at a time, and
// which networks changed since the mirror last asked (incremental-parts.ts).
import type { OvnSnapshot } from './ovn-snapshot.ts';

export interface NetworkRows {
  /** Networks changed since the last call, or 'all'. */
  takeDirty(): ReadonlySet<string> | 'all';
  networkIds(): Iterable<string>;
  networkSnapshot(id: string): OvnSnapshot;
}
