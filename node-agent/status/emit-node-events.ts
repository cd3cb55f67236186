// Events on the EvpnVrf/EvpnNetwork a node failed to apply, and one when it is
// applied there again, so `kubectl describe evpnnetwork X` shows which node
// failed it and why. nodeEvents() is pure (what a pass calls for); the emitter
// keeps what failed before and hands the events to the EventRecorder, which
// keys them per (object, node, reason): a failure that lasts or flaps grows
// one Event's series.count (written at most every 30 s) and starts a new Event
// at most every 10 minutes, instead of one Event per pass.
import { API_GROUP_VERSION, ConditionReason, EvpnErrorCode } from '../../crds/index.ts';
import type { EvpnNodeStateStatus } from '../../crds/index.ts';
import type { EventInput, EventRecorder } from '../../lib/kube/events.ts';

export type ResultKind = 'EvpnVrf' | 'EvpnNetwork';

export interface ObjectResult {
  readonly kind: ResultKind;
  readonly name: string;
  readonly ready: boolean;
  readonly reason?: string;
  readonly message?: string;
}

/** The events.k8s.io `action` of every agent Event. */
export const EVENT_ACTION = 'ApplyOnNode';
export const RECOVERED_REASON = ConditionReason.Applied;

const codeOfReason: Readonly<Record<string, string>> = {
  [ConditionReason.InvalidSpec]: EvpnErrorCode.InvalidVni,
  [ConditionReason.VrfNotFound]: EvpnErrorCode.NotFound,
  [ConditionReason.Conflict]: EvpnErrorCode.Conflict,
  [ConditionReason.FrrFailed]: EvpnErrorCode.Frr,
  [ConditionReason.FrrUnavailable]: EvpnErrorCode.Frr,
};

/** The message with its EVPN code in front (the agent's messages mostly carry one already). */
export function withCode(reason: string, message: string | undefined): string {
  const text = message ?? reason;
  if (/\bEVPN-\d{3}\b/.test(text)) return text;
  return `${codeOfReason[reason] ?? EvpnErrorCode.Infrastructure}: ${text}`;
}

const objectKey = (r: { kind: ResultKind; name: string }): string => `${r.kind}/${r.name}`;

/**
 * Pure: the Events one pass's results call for on `node`. `failing` is what
 * the previous passes left failing (kind/name → reason). Every failing object
 * gets a Warning (the recorder folds repeats into one series); an object that
 * failed before and is ready now gets one Normal `Applied`.
 */
export function nodeEvents(
  node: string, results: readonly ObjectResult[], failing: ReadonlyMap<string, string>, uids: ReadonlyMap<string, string> = new Map(),
): { events: EventInput[]; failing: Map<string, string> } {
  const events: EventInput[] = [];
  const next = new Map<string, string>();
  for (const r of results) {
    const k = objectKey(r);
    const uid = uids.get(k);
    const regarding = { apiVersion: API_GROUP_VERSION, kind: r.kind, name: r.name, ...(uid === undefined ? {} : { uid }) };
    if (!r.ready) {
      const reason = r.reason ?? 'NotApplied';
      next.set(k, reason);
      events.push({ regarding, type: 'Warning', reason, action: EVENT_ACTION, note: `node ${node}: ${withCode(reason, r.message)}`, key: `${node}/${reason}` });
      continue;
    }
    const was = failing.get(k);
    if (was !== undefined) {
      events.push({ regarding, type: 'Normal', reason: RECOVERED_REASON, action: EVENT_ACTION, note: `node ${node}: applied again (was ${was})`, key: `${node}/${RECOVERED_REASON}` });
    }
  }
  return { events, failing: next };
}

/** The per-object results of a node status, as nodeEvents() reads them. */
export function resultsOf(status: Pick<EvpnNodeStateStatus, 'vrfs' | 'networks'>): ObjectResult[] {
  const pick = (kind: ResultKind, r: { name: string; ready: boolean; reason?: string | undefined; message?: string | undefined }): ObjectResult => ({
    kind, name: r.name, ready: r.ready, ...(r.reason === undefined ? {} : { reason: r.reason }), ...(r.message === undefined ? {} : { message: r.message }),
  });
  return [...(status.vrfs ?? []).map((r) => pick('EvpnVrf', r)), ...(status.networks ?? []).map((r) => pick('EvpnNetwork', r))];
}

/** The EVPN code of every object the status shows not applied (for ovn_evpn_agent_failing_objects). */
export function failingCodes(status: Pick<EvpnNodeStateStatus, 'vrfs' | 'networks'>): string[] {
  return resultsOf(status).filter((r) => !r.ready).map((r) => /\bEVPN-\d{3}\b/.exec(withCode(r.reason ?? 'NotApplied', r.message))?.[0] ?? EvpnErrorCode.Infrastructure);
}

type Named = { metadata?: { name?: string; uid?: string } };

/** Remembers what failed on this node across passes and records the Events. */
export class NodeEventEmitter {
  readonly #recorder: EventRecorder;
  readonly #node: string;
  #failing = new Map<string, string>();

  constructor(recorder: EventRecorder, node: string) {
    this.#recorder = recorder;
    this.#node = node;
  }

  /** After a pass: `status` is the node status it built, `vrfs`/`networks` the watched objects (for their uid). */
  observe(status: Pick<EvpnNodeStateStatus, 'vrfs' | 'networks'>, vrfs: readonly unknown[], networks: readonly unknown[]): EventInput[] {
    const uids = new Map<string, string>();
    for (const [kind, list] of [['EvpnVrf', vrfs], ['EvpnNetwork', networks]] as const) {
      for (const o of list as readonly Named[]) {
        if (o.metadata?.name !== undefined && o.metadata.uid !== undefined) uids.set(`${kind}/${o.metadata.name}`, o.metadata.uid);
      }
    }
    const { events, failing } = nodeEvents(this.#node, resultsOf(status), this.#failing, uids);
    this.#failing = failing;
    for (const e of events) this.#recorder.record(e);
    return events;
  }

  flush(): Promise<void> {
    return this.#recorder.flush();
  }
}
