// What the kernel has, read with one netlink dump per kind.
import type { Addr, Route } from './netlink/addr-route-codec.ts';
import type { BridgePort } from './netlink/bridge-codec.ts';
import type { KernelAdapter } from './netlink/kernel-adapter.ts';
import type { Link } from './netlink/link-codec.ts';
import type { FdbEntry, Neighbor } from './netlink/neigh-codec.ts';
import { RTPROT_OVN_EVPN } from './ownership.ts';

export interface ActualKernelState {
  links: Link[];
  bridgePorts: BridgePort[];
  addrs: Addr[];
  /** Only routes with our rtm_protocol: nobody else's route is ever compared. */
  routes: Route[];
  neighbors: Neighbor[];
  fdb: FdbEntry[];
}

export async function readActualState(kernel: KernelAdapter): Promise<ActualKernelState> {
  // Sequential on purpose: one dump at a time per socket.
  const links = await kernel.dumpLinks();
  const bridgePorts = await kernel.dumpBridgeVlans();
  const addrs = await kernel.dumpAddrs();
  const routes = await kernel.dumpRoutes({ protocol: RTPROT_OVN_EVPN });
  const neighbors = await kernel.dumpNeighbors();
  const fdb = await kernel.dumpFdb();
  return { links, bridgePorts, addrs, routes, neighbors, fdb };
}
