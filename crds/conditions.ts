// Standard Kubernetes conditions (metav1.Condition) and this API's types and
// reasons. Reasons are UpperCamelCase; messages start with an EVPN-00x error code
// when one applies, so `kubectl describe` and Events read the same.
import { z } from 'zod';

export const Condition = z.object({
  type: z.string().max(316),
  status: z.enum(['True', 'False', 'Unknown']),
  reason: z.string().max(1024),
  message: z.string().max(32_768),
  lastTransitionTime: z.string(),
  observedGeneration: z.int().min(0).optional(),
});
export type Condition = z.infer<typeof Condition>;

export const Conditions = z
  .array(Condition)
  .max(16)
  .meta({
    'x-kubernetes-list-type': 'map',
    'x-kubernetes-list-map-keys': ['type'],
  });

export const ConditionType = {
  /** Everything desired is applied (on every node, for EvpnNetwork/EvpnVrf). */
  Ready: 'Ready',
  /** The spec is valid and does not conflict with another object. */
  Accepted: 'Accepted',
  /** The OVN association this object mirrors could not be read; the last good spec is kept. */
  SourceDegraded: 'SourceDegraded',
  /** FRR on the node accepted the configuration (EvpnNodeState only). */
  FrrApplied: 'FrrApplied',
  /** Kernel state on the node matches (EvpnNodeState only). */
  KernelApplied: 'KernelApplied',
} as const;
export type ConditionType = (typeof ConditionType)[keyof typeof ConditionType];

export const ConditionReason = {
  Applied: 'Applied',
  Pending: 'Pending',
  /** Applied on every node, but some node lacks the others' EVPN routes for it yet. */
  Converging: 'Converging',
  NoNodes: 'NoNodes',
  NodesFailing: 'NodesFailing',
  Valid: 'Valid',
  InvalidSpec: 'InvalidSpec',
  Conflict: 'Conflict',
  VrfNotFound: 'VrfNotFound',
  MalformedAssociation: 'MalformedAssociation',
  LastGoodSpecKept: 'LastGoodSpecKept',
  SourceHealthy: 'SourceHealthy',
  InfrastructureFailed: 'InfrastructureFailed',
  KernelUnsupported: 'KernelUnsupported',
  FrrFailed: 'FrrFailed',
  FrrUnavailable: 'FrrUnavailable',
} as const;
export type ConditionReason = (typeof ConditionReason)[keyof typeof ConditionReason];
