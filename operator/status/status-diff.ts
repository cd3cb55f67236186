// Pure comparisons for the status path: which of our status fields differ from
// the live object, and which objects a node-state change concerns.
import type { EvpnNodeState } from '../../crds/index.ts';
import { conditionsEqual, semanticEqual, type Condition } from '../../lib/kube/conditions.ts';
import { objectKey } from '../../crds/object-key.ts';
import type { ObjectRefKey } from '../object-key.ts';
import { OWNED_CONDITIONS, type DesiredStatus } from './aggregate-status.ts';

/** The status fields whose live value differs from `desired` (only our condition types are compared). */
export function differingStatusFields(live: unknown, desired: DesiredStatus): string[] {
  const current = (typeof live === 'object' && live !== null ? live : {}) as Record<string, unknown>;
  return Object.entries(desired)
    .filter(([k, v]) => {
      if (k !== 'conditions') return !semanticEqual(current[k], v);
      const ours = ((current['conditions'] ?? []) as Condition[]).filter((c) => OWNED_CONDITIONS.includes(c.type));
      return !conditionsEqual(ours, v as Condition[]);
    })
    .map(([k]) => k);
}

/** True when applying `desired` would change the live status. */
export function statusDiffers(live: unknown, desired: DesiredStatus): boolean {
  return differingStatusFields(live, desired).length > 0;
}

/** Names whose result differs between two versions of one node's state. */
export function changedResultKeys(
  oldState: EvpnNodeState | undefined,
  newState: EvpnNodeState | undefined,
): ObjectRefKey[] {
  const keys: ObjectRefKey[] = [];
  const diff = <R extends { name: string }>(
    kind: 'EvpnNetwork' | 'EvpnVrf',
    a: readonly R[] | undefined,
    b: readonly R[] | undefined,
  ): void => {
    const before = new Map((a ?? []).map((r) => [r.name, JSON.stringify(r)]));
    const after = new Map((b ?? []).map((r) => [r.name, JSON.stringify(r)]));
    for (const name of new Set([...before.keys(), ...after.keys()]))
      if (before.get(name) !== after.get(name)) keys.push(objectKey(kind, name));
  };
  diff('EvpnVrf', oldState?.status?.vrfs, newState?.status?.vrfs);
  diff('EvpnNetwork', oldState?.status?.networks, newState?.status?.networks);
  return keys;
}
