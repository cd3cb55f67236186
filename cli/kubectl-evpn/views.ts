// Pure: the ovn-evpn-show views (networks, vrfs, network <id>) and
// ovn-bgp-agent-status views, built from the objects. Per-node results come from
// each node's EvpnNodeState, so they show even when the operator is down.
import { effectiveRoutingTable } from '../../crds/index.ts';
import type { EvpnNetwork, EvpnNodeState, NetworkResult, VrfResult } from '../../crds/index.ts';
import type { EvpnObjects } from './objects.ts';
import { dash, formatTable } from './table.ts';

interface NodeResult<R> {
  node: string;
  result: R;
}

function resultsFor<R extends { name: string }>(
  states: readonly EvpnNodeState[],
  pick: (s: EvpnNodeState) => readonly R[] | undefined,
  name: string,
): NodeResult<R>[] {
  return states
    .flatMap((s) => (pick(s) ?? []).filter((r) => r.name === name).map((result) => ({ node: s.metadata.name, result })))
    .sort((a, b) => a.node.localeCompare(b.node));
}

function readyColumn(results: readonly NodeResult<{ ready: boolean }>[], fallback: string | undefined): string {
  if (results.length === 0) return fallback ?? '-';
  return `${results.filter((r) => r.result.ready).length}/${results.length}`;
}

const byName = <T extends { metadata: { name: string } }>(list: readonly T[]): T[] =>
  [...list].sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));

export function networksView(o: EvpnObjects): string {
  const vrfVni = new Map(o.vrfs.map((v) => [v.metadata.name, v.spec.vni]));
  const rows = byName(o.networks).map((n) => [
    n.metadata.name,
    dash(n.spec.vni),
    n.spec.type,
    dash(n.spec.vlanId),
    dash(n.spec.vrf),
    dash(n.spec.vrf === undefined ? undefined : vrfVni.get(n.spec.vrf)),
    String(o.portSets.filter((p) => p.spec.network === n.metadata.name).reduce((k, p) => k + p.spec.ports.length, 0)),
    readyColumn(
      resultsFor(o.nodeStates, (s) => s.status?.networks, n.metadata.name),
      n.status?.ready,
    ),
  ]);
  return formatTable(['NETWORK ID', 'VNI', 'TYPE', 'VLAN', 'VRF', 'L3VNI', 'PORTS', 'READY'], rows);
}

export function vrfsView(o: EvpnObjects): string {
  const rows = byName(o.vrfs).map((v) => {
    const members = o.networks
      .filter((n) => n.spec.vrf === v.metadata.name)
      .map((n) => n.metadata.name)
      .sort();
    return [
      v.metadata.name,
      String(v.spec.vni),
      String(effectiveRoutingTable(v.spec)),
      String(members.length),
      members.join(',') || '-',
      readyColumn(
        resultsFor(o.nodeStates, (s) => s.status?.vrfs, v.metadata.name),
        v.status?.ready,
      ),
    ];
  });
  return formatTable(['NAME', 'VNI', 'TABLE', 'NETWORKS', 'MEMBERS', 'READY'], rows);
}

/** The network by object name, or by its Neutron network UUID (spec.source.networkId). */
export function findNetwork(o: EvpnObjects, id: string): EvpnNetwork | undefined {
  return o.networks.find((n) => n.metadata.name === id) ?? o.networks.find((n) => n.spec.source?.networkId === id);
}

export function networkView(o: EvpnObjects, n: EvpnNetwork): string {
  const s = n.spec;
  const vrf = s.vrf === undefined ? undefined : o.vrfs.find((v) => v.metadata.name === s.vrf);
  const list = (l: readonly string[] | undefined): string => (l === undefined || l.length === 0 ? '-' : l.join(', '));
  const lines = [
    `Network:              ${n.metadata.name}`,
    `Type:                 ${s.type}${s.type === 'l2' ? ' (L2VNI + IRB, type-2/3/5)' : ' (type-5 only)'}`,
    `VNI:                  ${dash(s.vni)}`,
    `VLAN:                 ${dash(s.vlanId)}`,
    `VRF:                  ${dash(s.vrf)}${vrf === undefined ? (s.vrf === undefined ? '' : ' (missing)') : ` (L3VNI ${vrf.spec.vni}, table ${effectiveRoutingTable(vrf.spec)})`}`,
    `MTU:                  ${s.mtu ?? 1500}`,
    `Route targets:        ${list(s.routeTargets)}`,
    `Import targets:       ${list(s.importTargets)}`,
    `Export targets:       ${list(s.exportTargets)}`,
    `Route distinguishers: ${list(s.routeDistinguishers)}`,
    `Local pref:           ${dash(s.localPref)}`,
    `Subnets:              ${list((s.subnets ?? []).map((x) => (x.gateway === undefined ? x.cidr : `${x.cidr} gw ${x.gateway}`)))}`,
    `Routes:               ${list((s.routes ?? []).map((r) => `${r.destination} via ${r.nexthop}`))}`,
    `Source:               ${s.source === undefined ? 'user' : `${s.source.association} association${s.source.networkId === undefined ? '' : ` of network ${s.source.networkId}`}`}`,
  ];
  for (const c of n.status?.conditions ?? [])
    lines.push(`Condition ${c.type}: ${c.status} ${c.reason}${c.message === '' ? '' : ` - ${c.message}`}`);
  const results = resultsFor<NetworkResult>(o.nodeStates, (st) => st.status?.networks, n.metadata.name);
  lines.push('', 'Nodes:');
  if (results.length === 0) lines.push('  no node reports this network yet');
  else {
    lines.push(
      formatTable(
        ['  NODE', 'READY', 'PORTS', 'FDB', 'NEIGH', 'ROUTES', 'REMOTE VTEPS', 'DEVICES', 'REASON'],
        results.map(({ node, result: r }) => [
          `  ${node}`,
          String(r.ready),
          dash(r.localPorts),
          dash(r.fdbEntries),
          dash(r.neighbors),
          dash(r.routes),
          dash(r.remoteVteps),
          list(r.devices),
          r.ready ? '-' : `${dash(r.reason)}: ${dash(r.message)}`,
        ]),
      ),
    );
  }
  return lines.join('\n');
}

function ageOf(time: string | undefined, now: Date): string {
  if (time === undefined) return '-';
  const s = Math.max(0, Math.round((now.getTime() - Date.parse(time)) / 1000));
  return Number.isNaN(s)
    ? time
    : s < 120
      ? `${s}s ago`
      : s < 7200
        ? `${Math.round(s / 60)}m ago`
        : `${Math.round(s / 3600)}h ago`;
}

/** The ovn-bgp-agent-status view, for the whole cluster, then one line per node. */
/** BGP peers established/total, or down, or - when the agent has not reported FRR. */
function frrText(frr: NonNullable<EvpnNodeState['status']>['frr']): string {
  if (frr === undefined) return '-';
  return frr.running ? `${dash(frr.peersEstablished)}/${dash(frr.peersTotal)}` : 'down';
}

/** One row of the node table of `kubectl evpn status`. */
function nodeStatusRow(s: EvpnNodeState, now: Date): string[] {
  const st = s.status;
  const ready = st?.conditions?.find((c) => c.type === 'Ready');
  const count = (list: readonly (VrfResult | NetworkResult)[] | undefined): string =>
    list === undefined ? '-' : `${list.filter((r) => r.ready).length}/${list.length}`;
  return [
    s.metadata.name,
    ready?.status ?? 'Unknown',
    dash(st?.vtepIp),
    dash(st?.asn),
    count(st?.vrfs),
    count(st?.networks),
    String((st?.networks ?? []).reduce((k, r) => k + (r.localPorts ?? 0), 0)),
    frrText(st?.frr),
    ageOf(st?.lastSyncTime, now),
    st?.syncDurationMs === undefined ? '-' : `${(st.syncDurationMs / 1000).toFixed(1)}s`,
  ];
}

export function statusView(o: EvpnObjects, now = new Date()): string {
  const l2 = o.networks.filter((n) => n.spec.type === 'l2').length;
  const ports = o.portSets.reduce((k, p) => k + p.spec.ports.length, 0);
  const sum = (pick: (r: NetworkResult) => number | undefined): number =>
    o.nodeStates.reduce((k, s) => k + (s.status?.networks ?? []).reduce((j, r) => j + (pick(r) ?? 0), 0), 0);
  const readyNodes = o.nodeStates.filter(
    (s) => s.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True',
  ).length;
  const lines = [
    'EVPN Status',
    '===========',
    `Active Networks: ${o.networks.length} (L2: ${l2}, L3: ${o.networks.length - l2})`,
    `Active VRFs: ${o.vrfs.length}`,
    `Tracked Ports: ${ports}`,
    `VXLAN Devices: ${o.vrfs.length + l2} per node`,
    `FDB Entries: ${sum((r) => r.fdbEntries)}`,
    `Neighbor Entries: ${sum((r) => r.neighbors)}`,
    `Nodes: ${o.nodeStates.length} (Ready: ${readyNodes})`,
    '',
  ];
  const rows = byName(o.nodeStates).map((s) => nodeStatusRow(s, now));
  lines.push(
    rows.length === 0
      ? 'No EvpnNodeState yet: no node agent has reported.'
      : formatTable(
          ['NODE', 'READY', 'VTEP', 'ASN', 'VRFS', 'NETWORKS', 'PORTS', 'BGP PEERS', 'LAST SYNC', 'SYNC DURATION'],
          rows,
        ),
  );
  const failing = o.nodeStates.flatMap((s) =>
    [...(s.status?.vrfs ?? []), ...(s.status?.networks ?? [])]
      .filter((r) => !r.ready)
      .map((r) => [s.metadata.name, r.name, dash(r.reason), dash(r.message)]),
  );
  if (failing.length > 0)
    lines.push(
      '',
      'Not ready:',
      formatTable(
        ['NODE', 'OBJECT', 'REASON', 'MESSAGE'],
        failing.sort((a, b) => a.join().localeCompare(b.join())),
      ),
    );
  return lines.join('\n');
}
