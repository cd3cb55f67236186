// EvpnVrf: one tenant routing domain. Its `vni` is the L3VNI (symmetric IRB and
// type-5 routes). Mirrored VRFs are named `vrf-<vni>`; networks with the same
// L3VNI share one EvpnVrf.
import { z } from 'zod';
import { API_GROUP_VERSION, DEFAULT_TABLE_OFFSET } from './api-group.ts';
import { Backend } from './backend.ts';
import { Conditions } from './conditions.ts';
import { ObjectMeta } from './object-meta.ts';
import { BgpPolicyFields, cel, MAX_U32, Vni } from './primitives.ts';
import { NodeSummary } from './status-summary.ts';

export const routingTableMessage = `routingTable must be 1–${MAX_U32} and not a kernel reserved table (253 default, 254 main, 255 local)`;

export const RoutingTable = z
  .int()
  .refine((t) => t >= 1 && t <= MAX_U32 && (t < 253 || t > 255), { message: routingTableMessage })
  .meta({
    description: `Kernel routing table of the VRF. Defaults to vni + ${DEFAULT_TABLE_OFFSET}.`,
    ...cel({ rule: `self >= 1 && self <= ${MAX_U32} && (self < 253 || self > 255)`, message: routingTableMessage }),
  });

export const EvpnVrfSpec = z.object({
  vni: Vni.meta({ description: 'The L3VNI of this VRF (type-5 routes, symmetric IRB), 1–16777215.' }),
  routingTable: RoutingTable.optional(),
  ...BgpPolicyFields,
  backend: Backend.optional(),
});
export type EvpnVrfSpec = z.infer<typeof EvpnVrfSpec>;

export const EvpnVrfStatus = z.object({
  observedGeneration: z.int().optional(),
  conditions: Conditions.optional(),
  /** The table in effect (spec.routingTable or the default). */
  routingTable: z.int().optional(),
  /** Number of EvpnNetworks that use this VRF. */
  networkCount: z.int().optional(),
  /** The backend in effect: spec.backend, else the cluster default. */
  backend: Backend.optional(),
  ...NodeSummary,
});
export type EvpnVrfStatus = z.infer<typeof EvpnVrfStatus>;

export const EvpnVrf = z.object({
  apiVersion: z.literal(API_GROUP_VERSION),
  kind: z.literal('EvpnVrf'),
  metadata: ObjectMeta,
  spec: EvpnVrfSpec,
  status: EvpnVrfStatus.optional(),
});
export type EvpnVrf = z.infer<typeof EvpnVrf>;

export function effectiveRoutingTable(spec: Pick<EvpnVrfSpec, 'vni' | 'routingTable'>): number {
  return spec.routingTable ?? spec.vni + DEFAULT_TABLE_OFFSET;
}
