// What one render produced: the desired kernel state, plus per VRF and network
// what was planned for it (shown in their status) and which object each entry
// came from. Its own file so the render steps and the status code share it
// without importing the renderer.
import type { DesiredKernelState } from './desired-state.ts';

export interface PlannedObject {
  name: string;
  devices: string[];
  localPorts?: number;
  fdbEntries?: number;
  neighbors?: number;
  routes?: number;
}

export interface EntryOwner {
  kind: 'vrf' | 'network';
  name: string;
}

export interface RenderedState {
  desired: DesiredKernelState;
  vrfs: Map<string, PlannedObject>;
  networks: Map<string, PlannedObject>;
  /**
   * The object whose render produced each entry (entry-keys.ts), so that an
   * entry on a shared device (a network's VLAN on the bridge and the uplink,
   * its ports' FDB entries) is pinned to its network, not to the node.
   */
  entryOwners: Map<string, EntryOwner>;
}
