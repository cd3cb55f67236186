// The OVN rows the mirror reads, converted once per row change and indexed by
// Neutron network, so a change batch names the networks it touches. Fed by the
// replicas' change batches (the same batches that wake the mirror); `reset`
// re-reads a whole database (start, resync, the mirror's slow full pass).
//
// A row belongs to the networks whose mirror output it can change:
//  - Logical_Switch: `neutron-<id>` → id;
//  - Logical_Switch_Port: the networks of the switches that list it;
//  - DHCP_Options: the networks of the ports that reference it;
//  - Logical_Router_Port: its `neutron:network_name`, the networks of the
//    router ports that peer with it (options:router-port), and the networks of
//    the Port_Bindings of the same name (an NB router port hides its SB copy);
//  - Port_Binding: `neutron:network_name`, else its datapath's name;
//  - Datapath_Binding: the networks of the Port_Bindings on it (before and after);
//  - Chassis: the networks of the Port_Bindings bound to it.
// `networkSnapshot(id)` is the part of OVN the mirror functions need for one
// network, rows in the replica's order, so that they give for it exactly what
// they give for it over the whole snapshot.
import type { ChangeBatch, Row, Snapshot, TableChanges } from '../../lib/ovsdb/index.ts';
import { NeutronKey, neutronIdOf } from './bgpvpn-keys.ts';
import type { OvnSnapshot } from './ovn-snapshot.ts';
import {
  toChassis,
  toDatapathBinding,
  toDhcpOptions,
  toLogicalRouterPort,
  toLogicalSwitch,
  toLogicalSwitchPort,
  toPortBinding,
  type NbRows,
  type SbRows,
} from './ovn-rows.ts';
import type {
  ChassisRow,
  DatapathBindingRow,
  DhcpOptionsRow,
  LogicalRouterPortRow,
  LogicalSwitchPortRow,
  LogicalSwitchRow,
  PortBindingRow,
} from './ovn-snapshot.ts';

/**
 * A key → set of values index. Most keys have one value (a port's switch, a
 * port name's binding): those are kept without a Set, which costs ~200 bytes
 * each (30,000 keys at 10,000 ports).
 */
class MultiMap<K, V> {
  readonly #one = new Map<K, V>();
  readonly #many = new Map<K, Set<V>>();
  add(k: K, v: V): void {
    const s = this.#many.get(k);
    if (s !== undefined) {
      s.add(v);
      return;
    }
    if (!this.#one.has(k)) {
      this.#one.set(k, v);
      return;
    }
    const first = this.#one.get(k) as V;
    if (first === v) return;
    this.#one.delete(k);
    this.#many.set(k, new Set([first, v]));
  }
  delete(k: K, v: V): void {
    if (this.#one.has(k)) {
      if (this.#one.get(k) === v) this.#one.delete(k);
      return;
    }
    const s = this.#many.get(k);
    if (s === undefined) return;
    s.delete(v);
    if (s.size === 0) this.#many.delete(k);
  }
  get(k: K): ReadonlySet<V> {
    if (this.#one.has(k)) return new Set([this.#one.get(k) as V]);
    return this.#many.get(k) ?? EMPTY;
  }
  *keys(): IterableIterator<K> {
    yield* this.#one.keys();
    yield* this.#many.keys();
  }
  clear(): void {
    this.#one.clear();
    this.#many.clear();
  }
}
const EMPTY: ReadonlySet<never> = new Set();

/** Converted rows of one table with their replica order (insertion sequence). */
class Table<R extends { uuid: string }> {
  readonly rows = new Map<string, R>();
  readonly #seq = new Map<string, number>();
  #next = 0;
  set(row: R): void {
    if (!this.#seq.has(row.uuid)) this.#seq.set(row.uuid, this.#next++);
    this.rows.set(row.uuid, row);
  }
  /** Removes the row but keeps its place: a modify removes, then sets the new version where the old one was. */
  delete(uuid: string): void {
    this.rows.delete(uuid);
  }
  /** Forgets a removed row's place. */
  forget(uuid: string): void {
    this.#seq.delete(uuid);
  }
  clear(): void {
    this.rows.clear();
    this.#seq.clear();
  }
  /** The rows of these uuids that exist, in replica order. */
  ordered(uuids: Iterable<string>): R[] {
    const out: R[] = [];
    for (const u of new Set(uuids)) {
      const r = this.rows.get(u);
      if (r !== undefined) out.push(r);
    }
    return out.sort((a, b) => (this.#seq.get(a.uuid) ?? 0) - (this.#seq.get(b.uuid) ?? 0));
  }
}

const lrpNetworkOf = (lrp: LogicalRouterPortRow): string | undefined => {
  const n = lrp.externalIds[NeutronKey.networkName];
  return n === undefined ? undefined : neutronIdOf(n);
};

/** The networks a change touched since the last `takeDirty`, or every network. */
export type DirtyNetworks = ReadonlySet<string> | 'all';

export class OvnIndex {
  readonly #ls = new Table<LogicalSwitchRow>();
  readonly #lsp = new Table<LogicalSwitchPortRow>();
  readonly #dhcp = new Table<DhcpOptionsRow>();
  readonly #lrp = new Table<LogicalRouterPortRow>();
  readonly #pb = new Table<PortBindingRow>();
  readonly #chassis = new Table<ChassisRow>();
  readonly #dp = new Table<DatapathBindingRow>();

  readonly #lsByNet = new MultiMap<string, string>();
  /** Logical_Switch_Port uuid → switches that list it. */
  readonly #lspOwners = new MultiMap<string, string>();
  readonly #lspByDhcp = new MultiMap<string, string>();
  /** Router-port name → the router-type switch ports that peer with it. */
  readonly #lspByPeer = new MultiMap<string, string>();
  readonly #lrpByNet = new MultiMap<string, string>();
  readonly #lrpByName = new MultiMap<string, string>();
  readonly #pbNet = new Map<string, string>();
  readonly #pbByNet = new MultiMap<string, string>();
  readonly #pbByDp = new MultiMap<string, string>();
  readonly #pbByChassis = new MultiMap<string, string>();
  readonly #pbByPort = new MultiMap<string, string>();

  #dirty = new Set<string>();
  #allDirty = true;

  /** Re-reads both databases (start, or a full pass): every network is dirty. */
  reset(nb: Snapshot<NbRows>, sb: Snapshot<SbRows>): void {
    this.resetNb(nb);
    this.resetSb(sb);
  }

  resetNb(nb: Snapshot<NbRows>): void {
    for (const ls of [...this.#ls.rows.values()]) this.#removeLs(ls);
    for (const p of [...this.#lsp.rows.values()]) this.#removeLsp(p);
    for (const lrp of [...this.#lrp.rows.values()]) this.#removeLrp(lrp);
    for (const t of [this.#ls, this.#lsp, this.#lrp, this.#dhcp]) t.clear();
    for (const r of nb.tables.DHCP_Options.values()) this.#dhcp.set(toDhcpOptions(r));
    for (const r of nb.tables.Logical_Switch_Port.values()) this.#addLsp(toLogicalSwitchPort(r));
    for (const r of nb.tables.Logical_Switch.values()) this.#addLs(toLogicalSwitch(r));
    for (const r of nb.tables.Logical_Router_Port.values()) this.#addLrp(toLogicalRouterPort(r));
    this.#allDirty = true;
  }

  resetSb(sb: Snapshot<SbRows>): void {
    for (const pb of [...this.#pb.rows.values()]) this.#removePb(pb);
    for (const t of [this.#pb, this.#chassis, this.#dp]) t.clear();
    for (const r of sb.tables.Chassis.values()) this.#chassis.set(toChassis(r));
    for (const r of sb.tables.Datapath_Binding.values()) this.#dp.set(toDatapathBinding(r));
    for (const r of sb.tables.Port_Binding.values()) this.#addPb(toPortBinding(r));
    this.#allDirty = true;
  }

  /** Applies one NB change batch (an initial or resync batch re-reads the database: the replica's order may differ). */
  applyNb(batch: ChangeBatch<NbRows>, nb: () => Snapshot<NbRows>): void {
    if (batch.kind !== 'update') {
      this.resetNb(nb());
      return;
    }
    const t = batch.tables;
    // Ports before switches: a switch's new ports are then known when it is indexed.
    each(
      t.DHCP_Options,
      this.#dhcp,
      (r) => {
        this.#touchDhcp(r._uuid);
      },
      (r) => {
        this.#dhcp.delete(r._uuid);
      },
      (r) => {
        this.#dhcp.set(toDhcpOptions(r));
      },
    );
    each(
      t.Logical_Switch_Port,
      this.#lsp,
      (r) => {
        this.#touchLsp(r._uuid);
      },
      (r) => {
        this.#removeLsp(this.#lsp.rows.get(r._uuid));
      },
      (r) => {
        this.#addLsp(toLogicalSwitchPort(r));
      },
    );
    each(
      t.Logical_Switch,
      this.#ls,
      () => undefined,
      (r) => {
        this.#removeLs(this.#ls.rows.get(r._uuid));
      },
      (r) => {
        this.#addLs(toLogicalSwitch(r));
      },
    );
    each(
      t.Logical_Router_Port,
      this.#lrp,
      () => undefined,
      (r) => {
        this.#removeLrp(this.#lrp.rows.get(r._uuid));
      },
      (r) => {
        this.#addLrp(toLogicalRouterPort(r));
      },
    );
  }

  applySb(batch: ChangeBatch<SbRows>, sb: () => Snapshot<SbRows>): void {
    if (batch.kind !== 'update') {
      this.resetSb(sb());
      return;
    }
    const t = batch.tables;
    each(
      t.Datapath_Binding,
      this.#dp,
      () => undefined,
      (r) => {
        this.#dp.delete(r._uuid);
      },
      (r) => {
        this.#dp.set(toDatapathBinding(r));
      },
    );
    // A datapath's name decides the network of the bindings on it.
    for (const r of changedRows(t.Datapath_Binding)) this.#reindexPbs(this.#pbByDp.get(r._uuid));
    each(
      t.Chassis,
      this.#chassis,
      (r) => {
        this.#touchPbs(this.#pbByChassis.get(r._uuid));
      },
      (r) => {
        this.#chassis.delete(r._uuid);
      },
      (r) => {
        this.#chassis.set(toChassis(r));
      },
    );
    each(
      t.Port_Binding,
      this.#pb,
      () => undefined,
      (r) => {
        this.#removePb(this.#pb.rows.get(r._uuid));
      },
      (r) => {
        this.#addPb(toPortBinding(r));
      },
    );
  }

  /** The networks changed since the last call; 'all' after a reset. */
  takeDirty(): DirtyNetworks {
    const out: DirtyNetworks = this.#allDirty ? 'all' : this.#dirty;
    this.#allDirty = false;
    this.#dirty = new Set();
    return out;
  }

  /** Every network some row names. */
  networkIds(): Set<string> {
    return new Set([...this.#lsByNet.keys(), ...this.#lrpByNet.keys(), ...this.#pbByNet.keys()]);
  }

  /** The rows the mirror reads for one network (and a few of others', which it ignores). */
  networkSnapshot(id: string): OvnSnapshot {
    const logicalSwitches = this.#ls.ordered(this.#lsByNet.get(id));
    const logicalSwitchPorts = this.#lsp.ordered(logicalSwitches.flatMap((ls) => ls.ports));
    const dhcpOptions = this.#dhcp.ordered(
      logicalSwitchPorts.flatMap((p) => [p.dhcpv4Options, p.dhcpv6Options].filter((u): u is string => u !== undefined)),
    );
    const portBindings = this.#pb.ordered(this.#pbByNet.get(id));
    const lrpNames = [
      ...logicalSwitchPorts.filter((p) => p.type === 'router').map((p) => p.options['router-port'] ?? ''),
      ...portBindings.filter((pb) => pb.logicalPort.startsWith('lrp-')).map((pb) => pb.logicalPort),
    ];
    const logicalRouterPorts = this.#lrp.ordered([
      ...this.#lrpByNet.get(id),
      ...lrpNames.flatMap((n) => [...this.#lrpByName.get(n)]),
    ]);
    return {
      logicalSwitches,
      logicalSwitchPorts,
      dhcpOptions,
      logicalRouterPorts,
      portBindings,
      chassis: this.#chassis.ordered(portBindings.flatMap((pb) => (pb.chassis === undefined ? [] : [pb.chassis]))),
      datapaths: this.#dp.ordered(portBindings.map((pb) => pb.datapath)),
    };
  }

  /** The whole of OVN, as the full pass reads it. */
  snapshot(): OvnSnapshot {
    return {
      logicalSwitches: [...this.#ls.rows.values()],
      logicalSwitchPorts: [...this.#lsp.rows.values()],
      dhcpOptions: [...this.#dhcp.rows.values()],
      logicalRouterPorts: [...this.#lrp.rows.values()],
      portBindings: [...this.#pb.rows.values()],
      chassis: [...this.#chassis.rows.values()],
      datapaths: [...this.#dp.rows.values()],
    };
  }

  #mark(id: string | undefined): void {
    if (id !== undefined) this.#dirty.add(id);
  }

  #touchLsp(uuid: string): void {
    for (const ls of this.#lspOwners.get(uuid)) this.#mark(this.#lsNet(ls));
  }

  #touchDhcp(uuid: string): void {
    for (const p of this.#lspByDhcp.get(uuid)) this.#touchLsp(p);
  }

  #touchPbs(uuids: Iterable<string>): void {
    for (const u of uuids) this.#mark(this.#pbNet.get(u));
  }

  #lsNet(uuid: string): string | undefined {
    const ls = this.#ls.rows.get(uuid);
    return ls === undefined ? undefined : neutronIdOf(ls.name);
  }

  #addLs(ls: LogicalSwitchRow): void {
    this.#ls.set(ls);
    const id = neutronIdOf(ls.name);
    this.#lsByNet.add(id, ls.uuid);
    for (const p of ls.ports) this.#lspOwners.add(p, ls.uuid);
    this.#mark(id);
  }

  #removeLs(ls: LogicalSwitchRow | undefined): void {
    if (ls === undefined) return;
    const id = neutronIdOf(ls.name);
    this.#lsByNet.delete(id, ls.uuid);
    for (const p of ls.ports) this.#lspOwners.delete(p, ls.uuid);
    this.#mark(id);
    this.#ls.delete(ls.uuid);
  }

  #addLsp(p: LogicalSwitchPortRow): void {
    this.#lsp.set(p);
    for (const d of [p.dhcpv4Options, p.dhcpv6Options]) if (d !== undefined) this.#lspByDhcp.add(d, p.uuid);
    if (p.type === 'router') this.#lspByPeer.add(p.options['router-port'] ?? '', p.uuid);
    this.#touchLsp(p.uuid);
  }

  #removeLsp(p: LogicalSwitchPortRow | undefined): void {
    if (p === undefined) return;
    for (const d of [p.dhcpv4Options, p.dhcpv6Options]) if (d !== undefined) this.#lspByDhcp.delete(d, p.uuid);
    if (p.type === 'router') this.#lspByPeer.delete(p.options['router-port'] ?? '', p.uuid);
    this.#touchLsp(p.uuid);
    this.#lsp.delete(p.uuid);
  }

  #touchLrp(lrp: LogicalRouterPortRow): void {
    this.#mark(lrpNetworkOf(lrp));
    for (const p of this.#lspByPeer.get(lrp.name)) this.#touchLsp(p);
    this.#touchPbs(this.#pbByPort.get(lrp.name));
  }

  #addLrp(lrp: LogicalRouterPortRow): void {
    this.#lrp.set(lrp);
    const id = lrpNetworkOf(lrp);
    if (id !== undefined) this.#lrpByNet.add(id, lrp.uuid);
    this.#lrpByName.add(lrp.name, lrp.uuid);
    this.#touchLrp(lrp);
  }

  #removeLrp(lrp: LogicalRouterPortRow | undefined): void {
    if (lrp === undefined) return;
    const id = lrpNetworkOf(lrp);
    if (id !== undefined) this.#lrpByNet.delete(id, lrp.uuid);
    this.#lrpByName.delete(lrp.name, lrp.uuid);
    this.#touchLrp(lrp);
    this.#lrp.delete(lrp.uuid);
  }

  #pbNetworkOf(pb: PortBindingRow): string | undefined {
    const name = pb.externalIds[NeutronKey.networkName] ?? this.#dp.rows.get(pb.datapath)?.externalIds.name;
    return name === undefined ? undefined : neutronIdOf(name);
  }

  #indexPbNet(pb: PortBindingRow): void {
    const id = this.#pbNetworkOf(pb);
    if (id === undefined) return;
    this.#pbNet.set(pb.uuid, id);
    this.#pbByNet.add(id, pb.uuid);
    this.#mark(id);
  }

  #unindexPbNet(uuid: string): void {
    const id = this.#pbNet.get(uuid);
    if (id === undefined) return;
    this.#pbNet.delete(uuid);
    this.#pbByNet.delete(id, uuid);
    this.#mark(id);
  }

  #reindexPbs(uuids: ReadonlySet<string>): void {
    for (const u of [...uuids]) {
      const pb = this.#pb.rows.get(u);
      this.#unindexPbNet(u);
      if (pb !== undefined) this.#indexPbNet(pb);
    }
  }

  #addPb(pb: PortBindingRow): void {
    this.#pb.set(pb);
    this.#pbByDp.add(pb.datapath, pb.uuid);
    if (pb.chassis !== undefined) this.#pbByChassis.add(pb.chassis, pb.uuid);
    this.#pbByPort.add(pb.logicalPort, pb.uuid);
    this.#indexPbNet(pb);
  }

  #removePb(pb: PortBindingRow | undefined): void {
    if (pb === undefined) return;
    this.#pbByDp.delete(pb.datapath, pb.uuid);
    if (pb.chassis !== undefined) this.#pbByChassis.delete(pb.chassis, pb.uuid);
    this.#pbByPort.delete(pb.logicalPort, pb.uuid);
    this.#unindexPbNet(pb.uuid);
    this.#pb.delete(pb.uuid);
  }
}

function changedRows(t: TableChanges | undefined): Row[] {
  if (t === undefined) return [];
  return [...t.added, ...t.removed, ...t.modified.flatMap((m) => [m.old, m.new])];
}

/**
 * Per row of one table's changes: `touch` (mark what the row reaches through
 * other tables' indexes), then `remove` the old version, then `add` the new one.
 * A modified row keeps its place (the replica keeps it too).
 */
function each(
  t: TableChanges | undefined,
  table: { forget(uuid: string): void },
  touch: (r: Row) => void,
  remove: (r: Row) => void,
  add: (r: Row) => void,
): void {
  if (t === undefined) return;
  for (const r of t.removed) {
    touch(r);
    remove(r);
    table.forget(r._uuid);
  }
  for (const m of t.modified) {
    touch(m.old);
    remove(m.old);
    add(m.new);
    touch(m.new);
  }
  for (const r of t.added) {
    add(r);
    touch(r);
  }
}
