// The OVN rows the mirror reads, as plain data. The OVSDB replica is turned into
// this shape by an adapter, so the mirror itself is a pure function that tests
// drive with rows built the way networking-bgpvpn's OVN driver writes them.
export type ExternalIds = Readonly<Record<string, string>>;

export interface LogicalSwitchRow {
  uuid: string;
  /** `neutron-<network uuid>` for Neutron networks. */
  name: string;
  externalIds: ExternalIds;
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
  logicalRouterPorts: readonly LogicalRouterPortRow[];
  portBindings: readonly PortBindingRow[];
  chassis: readonly ChassisRow[];
  datapaths: readonly DatapathBindingRow[];
}

export const emptySnapshot = (): OvnSnapshot => ({
  logicalSwitches: [], logicalRouterPorts: [], portBindings: [], chassis: [], datapaths: [],
});
