// The node's settings for the ovn backend (part of NodeConfig, so the kernel
// render, the OVS step and the status all see them). Validated at start.
import { z } from 'zod';

/**
 * The UDP port of the kernel VXLAN devices we create for OVN. It must differ
 * from every port in `ovn-evpn-vxlan-ports`: the traffic flows through
 * ovn-controller's flow-based port in br-int, and the kernel device exists only
 * so that zebra knows the VNI (and its VTEP) and installs the remote MACs and
 * VTEPs that ovn-controller reads (OVN's tests/multinode-bgp-macros.at gives it
 * another port for the same reason). 64789: outside Linux's ephemeral range
 * (32768–60999), so no socket of the node takes it by chance.
 */
export const OVN_DEVICE_VXLAN_PORT = 64_789;

const udpPort = z.int().min(1).max(65_535);

export const OvnNodeConfig = z
  .object({
    /** Open_vSwitch external_ids:ovn-evpn-vxlan-ports: where ovn-controller's flow-based VXLAN port listens (the fabric's port). */
    evpnVxlanPorts: z.array(udpPort).min(1).max(8).default([4789]),
    /** The kernel VXLAN devices' port (see OVN_DEVICE_VXLAN_PORT). */
    deviceVxlanPort: udpPort.default(OVN_DEVICE_VXLAN_PORT),
  })
  .refine((c) => !c.evpnVxlanPorts.includes(c.deviceVxlanPort), {
    message: 'ovn.deviceVxlanPort must not be one of ovn.evpnVxlanPorts (ovn-controller listens there)',
    path: ['deviceVxlanPort'],
  });
export type OvnNodeConfig = z.infer<typeof OvnNodeConfig>;
