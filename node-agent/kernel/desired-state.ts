// The kernel state the agent wants, as plain data (render → this → diff).
import type { AddrSpec, RouteSpec } from './netlink/addr-route-codec.ts';
import type { BridgePortFlags, BridgeVlanSpec } from './netlink/bridge-codec.ts';
import type { LinkSpec } from './netlink/link-codec.ts';
import type { FdbSpec, NeighborSpec } from './netlink/neigh-codec.ts';

export interface DesiredKernelState {
  /** In creation order: a link's master and lower link come before it. */
  links: LinkSpec[];
  bridgeVlans: BridgeVlanSpec[];
  portFlags: BridgePortFlags[];
  addrs: AddrSpec[];
  routes: RouteSpec[];
  neighbors: NeighborSpec[];
  fdb: FdbSpec[];
}

export const emptyDesiredState = (): DesiredKernelState => ({
  links: [],
  bridgeVlans: [],
  portFlags: [],
  addrs: [],
  routes: [],
  neighbors: [],
  fdb: [],
});
