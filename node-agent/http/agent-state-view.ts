// AgentView over the running NodeAgent: what its informers hold and what its
// last pass applied. Read-only; requestSync only enqueues a pass.
import { randomUUID } from 'node:crypto';
import { effectiveRoutingTable } from '../../crds/index.ts';
import type { NodeAgent } from '../agent.ts';
import type { AgentMetrics } from '../metrics.ts';
import { vrfDevice } from '../inputs/device-names.ts';
import type { AgentView, MetricsView, NetworkView, VrfView } from './agent-view.ts';

type EvpnNetwork = NodeAgent['networkObjects'][number];
type EvpnVrf = NodeAgent['vrfObjects'][number];
type PassKernel = NonNullable<NodeAgent['lastPass']>['kernel'];
/** What the last pass did for one network or VRF (both maps hold the same outcome type). */
type Outcome = NonNullable<ReturnType<PassKernel['networks']['get']>>;

/** What the resource asks for: its optional spec fields appear only when set. */
function networkSpecView(
  n: EvpnNetwork,
  vrf: EvpnVrf | undefined,
): Pick<
  NetworkView,
  'id' | 'type' | 'vni' | 'vlanId' | 'vrf' | 'l3vni' | 'routingTable' | 'mtu' | 'routeTargets' | 'routeDistinguishers'
> {
  return {
    id: n.metadata.name,
    type: n.spec.type,
    ...(n.spec.vni !== undefined ? { vni: n.spec.vni } : {}),
    ...(n.spec.vlanId !== undefined ? { vlanId: n.spec.vlanId } : {}),
    ...(n.spec.vrf !== undefined ? { vrf: n.spec.vrf } : {}),
    ...(vrf ? { l3vni: vrf.spec.vni, routingTable: effectiveRoutingTable(vrf.spec) } : {}),
    ...(n.spec.mtu !== undefined ? { mtu: n.spec.mtu } : {}),
    ...(n.spec.routeTargets ? { routeTargets: n.spec.routeTargets } : {}),
    ...(n.spec.routeDistinguishers ? { routeDistinguishers: n.spec.routeDistinguishers } : {}),
  };
}

/** Ready and why not; not ready until a pass has run. */
function readinessView(o: Outcome | undefined): Pick<VrfView, 'ready' | 'reason' | 'message'> {
  return {
    ready: o?.ready ?? false,
    ...(o?.reason !== undefined ? { reason: o.reason } : {}),
    ...(o?.message !== undefined ? { message: o.message } : {}),
  };
}

function networkViews(agent: NodeAgent): NetworkView[] {
  const pass = agent.lastPass;
  const vrfs = new Map(agent.vrfObjects.map((v) => [v.metadata.name, v]));
  const ports = new Map<string, number>();
  for (const s of agent.portSetObjects)
    ports.set(s.spec.network, (ports.get(s.spec.network) ?? 0) + s.spec.ports.length);
  return agent.networkObjects.map((n): NetworkView => {
    const o = pass?.kernel.networks.get(n.metadata.name);
    const vrf = n.spec.vrf === undefined ? undefined : vrfs.get(n.spec.vrf);
    return {
      ...networkSpecView(n, vrf),
      ...readinessView(o),
      devices: o?.devices ?? [],
      localPorts: ports.get(n.metadata.name) ?? 0,
      fdbEntries: o?.fdbEntries ?? 0,
      neighbors: o?.neighbors ?? 0,
      routes: o?.routes ?? 0,
    };
  });
}

function vrfViews(agent: NodeAgent): VrfView[] {
  const pass = agent.lastPass;
  return agent.vrfObjects.map((v) => ({
    name: v.metadata.name,
    device: vrfDevice(v.spec.vni),
    vni: v.spec.vni,
    routingTable: effectiveRoutingTable(v.spec),
    networks: agent.networkObjects
      .filter((n) => n.spec.vrf === v.metadata.name)
      .map((n) => n.metadata.name)
      .sort(),
    ...readinessView(pass?.kernel.vrfs.get(v.metadata.name)),
  }));
}

function metricsView(agent: NodeAgent, metrics: AgentMetrics): MetricsView {
  const nets = agent.networkObjects;
  const last = metrics.lastSync;
  return {
    networks: nets.length,
    l2Networks: nets.filter((n) => n.spec.type === 'l2').length,
    l3Networks: nets.filter((n) => n.spec.type === 'l3').length,
    vrfs: agent.vrfObjects.length,
    ports: agent.portSetObjects.reduce((sum, s) => sum + s.spec.ports.length, 0),
    fdbEntries: last?.fdb ?? 0,
    neighborEntries: last?.neighbors ?? 0,
    ...(last ? { syncDurationSeconds: last.durationMs / 1000, lastSyncTime: last.at } : {}),
    errors: metrics.errorCount(),
  };
}

export function createAgentStateView(agent: NodeAgent, metrics: AgentMetrics): AgentView {
  let passes = 0;
  return {
    networks: () => networkViews(agent),
    network: (id) => networkViews(agent).find((n) => n.id === id),
    vrfs: () => vrfViews(agent),
    metrics: () => metricsView(agent, metrics),
    requestSync: () => {
      passes++;
      const running = agent.passRunning;
      void agent.syncNow();
      return { status: running ? 'queued' : 'started', taskId: `${randomUUID()}-${passes}` };
    },
    ready: () => agent.lastPass !== undefined,
  };
}
