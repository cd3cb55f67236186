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

/**
 * The port every remote VTEP that FRR learns gets in ovn-controller 26.03:
 * it takes a VTEP's port from the kernel FDB entry (NDA_PORT), else 4789, and
 * zebra writes none. A list without it binds no VTEP ("Couldn't find EVPN
 * tunnel for 4789 destination port.", measured in UML with [4790] on both
 * ends: no packet crossed), so it is required; more ports are allowed.
 */
export const OVN_FRR_VTEP_PORT = 4789;

export const OvnNodeConfig = z
  .object({
    /** Open_vSwitch external_ids:ovn-evpn-vxlan-ports: where ovn-controller's flow-based VXLAN port listens (the fabric's port). */
    evpnVxlanPorts: z.array(udpPort).min(1).max(8).default([4789]),
    /** The kernel VXLAN devices' port (see OVN_DEVICE_VXLAN_PORT). */
    deviceVxlanPort: udpPort.default(OVN_DEVICE_VXLAN_PORT),
  })
  .refine((c) => c.evpnVxlanPorts.includes(OVN_FRR_VTEP_PORT), {
    message: `ovn.evpnVxlanPorts must include ${String(OVN_FRR_VTEP_PORT)}: ovn-controller binds the VTEPs FRR learns (no port in their FDB entries) only to its tunnel on ${String(OVN_FRR_VTEP_PORT)}`,
    path: ['evpnVxlanPorts'],
  })
  .refine((c) => !c.evpnVxlanPorts.includes(c.deviceVxlanPort), {
    message: 'ovn.deviceVxlanPort must not be one of ovn.evpnVxlanPorts (ovn-controller listens there)',
    path: ['deviceVxlanPort'],
  });
export type OvnNodeConfig = z.infer<typeof OvnNodeConfig>;
