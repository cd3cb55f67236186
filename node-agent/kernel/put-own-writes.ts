// The cache's own FDB and neighbour writes put in as the kernel would report
// them, so that a one-port change does not cost a dump of every entry.
import type { ActualKernelState } from './actual-state.ts';
import { normIp } from './diff/normalize.ts';
import type { KernelOp } from './netlink/kernel-ops.ts';
import type { FdbEntry, Neighbor } from './netlink/neigh-codec.ts';

const NUD_PERMANENT = 0x80;
const NUD_NOARP = 0x40;
const NTF_MASTER = 0x04;

export type LinkByName = ReadonlyMap<string, ActualKernelState['links'][number]>;

// Our entries are master, static and without a remote; the key keeps the others (self, remotes) apart.
export const fdbKey = (e: Pick<FdbEntry, 'index' | 'mac' | 'vlan' | 'master' | 'self' | 'dst'>): string =>
  `${e.index}|${e.mac.toLowerCase()}|${e.vlan ?? 0}|${e.master ?? ''}|${e.self}|${e.dst ?? ''}`;
export const neighKey = (index: number, dst: string): string => `${index}|${normIp(dst)}`;

/** A static master FDB write put in as the kernel reports it; false for anything else. */
export function putFdb(op: KernelOp, links: LinkByName, fdb: Map<string, FdbEntry>): boolean {
  if (op.op !== 'replaceFdb' && op.op !== 'delFdb') return false;
  const dev = links.get(op.fdb.dev);
  if (
    dev === undefined ||
    op.fdb.master !== true ||
    op.fdb.self === true ||
    op.fdb.dst !== undefined ||
    (op.fdb.state ?? 'static') !== 'static'
  )
    return false;
  const entry: FdbEntry = {
    index: dev.index,
    mac: op.fdb.mac.toLowerCase(),
    vlan: op.fdb.vlan ?? null,
    dst: null,
    vni: null,
    port: null,
    master: dev.master,
    self: false,
    externLearn: false,
    state: NUD_NOARP,
    states: ['noarp'],
    flags: NTF_MASTER,
  };
  if (op.op === 'delFdb') fdb.delete(fdbKey(entry));
  else fdb.set(fdbKey(entry), entry);
  return true;
}

/** A permanent neighbour write put in as the kernel reports it; false for anything else. */
export function putNeighbor(op: KernelOp, links: LinkByName, neighbors: Map<string, Neighbor>): boolean {
  if (op.op !== 'replaceNeighbor' && op.op !== 'delNeighbor') return false;
  const dev = links.get(op.neighbor.dev);
  if (dev === undefined) return false;
  const key = neighKey(dev.index, op.neighbor.dst);
  if (op.op === 'delNeighbor') {
    neighbors.delete(key);
    return true;
  }
  if ((op.neighbor.state ?? 'permanent') !== 'permanent') return false;
  neighbors.set(key, {
    index: dev.index,
    family: op.neighbor.dst.includes(':') ? 6 : 4,
    dst: op.neighbor.dst,
    lladdr: op.neighbor.lladdr.toLowerCase(),
    state: NUD_PERMANENT,
    states: ['permanent'],
    flags: 0,
  });
  return true;
}
