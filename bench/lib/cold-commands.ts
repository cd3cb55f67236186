// Pure: a workload's cold-start plan (what the agent would do on an empty
// node, from its own render and diff) as iproute2 commands.
import { diffKernelState } from '../../node-agent/kernel/diff-kernel-state.ts';
import { renderKernelState } from '../../node-agent/kernel/render-kernel-state.ts';
import { commandsOf, type IprouteCommand } from './iproute-commands.ts';
import type { NodeWorkload } from './node-workload.ts';

export function coldCommandsOf(w: NodeWorkload): IprouteCommand[] {
  const desired = renderKernelState(w.node, w.vrfs, w.networks, w.portSets).desired;
  const plan = diffKernelState(desired, { links: [], bridgePorts: [], addrs: [], routes: [], neighbors: [], fdb: [] });
  return [...plan.removes, ...plan.linkCreates, ...plan.updates, ...plan.creates].flatMap(commandsOf);
}
