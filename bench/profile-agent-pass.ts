// The agent's kernel pass at full size, alone in its process (no baselines):
// RSS and heap after the cold start (and after a forced GC with --expose-gc),
// the time of each dump, and a CPU profile of three no-op passes. Run in UML:
//
//   test/uml/boot.sh -- node --expose-gc bench/profile-agent-pass.ts
//   node bench/profile-summary.ts bench/results/profiles/agent-noop.cpuprofile
import { mkdirSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { openKernel } from '../node-agent/kernel/netlink/index.ts';
import { readActualState } from '../node-agent/kernel/actual-state.ts';
import { runKernelPass } from '../node-agent/kernel/kernel-pass.ts';
import { nodeWorkload } from './lib/node-workload.ts';
import { SIZES } from './lib/sizes.ts';

const memory = (): string => {
  const m = process.memoryUsage();
  return `rss ${(m.rss / 2 ** 20).toFixed(1)} MiB, heap used ${(m.heapUsed / 2 ** 20).toFixed(1)} MiB`;
};

console.log(`start: ${memory()}`);
const w = nodeWorkload({ networks: SIZES.full.networks, ports: SIZES.full.ports });
const k = openKernel();
const input = {
  vrfs: w.vrfs,
  networks: w.networks,
  portSets: w.portSets,
  rejectedVrfs: new Map(),
  rejectedNetworks: new Map(),
};
const cold = await runKernelPass(k, w.node, input);
console.log(`cold start ${cold.durationMs.toFixed(0)} ms, ${cold.writes} writes: ${memory()}`);
const gc = (globalThis as { gc?: () => void }).gc;
if (gc !== undefined) {
  gc();
  console.log(`after a forced GC: ${memory()}`);
}
for (const dump of ['dumpLinks', 'dumpBridgeVlans', 'dumpAddrs', 'dumpNeighbors', 'dumpFdb', 'dumpRoutes'] as const) {
  const t = performance.now();
  const rows = await k[dump]();
  console.log(`${dump}: ${rows.length} in ${(performance.now() - t).toFixed(0)} ms`);
}
const t = performance.now();
await readActualState(k);
console.log(`readActualState: ${(performance.now() - t).toFixed(0)} ms`);
const session = new Session();
session.connect();
await session.post('Profiler.enable');
await session.post('Profiler.start');
for (let i = 0; i < 3; i++)
  console.log(`no-op pass (profiled): ${(await runKernelPass(k, w.node, input)).durationMs.toFixed(0)} ms`);
const { profile } = await session.post('Profiler.stop');
mkdirSync('bench/results/profiles', { recursive: true });
writeFileSync('bench/results/profiles/agent-noop.cpuprofile', JSON.stringify(profile));
await runKernelPass(k, w.node, { ...input, vrfs: [], networks: [], portSets: [] });
k.close();
