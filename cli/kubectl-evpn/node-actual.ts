// Pure: what a node has applied, rebuilt from its EvpnNodeState. The agent
// writes there, after every pass against the real kernel and FRR, one result
// per EvpnVrf/EvpnNetwork: ready or not, the generation it applied, its VNI,
// VLAN, table and kernel devices. `kubectl evpn plan` diffs against this
// instead of the cluster's objects, so it shows what each node would really
// change: objects it failed are created again, objects gone from the cluster
// (or changed since the node's last pass) are deleted or replaced.
//
// How an object is rebuilt from its result:
// - ready at the cluster's generation: the cluster's spec (what the node applied);
// - ready at another generation: the cluster's spec with the VNI, VLAN and table
//   the node reports (the other fields of the old spec are not in the status);
// - ready, but gone from the cluster: a VRF from its VNI and table, an L2
//   network from its VNI and VLAN; its devices the rebuilt object does not
//   render (an L3 network, an SVI) are kept as `extraDevices`, owned links the
//   diff deletes; its FRR block or stanza is planned as deleted (gone-frr.ts), the RD and route-target lines in it are not (the status has none);
// - not ready: not applied (the agent creates it again on its next pass); the
//   shared bridge and uplink, in no object's result, are then planned as new.
// Ports: the node's EvpnPortSets of the cluster, for the networks it applied
// (the status holds their counts, not their MACs): a count that differs is a note.
import { API_GROUP_VERSION } from '../../crds/index.ts';
import type { EvpnNetwork, EvpnNodeState, EvpnPortSet, EvpnVrf, NetworkResult, VrfResult } from '../../crds/index.ts';
import type { EvpnObjects } from './objects.ts';

export interface NodeActual {
  /** The node reported a pass (its EvpnNodeState has a lastSyncTime or results). */
  readonly reported: boolean;
  readonly lastSyncTime?: string;
  /** The objects as this node applied them. */
  readonly objects: EvpnObjects;
  /** Devices the node reports for applied objects that the rebuilt objects do not render. */
  readonly extraDevices: string[];
  /** `EvpnVrf/name` → `applied`, or the node's reason and message. */
  readonly verdicts: Map<string, string>;
  /** Where the rebuild is partial, in words. */
  readonly notes: string[];
}

const sameGeneration = (
  result: { generation?: number | undefined },
  obj: { metadata: { generation?: number | undefined } },
): boolean =>
  result.generation === undefined ||
  obj.metadata.generation === undefined ||
  result.generation === obj.metadata.generation;

const verdictOf = (r: { ready: boolean; reason?: string | undefined; message?: string | undefined }): string =>
  r.ready ? 'applied' : `${r.reason ?? 'NotApplied'}${r.message === undefined ? '' : `: ${r.message}`}`;

function rebuildVrf(r: VrfResult, cluster: EvpnVrf | undefined, notes: string[]): EvpnVrf | undefined {
  const table = r.routingTable === undefined ? {} : { routingTable: r.routingTable };
  if (cluster !== undefined && sameGeneration(r, cluster)) return cluster;
  if (cluster !== undefined) {
    notes.push(
      `EvpnVrf ${r.name}: the node applied generation ${r.generation ?? '?'}, the cluster has ${cluster.metadata.generation ?? '?'} (rebuilt from the node's VNI and table)`,
    );
    return { ...cluster, spec: { ...cluster.spec, ...(r.vni === undefined ? {} : { vni: r.vni }), ...table } };
  }
  if (r.vni === undefined) return undefined;
  notes.push(`EvpnVrf ${r.name}: gone from the cluster, still applied on the node`);
  return { apiVersion: API_GROUP_VERSION, kind: 'EvpnVrf', metadata: { name: r.name }, spec: { vni: r.vni, ...table } };
}

function rebuildNetwork(r: NetworkResult, cluster: EvpnNetwork | undefined, notes: string[]): EvpnNetwork | undefined {
  if (cluster !== undefined && sameGeneration(r, cluster)) return cluster;
  if (cluster !== undefined) {
    notes.push(
      `EvpnNetwork ${r.name}: the node applied generation ${r.generation ?? '?'}, the cluster has ${cluster.metadata.generation ?? '?'} (rebuilt from the node's VNI and VLAN)`,
    );
    return {
      ...cluster,
      spec: {
        ...cluster.spec,
        ...(r.vni === undefined ? {} : { vni: r.vni }),
        ...(r.vlanId === undefined ? {} : { vlanId: r.vlanId }),
      },
    };
  }
  notes.push(`EvpnNetwork ${r.name}: gone from the cluster, still applied on the node`);
  if (r.vni === undefined || r.vlanId === undefined) return undefined;
  return {
    apiVersion: API_GROUP_VERSION,
    kind: 'EvpnNetwork',
    metadata: { name: r.name },
    spec: { type: 'l2', vni: r.vni, vlanId: r.vlanId },
  };
}

export function actualOf(node: string, state: EvpnNodeState | undefined, cluster: EvpnObjects): NodeActual {
  const status = state?.status;
  const notes: string[] = [];
  const verdicts = new Map<string, string>();
  const devices = new Set<string>();
  /** The ready results (their devices noted), each with its verdict recorded. */
  const applied = <R extends VrfResult | NetworkResult>(kind: string, results: readonly R[] | undefined): R[] =>
    (results ?? []).filter((r) => {
      verdicts.set(`${kind}/${r.name}`, verdictOf(r));
      if (r.ready) for (const d of r.devices ?? []) devices.add(d);
      return r.ready;
    });
  const vrfByName = new Map(cluster.vrfs.map((v) => [v.metadata.name, v]));
  const netByName = new Map(cluster.networks.map((n) => [n.metadata.name, n]));
  const vrfs = applied('EvpnVrf', status?.vrfs).flatMap((r) => rebuildVrf(r, vrfByName.get(r.name), notes) ?? []);
  const networks: EvpnNetwork[] = [];
  const portSets: EvpnPortSet[] = [];
  for (const r of applied('EvpnNetwork', status?.networks)) {
    const n = rebuildNetwork(r, netByName.get(r.name), notes);
    if (n === undefined) continue;
    networks.push(n);
    const ports = cluster.portSets.filter((p) => p.spec.nodeName === node && p.spec.network === r.name);
    portSets.push(...ports);
    const count = ports.reduce((sum, p) => sum + p.spec.ports.length, 0);
    if (r.localPorts !== undefined && r.localPorts !== count)
      notes.push(
        `EvpnNetwork ${r.name}: the node reports ${r.localPorts} local ports, the cluster has ${count} (the port entries are planned from the cluster's)`,
      );
  }
  const reported =
    status !== undefined &&
    (status.lastSyncTime !== undefined || status.vrfs !== undefined || status.networks !== undefined);
  return {
    reported,
    ...(status?.lastSyncTime === undefined ? {} : { lastSyncTime: status.lastSyncTime }),
    objects: { vrfs, networks, portSets, nodeStates: [] },
    extraDevices: [...devices].sort(),
    verdicts,
    notes,
  };
}
