// OVN's parts for buildDesired (OvnParts), kept per network and recomputed only
// for the networks a change touched. Each network's association, facts and port
// sets come from the very functions the full pass runs (collectAssociations,
// networkFacts, portSetsByNetworkAndNode), applied to that network's rows
// (OvnIndex.networkSnapshot), so they are what the full pass gives for it. The
// decisions across networks (VNI holders, VLAN collisions, VRFs) are not kept:
// desiredFromParts makes them over all networks on every pass.
import type { EvpnPortSetSpec } from '../../crds/index.ts';
import type { NetworkRows } from '../ovn-source/network-rows.ts';
import { emptySnapshot, type OvnSnapshot } from '../ovn-source/ovn-snapshot.ts';
import type { OvnParts } from './build-desired.ts';
import { collectAssociations, type NetworkAssociation } from './collect-associations.ts';
import { portSetsByNetworkAndNode } from './desired-port-sets.ts';
import { networkFacts, switchlessFacts, type NetworkFacts } from './network-facts.ts';

/** What the parts read from the OVN index. */
interface NetworkPart {
  readonly association: NetworkAssociation | undefined;
  readonly facts: NetworkFacts;
  readonly portSets: ReadonlyMap<string, EvpnPortSetSpec>;
}

export interface IncrementalPartsOptions {
  /** Applied to each network's rows before the mirror reads them (node names: withNodeNames). */
  readonly mapSnapshot?: (s: OvnSnapshot) => OvnSnapshot;
}

const byName = (a: string, b: string): number => a.localeCompare(b);

export class IncrementalParts {
  readonly #o: IncrementalPartsOptions;
  readonly #parts = new Map<string, NetworkPart>();
  /** Networks with an association, in name order (rebuilt when one comes or goes). */
  #order: string[] = [];
  /** How many networks the last update recomputed. */
  lastRecomputed = 0;

  constructor(options: IncrementalPartsOptions) {
    this.#o = options;
  }

  /** Recomputes the networks the rows name as changed; returns the parts to build from. */
  update(rows: NetworkRows): OvnParts {
    const dirty = rows.takeDirty();
    let orderChanged = false;
    if (dirty === 'all') {
      this.#parts.clear();
      orderChanged = true;
    }
    const ids = dirty === 'all' ? rows.networkIds() : dirty;
    let n = 0;
    for (const id of ids) {
      n++;
      const before = this.#parts.get(id)?.association !== undefined;
      const part = this.#compute(id, rows.networkSnapshot(id));
      if (part === undefined) this.#parts.delete(id);
      else this.#parts.set(id, part);
      if (before !== (part?.association !== undefined)) orderChanged = true;
    }
    this.lastRecomputed = n;
    if (orderChanged)
      this.#order = [...this.#parts]
        .filter(([, p]) => p.association !== undefined)
        .map(([id]) => id)
        .sort(byName);
    return this.#view();
  }

  #compute(id: string, raw: OvnSnapshot): NetworkPart | undefined {
    const snapshot = this.#o.mapSnapshot === undefined ? raw : this.#o.mapSnapshot(raw);
    const association = collectAssociations(snapshot).get(id);
    const facts = networkFacts(snapshot).get(id) ?? switchlessFacts(snapshot, id);
    const portSets = portSetsByNetworkAndNode(snapshot, new Set([id]));
    const empty = raw.logicalSwitches.length + raw.logicalRouterPorts.length + raw.portBindings.length === 0;
    return empty ? undefined : { association, facts, portSets };
  }

  #view(): OvnParts {
    const associations = new Map<string, NetworkAssociation>();
    for (const id of this.#order) {
      const a = this.#parts.get(id)?.association;
      if (a !== undefined) associations.set(id, a);
    }
    const none = emptySnapshot();
    return {
      associations,
      factsOf: (id) => this.#parts.get(id)?.facts ?? switchlessFacts(none, id),
      portSets: (wanted) => {
        const out = new Map<string, EvpnPortSetSpec>();
        for (const id of wanted) for (const [name, spec] of this.#parts.get(id)?.portSets ?? []) out.set(name, spec);
        return out;
      },
    };
  }
}
