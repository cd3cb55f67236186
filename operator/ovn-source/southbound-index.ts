// The Southbound half of OvnIndex: Port_Binding, Chassis and Datapath_Binding
// rows, indexed by the network each binding belongs to (`neutron:network_name`,
// else its datapath's name). A Chassis or Datapath_Binding change marks the
// networks of the bindings on it; OvnIndex owns the dirty set (`mark`).
import type { ChangeBatch, Snapshot } from '../../lib/ovsdb/index.ts';
import { NeutronKey, neutronIdOf } from './bgpvpn-keys.ts';
import { MultiMap } from './multi-map.ts';
import { toChassis, toDatapathBinding, toPortBinding, type SbRows } from './ovn-rows.ts';
import type { ChassisRow, DatapathBindingRow, OvnSnapshot, PortBindingRow } from './ovn-snapshot.ts';
import { Table } from './replica-ordered-table.ts';
import { changedRows, each } from './table-changes.ts';

type SbSnapshot = Pick<OvnSnapshot, 'portBindings' | 'chassis' | 'datapaths'>;

export class SouthboundIndex {
  readonly #pb = new Table<PortBindingRow>();
  readonly #chassis = new Table<ChassisRow>();
  readonly #dp = new Table<DatapathBindingRow>();
  readonly #pbNet = new Map<string, string>();
  readonly #pbByNet = new MultiMap<string, string>();
  readonly #pbByDp = new MultiMap<string, string>();
  readonly #pbByChassis = new MultiMap<string, string>();
  readonly #pbByPort = new MultiMap<string, string>();
  readonly #mark: (id: string | undefined) => void;

  constructor(mark: (id: string | undefined) => void) {
    this.#mark = mark;
  }

  /** Re-reads the whole database. */
  reset(sb: Snapshot<SbRows>): void {
    for (const pb of [...this.#pb.rows.values()]) this.#removePb(pb);
    for (const t of [this.#pb, this.#chassis, this.#dp]) t.clear();
    for (const r of sb.tables.Chassis.values()) this.#chassis.set(toChassis(r));
    for (const r of sb.tables.Datapath_Binding.values()) this.#dp.set(toDatapathBinding(r));
    for (const r of sb.tables.Port_Binding.values()) this.#addPb(toPortBinding(r));
  }

  /** Applies one update batch's tables. */
  applyUpdate(t: ChangeBatch<SbRows>['tables']): void {
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

  /** Every network some binding names. */
  networkIds(): IterableIterator<string> {
    return this.#pbByNet.keys();
  }

  /** A network's bindings, in replica order. */
  portBindingsOf(id: string): PortBindingRow[] {
    return this.#pb.ordered(this.#pbByNet.get(id));
  }

  /** The chassis and datapaths these bindings name, in replica order. */
  chassisAndDatapathsOf(portBindings: readonly PortBindingRow[]): Pick<OvnSnapshot, 'chassis' | 'datapaths'> {
    return {
      chassis: this.#chassis.ordered(portBindings.flatMap((pb) => (pb.chassis === undefined ? [] : [pb.chassis]))),
      datapaths: this.#dp.ordered(portBindings.map((pb) => pb.datapath)),
    };
  }

  snapshot(): SbSnapshot {
    return {
      portBindings: [...this.#pb.rows.values()],
      chassis: [...this.#chassis.rows.values()],
      datapaths: [...this.#dp.rows.values()],
    };
  }

  /** Marks the networks of the bindings of this logical port (an NB router port hides its SB copy). */
  touchBindingsOfPort(name: string): void {
    this.#touchPbs(this.#pbByPort.get(name));
  }

  #touchPbs(uuids: Iterable<string>): void {
    for (const u of uuids) this.#mark(this.#pbNet.get(u));
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
