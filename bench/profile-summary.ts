// Summarises a V8 .cpuprofile (node --cpu-prof): self time per function and
// inclusive time of the project's own functions, so REPORT.md can say where
// the time of a missed target goes.
//
//   node bench/profile-summary.ts FILE.cpuprofile [top]
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileLine {
  readonly fn: string;
  readonly selfMs: number;
  readonly totalMs: number;
}

const label = (n: ProfileNode): string => {
  const url = n.callFrame.url.replace(
    /^file:\/\/.*?\/(node_modules\/|lib\/|operator\/|node-agent\/|crds\/|bench\/)/,
    '$1',
  );
  return `${n.callFrame.functionName || '(anonymous)'} ${url}:${n.callFrame.lineNumber + 1}`;
};

export function summariseProfile(profile: CpuProfile): { totalMs: number; lines: ProfileLine[] } {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000));
  const selfBy = new Map<string, number>();
  const totalBy = new Map<string, number>();
  let totalMs = 0;
  for (const [id, ms] of self) {
    const node = byId.get(id);
    if (node === undefined) continue;
    totalMs += ms;
    selfBy.set(label(node), (selfBy.get(label(node)) ?? 0) + ms);
    // Inclusive: once per distinct function on the stack.
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const n = byId.get(cur);
      if (n === undefined) break;
      const l = label(n);
      if (seen.has(l)) continue;
      seen.add(l);
      totalBy.set(l, (totalBy.get(l) ?? 0) + ms);
    }
  }
  const lines = [...totalBy.keys()].map((fn) => ({ fn, selfMs: selfBy.get(fn) ?? 0, totalMs: totalBy.get(fn) ?? 0 }));
  return { totalMs, lines };
}

if (import.meta.main) {
  const [file, topText] = process.argv.slice(2);
  if (file === undefined) {
    process.stderr.write('usage: node bench/profile-summary.ts FILE.cpuprofile [top]\n');
    process.exit(2);
  }
  const top = Number(topText ?? 25);
  const { totalMs, lines } = summariseProfile(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile);
  const fmt = (l: ProfileLine): string =>
    `${l.selfMs.toFixed(0).padStart(7)} ${l.totalMs.toFixed(0).padStart(7)}  ${l.fn}`;
  process.stdout.write(`total sampled ${totalMs.toFixed(0)} ms\n   self   total  (by self time)\n`);
  for (const l of [...lines].sort((a, b) => b.selfMs - a.selfMs).slice(0, top)) process.stdout.write(`${fmt(l)}\n`);
  process.stdout.write('   self   total  (project functions by inclusive time)\n');
  for (const l of lines
    .filter((x) => /(lib|operator|node-agent|crds)\//.test(x.fn) && !x.fn.includes('node_modules'))
    .sort((a, b) => b.totalMs - a.totalMs)
    .slice(0, top))
    process.stdout.write(`${fmt(l)}\n`);
}
