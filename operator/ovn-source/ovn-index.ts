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
import type { ChangeBatch, Snapshot } from '../../lib/ovsdb/index.ts';
import { MultiMap } from './multi-map.ts';
import { Table } from './replica-ordered-table.ts';
import { each } from './table-changes.ts';
import { SouthboundIndex } from './southbound-index.ts';
import { NeutronKey, neutronIdOf } from './bgpvpn-keys.ts';
import type { OvnSnapshot } from './ovn-snapshot.ts';
import {
  toDhcpOptions,
  toLogicalRouterPort,
  toLogicalSwitch,
  toLogicalSwitchPort,
  type NbRows,
  type SbRows,
} from './ovn-rows.ts';
import type { DhcpOptionsRow, LogicalRouterPortRow, LogicalSwitchPortRow, LogicalSwitchRow } from './ovn-snapshot.ts';

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

  readonly #lsByNet = new MultiMap<string, string>();
  /** Logical_Switch_Port uuid → switches that list it. */
  readonly #lspOwners = new MultiMap<string, string>();
  readonly #lspByDhcp = new MultiMap<string, string>();
  /** Router-port name → the router-type switch ports that peer with it. */
  readonly #lspByPeer = new MultiMap<string, string>();
  readonly #lrpByNet = new MultiMap<string, string>();
  readonly #lrpByName = new MultiMap<string, string>();

  /** Port_Binding, Chassis and Datapath_Binding (southbound-index.ts); marks networks here. */
  readonly #sb = new SouthboundIndex((id) => {
    this.#mark(id);
  });

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
    this.#sb.reset(sb);
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
    this.#sb.applyUpdate(batch.tables);
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
    return new Set([...this.#lsByNet.keys(), ...this.#lrpByNet.keys(), ...this.#sb.networkIds()]);
  }

  /** The rows the mirror reads for one network (and a few of others', which it ignores). */
  networkSnapshot(id: string): OvnSnapshot {
    const logicalSwitches = this.#ls.ordered(this.#lsByNet.get(id));
    const logicalSwitchPorts = this.#lsp.ordered(logicalSwitches.flatMap((ls) => ls.ports));
    const dhcpOptions = this.#dhcp.ordered(
      logicalSwitchPorts.flatMap((p) => [p.dhcpv4Options, p.dhcpv6Options].filter((u): u is string => u !== undefined)),
    );
    const portBindings = this.#sb.portBindingsOf(id);
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
      ...this.#sb.chassisAndDatapathsOf(portBindings),
    };
  }

  /** The whole of OVN, as the full pass reads it. */
  snapshot(): OvnSnapshot {
    return {
      logicalSwitches: [...this.#ls.rows.values()],
      logicalSwitchPorts: [...this.#lsp.rows.values()],
      dhcpOptions: [...this.#dhcp.rows.values()],
      logicalRouterPorts: [...this.#lrp.rows.values()],
      ...this.#sb.snapshot(),
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
    this.#sb.touchBindingsOfPort(lrp.name);
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
}
