// How a resource is addressed on the apiserver, and the few object fields the
// shared runtime needs; kinds get their full zod schema in crds/.

export interface ResourceRef {
  /** '' for the core group (v1 ConfigMap, Event...). */
  readonly group: string;
  readonly version: string;
  /** Lower-case plural, as in the URL: `configmaps`, `evpnvrfs`. */
  readonly plural: string;
  readonly namespaced: boolean;
  /** Kind, for SSA bodies and events (`ConfigMap`). */
  readonly kind: string;
}

export interface OwnerReference {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  readonly uid: string;
  readonly controller?: boolean;
  readonly blockOwnerDeletion?: boolean;
}

export interface ObjectMeta {
  readonly name?: string;
  readonly generateName?: string;
  readonly namespace?: string;
  readonly uid?: string;
  readonly resourceVersion?: string;
  readonly generation?: number;
  readonly creationTimestamp?: string;
  readonly deletionTimestamp?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
  readonly finalizers?: readonly string[];
  readonly ownerReferences?: readonly OwnerReference[];
}

export interface KubeObject {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly metadata: ObjectMeta;
}

export interface ListMeta {
  readonly resourceVersion?: string;
  readonly continue?: string;
}

export interface KubeList<T> {
  readonly metadata: ListMeta;
  readonly items: T[];
}

export function apiVersionOf(ref: Pick<ResourceRef, 'group' | 'version'>): string {
  return ref.group === '' ? ref.version : `${ref.group}/${ref.version}`;
}

export interface PathOptions {
  readonly namespace?: string | undefined;
  readonly name?: string | undefined;
  readonly subresource?: string | undefined;
}

/** `/api/v1/namespaces/ns/configmaps/x`, `/apis/g/v/plural/x/status`... */
export function resourcePath(ref: ResourceRef, options: PathOptions = {}): string {
  const base = ref.group === '' ? `/api/${ref.version}` : `/apis/${ref.group}/${ref.version}`;
  let path = base;
  if (ref.namespaced && options.namespace !== undefined) path += `/namespaces/${encodeURIComponent(options.namespace)}`;
  path += `/${ref.plural}`;
  if (options.name !== undefined) path += `/${encodeURIComponent(options.name)}`;
  if (options.subresource !== undefined) {
    if (options.name === undefined) throw new Error('a subresource needs a name');
    path += `/${options.subresource}`;
  }
  return path;
}

/** Cache and queue key: `namespace/name`, or `name` for cluster-scoped objects (as client-go's MetaNamespaceKeyFunc). */
export function objectKey(obj: KubeObject): string {
  const name = obj.metadata.name ?? '';
  return obj.metadata.namespace === undefined || obj.metadata.namespace === ''
    ? name
    : `${obj.metadata.namespace}/${name}`;
}

export function splitObjectKey(key: string): { namespace?: string; name: string } {
  const i = key.indexOf('/');
  return i < 0 ? { name: key } : { namespace: key.slice(0, i), name: key.slice(i + 1) };
}

export const coreResources = {
  configMaps: { group: '', version: 'v1', plural: 'configmaps', namespaced: true, kind: 'ConfigMap' },
  nodes: { group: '', version: 'v1', plural: 'nodes', namespaced: false, kind: 'Node' },
  namespaces: { group: '', version: 'v1', plural: 'namespaces', namespaced: false, kind: 'Namespace' },
  leases: { group: 'coordination.k8s.io', version: 'v1', plural: 'leases', namespaced: true, kind: 'Lease' },
  events: { group: 'events.k8s.io', version: 'v1', plural: 'events', namespaced: true, kind: 'Event' },
  customResourceDefinitions: {
    group: 'apiextensions.k8s.io',
    version: 'v1',
    plural: 'customresourcedefinitions',
    namespaced: false,
    kind: 'CustomResourceDefinition',
  },
} as const satisfies Record<string, ResourceRef>;
