// A problem the mirror reports about one object: it becomes a condition on the
// object, a Warning Event and an error count (reconcile/problem-book.ts). Its
// code travels as a field from here to the condition, the Event and the metric;
// the message starts with it too, for people, and is never read back for it.
import { codedMessage, EvpnErrorCode } from '../../crds/error-codes.ts';

export interface MirrorProblem {
  kind: 'EvpnNetwork' | 'EvpnVrf';
  name: string;
  reason:
    | 'MalformedAssociation'
    | 'Conflict'
    | 'LastGoodSpecKept'
    | 'NoProviderPath'
    | 'InvalidMtu'
    | 'DeletesHeld'
    | 'BackendUnsupported'
    | 'OvnWriteFailed';
  code: EvpnErrorCode;
  /** `<code>: <what is wrong>` */
  message: string;
  /** The object keeps its last good spec (it already existed). */
  keptLastGood: boolean;
}

/** An association accepted with a fallback: one Normal Event, never a condition. */
export interface MirrorNotice {
  kind: 'EvpnNetwork';
  name: string;
  reason: 'AssociationWarning';
  message: string;
}

export function mirrorProblem(p: Omit<MirrorProblem, 'message'>, text: string): MirrorProblem {
  return { ...p, message: codedMessage(p.code, text) };
}

export function conflictProblem(
  kind: MirrorProblem['kind'],
  name: string,
  text: string,
  code: EvpnErrorCode = EvpnErrorCode.Conflict,
): MirrorProblem {
  return mirrorProblem({ kind, name, reason: 'Conflict', keptLastGood: false, code }, text);
}
