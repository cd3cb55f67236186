// EvpnNodeState: what one node applied, written only by that node's agent (its
// name is the node name). The operator folds these into EvpnNetwork/EvpnVrf
// status, so no shared object is written by every node.
import { z } from 'zod';
import { API_GROUP_VERSION } from './api-group.ts';
import { Conditions } from './conditions.ts';
import { EvpnErrorCode } from './error-codes.ts';
import { ObjectMeta } from './object-meta.ts';

const ErrorCodeSchema = z.enum([...new Set(Object.values(EvpnErrorCode))]);

/** Caps of the convergence lists: beyond them a node reports none and Ready does not wait on them. */
export const REMOTE_HOSTS_MAX = 4096;
export const REMOTE_VTEPS_MAX = 1024;

const ResultFields = {
  name: z.string().max(253),
  /** metadata.generation of the EvpnVrf/EvpnNetwork this result is for. */
  generation: z.int().optional(),
  vni: z.int().optional(),
  ready: z.boolean(),
  reason: z.string().max(128).optional(),
  /** The EVPN-00x code of a result that is not applied (its message starts with it too). */
  code: ErrorCodeSchema.optional(),
  message: z.string().max(4096).optional(),
  /** Kernel devices the agent owns for this object. */
  devices: z.array(z.string().max(15)).max(16).optional(),
};

export const VrfResult = z.object({
  ...ResultFields,
  routingTable: z.int().optional(),
  /** Whether FRR has the VRF's L3VNI up (`show evpn vni`). */
  l3vniUp: z.boolean().optional(),
  /** Type-5 routes received for this VRF. */
  prefixRoutes: z.int().optional(),
  /**
   * Host addresses (/32, /128) that zebra installed in the VRF through BGP:
   * the other nodes' VMs. The operator's Ready needs the other nodes' VMs of
   * each l3 network here. Absent when FRR is not read, or when there are more
   * than the cap (then nothing is gated on it).
   */
  remoteHosts: z.array(z.string().max(45)).max(REMOTE_HOSTS_MAX).optional(),
});
export type VrfResult = z.infer<typeof VrfResult>;

export const NetworkResult = z.object({
  ...ResultFields,
  vlanId: z.int().optional(),
  localPorts: z.int().optional(),
  fdbEntries: z.int().optional(),
  neighbors: z.int().optional(),
  routes: z.int().optional(),
  /** Remote VTEPs seen for the L2VNI (type-3). */
  remoteVteps: z.int().optional(),
  /** Type-2 MAC/IP routes for the L2VNI. */
  macIpRoutes: z.int().optional(),
  /** The other VTEPs this node floods the L2VNI to (their type-3 routes). The operator's Ready needs every other applying node here. */
  remoteVtepIps: z.array(z.string().max(45)).max(REMOTE_VTEPS_MAX).optional(),
});
export type NetworkResult = z.infer<typeof NetworkResult>;

export const FrrState = z.object({
  running: z.boolean(),
  lastReloadTime: z.string().optional(),
  configHash: z.string().max(64).optional(),
  peersEstablished: z.int().optional(),
  peersTotal: z.int().optional(),
  message: z.string().max(4096).optional(),
});

export const EvpnNodeStateSpec = z.object({
  nodeName: z.string().max(253),
});

export const EvpnNodeStateStatus = z.object({
  observedGeneration: z.int().optional(),
  conditions: Conditions.optional(),
  vtepIp: z.string().max(45).optional(),
  asn: z.int().optional(),
  agentVersion: z.string().max(64).optional(),
  lastSyncTime: z.string().optional(),
  syncDurationMs: z.number().optional(),
  frr: FrrState.optional(),
  vrfs: z.array(VrfResult).max(4096).optional(),
  networks: z.array(NetworkResult).max(8192).optional(),
});
export type EvpnNodeStateStatus = z.infer<typeof EvpnNodeStateStatus>;

export const EvpnNodeState = z.object({
  apiVersion: z.literal(API_GROUP_VERSION),
  kind: z.literal('EvpnNodeState'),
  metadata: ObjectMeta,
  spec: EvpnNodeStateSpec,
  status: EvpnNodeStateStatus.optional(),
});
export type EvpnNodeState = z.infer<typeof EvpnNodeState>;
