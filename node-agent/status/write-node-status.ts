// Writes this node's EvpnNodeState status, only when it changed: volatile
// fields (sync time, duration) are added only when something else changed, so
// a steady node writes nothing.
import { AGENT_FIELD_MANAGER } from '../../crds/index.ts';
import type { EvpnNodeState, EvpnNodeStateStatus } from '../../crds/index.ts';
import { evpnResources } from '../../crds/resources.ts';
import { applyStatus, statusNeedsWrite } from '../../lib/kube/apply.ts';
import type { KubeClient } from '../../lib/kube/kube-client.ts';

const AGENT_VERSION = '0.1.0';

/** Returns whether it wrote. `started` is the pass's start (performance.now()). */
export async function writeNodeStatus(
  client: KubeClient,
  current: EvpnNodeState | undefined,
  name: string,
  status: EvpnNodeStateStatus,
  started: number,
): Promise<boolean> {
  if (current?.metadata.generation !== undefined) status.observedGeneration = current.metadata.generation;
  if (!statusNeedsWrite(current?.status, status)) return false;
  status.lastSyncTime = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  status.syncDurationMs = Math.round(performance.now() - started);
  status.agentVersion = AGENT_VERSION;
  await applyStatus(client, evpnResources.nodeStates, { name }, status as Record<string, unknown>, {
    fieldManager: AGENT_FIELD_MANAGER,
    force: true,
  });
  return true;
}
