// EvpnPortSet: the ports of one network that are bound on one node, named
// `<network>.<node>` (hashed when too long) and labelled with both. Each agent
// watches only its node's sets (label selector), and a port change rewrites one
// set, so no object grows with the size of the cloud: a set is bounded by the
// ports of one network on one node.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { API_GROUP_VERSION } from './api-group.ts';
import { ObjectMeta } from './object-meta.ts';
import { CidrUnchecked, IpAddressUnchecked, ObjectName } from './primitives.ts';

export const MacAddress = z
  .string()
  .regex(/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/, 'must be a lower-case MAC address like 02:00:00:00:01:01');

export const LocalPort = z.object({
  /** OVN logical port (the Neutron port UUID). */
  name: z.string().max(253),
  mac: MacAddress,
  ips: z.array(IpAddressUnchecked).max(32).optional(),
  /** From a port association; defaults to true. */
  advertiseFixedIps: z.boolean().optional(),
  routes: z
    .array(z.object({ type: z.literal('prefix'), destination: CidrUnchecked, nexthop: IpAddressUnchecked }))
    .max(64)
    .optional(),
});
export type LocalPort = z.infer<typeof LocalPort>;

export const EvpnPortSetSpec = z.object({
  network: ObjectName,
  nodeName: z.string().max(253),
  ports: z
    .array(LocalPort)
    .max(10_000)
    .meta({ 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'] }),
});
export type EvpnPortSetSpec = z.infer<typeof EvpnPortSetSpec>;

export const EvpnPortSet = z.object({
  apiVersion: z.literal(API_GROUP_VERSION),
  kind: z.literal('EvpnPortSet'),
  metadata: ObjectMeta,
  spec: EvpnPortSetSpec,
});
export type EvpnPortSet = z.infer<typeof EvpnPortSet>;

export function portSetName(network: string, node: string): string {
  const plain = `${network}.${node}`;
  if (plain.length <= 253) return plain;
  const digest = createHash('sha256').update(node).digest('hex').slice(0, 16);
  return `${network.slice(0, 253 - 17)}.${digest}`;
}
