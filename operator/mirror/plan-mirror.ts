// Desired mirror (from buildDesired) vs the live objects, joined by kind and
// name into applies and deletes. Pure. Rules:
//  - an object is applied only when it is missing or its spec or our labels
//    differ (semantically), so a restart with nothing changed writes nothing;
//  - only objects carrying the mirrored-from label are ever touched: a user
//    object in the way is reported, never overwritten or deleted;
//  - a mirrored object that is no longer desired is deleted only after it has
//    been missing for `graceMs`, so a row ovn-northd rewrites for a moment does
//    not tear a network down. A port set whose network is still desired goes at
//    once (its ports moved away; keeping it would keep stale FDB entries).
import { createHash } from 'node:crypto';
import { labelValueOf } from '../../crds/labels.ts';
import type { EvpnNetworkSpec, EvpnPortSetSpec, EvpnVrfSpec } from '../../crds/index.ts';
import { Label, withoutUserHeldFields } from '../../crds/index.ts';
import { semanticEqual } from '../../lib/kube/conditions.ts';
import type { MirrorOutput } from './build-desired.ts';
import { objectKey } from '../../crds/object-key.ts';

export type MirrorKind = 'EvpnVrf' | 'EvpnNetwork' | 'EvpnPortSet';

/** The part of a live object the plan reads. */
export interface LiveObject {
  readonly metadata: {
    readonly name: string;
    readonly uid?: string | undefined;
    readonly resourceVersion?: string | undefined;
    readonly labels?: Readonly<Record<string, string>> | undefined;
    readonly deletionTimestamp?: string | undefined;
  };
  readonly spec?: unknown;
}

export interface DesiredObject {
  readonly kind: MirrorKind;
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly spec: EvpnVrfSpec | EvpnNetworkSpec | EvpnPortSetSpec;
}

export interface PlannedDelete {
  readonly kind: MirrorKind;
  readonly name: string;
  readonly uid: string | undefined;
}

export interface SkippedObject {
  readonly kind: MirrorKind;
  readonly name: string;
  readonly reason: string;
}

export interface LiveMirror {
  readonly vrfs: readonly LiveObject[];
  readonly networks: readonly LiveObject[];
  readonly portSets: readonly LiveObject[];
}

export interface MirrorPlan {
  /** VRFs, then networks, then port sets (a network's VRF exists before it). */
  readonly applies: DesiredObject[];
  /** Port sets, then networks, then VRFs. */
  readonly deletes: PlannedDelete[];
  readonly skipped: SkippedObject[];
  /** `Kind/name` → when it was first seen not desired (carried to the next plan). */
  readonly missingSince: Map<string, number>;
  /** When the earliest pending delete becomes due, if any. */
  readonly nextCheckInMs: number | undefined;
}

export interface PlanInput {
  readonly desired: Pick<MirrorOutput, 'vrfs' | 'networks' | 'portSets' | 'sources'>;
  readonly live: LiveMirror;
  readonly missingSince: ReadonlyMap<string, number>;
  readonly now: number;
  readonly graceMs: number;
}

export const PORT_SET_SOURCE = 'port-binding';

export const isMirroredObject = (o: LiveObject): boolean => o.metadata.labels?.[Label.MirroredFrom] !== undefined;

/** Our labels are all present with our values (others' labels are not ours to judge). */
function labelsMatch(live: LiveObject, labels: Readonly<Record<string, string>>): boolean {
  const have = live.metadata.labels;
  for (const k in labels) if (have?.[k] !== labels[k]) return false;
  return true;
}

export function needsApply(live: LiveObject | undefined, desired: DesiredObject): boolean {
  return live === undefined || !labelsMatch(live, desired.labels) || !specEqual(live.spec, desired.spec);
}

/** The last comparison per live spec object: neither side is ever modified, so the same pair gives the same answer. */
const equalMemo = new WeakMap<object, { desired: unknown; equal: boolean }>();

function specEqual(live: unknown, desired: unknown): boolean {
  if (typeof live !== 'object' || live === null) return semanticEqual(live, desired);
  const m = equalMemo.get(live);
  if (m !== undefined && m.desired === desired) return m.equal;
  // A person's spec.backend on a mirrored object is theirs (crds/backend.ts): never applied, so never a difference.
  const equal = semanticEqual(withoutUserHeldFields(live), desired);
  equalMemo.set(live, { desired, equal });
  return equal;
}

/** The objects buildDesired asks for, with their labels. */
export function desiredObjects(desired: PlanInput['desired']): DesiredObject[] {
  const out: DesiredObject[] = [];
  // A VRF's source label is that of its first network by name (one scan: the first of equal names wins, as in a stable sort).
  const vrfOwner = new Map<string, string>();
  for (const [id, spec] of desired.networks) {
    if (spec.vrf === undefined) continue;
    const owner = vrfOwner.get(spec.vrf);
    if (owner === undefined || id.localeCompare(owner) < 0) vrfOwner.set(spec.vrf, id);
  }
  const vrfSource = new Map([...vrfOwner].map(([vrf, id]) => [vrf, desired.sources.get(id) ?? 'network']));
  for (const [name, spec] of desired.vrfs)
    out.push(desiredObject('EvpnVrf', name, spec, vrfSource.get(name) ?? 'network'));
  for (const [name, spec] of desired.networks)
    out.push(desiredObject('EvpnNetwork', name, spec, desired.sources.get(name) ?? 'network'));
  for (const [name, spec] of desired.portSets) out.push(desiredObject('EvpnPortSet', name, spec, PORT_SET_SOURCE));
  return out;
}

/** The last desired object per spec object (specs are never modified): an unchanged object is not rebuilt each pass. */
const objectMemo = new WeakMap<object, { readonly source: string; readonly obj: DesiredObject }>();
const keyOfObject = new WeakMap<DesiredObject, string>();

function desiredObject(kind: MirrorKind, name: string, spec: DesiredObject['spec'], source: string): DesiredObject {
  const m = objectMemo.get(spec);
  if (m !== undefined && m.source === source && m.obj.kind === kind && m.obj.name === name) return m.obj;
  const labels: Record<string, string> = { [Label.MirroredFrom]: source };
  if (kind === 'EvpnPortSet') {
    const ps = spec as EvpnPortSetSpec;
    labels[Label.Node] = labelValueOf(ps.nodeName);
    labels[Label.Network] = labelValueOf(ps.network);
  }
  // A spec kept from the live object (last good) may carry a person's backend: the mirror never applies it, so
  // server-side apply leaves that field with its manager.
  const obj: DesiredObject = { kind, name, labels, spec: withoutUserHeldFields(spec) };
  objectMemo.set(spec, { source, obj });
  keyOfObject.set(obj, objectKey(kind, name));
  return obj;
}

const keyOf = (d: DesiredObject): string => keyOfObject.get(d) ?? objectKey(d.kind, d.name);

const KIND_ORDER: Record<MirrorKind, number> = { EvpnVrf: 0, EvpnNetwork: 1, EvpnPortSet: 2 };

/** Live objects by `Kind/name`. */
function liveByKey(live: LiveMirror): Map<string, LiveObject> {
  const byKey = new Map<string, LiveObject>();
  const liveByKind: [MirrorKind, readonly LiveObject[]][] = [
    ['EvpnVrf', live.vrfs],
    ['EvpnNetwork', live.networks],
    ['EvpnPortSet', live.portSets],
  ];
  for (const [kind, list] of liveByKind) for (const o of list) byKey.set(objectKey(kind, o.metadata.name), o);
  return byKey;
}

/** Desired objects that differ from the live ones; user-authored objects of the same name are skipped. */
function planApplies(
  input: PlanInput,
  live: ReadonlyMap<string, LiveObject>,
): Pick<MirrorPlan, 'applies' | 'skipped'> & { wanted: Set<string> } {
  const applies: DesiredObject[] = [];
  const skipped: SkippedObject[] = [];
  const wanted = new Set<string>();
  for (const d of desiredObjects(input.desired)) {
    const key = keyOf(d);
    wanted.add(key);
    const current = live.get(key);
    if (current !== undefined && !isMirroredObject(current)) {
      skipped.push({
        kind: d.kind,
        name: d.name,
        reason: 'a user-authored object of this name exists; it is left alone',
      });
      continue;
    }
    if (needsApply(current, d)) applies.push(d);
  }
  applies.sort((a, b) => KIND_ORDER[a.kind] - KIND_ORDER[b.kind] || a.name.localeCompare(b.name));
  return { applies, skipped, wanted };
}

/** A mirrored object no longer wanted and not already being deleted. */
function isUnwanted(key: string, o: LiveObject, wanted: ReadonlySet<string>): boolean {
  return !wanted.has(key) && isMirroredObject(o) && o.metadata.deletionTimestamp === undefined;
}

/**
 * Mirrored objects no longer desired are deleted once missing for the grace
 * period; a port set goes at once when its network is still wanted (it moved).
 */
function planDeletes(
  input: PlanInput,
  live: ReadonlyMap<string, LiveObject>,
  wanted: ReadonlySet<string>,
): Pick<MirrorPlan, 'deletes' | 'missingSince' | 'nextCheckInMs'> {
  const deletes: PlannedDelete[] = [];
  const missingSince = new Map<string, number>();
  let nextCheckInMs: number | undefined;
  for (const [key, o] of live) {
    if (!isUnwanted(key, o, wanted)) continue;
    const kind = key.slice(0, key.indexOf('/')) as MirrorKind;
    const spec = o.spec as Partial<EvpnPortSetSpec> | undefined;
    const networkStillWanted =
      kind === 'EvpnPortSet' && spec?.network !== undefined && input.desired.networks.has(spec.network);
    const since = input.missingSince.get(key) ?? input.now;
    const due = since + input.graceMs;
    if (networkStillWanted || due <= input.now) {
      deletes.push({ kind, name: o.metadata.name, uid: o.metadata.uid });
    } else {
      missingSince.set(key, since);
      nextCheckInMs = Math.min(nextCheckInMs ?? Infinity, due - input.now);
    }
  }
  deletes.sort((a, b) => KIND_ORDER[b.kind] - KIND_ORDER[a.kind] || a.name.localeCompare(b.name));
  return { deletes, missingSince, nextCheckInMs };
}

export function planMirror(input: PlanInput): MirrorPlan {
  const live = liveByKey(input.live);
  const { applies, skipped, wanted } = planApplies(input, live);
  const { deletes, missingSince, nextCheckInMs } = planDeletes(input, live, wanted);
  return { applies, deletes, skipped, missingSince, nextCheckInMs };
}

/**
 * A digest of a stable text of `value`: write expectations keep one per object
 * written until the informer catches up (6,000 after an initial mirror at full
 * size), so a 44-character digest rather than the whole JSON text.
 */
export function contentFingerprint(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('base64');
}

/** What an apply asks for, as a fingerprint, to recognise a write already made. */
export function desiredFingerprint(d: DesiredObject): string {
  return contentFingerprint([d.labels, d.spec]);
}
