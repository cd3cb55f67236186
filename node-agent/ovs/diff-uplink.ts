// Pure: the desired uplink port vs the database view → the operations of the
// one transaction that makes them match (empty when they already do). Only
// ports marked ours (external_ids ovn-evpn:owner=node-agent) are ever changed;
// a foreign port or interface holding our name blocks the plan instead. Even on
// our port, external_ids is shared: other tools (ovn-controller, an admin's
// ovs-vsctl) add their keys there, so we mutate our `ovn-evpn:` keys only and
// never write the whole map.
import type { Mutation, Operation } from '../../lib/ovsdb/index.ts';
import type { OvsPort, OvsView } from './ovs-view.ts';
import { OURS_PREFIX, OWNER_KEY, OWNER_VALUE, type DesiredUplinkPort } from './render-uplink.ts';

export interface OwnedPort {
  port: OvsPort;
  bridge: { uuid: string; name: string } | undefined;
}

export interface UplinkDiff {
  ops: Operation[];
  /** Why nothing can be planned (a foreign object holds our name). */
  blocked?: string;
}

const isOwned = (p: OvsPort): boolean => p.externalIds[OWNER_KEY] === OWNER_VALUE;

/** Our ports, each with the bridge that holds it. */
export function findOwnedPorts(view: OvsView): OwnedPort[] {
  const bridgeOf = new Map<string, { uuid: string; name: string }>();
  for (const b of view.bridges) for (const p of b.ports) bridgeOf.set(p, { uuid: b.uuid, name: b.name });
  return [...view.ports.values()]
    .filter(isOwned)
    .sort((a, b) => a.name.localeCompare(b.name) || a.uuid.localeCompare(b.uuid))
    .map((port) => ({ port, bridge: bridgeOf.get(port.uuid) }));
}

/** The bridge our port (by name) sits on now. */
export function currentUplinkBridge(view: OvsView, name: string): string | undefined {
  return findOwnedPorts(view).find((o) => o.port.name === name)?.bridge?.name;
}

function columnsMatch(p: OvsPort, d: DesiredUplinkPort): boolean {
  return (
    p.tag === null &&
    p.vlanMode === 'trunk' &&
    p.trunks.length === d.trunks.length &&
    p.trunks.every((v, i) => v === d.trunks[i])
  );
}

/**
 * The mutate that brings our keys of external_ids to `desired` and leaves every
 * other key alone; undefined when they already match. OVSDB's map `insert`
 * never overwrites a present key, so a changed key is deleted first (mutations
 * of one operation apply in order).
 */
export function ourIdsMutation(
  portUuid: string,
  actual: Readonly<Record<string, string>>,
  desired: Readonly<Record<string, string>>,
): Operation | undefined {
  const stale = Object.keys(actual)
    .filter((k) => k.startsWith(OURS_PREFIX) && actual[k] !== desired[k])
    .sort();
  const missing = Object.entries(desired)
    .filter(([k, v]) => actual[k] !== v)
    .sort(([a], [b]) => a.localeCompare(b));
  if (stale.length === 0 && missing.length === 0) return undefined;
  const mutations: Mutation[] = [
    ...(stale.length === 0 ? [] : [['external_ids', 'delete', stale] as const]),
    ...(missing.length === 0 ? [] : [['external_ids', 'insert', Object.fromEntries(missing)] as const]),
  ];
  return { op: 'mutate', table: 'Port', where: [['_uuid', '==', portUuid]], mutations };
}

const bridgeExists = (b: { uuid: string; name: string }): Operation => ({
  op: 'wait',
  table: 'Bridge',
  where: [['_uuid', '==', b.uuid]],
  columns: ['name'],
  until: '==',
  rows: [{ name: b.name }],
  timeout: 0,
});
const detach = (bridgeUuid: string, portUuid: string): Operation => ({
  op: 'mutate',
  table: 'Bridge',
  where: [['_uuid', '==', bridgeUuid]],
  mutations: [['ports', 'delete', [portUuid]]],
});
const attach = (bridgeUuid: string, port: string): Operation => ({
  op: 'mutate',
  table: 'Bridge',
  where: [['_uuid', '==', bridgeUuid]],
  mutations: [['ports', 'insert', [port]]],
});

function blockedBy(view: OvsView, name: string, owned: readonly OwnedPort[]): string | undefined {
  const ourInterfaces = new Set(owned.flatMap((o) => o.port.interfaces));
  const port = [...view.ports.values()].find((p) => p.name === name && !isOwned(p));
  if (port)
    return `an Open vSwitch port named ${name} exists and is not ours (no external_ids ${OWNER_KEY}=${OWNER_VALUE}); it is left alone`;
  const iface = [...view.interfaces.values()].find((i) => i.name === name && !ourInterfaces.has(i.uuid));
  if (iface) return `an Open vSwitch interface named ${name} exists on a port that is not ours; it is left alone`;
  return undefined;
}

export function diffUplink(desired: DesiredUplinkPort | undefined, view: OvsView, name: string): UplinkDiff {
  const owned = findOwnedPorts(view);
  const ops: Operation[] = [];
  const main =
    desired === undefined ? undefined : owned.find((o) => o.port.name === desired.name && o.bridge !== undefined);
  // Ours but not the one we keep: gone with their bridge's reference (Port and Interface are garbage-collected).
  for (const o of owned) if (o !== main && o.bridge !== undefined) ops.push(detach(o.bridge.uuid, o.port.uuid));
  if (desired === undefined) return { ops: withComment(ops) };

  const blocked = blockedBy(view, name, owned);
  if (blocked !== undefined) return { ops: withComment(ops), blocked };
  const target = view.bridges.find((b) => b.name === desired.bridge);
  if (target === undefined) return { ops: withComment(ops), blocked: `bridge ${desired.bridge} does not exist` };
  const row = { trunks: desired.trunks, vlan_mode: 'trunk', tag: null };
  if (main?.bridge === undefined) {
    ops.push(
      bridgeExists(target),
      { op: 'insert', table: 'Interface', 'uuid-name': 'uplink_iface', row: { name } },
      {
        op: 'insert',
        table: 'Port',
        'uuid-name': 'uplink_port',
        row: { name, interfaces: ['uplink_iface'], ...row, external_ids: desired.externalIds },
      },
      attach(target.uuid, 'uplink_port'),
    );
    return { ops: withComment(ops) };
  }
  if (main.bridge.uuid !== target.uuid)
    ops.push(bridgeExists(target), detach(main.bridge.uuid, main.port.uuid), attach(target.uuid, main.port.uuid));
  if (!columnsMatch(main.port, desired))
    ops.push({ op: 'update', table: 'Port', where: [['_uuid', '==', main.port.uuid]], row });
  const ids = ourIdsMutation(main.port.uuid, main.port.externalIds, desired.externalIds);
  if (ids !== undefined) ops.push(ids);
  return { ops: withComment(ops) };
}

function withComment(ops: Operation[]): Operation[] {
  return ops.length === 0 ? ops : [{ op: 'comment', comment: 'ovn-evpn node-agent: uplink' }, ...ops];
}
