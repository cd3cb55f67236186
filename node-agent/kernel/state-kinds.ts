// Which kinds of kernel state (links, addresses, routes, ...) a monitor line or
// a plan can have changed: the state cache dumps again only those kinds.
import type { ActualKernelState } from './actual-state.ts';
import type { KernelPlan } from './diff-kernel-state.ts';
import type { KernelEvent } from './own-writes.ts';

export type StateKind = keyof ActualKernelState;
export const ALL_KINDS: readonly StateKind[] = ['links', 'bridgePorts', 'addrs', 'routes', 'neighbors', 'fdb'];

const LINK_ONLY: readonly StateKind[] = ['links', 'bridgePorts'];

/**
 * The kinds a monitor event can have changed. A link deleted or down that the
 * cache knows: all (the kernel flushes the IPv4 routes and neighbours on it
 * without a word); a link it does not know holds nothing of ours yet.
 */
export function kindsOf(e: KernelEvent, line: string, known: (name: string) => boolean): readonly StateKind[] {
  switch (e.kind) {
    case 'link': {
      const flags = /<([^>]*)>/.exec(line)?.[1]?.split(',');
      const cycled = e.deleted || (flags !== undefined && !flags.includes('UP'));
      return cycled && known(e.devs[0] ?? '') ? ALL_KINDS : LINK_ONLY;
    }
    // An address removed takes its prefix's routes and, the last IPv4 one, the device's neighbours.
    case 'addr':
      return ['addrs', 'routes', 'neighbors'];
    // The cache holds only routes of our protocol (iproute2 prints no proto for boot).
    case 'route':
      return NOT_OUR_PROTOCOLS.has(/ proto (\S+)/.exec(line)?.[1] ?? 'boot') ? [] : ['routes'];
    case 'neigh':
      return ['neighbors'];
    case 'fdb':
      return ['fdb'];
  }
}

/** Route protocols iproute2 names that are never ours (RTPROT_OVN_EVPN has no name: it prints as a number). */
const NOT_OUR_PROTOCOLS = new Set([
  'kernel',
  'boot',
  'static',
  'ra',
  'dhcp',
  'redirect',
  'zebra',
  'bgp',
  'ospf',
  'isis',
  'rip',
  'bird',
  'babel',
]);

/** The kinds a plan writes (what must be brought up to date after it). */
export function kindsWritten(plan: KernelPlan): Set<StateKind> {
  if (plan.linkDeletes.length > 0 || plan.linkCreates.length > 0 || plan.updates.length > 0) return new Set(ALL_KINDS);
  const kinds = new Set<StateKind>();
  for (const op of [...plan.removes, ...plan.creates]) {
    switch (op.op) {
      case 'addAddr':
      case 'replaceAddr':
      case 'delAddr':
        for (const k of ['addrs', 'routes', 'neighbors'] as const) kinds.add(k);
        break;
      case 'addRoute':
      case 'replaceRoute':
      case 'delRoute':
        kinds.add('routes');
        break;
      case 'replaceNeighbor':
      case 'delNeighbor':
        kinds.add('neighbors');
        break;
      case 'addFdb':
      case 'replaceFdb':
      case 'appendFdb':
      case 'delFdb':
        kinds.add('fdb');
        break;
      case 'addBridgeVlan':
      case 'delBridgeVlan':
        kinds.add('bridgePorts');
        kinds.add('fdb');
        break;
      case 'setBridgePort':
        kinds.add('bridgePorts');
        break;
      default:
        for (const k of ALL_KINDS) kinds.add(k);
    }
  }
  return kinds;
}
