// Links: a desired link that exists with the same kind and kind data is
// updated in place; one of another kind is deleted and re-created; an owned
// link nobody wants is deleted; a link held by someone else is never touched.
import type { KernelOp } from '../netlink/kernel-ops.ts';
import type { Link, LinkChange, LinkSpec } from '../netlink/link-codec.ts';
import { isOwnedLink } from '../ownership.ts';
import { linkNameResolver } from './context.ts';
import { normIp } from './normalize.ts';

export interface LinkPlan {
  linkDeletes: string[];
  linkCreates: KernelOp[];
  updates: KernelOp[];
  blocked: string[];
}

type NameOf = (i: number | null) => string | undefined;

/** Same kind and kind data: otherwise the link must be re-created. */
function compatible(spec: LinkSpec, link: Link, nameOf: NameOf): boolean {
  if (link.kind !== spec.kind) return false;
  switch (spec.kind) {
    case 'vrf':
      return link.vrf?.table === spec.table;
    case 'vxlan':
      return (
        link.vxlan?.vni === spec.vni &&
        normIp(link.vxlan.local) === normIp(spec.local) &&
        link.vxlan.port === (spec.port ?? 4789) &&
        link.vxlan.learning === (spec.learning ?? false)
      );
    case 'vlan':
      return link.vlan?.id === spec.vlanId && nameOf(link.link) === spec.link;
    case 'bridge':
      return link.bridge?.vlanFiltering === (spec.vlanFiltering ?? true);
    case 'veth':
      return true;
    case 'dummy':
      return true;
  }
}

function linkChange(spec: LinkSpec, link: Link, nameOf: NameOf): LinkChange | undefined {
  const change: { -readonly [K in keyof LinkChange]: LinkChange[K] } = {};
  if (spec.mtu !== undefined && link.mtu !== spec.mtu) change.mtu = spec.mtu;
  if (spec.address !== undefined && link.address?.toLowerCase() !== spec.address.toLowerCase())
    change.address = spec.address;
  // Only links we enslave have their master managed: the uplink's peer belongs
  // to whatever provider bridge it was plugged into.
  if (spec.master !== undefined && nameOf(link.master) !== spec.master) change.master = spec.master;
  if (spec.alias !== undefined && link.alias !== spec.alias) change.alias = spec.alias;
  if (spec.group !== undefined && link.group !== spec.group) change.group = spec.group;
  if (spec.up !== undefined && link.up !== spec.up) change.up = spec.up;
  Object.assign(change, altNameChange(spec, link));
  return Object.keys(change).length > 0 ? change : undefined;
}

/** The alternative name to add: only adds, as the kernel keeps a link's other names. */
function altNameChange(spec: LinkSpec, link: Link): Pick<LinkChange, 'altName'> {
  return spec.altName === undefined || (link.altNames ?? []).includes(spec.altName) ? {} : { altName: spec.altName };
}

/** The veth peer is born without our marks; they are given in the update phase. */
function peerMarks(spec: LinkSpec, desired: readonly LinkSpec[]): KernelOp | undefined {
  if (spec.kind !== 'veth') return undefined;
  const peer = desired.find((l) => l.name === spec.peer.name);
  if (!peer) return undefined;
  return {
    op: 'setLink',
    name: peer.name,
    change: {
      alias: peer.alias ?? null,
      ...(peer.group !== undefined ? { group: peer.group } : {}),
      up: peer.up ?? true,
    },
  };
}

/**
 * The update that brings a compatible link to its spec, if any: its changed
 * attributes, and its master again where the master is re-created in this pass.
 */
function updateOf(
  spec: LinkSpec,
  link: Link,
  pass: { nameOf: NameOf; recreated: ReadonlySet<string> },
): KernelOp | undefined {
  const change = linkChange(spec, link, pass.nameOf);
  const reEnslave = spec.master !== undefined && pass.recreated.has(spec.master) ? { master: spec.master } : {};
  if (!change && Object.keys(reEnslave).length === 0) return undefined;
  return { op: 'setLink', name: spec.name, change: { ...change, ...reEnslave } };
}

/** Owned links nobody wants, by name. */
function unwantedOwned(desired: readonly LinkSpec[], actual: readonly Link[]): string[] {
  const desiredNames = new Set(desired.map((l) => l.name));
  return actual.filter((link) => isOwnedLink(link) && !desiredNames.has(link.name)).map((link) => link.name);
}

/**
 * Desired links come masters and lower links first, so by the time a link is
 * looked at we know whether what it hangs on is re-created in this pass: a
 * VLAN device dies with its lower link and must be re-created, a port is
 * released by its master's deletion and must be enslaved again.
 */
export function diffLinks(desired: readonly LinkSpec[], actual: readonly Link[]): LinkPlan {
  const plan: LinkPlan = { linkDeletes: [], linkCreates: [], updates: [], blocked: [] };
  const byName = new Map(actual.map((l) => [l.name, l]));
  const nameOf = linkNameResolver(actual);
  const createdAsPeer = new Set<string>();
  const recreated = new Set<string>();
  for (const spec of desired) {
    const link = byName.get(spec.name);
    if (link && !isOwnedLink(link)) {
      plan.blocked.push(spec.name);
      continue;
    }
    const lowerRecreated = spec.kind === 'vlan' && recreated.has(spec.link);
    if (link && !lowerRecreated && compatible(spec, link, nameOf)) {
      const update = updateOf(spec, link, { nameOf, recreated });
      if (update) plan.updates.push(update);
      continue;
    }
    if (link) {
      plan.linkDeletes.push(spec.name);
      recreated.add(spec.name);
    }
    if (createdAsPeer.has(spec.name)) continue;
    plan.linkCreates.push({ op: 'createLink', link: spec });
    if (spec.kind === 'veth') createdAsPeer.add(spec.peer.name);
    const marks = peerMarks(spec, desired);
    if (marks) plan.updates.push(marks);
  }
  plan.linkDeletes.push(...unwantedOwned(desired, actual));
  return withoutTakenAltNames(plan, actual);
}

/**
 * An alternative name a link that stays holds (by name or as its own
 * alternative name) is left out: the kernel would refuse it (EEXIST) and it
 * is only a convenience. One held by a link deleted in this pass is given.
 */
function withoutTakenAltNames(plan: LinkPlan, actual: readonly Link[]): LinkPlan {
  const deleted = new Set(plan.linkDeletes);
  const holder = new Map<string, string>();
  for (const l of actual)
    if (!deleted.has(l.name)) for (const n of [l.name, ...(l.altNames ?? [])]) holder.set(n, l.name);
  const taken = (self: string, alt: string | undefined): boolean =>
    alt !== undefined && holder.has(alt) && holder.get(alt) !== self;
  const strip = (op: KernelOp): KernelOp | undefined => {
    if (op.op === 'createLink' && taken(op.link.name, op.link.altName)) {
      const { altName: _taken, ...link } = op.link;
      return { ...op, link };
    }
    if (op.op !== 'setLink' || !taken(op.name, op.change.altName)) return op;
    const { altName: _taken, ...change } = op.change;
    return Object.keys(change).length > 0 ? { ...op, change } : undefined;
  };
  return {
    ...plan,
    linkCreates: plan.linkCreates.flatMap((op) => strip(op) ?? []),
    updates: plan.updates.flatMap((op) => strip(op) ?? []),
  };
}
