// Whether a node that applied a network also has the other nodes' EVPN routes
// for it, so that Ready means traffic flows, not only "each node applied its
// own side". Applying is local; the routes come later, through BGP and the
// route reflector, and until they are installed the first packets are lost:
// an l3 network's gateway subnet is on every node, so a node without the /32
// of a remote VM ARPs for it on its own segment and drops the packets; an
// L2VNI without the other VTEP's type-3 route floods to nobody.
//
// Pure and level-triggered: it compares what each node last reported
// (EvpnNodeState) with what the operator knows (the nodes' VTEPs and the
// network's ports per node). A node reports no list when it cannot read FRR
// or the list is over its cap; then nothing is waited on for that node.
import { isIPv4 } from 'node:net';

/** What one node reported about the routes it received. */
export interface ReceivedRoutes {
  readonly node: string;
  readonly vtepIp: string | undefined;
  /** The other VTEPs it floods the L2VNI to (type-3); undefined: unknown. */
  readonly remoteVtepIps: readonly string[] | undefined;
  /** Host routes installed in the network's VRF from BGP; undefined: unknown. */
  readonly remoteHosts: readonly string[] | undefined;
}

export interface ConvergenceInput {
  /** l2: wait for the type-3 routes of the other applying nodes; l3: for their VMs' host routes. */
  readonly type: 'l2' | 'l3';
  /** The network's port addresses, per node (from the EvpnPortSets). */
  readonly hostsByNode: ReadonlyMap<string, readonly string[]>;
}

/**
 * What `self` still lacks from the other applying nodes, as short phrases
 * (empty: converged). Only IPv4 hosts are waited on: the status read covers
 * `show ip route`, not the IPv6 table.
 */
export function missingRoutes(
  self: ReceivedRoutes,
  applying: readonly ReceivedRoutes[],
  input: ConvergenceInput,
): string[] {
  const missing: string[] = [];
  for (const other of applying) {
    if (other.node === self.node) continue;
    if (input.type === 'l2') {
      if (self.remoteVtepIps === undefined || other.vtepIp === undefined) continue;
      if (!self.remoteVtepIps.includes(other.vtepIp))
        missing.push(`the type-3 route of ${other.node} (${other.vtepIp})`);
    } else {
      if (self.remoteHosts === undefined) continue;
      const have = new Set(self.remoteHosts);
      const lacking = (input.hostsByNode.get(other.node) ?? []).filter((ip) => isIPv4(ip) && !have.has(ip));
      if (lacking.length > 0)
        missing.push(
          `the host routes of ${other.node}'s ${lacking.slice(0, 3).join(', ')}${lacking.length > 3 ? ', …' : ''}`,
        );
    }
  }
  return missing;
}

export interface Converging {
  readonly node: string;
  readonly missing: readonly string[];
}

/** The applying nodes that still lack some other applying node's routes. */
export function convergingNodes(applied: readonly ReceivedRoutes[], input: ConvergenceInput): Converging[] {
  return applied
    .map((a) => ({ node: a.node, missing: missingRoutes(a, applied, input) }))
    .filter((c) => c.missing.length > 0);
}

/** The Ready message while every node applied but some lack routes: which node lacks what (the first three). */
export function convergingMessage(converging: readonly Converging[], totalNodes: number): string {
  const shown = converging
    .slice(0, 3)
    .map((c) => `${c.node} lacks ${c.missing.slice(0, 2).join(' and ')}`)
    .join('; ');
  return `applied on all ${totalNodes} nodes; waiting for the EVPN routes between them: ${shown}${converging.length > 3 ? '; …' : ''}`.slice(
    0,
    4096,
  );
}
