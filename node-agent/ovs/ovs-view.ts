// Pure: the monitored part of the node's Open_vSwitch database (a replica
// snapshot) → the plain view the uplink render, diff and loop check read.
import type { Row, Snapshot } from '../../lib/ovsdb/index.ts';

/** Only the columns the uplink step reads; a change in any of them triggers a pass. */
export const MONITORED_COLUMNS = {
  Open_vSwitch: ['external_ids'],
  Bridge: ['name', 'ports'],
  Port: ['name', 'interfaces', 'tag', 'trunks', 'vlan_mode', 'external_ids'],
  Interface: ['name', 'type'],
} as const;

export type OvsRows = { Open_vSwitch: Row; Bridge: Row; Port: Row; Interface: Row };

export interface OvsBridge {
  uuid: string;
  name: string;
  ports: readonly string[];
}
export interface OvsPort {
  uuid: string;
  name: string;
  interfaces: readonly string[];
  tag: number | null;
  trunks: readonly number[];
  vlanMode: string | null;
  externalIds: Readonly<Record<string, string>>;
}
export interface OvsInterface {
  uuid: string;
  name: string;
  type: string;
}

export interface OvsView {
  /** The Open_vSwitch row and its external_ids (the ovn backend's chassis keys, backends/ovn/chassis-keys.ts). */
  rootUuid: string | undefined;
  rootExternalIds: Readonly<Record<string, string>>;
  /** external_ids:ovn-bridge-mappings, as ovn-controller reads it ("physnet:bridge,..."). */
  bridgeMappings: string | undefined;
  systemId: string | undefined;
  bridges: readonly OvsBridge[];
  ports: ReadonlyMap<string, OvsPort>;
  interfaces: ReadonlyMap<string, OvsInterface>;
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const num = (v: unknown): number | null => (typeof v === 'number' ? v : null);
const uuids = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
const nums = (v: unknown): number[] =>
  Array.isArray(v) ? v.filter((x): x is number => typeof x === 'number').sort((a, b) => a - b) : [];
const strMap = (v: unknown): Record<string, string> =>
  v !== null && typeof v === 'object' && !Array.isArray(v)
    ? Object.fromEntries(Object.entries(v).filter((e): e is [string, string] => typeof e[1] === 'string'))
    : {};

export function readOvsView(snap: Snapshot<OvsRows>): OvsView {
  const root = [...snap.tables.Open_vSwitch.values()][0];
  const rootIds = strMap(root?.external_ids);
  const bridges = [...snap.tables.Bridge.values()]
    .map((b) => ({ uuid: b._uuid, name: str(b.name), ports: uuids(b.ports) }))
    .sort((a, b) => a.name.localeCompare(b.name));
  const ports = new Map(
    [...snap.tables.Port.values()].map((p) => [
      p._uuid,
      {
        uuid: p._uuid,
        name: str(p.name),
        interfaces: uuids(p.interfaces),
        tag: num(p.tag),
        trunks: nums(p.trunks),
        vlanMode: typeof p.vlan_mode === 'string' ? p.vlan_mode : null,
        externalIds: strMap(p.external_ids),
      },
    ]),
  );
  const interfaces = new Map(
    [...snap.tables.Interface.values()].map((i) => [i._uuid, { uuid: i._uuid, name: str(i.name), type: str(i.type) }]),
  );
  return {
    rootUuid: root?._uuid,
    rootExternalIds: rootIds,
    bridgeMappings: rootIds['ovn-bridge-mappings'],
    systemId: rootIds['system-id'],
    bridges,
    ports,
    interfaces,
  };
}

/** "physnet1:br-provider, physnet2:br-ex" → physnet → bridge (ovn-controller's syntax; the first mapping of a physnet wins). */
export function parseBridgeMappings(text: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const item of (text ?? '').split(',')) {
    const [physnet, bridge, ...rest] = item.trim().split(':');
    if (physnet === undefined || bridge === undefined || physnet === '' || bridge === '' || rest.length > 0) continue;
    if (!out.has(physnet.trim())) out.set(physnet.trim(), bridge.trim());
  }
  return out;
}
