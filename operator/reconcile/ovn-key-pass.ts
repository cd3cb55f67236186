// The mirror pass's step into OVN: the networks whose keys OVN should carry,
// each network's backend (its live spec.backend, else the cluster default), and
// whether removals are held, handed to the ovn backend's key sync.
//
// A mirrored network that left the desired set keeps its keys for as long as
// its object lives: through the prune grace, and while the mass-deletion guard
// holds its delete (OVN came back empty or as a new cluster). So a row northd
// rewrites for a moment, or an emptied NB, takes no keys away; the keys go
// when the object is pruned.
import { DEFAULT_BACKEND, effectiveBackend, type Backend, type EvpnNetwork, type EvpnVrf } from '../../crds/index.ts';
import type { MirrorOutput } from '../mirror/build-desired.ts';
import { isMirrored } from '../mirror/build-desired.ts';
import type { OvnKeyResult, OvnKeySync } from '../ovn-keys/ovn-key-sync.ts';
import type { RenderInput } from '../ovn-keys/render-ovn-keys.ts';

export interface OvnKeyPassInput {
  readonly desired: Pick<MirrorOutput, 'networks' | 'vrfs'>;
  readonly liveNetworks: readonly EvpnNetwork[];
  readonly liveVrfs: readonly EvpnVrf[];
  readonly defaultBackend: Backend | undefined;
  /** OVN is not synced: keys that look stale are not removed now. */
  readonly holdRemovals: boolean;
}

/** The networks and VRFs whose keys OVN should carry now, and their backends. Pure. */
export function keyRenderInput(input: Omit<OvnKeyPassInput, 'holdRemovals'>): RenderInput {
  const live = new Map(input.liveNetworks.map((n) => [n.metadata.name, n]));
  const clusterDefault = input.defaultBackend ?? DEFAULT_BACKEND;
  const networks = new Map(input.liveNetworks.filter(isMirrored).map((n) => [n.metadata.name, n.spec] as const));
  for (const [id, spec] of input.desired.networks) networks.set(id, spec);
  const liveVrfs = new Map(input.liveVrfs.map((v) => [v.metadata.name, v.spec] as const));
  const vrfs = new Map(input.liveVrfs.filter(isMirrored).map((v) => [v.metadata.name, v.spec] as const));
  for (const [name, spec] of input.desired.vrfs) vrfs.set(name, spec);
  return {
    networks,
    vrfs,
    backendOf: (id) => effectiveBackend(live.get(id)?.spec ?? {}, clusterDefault),
    vrfBackendOf: (name) => effectiveBackend(liveVrfs.get(name) ?? {}, clusterDefault),
  };
}

export async function syncOvnKeysOfPass(sync: OvnKeySync | undefined, input: OvnKeyPassInput): Promise<OvnKeyResult> {
  if (sync === undefined) return { problems: [] };
  return sync.sync({ ...keyRenderInput(input), holdRemovals: input.holdRemovals });
}
