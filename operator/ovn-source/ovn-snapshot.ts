// The OVN rows the mirror reads, as plain data. The OVSDB replica is turned into
// this shape by an adapter, so the mirror itself is a pure function that tests
// drive with rows built the way networking-bgpvpn's OVN driver writes them.
export type ExternalIds = Readonly<Record<string, string>>;

export interface LogicalSwitchRow {
  uuid: string;
  /** `neutron-<network uuid>` for Neutron networks. */
  name: string;
  externalIds: ExternalIds;
  /** Logical_Switch_Port uuids of the switch. */
  ports: readonly string[];
}

export interface LogicalSwitchPortRow {
  uuid: string;
  /** The Neutron port uuid (VM ports), `provnet-<segment>` (localnet), … */
  name: string;
  /** '' for VM ports, 'localnet', 'router', 'localport', … */
  type: string;
  /** The localnet's VLAN (Neutron's segmentation id); undefined on a flat network. */
  tag?: number | undefined;
  /** `network_name` (localnet: the physical network), `router-port` (router: the peer LRP name). */
  options: ExternalIds;
  /** DHCP_Options uuids the port references. */
  dhcpv4Options?: string | undefined;
  dhcpv6Options?: string | undefined;
}

export interface DhcpOptionsRow {
  uuid: string;
  /** The Neutron subnet, e.g. `10.101.0.0/24` or `fd00:101::/64`. */
  cidr: string;
  /** `router` (IPv4 gateway), `server_id`, `lease_time`, … */
  options: ExternalIds;
}

export interface LogicalRouterPortRow {
  uuid: string;
  /** `lrp-<port uuid>`. */
  name: string;
  /** Interface addresses with prefix, e.g. `10.101.0.1/24`. */
  networks: readonly string[];
  externalIds: ExternalIds;
}

export interface PortBindingRow {
  uuid: string;
  logicalPort: string;
  /** '' for VM ports, 'patch', 'l3gateway', 'chassisredirect', 'localnet', … */
  type: string;
  /** OVN `mac` column: entries like `02:00:00:00:01:01 10.101.0.11 fd00::11`. */
  mac: readonly string[];
  chassis?: string | undefined;
  datapath: string;
  externalIds: ExternalIds;
}

export interface ChassisRow {
  uuid: string;
  name: string;
  hostname: string;
}

export interface DatapathBindingRow {
  uuid: string;
  externalIds: ExternalIds;
}

export interface OvnSnapshot {
  logicalSwitches: readonly LogicalSwitchRow[];
  logicalSwitchPorts: readonly LogicalSwitchPortRow[];
  dhcpOptions: readonly DhcpOptionsRow[];
  logicalRouterPorts: readonly LogicalRouterPortRow[];
  portBindings: readonly PortBindingRow[];
  chassis: readonly ChassisRow[];
  datapaths: readonly DatapathBindingRow[];
}

export const emptySnapshot = (): OvnSnapshot => ({
  logicalSwitches: [],
  logicalSwitchPorts: [],
  dhcpOptions: [],
  logicalRouterPorts: [],
  portBindings: [],
  chassis: [],
  datapaths: [],
});
