// Node-level settings of the agent (from its flags/config file, validated).
import { isIPv4 } from 'node:net';
import { z } from 'zod';
import { Backend, DEFAULT_BACKEND } from '../../crds/backend.ts';
import { OvnNodeConfig } from '../backends/ovn/ovn-node-config.ts';

export const NodeConfig = z.object({
  nodeName: z.string().min(1).max(253),
  /** Underlay address of this node's VTEP (vxlan `local`). */
  vtepIp: z.string().refine((s) => isIPv4(s), 'vtepIp must be an IPv4 address'),
  /** The shared VLAN-aware bridge of all L2VNIs (br-evpn by default). */
  bridge: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{1,15}$/)
    .default('br-evpn'),
  /** Veth pair towards OVN: `uplink` is the trunk port in the bridge, `uplinkPeer` goes into the provider (OVS) bridge. */
  uplink: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{1,15}$/)
    .default('evpn-uplink'),
  uplinkPeer: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{1,15}$/)
    .default('evpn-ovs'),
  /**
   * The distributed anycast gateway MAC, the same on every node: it is the MAC
   * of the shared bridge, so every IRB (a VLAN device on it) inherits it.
   */
  anycastGatewayMac: z
    .string()
    .regex(/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/)
    .default('02:00:5e:00:01:01'),
  defaultMtu: z.int().min(576).max(9216).default(1500),
  /** The backend of objects without spec.backend: the operator's --default-backend (one chart value sets both). */
  defaultBackend: Backend.default(DEFAULT_BACKEND),
  /** The ovn backend's ports (backends/ovn). */
  ovn: OvnNodeConfig.prefault({}),
});
export type NodeConfig = z.infer<typeof NodeConfig>;
