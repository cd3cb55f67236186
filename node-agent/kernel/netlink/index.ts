// Public surface of the node agent's kernel adapter.
export { KernelAdapter, openKernel, type BatchFailure, type BatchResult, type RouteFilter } from './kernel-adapter.ts';
export { KernelError, isKernelError, errnoName } from './kernel-error.ts';
export { describeOp, type KernelOp } from './kernel-ops.ts';
export {
  validateLinkName,
  type Link,
  type LinkSpec,
  type LinkChange,
  type LinkCommon,
  type OperState,
} from './link-codec.ts';
export type { Addr, AddrSpec, Route, RouteSpec, RouteType } from './addr-route-codec.ts';
export type { FdbEntry, FdbSpec, Neighbor, NeighborSpec, NeighState } from './neigh-codec.ts';
export type { BridgePort, BridgePortFlags, BridgeVlan, BridgeVlanSpec } from './bridge-codec.ts';
export type { RtnlSocketOptions, RtnlStats } from './rtnl-socket.ts';
export { OWNER_ALIAS_PREFIX, OWNED_LINK_GROUP, RTPROT_OVN_EVPN, isOwnedLink, ownerAlias } from '../ownership.ts';
export { closeNetnsFd, inNetns, netnsExecArgv, netnsPath, openNetnsFd } from './netns.ts';
