// Events on the EvpnVrf/EvpnNetwork a node failed to apply, and one when it is
// applied there again, so `kubectl describe evpnnetwork X` shows which node
// failed it and why. nodeEvents() is pure (what a pass calls for); the emitter
// keeps what failed before and hands the events to the EventRecorder.
//
// No storm, over time or over objects:
// - an object's failure is recorded when it starts or changes reason, then
//   again every `repeatMs` (5 min) while it lasts, not on every pass;
// - the recorder keys Events per (object, node, reason), so those repeats and
//   a flapping object's failures grow one Event's series.count (written at
//   most every 30 s) and a new Event starts at most every `dedupWindowMs`
//   (the agent uses 1 h, the Events' default TTL);
// - at most `maxPerPass` (25) Events per pass: when FRR goes down every object
//   fails at once, the rest follow on the next passes (a resync is 30 s).
import { API_GROUP_VERSION, codedMessage, ConditionReason, EvpnErrorCode } from '../../crds/index.ts';
import type { EvpnNodeStateStatus } from '../../crds/index.ts';
import type { EventInput, EventRecorder } from '../../lib/kube/events.ts';
import { objectKey } from '../../crds/object-key.ts';

export type ResultKind = 'EvpnVrf' | 'EvpnNetwork';

export interface ObjectResult {
  readonly kind: ResultKind;
  readonly name: string;
  readonly ready: boolean;
  readonly reason?: string;
  /** The EVPN-00x code of an object not applied (EvpnNodeState results carry it). */
  readonly code?: EvpnErrorCode;
  readonly message?: string;
}

/** The events.k8s.io `action` of every agent Event. */
export const EVENT_ACTION = 'ApplyOnNode';
export const RECOVERED_REASON = ConditionReason.Applied;

const codeOfReason: Readonly<Record<string, EvpnErrorCode>> = {
  [ConditionReason.InvalidSpec]: EvpnErrorCode.InvalidVni,
  [ConditionReason.VrfNotFound]: EvpnErrorCode.NotFound,
  [ConditionReason.Conflict]: EvpnErrorCode.Conflict,
  [ConditionReason.FrrFailed]: EvpnErrorCode.Frr,
  [ConditionReason.FrrUnavailable]: EvpnErrorCode.Frr,
};

/**
 * The message with its EVPN code in front. A result with a code has a message
 * made from it (it starts with the code); one without (written by an agent that
 * predates the code field) gets the code of its reason. No message is parsed.
 */
export function withCode(reason: string, message: string | undefined, code?: EvpnErrorCode): string {
  if (code !== undefined) return message ?? codedMessage(code, reason);
  return codedMessage(codeOfReason[reason] ?? EvpnErrorCode.Infrastructure, message ?? reason);
}

/** An object's code: its own, else its reason's. */
const codeOf = (r: ObjectResult): EvpnErrorCode =>
  r.code ?? codeOfReason[r.reason ?? 'NotApplied'] ?? EvpnErrorCode.Infrastructure;

/** What a node last reported about an object that failed there: kept until its recovery is reported. */
export interface Reported {
  readonly reason: string;
  /** When its failure was last recorded; undefined: not yet (the pass's budget ran out). */
  readonly at?: number;
}

export interface NodeEventLimits {
  readonly now: number;
  /** A lasting failure is recorded again after this long (default 5 min). */
  readonly repeatMs?: number;
  /** Events per pass (default 25). */
  readonly maxPerPass?: number;
}

/**
 * Pure: the Events one pass's results call for on `node`, and what to remember
 * for the next pass. A failure is recorded when it starts, changes reason or
 * has lasted `repeatMs` since it was last recorded; an object whose failure was
 * recorded and is ready now gets one Normal `Applied`. At most `maxPerPass`
 * Events: what is left over is due on the next pass.
 */
export function nodeEvents(
  node: string,
  results: readonly ObjectResult[],
  before: ReadonlyMap<string, Reported>,
  limits: NodeEventLimits,
  uids: ReadonlyMap<string, string> = new Map(),
): { events: EventInput[]; reported: Map<string, Reported> } {
  const repeatMs = limits.repeatMs ?? 5 * 60_000;
  let budget = limits.maxPerPass ?? 25;
  const events: EventInput[] = [];
  const next = new Map<string, Reported>();
  for (const r of results) {
    const k = objectKey(r.kind, r.name);
    const prev = before.get(k);
    const uid = uids.get(k);
    const regarding = {
      apiVersion: API_GROUP_VERSION,
      kind: r.kind,
      name: r.name,
      ...(uid === undefined ? {} : { uid }),
    };
    const step = r.ready
      ? recovered(node, prev, budget > 0)
      : failing(node, r, prev, budget > 0 && isDue(r, prev, limits.now, repeatMs), limits.now);
    if (step.event !== undefined) {
      budget--;
      events.push({ regarding, action: EVENT_ACTION, ...step.event });
    }
    if (step.keep !== undefined) next.set(k, step.keep);
  }
  return { events, reported: next };
}

type Step = { event?: Omit<EventInput, 'regarding' | 'action'>; keep?: Reported };

/** A failure is due when it is new, changed reason, was not recorded yet, or was recorded `repeatMs` ago. */
function isDue(r: ObjectResult, prev: Reported | undefined, now: number, repeatMs: number): boolean {
  return prev?.reason !== (r.reason ?? 'NotApplied') || prev.at === undefined || now - prev.at >= repeatMs;
}

function failing(node: string, r: ObjectResult, prev: Reported | undefined, record: boolean, now: number): Step {
  const reason = r.reason ?? 'NotApplied';
  if (record)
    return {
      event: {
        type: 'Warning',
        reason,
        note: `node ${node}: ${withCode(reason, r.message, r.code)}`,
        key: `${node}/${reason}`,
      },
      keep: { reason, at: now },
    };
  return { keep: prev?.reason === reason && prev.at !== undefined ? prev : { reason } };
}

/** Ready now: one `Applied` if its failure was recorded; kept (due next pass) when the budget is spent. */
function recovered(node: string, prev: Reported | undefined, record: boolean): Step {
  if (prev?.at === undefined) return {};
  if (!record) return { keep: prev };
  return {
    event: {
      type: 'Normal',
      reason: RECOVERED_REASON,
      note: `node ${node}: applied again (was ${prev.reason})`,
      key: `${node}/${RECOVERED_REASON}`,
    },
  };
}

/** The per-object results of a node status, as nodeEvents() reads them. */
export function resultsOf(status: Pick<EvpnNodeStateStatus, 'vrfs' | 'networks'>): ObjectResult[] {
  type Result = {
    name: string;
    ready: boolean;
    reason?: string | undefined;
    code?: EvpnErrorCode | undefined;
    message?: string | undefined;
  };
  const pick = (kind: ResultKind, r: Result): ObjectResult => ({
    kind,
    name: r.name,
    ready: r.ready,
    ...(r.reason === undefined ? {} : { reason: r.reason }),
    ...(r.code === undefined ? {} : { code: r.code }),
    ...(r.message === undefined ? {} : { message: r.message }),
  });
  return [
    ...(status.vrfs ?? []).map((r) => pick('EvpnVrf', r)),
    ...(status.networks ?? []).map((r) => pick('EvpnNetwork', r)),
  ];
}

/** The EVPN code of every object the status shows not applied (for ovn_evpn_agent_failing_objects). */
export function failingCodes(status: Pick<EvpnNodeStateStatus, 'vrfs' | 'networks'>): string[] {
  return resultsOf(status)
    .filter((r) => !r.ready)
    .map(codeOf);
}

type Named = { metadata?: { name?: string; uid?: string } };

/** Remembers what failed on this node across passes and records the Events. */
export class NodeEventEmitter {
  readonly #recorder: EventRecorder;
  readonly #node: string;
  readonly #limits: Omit<NodeEventLimits, 'now'>;
  #reported = new Map<string, Reported>();

  constructor(recorder: EventRecorder, node: string, limits: Omit<NodeEventLimits, 'now'> = {}) {
    this.#recorder = recorder;
    this.#node = node;
    this.#limits = limits;
  }

  /** After a pass: `status` is the node status it built, `vrfs`/`networks` the watched objects (for their uid). */
  observe(
    status: Pick<EvpnNodeStateStatus, 'vrfs' | 'networks'>,
    vrfs: readonly unknown[],
    networks: readonly unknown[],
    now = Date.now(),
  ): EventInput[] {
    const uids = new Map<string, string>();
    for (const [kind, list] of [
      ['EvpnVrf', vrfs],
      ['EvpnNetwork', networks],
    ] as const) {
      for (const o of list as readonly Named[]) {
        if (o.metadata?.name !== undefined && o.metadata.uid !== undefined)
          uids.set(objectKey(kind, o.metadata.name), o.metadata.uid);
      }
    }
    const { events, reported } = nodeEvents(
      this.#node,
      resultsOf(status),
      this.#reported,
      { ...this.#limits, now },
      uids,
    );
    this.#reported = reported;
    for (const e of events) this.#recorder.record(e);
    return events;
  }

  flush(): Promise<void> {
    return this.#recorder.flush();
  }
}
