// A problem the mirror reports about one object: it becomes a condition on the
// object, a Warning Event and an error count (reconcile/problem-book.ts).
export interface MirrorProblem {
  kind: 'EvpnNetwork' | 'EvpnVrf';
  name: string;
  reason: 'MalformedAssociation' | 'Conflict' | 'LastGoodSpecKept' | 'NoProviderPath' | 'InvalidMtu';
  message: string;
  /** The object keeps its last good spec (it already existed). */
  keptLastGood: boolean;
}

export function conflictProblem(kind: MirrorProblem['kind'], name: string, message: string): MirrorProblem {
  return { kind, name, reason: 'Conflict', keptLastGood: false, message };
}
