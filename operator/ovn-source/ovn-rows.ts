// The OVN tables and columns the mirror reads, and the pure conversion of the
// OVSDB rows, row by row, into the plain rows of OvnSnapshot the mirror takes. Only these
// columns are monitored, so ovn-controller's frequent Port_Binding writes to
// other columns (up, encap, …) never reach the operator.
import type { OvsdbMap, OvsdbValue, Row } from '../../lib/ovsdb/index.ts';
import type {
  ChassisRow,
  DatapathBindingRow,
  DhcpOptionsRow,
  ExternalIds,
  LogicalRouterPortRow,
  LogicalSwitchPortRow,
  LogicalSwitchRow,
  PortBindingRow,
} from './ovn-snapshot.ts';

export const NB_DB = 'OVN_Northbound';
export const SB_DB = 'OVN_Southbound';

export const nbTables = {
  Logical_Switch: ['name', 'external_ids', 'ports'],
  Logical_Switch_Port: ['name', 'type', 'tag', 'options', 'dhcpv4_options', 'dhcpv6_options'],
  DHCP_Options: ['cidr', 'options'],
  Logical_Router_Port: ['name', 'networks', 'external_ids'],
} as const;

export const sbTables = {
  Port_Binding: ['logical_port', 'type', 'mac', 'chassis', 'datapath', 'external_ids'],
  Chassis: ['name', 'hostname'],
  Datapath_Binding: ['external_ids'],
} as const;

export type NbRows = Record<keyof typeof nbTables, Row>;
export type SbRows = Record<keyof typeof sbTables, Row>;

function text(value: OvsdbValue | undefined): string {
  return typeof value === 'string' ? value : '';
}

function strings(value: OvsdbValue | undefined): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return (value as readonly unknown[]).filter((v): v is string => typeof v === 'string');
  return [];
}

function externalIds(value: OvsdbValue | undefined): ExternalIds {
  if (value === null || value === undefined || typeof value !== 'object' || Array.isArray(value)) return {};
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value as OvsdbMap)) out[k] = String(v);
  return out;
}

/** Optional reference column: a uuid string, or null/[] when unset. */
function optionalRef(value: OvsdbValue | undefined): string | undefined {
  const s = strings(value)[0];
  return s === undefined || s === '' ? undefined : s;
}

/** Optional integer column: the number, or undefined when unset. */
function optionalInt(value: OvsdbValue | undefined): number | undefined {
  const v = Array.isArray(value) ? (value as readonly unknown[])[0] : value;
  return typeof v === 'number' ? v : undefined;
}

export function toLogicalSwitch(r: Row): LogicalSwitchRow {
  return {
    uuid: r._uuid,
    name: text(r['name']),
    externalIds: externalIds(r['external_ids']),
    ports: strings(r['ports']),
  };
}

export function toLogicalSwitchPort(r: Row): LogicalSwitchPortRow {
  return {
    uuid: r._uuid,
    name: text(r['name']),
    type: text(r['type']),
    tag: optionalInt(r['tag']),
    options: externalIds(r['options']),
    dhcpv4Options: optionalRef(r['dhcpv4_options']),
    dhcpv6Options: optionalRef(r['dhcpv6_options']),
  };
}

export function toDhcpOptions(r: Row): DhcpOptionsRow {
  return { uuid: r._uuid, cidr: text(r['cidr']), options: externalIds(r['options']) };
}

export function toLogicalRouterPort(r: Row): LogicalRouterPortRow {
  return {
    uuid: r._uuid,
    name: text(r['name']),
    networks: strings(r['networks']),
    externalIds: externalIds(r['external_ids']),
  };
}

export function toPortBinding(r: Row): PortBindingRow {
  return {
    uuid: r._uuid,
    logicalPort: text(r['logical_port']),
    type: text(r['type']),
    mac: strings(r['mac']),
    chassis: optionalRef(r['chassis']),
    datapath: text(r['datapath']),
    externalIds: externalIds(r['external_ids']),
  };
}

export function toChassis(r: Row): ChassisRow {
  return { uuid: r._uuid, name: text(r['name']), hostname: text(r['hostname']) };
}

export function toDatapathBinding(r: Row): DatapathBindingRow {
  return { uuid: r._uuid, externalIds: externalIds(r['external_ids']) };
}
