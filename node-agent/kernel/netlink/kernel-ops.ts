// The write operations of the adapter as data: a reconciler's plan is a list
// of KernelOps, applied in order (pipelined) by KernelAdapter.applyBatch.
// Everything here is pure: which link names an op needs resolved, how it reads
// in an error message, and its netlink request.
import * as C from './constants.ts';
import { type AddrSpec, encodeAddr, encodeRoute, type RouteSpec } from './addr-route-codec.ts';
import { type BridgePortFlags, type BridgeVlanSpec, encodeBridgePortFlags, encodeBridgeVlans } from './bridge-codec.ts';
import type { KernelErrorContext } from './kernel-error.ts';
import {
  encodeAddAltName,
  encodeCreateLink,
  encodeLinkByName,
  encodeSetLink,
  type LinkChange,
  type LinkSpec,
} from './link-codec.ts';
import { encodeFdb, encodeNeighbor, encodeNeighborDelete, type FdbSpec, type NeighborSpec } from './neigh-codec.ts';

export type KernelOp =
  | { readonly op: 'createLink'; readonly link: LinkSpec }
  | { readonly op: 'setLink'; readonly name: string; readonly change: LinkChange }
  | { readonly op: 'deleteLink'; readonly name: string }
  | { readonly op: 'addAddr' | 'replaceAddr' | 'delAddr'; readonly addr: AddrSpec }
  | { readonly op: 'addRoute' | 'replaceRoute' | 'delRoute'; readonly route: RouteSpec }
  | { readonly op: 'replaceNeighbor' | 'delNeighbor'; readonly neighbor: NeighborSpec }
  | { readonly op: 'addFdb' | 'replaceFdb' | 'appendFdb' | 'delFdb'; readonly fdb: FdbSpec }
  | { readonly op: 'addBridgeVlan' | 'delBridgeVlan'; readonly vlan: BridgeVlanSpec }
  | { readonly op: 'setBridgePort'; readonly port: BridgePortFlags };

export interface NetlinkRequest {
  readonly type: number;
  readonly flags: number;
  readonly payload: Buffer;
}

/** The devices an op on entries (not links) names: its address, route, neighbour, FDB, VLAN or port device. */
export function entryDevices(op: Exclude<KernelOp, { op: 'createLink' | 'setLink' | 'deleteLink' }>): string[] {
  switch (op.op) {
    case 'addAddr':
    case 'replaceAddr':
    case 'delAddr':
      return [op.addr.dev];
    case 'addRoute':
    case 'replaceRoute':
    case 'delRoute':
      return op.route.dev !== undefined ? [op.route.dev] : [];
    case 'replaceNeighbor':
    case 'delNeighbor':
      return [op.neighbor.dev];
    case 'addFdb':
    case 'replaceFdb':
    case 'appendFdb':
    case 'delFdb':
      return [op.fdb.dev];
    case 'addBridgeVlan':
    case 'delBridgeVlan':
      return [op.vlan.dev];
    case 'setBridgePort':
      return [op.port.dev];
  }
}

/** Link names whose ifindex the request needs (the kernel takes ifindexes there, not names). */
export function namesToResolve(op: KernelOp): string[] {
  switch (op.op) {
    case 'createLink': {
      const n: string[] = [];
      if (op.link.master !== undefined) n.push(op.link.master);
      if (op.link.kind === 'vlan') n.push(op.link.link);
      return n;
    }
    case 'setLink':
      return typeof op.change.master === 'string' ? [op.change.master] : [];
    case 'deleteLink':
      return [];
    default:
      return entryDevices(op);
  }
}

/** Link name whose ifindex this op creates or destroys (later lookups must follow it). */
export function nameChangedBy(op: KernelOp): string | null {
  if (op.op === 'createLink') return op.link.name;
  if (op.op === 'deleteLink') return op.name;
  return null;
}

const VERB: Readonly<Record<KernelOp['op'], string>> = {
  createLink: 'create link',
  setLink: 'set link',
  deleteLink: 'delete link',
  addAddr: 'add address',
  replaceAddr: 'replace address',
  delAddr: 'delete address',
  addRoute: 'add route',
  replaceRoute: 'replace route',
  delRoute: 'delete route',
  replaceNeighbor: 'replace neighbour',
  delNeighbor: 'delete neighbour',
  addFdb: 'add fdb entry',
  replaceFdb: 'replace fdb entry',
  appendFdb: 'append fdb entry',
  delFdb: 'delete fdb entry',
  addBridgeVlan: 'add bridge vlan',
  delBridgeVlan: 'delete bridge vlan',
  setBridgePort: 'set bridge port',
};

function describeRoute(r: RouteSpec): string {
  const parts = [r.type !== undefined && r.type !== 'unicast' ? `${r.type} ${r.dst}` : r.dst];
  if (r.via !== undefined) parts.push(`via ${r.via}`);
  if (r.dev !== undefined) parts.push(`dev ${r.dev}`);
  parts.push(`table ${r.table}`);
  if (r.metric !== undefined) parts.push(`metric ${r.metric}`);
  return parts.join(' ');
}

function describeFdb(f: FdbSpec): string {
  const parts = [f.mac, `dev ${f.dev}`];
  if (f.vlan !== undefined) parts.push(`vlan ${f.vlan}`);
  if (f.dst !== undefined) parts.push(`dst ${f.dst}`);
  if (f.master === true) parts.push('master');
  if (f.self === true) parts.push('self');
  return parts.join(' ');
}

export function describeOp(op: KernelOp): KernelErrorContext {
  const verb = VERB[op.op];
  switch (op.op) {
    case 'createLink':
      return { op: verb, object: op.link.name, kind: op.link.kind };
    case 'setLink':
    case 'deleteLink':
      return { op: verb, object: op.name };
    case 'addAddr':
    case 'replaceAddr':
    case 'delAddr':
      return { op: verb, object: `${op.addr.address} dev ${op.addr.dev}` };
    case 'addRoute':
    case 'replaceRoute':
    case 'delRoute':
      return { op: verb, object: describeRoute(op.route) };
    case 'replaceNeighbor':
    case 'delNeighbor':
      return { op: verb, object: `${op.neighbor.dst} lladdr ${op.neighbor.lladdr} dev ${op.neighbor.dev}` };
    case 'addFdb':
    case 'replaceFdb':
    case 'appendFdb':
    case 'delFdb':
      return { op: verb, object: describeFdb(op.fdb) };
    case 'addBridgeVlan':
    case 'delBridgeVlan':
      return { op: verb, object: `vid ${op.vlan.vid} dev ${op.vlan.dev}${op.vlan.self === true ? ' self' : ''}` };
    case 'setBridgePort':
      return { op: verb, object: op.port.dev };
  }
}

const CREATE_EXCL = C.NLM_F_CREATE | C.NLM_F_EXCL;
const CREATE_REPLACE = C.NLM_F_CREATE | C.NLM_F_REPLACE;

/**
 * The requests of a createLink: one RTM_NEWLINK, followed by an RTM_SETLINK
 * for what the kernel ignores or overrides on create.
 */
function encodeCreateLinkOp(link: LinkSpec, ix: (name: string) => number): NetlinkRequest[] {
  const { altName, ...l } = link;
  const named = encodeCreateLinkRequests(l, ix);
  return altName === undefined ? named : [...named, altNameRequest(l.name, altName)];
}

/** An alternative name is its own message (RTM_NEWLINKPROP), after the link exists. */
const altNameRequest = (name: string, altName: string): NetlinkRequest => ({
  type: C.RTM_NEWLINKPROP,
  flags: C.NLM_F_CREATE | C.NLM_F_APPEND,
  payload: encodeAddAltName(name, altName),
});

function encodeCreateLinkRequests(l: LinkSpec, ix: (name: string) => number): NetlinkRequest[] {
  const master = l.master !== undefined ? ix(l.master) : undefined;
  const spec = (l.kind === 'vlan' ? { ...l, link: ix(l.link), master } : { ...l, master }) as LinkSpec<number>;
  // A bridge's MTU given on create is overridden when ports join; set via
  // RTM_SETLINK it counts as set by the user and sticks.
  const bridgeMtu = spec.kind === 'bridge' && spec.mtu !== undefined;
  if (spec.alias === undefined && spec.addrGenModeNone !== true && !bridgeMtu) {
    return [{ type: C.RTM_NEWLINK, flags: CREATE_EXCL, payload: encodeCreateLink(spec) }];
  }
  // RTM_NEWLINK ignores IFLA_IFALIAS and the inet6 IFLA_AF_SPEC on create:
  // set them right after, and bring the link up only then (no link-local
  // address appears before addrgenmode is none).
  const { alias, addrGenModeNone, up, ...rest } = spec;
  const { mtu, ...noMtu } = rest;
  const base = bridgeMtu ? noMtu : rest;
  const change: LinkChange<number> = {
    ...(alias !== undefined ? { alias } : {}),
    ...(addrGenModeNone !== undefined ? { addrGenModeNone } : {}),
    ...(up !== undefined ? { up } : {}),
    ...(bridgeMtu && mtu !== undefined ? { mtu } : {}),
  };
  return [
    { type: C.RTM_NEWLINK, flags: CREATE_EXCL, payload: encodeCreateLink(base) },
    { type: C.RTM_SETLINK, flags: 0, payload: encodeSetLink(l.name, change) },
  ];
}

/** A setLink's change with its master name resolved (null: release from the master). */
function resolveMaster(change: LinkChange, ix: (name: string) => number): LinkChange<number> {
  const m = change.master;
  return { ...change, master: m === undefined ? undefined : m === null ? null : ix(m) } as LinkChange<number>;
}

/** One request, as the one-element list encodeOp returns. */
const one = (type: number, flags: number, payload: Buffer): NetlinkRequest[] => [{ type, flags, payload }];

/** NLM flags of an FDB write: create only, replace, or append. */
function fdbFlags(op: 'addFdb' | 'replaceFdb' | 'appendFdb'): number {
  if (op === 'addFdb') return CREATE_EXCL;
  return op === 'replaceFdb' ? CREATE_REPLACE : C.NLM_F_CREATE | C.NLM_F_APPEND;
}

/**
 * The netlink requests of an op (sent back to back); `ix` maps the names of
 * namesToResolve(op) to ifindexes. One flat case per op kind: it reads as the
 * table of what each op sends.
 */
export function encodeOp(op: KernelOp, ix: (name: string) => number): NetlinkRequest[] {
  switch (op.op) {
    case 'createLink':
      return encodeCreateLinkOp(op.link, ix);
    case 'setLink': {
      const { altName, ...change } = op.change;
      const set =
        Object.keys(change).length > 0 ? one(C.RTM_SETLINK, 0, encodeSetLink(op.name, resolveMaster(change, ix))) : [];
      return altName === undefined ? set : [...set, altNameRequest(op.name, altName)];
    }
    case 'deleteLink':
      return one(C.RTM_DELLINK, 0, encodeLinkByName(op.name));
    case 'addAddr':
    case 'replaceAddr':
    case 'delAddr': {
      const payload = encodeAddr({ ...op.addr, dev: ix(op.addr.dev) });
      if (op.op === 'delAddr') return one(C.RTM_DELADDR, 0, payload);
      return one(C.RTM_NEWADDR, op.op === 'addAddr' ? CREATE_EXCL : CREATE_REPLACE, payload);
    }
    case 'addRoute':
    case 'replaceRoute':
    case 'delRoute': {
      const r = op.route;
      const spec: RouteSpec<number> = { ...r, dev: r.dev !== undefined ? ix(r.dev) : undefined } as RouteSpec<number>;
      if (op.op === 'delRoute') return one(C.RTM_DELROUTE, 0, encodeRoute(spec, true));
      return one(C.RTM_NEWROUTE, op.op === 'addRoute' ? CREATE_EXCL : CREATE_REPLACE, encodeRoute(spec));
    }
    case 'replaceNeighbor':
      return one(C.RTM_NEWNEIGH, CREATE_REPLACE, encodeNeighbor({ ...op.neighbor, dev: ix(op.neighbor.dev) }));
    case 'delNeighbor':
      return one(C.RTM_DELNEIGH, 0, encodeNeighborDelete({ dev: ix(op.neighbor.dev), dst: op.neighbor.dst }));
    case 'addFdb':
    case 'replaceFdb':
    case 'appendFdb':
    case 'delFdb': {
      const payload = encodeFdb({ ...op.fdb, dev: ix(op.fdb.dev) });
      return op.op === 'delFdb' ? one(C.RTM_DELNEIGH, 0, payload) : one(C.RTM_NEWNEIGH, fdbFlags(op.op), payload);
    }
    case 'addBridgeVlan':
    case 'delBridgeVlan': {
      const { dev, ...vlan } = op.vlan;
      const type = op.op === 'addBridgeVlan' ? C.RTM_SETLINK : C.RTM_DELLINK;
      return one(type, 0, encodeBridgeVlans(ix(dev), [vlan]));
    }
    case 'setBridgePort':
      return one(C.RTM_SETLINK, 0, encodeBridgePortFlags({ ...op.port, dev: ix(op.port.dev) }));
  }
}
