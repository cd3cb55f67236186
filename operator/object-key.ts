// The operator's keys of the objects it reports on in its queues and books, and the type of an
// object read from the apiserver. The REST coordinates of the kinds live in
// crds/resources.ts.
import type { ObjectKey } from '../crds/object-key.ts';
import type { KubeObject } from '../lib/kube/resource.ts';

/** `EvpnNetwork/<name>`: the key of one object in the operator's queues and books (crds/object-key.ts). */
export type ObjectRefKey = ObjectKey<'EvpnNetwork' | 'EvpnVrf'>;

export function parseRefKey(key: string): { kind: 'EvpnNetwork' | 'EvpnVrf'; name: string } | undefined {
  const i = key.indexOf('/');
  const kind = key.slice(0, i);
  if (i < 0 || (kind !== 'EvpnNetwork' && kind !== 'EvpnVrf')) return undefined;
  return { kind, name: key.slice(i + 1) };
}

/**
 * An object as read from the apiserver: the zod-inferred kind, also usable where
 * the runtime wants a KubeObject (the two ObjectMeta types differ only in how
 * they spell optional fields).
 */
export type Live<T> = T & KubeObject;
