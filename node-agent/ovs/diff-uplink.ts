// Pure: the desired uplink port vs the database view → the operations of the
// one transaction that makes them match (empty when they already do). Only
// ports marked ours (external_ids ovn-evpn:owner=node-agent) are ever changed;
// a foreign port or interface holding our name blocks the plan instead.
import type { Operation } from '../../lib/ovsdb/index.ts';
import type { OvsPort, OvsView } from './ovs-view.ts';
import { OWNER_KEY, OWNER_VALUE, type DesiredUplinkPort } from './render-uplink.ts';

export interface OwnedPort { port: OvsPort; bridge: { uuid: string; name: string } | undefined }

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
  return [...view.ports.values()].filter(isOwned).sort((a, b) => a.name.localeCompare(b.name) || a.uuid.localeCompare(b.uuid))
    .map((port) => ({ port, bridge: bridgeOf.get(port.uuid) }));
}

/** The bridge our port (by name) sits on now. */
export function currentUplinkBridge(view: OvsView, name: string): string | undefined {
  return findOwnedPorts(view).find((o) => o.port.name === name)?.bridge?.name;
}

function sameIds(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  const ka = Object.keys(a).sort();
  const kb = Object.keys(b).sort();
  return ka.length === kb.length && ka.every((k, i) => k === kb[i] && a[k] === b[k]);
}

function portMatches(p: OvsPort, d: DesiredUplinkPort): boolean {
  return p.tag === null && p.vlanMode === 'trunk' && p.trunks.length === d.trunks.length
    && p.trunks.every((v, i) => v === d.trunks[i]) && sameIds(p.externalIds, d.externalIds);
}

const bridgeExists = (b: { uuid: string; name: string }): Operation =>
  ({ op: 'wait', table: 'Bridge', where: [['_uuid', '==', b.uuid]], columns: ['name'], until: '==', rows: [{ name: b.name }], timeout: 0 });
const detach = (bridgeUuid: string, portUuid: string): Operation =>
  ({ op: 'mutate', table: 'Bridge', where: [['_uuid', '==', bridgeUuid]], mutations: [['ports', 'delete', [portUuid]]] });
const attach = (bridgeUuid: string, port: string): Operation =>
  ({ op: 'mutate', table: 'Bridge', where: [['_uuid', '==', bridgeUuid]], mutations: [['ports', 'insert', [port]]] });

function blockedBy(view: OvsView, name: string, owned: readonly OwnedPort[]): string | undefined {
  const ourInterfaces = new Set(owned.flatMap((o) => o.port.interfaces));
  const port = [...view.ports.values()].find((p) => p.name === name && !isOwned(p));
  if (port) return `an Open vSwitch port named ${name} exists and is not ours (no external_ids ${OWNER_KEY}=${OWNER_VALUE}); it is left alone`;
  const iface = [...view.interfaces.values()].find((i) => i.name === name && !ourInterfaces.has(i.uuid));
  if (iface) return `an Open vSwitch interface named ${name} exists on a port that is not ours; it is left alone`;
  return undefined;
}

export function diffUplink(desired: DesiredUplinkPort | undefined, view: OvsView, name: string): UplinkDiff {
  const owned = findOwnedPorts(view);
  const ops: Operation[] = [];
  const main = desired === undefined ? undefined : owned.find((o) => o.port.name === desired.name && o.bridge !== undefined);
  // Ours but not the one we keep: gone with their bridge's reference (Port and Interface are garbage-collected).
  for (const o of owned) if (o !== main && o.bridge !== undefined) ops.push(detach(o.bridge.uuid, o.port.uuid));
  if (desired === undefined) return { ops: withComment(ops) };

  const blocked = blockedBy(view, name, owned);
  if (blocked !== undefined) return { ops: withComment(ops), blocked };
  const target = view.bridges.find((b) => b.name === desired.bridge);
  if (target === undefined) return { ops: withComment(ops), blocked: `bridge ${desired.bridge} does not exist` };
  const row = { trunks: desired.trunks, vlan_mode: 'trunk', tag: null, external_ids: desired.externalIds };
  if (main?.bridge === undefined) {
    ops.push(
      bridgeExists(target),
      { op: 'insert', table: 'Interface', 'uuid-name': 'uplink_iface', row: { name } },
      { op: 'insert', table: 'Port', 'uuid-name': 'uplink_port', row: { name, interfaces: ['uplink_iface'], ...row } },
      attach(target.uuid, 'uplink_port'),
    );
    return { ops: withComment(ops) };
  }
  if (main.bridge.uuid !== target.uuid) ops.push(bridgeExists(target), detach(main.bridge.uuid, main.port.uuid), attach(target.uuid, main.port.uuid));
  if (!portMatches(main.port, desired)) ops.push({ op: 'update', table: 'Port', where: [['_uuid', '==', main.port.uuid]], row });
  return { ops: withComment(ops) };
}

function withComment(ops: Operation[]): Operation[] {
  return ops.length === 0 ? ops : [{ op: 'comment', comment: 'ovn-evpn node-agent: uplink' }, ...ops];
}
