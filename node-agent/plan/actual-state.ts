// What the kernel has, read with one netlink dump per kind.
import type { Addr, Route } from '../kernel/addr-route-codec.ts';
import type { BridgePort } from '../kernel/bridge-codec.ts';
import type { KernelAdapter } from '../kernel/kernel-adapter.ts';
import type { Link } from '../kernel/link-codec.ts';
import type { FdbEntry, Neighbor } from '../kernel/neigh-codec.ts';
import { RTPROT_OVN_EVPN } from '../kernel/ownership.ts';

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
