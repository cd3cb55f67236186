// EvpnNetwork: one Neutron network stretched over EVPN. For type l2 its `vni`
// is the L2VNI (type-2/3 routes) and its VRF's vni the L3VNI: one VNI cannot be
// both (measured: zebra then treats it as L3 only and sends no type-2/3). For
// type l3 the network only gets type-5 routes through its VRF.
import { z } from 'zod';
import { API_GROUP_VERSION } from './api-group.ts';
import { Backend } from './backend.ts';
import { Conditions } from './conditions.ts';
import { ObjectMeta } from './object-meta.ts';
import {
  BgpPolicyFields,
  Cidr,
  cel,
  gatewayInside,
  gatewayInsideCel,
  gatewayOutsideMessage,
  IpAddress,
  ObjectName,
  Vni,
} from './primitives.ts';
import { NodeSummary } from './status-summary.ts';

export const NetworkType = z
  .enum(['l2', 'l3'])
  .meta({ description: 'l2: type-2/3/5 with an L2VNI and IRB; l3: type-5 only.' });
export type NetworkType = z.infer<typeof NetworkType>;

// Who answers for the gateway address on the network's L2 segment. An OVN
// logical router attached to the network answers ARP/ND for its port's address
// with the router port's MAC; an IRB holding the same address with another MAC
// would make VMs' ARP entries flap between the two. So:
//   evpn (default): the agent's IRB holds the gateway (anycast on every node);
//   ovn: an OVN router port holds it; the agent puts no address of this subnet
//        on the IRB and carries the traffic with the subnet route and neighbour
//        entries instead.
export const GatewayOwner = z.enum(['evpn', 'ovn']).meta({
  description:
    'Who holds the gateway address: evpn (default, the IRB as anycast gateway) or ovn (an OVN router port; the IRB gets no address of this subnet).',
});
export type GatewayOwner = z.infer<typeof GatewayOwner>;

export const gatewayOwnerMessage = 'gatewayOwner ovn needs gateway';
export const Subnet = z
  .object({
    cidr: Cidr,
    gateway: IpAddress.optional().meta({
      description: 'Gateway address inside cidr; the IRB/anycast gateway of an l2 network unless gatewayOwner is ovn.',
    }),
    gatewayOwner: GatewayOwner.optional(),
  })
  .refine(gatewayInside, { message: gatewayOutsideMessage, path: ['gateway'] })
  .refine((s) => s.gatewayOwner !== 'ovn' || s.gateway !== undefined, {
    message: gatewayOwnerMessage,
    path: ['gatewayOwner'],
  })
  .meta(
    cel(gatewayInsideCel, {
      rule: "!has(self.gatewayOwner) || self.gatewayOwner != 'ovn' || has(self.gateway)",
      message: gatewayOwnerMessage,
    }),
  );
export type Subnet = z.infer<typeof Subnet>;

export const routeTypeMessage = 'route type must be "prefix" (the only type networking-bgpvpn defines)';
export const PrefixRoute = z.object({
  type: z
    .string()
    .max(16)
    .refine((t) => t === 'prefix', { message: routeTypeMessage })
    .meta(cel({ rule: "self == 'prefix'", message: routeTypeMessage })),
  destination: Cidr,
  nexthop: IpAddress,
});
export type PrefixRoute = z.infer<typeof PrefixRoute>;

export const SourceRow = z.object({
  db: z.enum(['OVN_Northbound', 'OVN_Southbound']),
  table: z.string().max(64),
  uuid: z.string().max(64),
  name: z.string().max(253).optional(),
});

export const Source = z
  .object({
    association: z.enum(['network', 'router', 'port']).meta({ description: 'The BGPVPN association kind.' }),
    networkId: z.string().max(64).optional().meta({ description: 'Neutron network UUID.' }),
    routerId: z.string().max(64).optional().meta({ description: 'Neutron router UUID (router associations).' }),
    portIds: z
      .array(z.string().max(64))
      .max(4096)
      .optional()
      .meta({ description: 'Neutron port UUIDs (port associations).' }),
    rows: z.array(SourceRow).max(64).optional().meta({ description: 'The OVN rows the spec was read from.' }),
  })
  .meta({ description: 'Where a mirrored object came from. Set by the operator; absent on user-authored objects.' });

// OVS bridge mappings are `physnet:bridge[,physnet:bridge]`, so a physical
// network name can hold neither ':' nor ','; Neutron allows up to 64 characters.
export const physicalNetworkMessage = 'physicalNetwork must be 1–64 characters of letters, digits, ".", "_" and "-"';
export const Provider = z
  .object({
    physicalNetwork: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, { message: physicalNetworkMessage })
      .meta({
        description:
          'The physical network (OVN localnet options:network_name); each node maps it to an OVS bridge through ovn-bridge-mappings.',
      }),
  })
  .meta({ description: 'How the network reaches OVN: its VLAN (vlanId, the localnet tag) on this physical network.' });
export type Provider = z.infer<typeof Provider>;

export const mtuMessage = 'mtu must be 576–9216';
export const providerNeedsVlanMessage =
  'provider needs vlanId (a flat network, untagged on the provider bridge, is not stretched)';
export const EvpnNetworkSpec = z
  .object({
    type: NetworkType,
    vni: Vni.optional().meta({
      description: "The L2VNI (type l2). For type l3, optional and equal to the VRF's L3VNI.",
    }),
    vrf: ObjectName.optional().meta({
      description: 'Name of the EvpnVrf that routes this network. Required for type l3.',
    }),
    ...BgpPolicyFields,
    vlanId: z.int().min(1).max(4094).optional().meta({
      description:
        'VLAN of this network on the shared bridge and towards OVN (the localnet tag), 1–4094. Required for type l2, except on a mirrored network that has no VLAN path to OVN (flat or tunnelled): such a network is shown with Accepted=False and no agent applies it.',
    }),
    provider: Provider.optional(),
    mtu: z
      .int()
      .refine((m) => m >= 576 && m <= 9216, { message: mtuMessage })
      .optional()
      .meta({
        description: "MTU of the network's devices; defaults to 1500.",
        ...cel({ rule: 'self >= 576 && self <= 9216', message: mtuMessage }),
      }),
    subnets: z.array(Subnet).max(64).optional(),
    advertiseFixedIps: z
      .boolean()
      .optional()
      .meta({ description: "Advertise the ports' fixed IPs as type-2 MAC+IP routes (default true)." }),
    routes: z
      .array(PrefixRoute)
      .max(1024)
      .optional()
      .meta({ description: 'Static routes put into the VRF table (port associations).' }),
    source: Source.optional(),
    backend: Backend.optional(),
  })
  .refine((s) => s.type !== 'l2' || s.vni !== undefined, {
    message: 'an l2 network needs vni (its L2VNI)',
    path: ['vni'],
  })
  .refine((s) => s.type !== 'l2' || s.vlanId !== undefined || s.source !== undefined, {
    message: 'an l2 network needs vlanId',
    path: ['vlanId'],
  })
  .refine((s) => s.type !== 'l3' || s.vrf !== undefined, { message: 'an l3 network needs vrf', path: ['vrf'] })
  .refine((s) => s.provider === undefined || s.vlanId !== undefined, {
    message: providerNeedsVlanMessage,
    path: ['vlanId'],
  })
  .meta(
    cel(
      { rule: "self.type != 'l2' || has(self.vni)", message: 'an l2 network needs vni (its L2VNI)', fieldPath: '.vni' },
      {
        rule: "self.type != 'l2' || has(self.vlanId) || has(self.source)",
        message: 'an l2 network needs vlanId',
        fieldPath: '.vlanId',
      },
      { rule: "self.type != 'l3' || has(self.vrf)", message: 'an l3 network needs vrf', fieldPath: '.vrf' },
      { rule: '!has(self.provider) || has(self.vlanId)', message: providerNeedsVlanMessage, fieldPath: '.vlanId' },
    ),
  );

/**
 * A network an agent can plumb onto OVN's provider bridge: it has a VLAN. A
 * mirrored network without one (OVN gives it no VLAN path: flat or tunnelled)
 * is shown with Accepted=False and applied by no agent.
 */
export const hasProviderPath = (spec: Pick<EvpnNetworkSpec, 'vlanId'>): boolean => spec.vlanId !== undefined;
export type EvpnNetworkSpec = z.infer<typeof EvpnNetworkSpec>;

export const EvpnNetworkStatus = z.object({
  observedGeneration: z.int().optional(),
  conditions: Conditions.optional(),
  /** The L3VNI in effect (from the VRF). */
  l3vni: z.int().optional(),
  /** Local ports known across all nodes. */
  ports: z.int().optional(),
  /** The backend in effect: spec.backend, else the cluster default. */
  backend: Backend.optional(),
  ...NodeSummary,
});
export type EvpnNetworkStatus = z.infer<typeof EvpnNetworkStatus>;

export const EvpnNetwork = z.object({
  apiVersion: z.literal(API_GROUP_VERSION),
  kind: z.literal('EvpnNetwork'),
  metadata: ObjectMeta,
  spec: EvpnNetworkSpec,
  status: EvpnNetworkStatus.optional(),
});
export type EvpnNetwork = z.infer<typeof EvpnNetwork>;
