// `<Kind>/<name>`: the one key of a cluster-scoped EVPN object. The operator's
// queues, books and write expectations and the agent's per-object results and
// Events all use it, so it lives with the API.
export type ObjectKey<K extends string = string> = `${K}/${string}`;

export const objectKey = <K extends string>(kind: K, name: string): ObjectKey<K> => `${kind}/${name}`;
