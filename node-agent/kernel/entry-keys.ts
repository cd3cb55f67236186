// Pure: one identity string per kernel entry (a bridge VLAN, an FDB entry, a
// route, a neighbour, an address), the same whether it comes from the render or
// from an operation, so a failed operation can be traced to the object whose
// render produced the entry (attribute-failures.ts).
import type { KernelOp } from './netlink/kernel-ops.ts';
import { normDst, normIp, normPrefix } from './diff/normalize.ts';

const routeFamily = (dst: string, via: string | undefined, family: 4 | 6 | undefined): 4 | 6 =>
  family ?? (dst.includes(':') || (via ?? '').includes(':') ? 6 : 4);

export function opEntryKey(op: KernelOp): string | undefined {
  switch (op.op) {
    case 'addBridgeVlan':
    case 'delBridgeVlan':
      return `vlan|${op.vlan.dev}|${op.vlan.vid}`;
    case 'addFdb':
    case 'replaceFdb':
    case 'appendFdb':
    case 'delFdb':
      return `fdb|${op.fdb.dev}|${op.fdb.mac.toLowerCase()}|${op.fdb.vlan ?? ''}`;
    case 'addRoute':
    case 'replaceRoute':
    case 'delRoute':
      return `route|${op.route.table}|${normDst(op.route.dst, routeFamily(op.route.dst, op.route.via, op.route.family))}`;
    case 'replaceNeighbor':
    case 'delNeighbor':
      return `neigh|${op.neighbor.dev}|${normIp(op.neighbor.dst)}`;
    case 'addAddr':
    case 'replaceAddr':
    case 'delAddr':
      return `addr|${op.addr.dev}|${normPrefix(op.addr.address)}`;
    default:
      return undefined;
  }
}

/** The VLAN an operation works in (a bridge VLAN, an FDB entry of a VLAN). */
export function opVlan(op: KernelOp): number | undefined {
  if (op.op === 'addBridgeVlan' || op.op === 'delBridgeVlan') return op.vlan.vid;
  if (op.op === 'addFdb' || op.op === 'replaceFdb' || op.op === 'appendFdb' || op.op === 'delFdb') return op.fdb.vlan;
  return undefined;
}

/** The routing table of a route operation. */
export const opTable = (op: KernelOp): number | undefined =>
  op.op === 'addRoute' || op.op === 'replaceRoute' || op.op === 'delRoute' ? op.route.table : undefined;
