// Informer events → the work they cause, pure: whether the mirror runs (unless
// the event only echoes its own write), which status keys are enqueued, and
// which status-reconciler indexes go stale. Operator.#wire does the enqueueing.
import type { EvpnNetwork, EvpnNodeState, EvpnPortSet, EvpnVrf } from '../crds/index.ts';
import type { InformerHandlers } from '../lib/kube/informer.ts';
import type { EchoedObject } from './mirror/echo-filter.ts';
import type { MirrorKind } from './mirror/plan-mirror.ts';
import { objectKey } from '../crds/object-key.ts';
import { changedResultKeys } from './status/status-diff.ts';

type Change<K extends string, T> =
  | { readonly kind: K; readonly type: 'add'; readonly obj: T }
  | { readonly kind: K; readonly type: 'delete'; readonly obj: T }
  | { readonly kind: K; readonly type: 'update'; readonly old: T; readonly obj: T };

export type WatchEvent =
  | Change<'EvpnVrf', EvpnVrf>
  | Change<'EvpnNetwork', EvpnNetwork>
  | Change<'EvpnPortSet', EvpnPortSet>
  | Change<'EvpnNodeState', EvpnNodeState>;

type ObjectOf<K extends WatchEvent['kind']> = Extract<WatchEvent, { kind: K }>['obj'];

/** An informer's add/update/delete of one kind, each handed on as a WatchEvent. */
export function watchEventsOf<K extends WatchEvent['kind']>(
  kind: K,
  emit: (e: WatchEvent) => void,
): InformerHandlers<ObjectOf<K>> {
  // One kind per call: the event built from `kind` and its object is of that kind's member of the union.
  const as = (e: { kind: K; type: WatchEvent['type']; obj: ObjectOf<K>; old?: ObjectOf<K> }): WatchEvent =>
    e as WatchEvent;
  return {
    add: (obj) => {
      emit(as({ kind, type: 'add', obj }));
    },
    update: (old, obj) => {
      emit(as({ kind, type: 'update', old, obj }));
    },
    delete: (obj) => {
      emit(as({ kind, type: 'delete', obj }));
    },
  };
}

export interface EventKeys {
  /** Run the mirror, unless this object's event only echoes the mirror's own write. */
  readonly mirror?: { readonly kind: MirrorKind; readonly obj: EchoedObject; readonly deleted: boolean };
  /** Status keys, in order. */
  readonly status: readonly string[];
  /** Every status key (a node appeared or went away). */
  readonly allStatus?: true;
  readonly invalidate?: 'network-counts' | 'port-counts';
}

/** The networks of one VRF, as the status reconciler indexes them. */
export type NetworksOfVrf = (vrf: string) => readonly string[];

type Mirrored = EvpnVrf | EvpnNetwork | EvpnPortSet;

/** Our own status writes bump neither generation nor labels, so they cause no mirror pass. */
export function specOrLabelsChanged(a: Mirrored, b: Mirrored): boolean {
  return (
    a.metadata.generation !== b.metadata.generation ||
    JSON.stringify(a.metadata.labels ?? {}) !== JSON.stringify(b.metadata.labels ?? {}) ||
    a.metadata.deletionTimestamp !== b.metadata.deletionTimestamp
  );
}

const vrfKeys = (...vrfs: (string | undefined)[]): string[] =>
  [...new Set(vrfs)].flatMap((v) => (v === undefined ? [] : [objectKey('EvpnVrf', v)]));

function vrfEventKeys(e: Change<'EvpnVrf', EvpnVrf>, networksOfVrf: NetworksOfVrf): EventKeys {
  const name = e.obj.metadata.name;
  const mirror = { kind: e.kind, obj: e.obj, deleted: e.type === 'delete' };
  if (e.type === 'add') return { mirror, status: [objectKey('EvpnVrf', name), ...networksOfVrf(name)] };
  if (e.type === 'delete') return { mirror, status: [...networksOfVrf(name)] };
  if (!specOrLabelsChanged(e.old, e.obj)) return { status: [objectKey('EvpnVrf', name)] };
  return { mirror, status: [...networksOfVrf(name), objectKey('EvpnVrf', name)] };
}

function networkEventKeys(e: Change<'EvpnNetwork', EvpnNetwork>): EventKeys {
  const name = e.obj.metadata.name;
  const changed = {
    mirror: { kind: e.kind, obj: e.obj, deleted: e.type === 'delete' },
    invalidate: 'network-counts',
  } as const;
  if (e.type === 'add') return { ...changed, status: [objectKey('EvpnNetwork', name), ...vrfKeys(e.obj.spec.vrf)] };
  if (e.type === 'delete') return { ...changed, status: vrfKeys(e.obj.spec.vrf) };
  if (!specOrLabelsChanged(e.old, e.obj)) return { status: [objectKey('EvpnNetwork', name)] };
  return { ...changed, status: [...vrfKeys(e.old.spec.vrf, e.obj.spec.vrf), objectKey('EvpnNetwork', name)] };
}

function portSetEventKeys(e: Change<'EvpnPortSet', EvpnPortSet>): EventKeys {
  if (e.type === 'update' && !specOrLabelsChanged(e.old, e.obj)) return { status: [] };
  const sets = e.type === 'update' ? [e.old, e.obj] : [e.obj];
  return {
    mirror: { kind: e.kind, obj: e.obj, deleted: e.type === 'delete' },
    invalidate: 'port-counts',
    status: [...new Set(sets.map((s) => objectKey('EvpnNetwork', s.spec.network)))],
  };
}

/**
 * A changed VRF result changes its networks' status too: their Ready waits for
 * the host routes the VRF result lists (status/convergence.ts). A changed VTEP: every object.
 */
function nodeStateEventKeys(e: Change<'EvpnNodeState', EvpnNodeState>, networksOfVrf: NetworksOfVrf): EventKeys {
  if (e.type !== 'update' || e.old.status?.vtepIp !== e.obj.status?.vtepIp) return { status: [], allStatus: true };
  const keys = changedResultKeys(e.old, e.obj);
  const vrfs = keys.filter((k) => k.startsWith('EvpnVrf/')).map((k) => k.slice('EvpnVrf/'.length));
  return { status: [...new Set([...keys, ...vrfs.flatMap((v) => networksOfVrf(v))])] };
}

export function keysForEvent(e: WatchEvent, networksOfVrf: NetworksOfVrf): EventKeys {
  switch (e.kind) {
    case 'EvpnVrf':
      return vrfEventKeys(e, networksOfVrf);
    case 'EvpnNetwork':
      return networkEventKeys(e);
    case 'EvpnPortSet':
      return portSetEventKeys(e);
    case 'EvpnNodeState':
      return nodeStateEventKeys(e, networksOfVrf);
  }
}
