// How the operator addresses its four kinds on the apiserver.
import { API_GROUP, API_VERSION } from '../crds/index.ts';
import type { KubeObject, ResourceRef } from '../lib/kube/resource.ts';

const ref = (kind: string, plural: string): ResourceRef => ({ group: API_GROUP, version: API_VERSION, plural, namespaced: false, kind });

export const Resources = {
  vrfs: ref('EvpnVrf', 'evpnvrfs'),
  networks: ref('EvpnNetwork', 'evpnnetworks'),
  portSets: ref('EvpnPortSet', 'evpnportsets'),
  nodeStates: ref('EvpnNodeState', 'evpnnodestates'),
} as const satisfies Record<string, ResourceRef>;

/** `EvpnNetwork/<name>`: the key of one object in the operator's queues and books. */
export type ObjectRefKey = `${'EvpnNetwork' | 'EvpnVrf'}/${string}`;

export function refKey(kind: 'EvpnNetwork' | 'EvpnVrf', name: string): ObjectRefKey {
  return `${kind}/${name}`;
}

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
