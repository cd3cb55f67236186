// The four kinds of the API and how kubectl presents them. generate.ts turns
// this table plus the zod schemas into CRD YAML.
import type { z } from 'zod';
import { EvpnNetworkSpec, EvpnNetworkStatus } from './evpn-network.ts';
import { EvpnNodeStateSpec, EvpnNodeStateStatus } from './evpn-node-state.ts';
import { EvpnPortSetSpec } from './evpn-port-set.ts';
import { EvpnVrfSpec, EvpnVrfStatus } from './evpn-vrf.ts';

export interface PrinterColumn {
  name: string;
  type: 'string' | 'integer' | 'date' | 'boolean';
  jsonPath: string;
  description?: string;
  priority?: number;
}

export interface KindDefinition {
  kind: string;
  plural: string;
  singular: string;
  shortNames: string[];
  description: string;
  spec: z.ZodType;
  status?: z.ZodType;
  columns: PrinterColumn[];
}

const backend: PrinterColumn = {
  name: 'Backend',
  type: 'string',
  jsonPath: '.status.backend',
  description: 'The data path in effect: kernel or ovn (spec.backend, else the cluster default)',
};
const age: PrinterColumn = { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' };
const ready: PrinterColumn = {
  name: 'Ready',
  type: 'string',
  jsonPath: '.status.ready',
  description: 'Nodes ready/total',
};

export const kinds: KindDefinition[] = [
  {
    kind: 'EvpnVrf',
    plural: 'evpnvrfs',
    singular: 'evpnvrf',
    shortNames: ['evrf'],
    description: 'A tenant VRF routed over EVPN: its L3VNI, routing table and BGP policy.',
    spec: EvpnVrfSpec,
    status: EvpnVrfStatus,
    columns: [
      { name: 'L3VNI', type: 'integer', jsonPath: '.spec.vni', description: 'The L3VNI (type-5, symmetric IRB)' },
      {
        name: 'Table',
        type: 'integer',
        jsonPath: '.status.routingTable',
        description: 'Kernel routing table in effect',
      },
      { name: 'Networks', type: 'integer', jsonPath: '.status.networkCount' },
      backend,
      ready,
      age,
    ],
  },
  {
    kind: 'EvpnNetwork',
    plural: 'evpnnetworks',
    singular: 'evpnnetwork',
    shortNames: ['enet'],
    description: 'A Neutron network stretched over EVPN (type l2: L2VNI with IRB; type l3: type-5 routes only).',
    spec: EvpnNetworkSpec,
    status: EvpnNetworkStatus,
    columns: [
      {
        name: 'VNI',
        type: 'integer',
        jsonPath: '.spec.vni',
        description: "l2: the L2VNI (the BGPVPN's vni); l3: the VRF's L3VNI",
      },
      { name: 'Type', type: 'string', jsonPath: '.spec.type' },
      { name: 'VLAN', type: 'integer', jsonPath: '.spec.vlanId' },
      { name: 'VRF', type: 'string', jsonPath: '.spec.vrf' },
      backend,
      ready,
      age,
      { name: 'Source', type: 'string', jsonPath: '.spec.source.association', priority: 1 },
      { name: 'Physnet', type: 'string', jsonPath: '.spec.provider.physicalNetwork', priority: 1 },
      { name: 'MTU', type: 'integer', jsonPath: '.spec.mtu', priority: 1 },
    ],
  },
  {
    kind: 'EvpnNodeState',
    plural: 'evpnnodestates',
    singular: 'evpnnodestate',
    shortNames: ['enode'],
    description: "What one node applied for each VRF and network; written only by that node's agent.",
    spec: EvpnNodeStateSpec,
    status: EvpnNodeStateStatus,
    columns: [
      { name: 'VTEP', type: 'string', jsonPath: '.status.vtepIp' },
      { name: 'ASN', type: 'integer', jsonPath: '.status.asn' },
      { name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status' },
      { name: 'Last Sync', type: 'date', jsonPath: '.status.lastSyncTime' },
      age,
    ],
  },
  {
    kind: 'EvpnPortSet',
    plural: 'evpnportsets',
    singular: 'evpnportset',
    shortNames: ['eports'],
    description:
      "The OVN ports of one network bound on one node (MACs and IPs), written by the operator for that node's agent.",
    spec: EvpnPortSetSpec,
    columns: [
      { name: 'Network', type: 'string', jsonPath: '.spec.network' },
      { name: 'Node', type: 'string', jsonPath: '.spec.nodeName' },
      age,
    ],
  },
];
