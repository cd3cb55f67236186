// Scale figures of the adapter in the UML guest. Printed, not asserted (the
// guest's single CPU makes timings noisy); correctness is asserted.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { requireUmlGuest } from '../../../test/uml/oracle.ts';
import { type KernelAdapter, type KernelOp, openKernel } from './index.ts';

let k: KernelAdapter;
const rate = (n: number, ms: number): string => `${n} in ${ms.toFixed(0)} ms (${Math.round((n * 1000) / ms)}/s)`;
const time = async <T>(fn: () => Promise<T>): Promise<[T, number]> => {
  const t = performance.now();
  const r = await fn();
  return [r, performance.now() - t];
};
const mac = (i: number): string => `02:00:${[(i >> 16) & 255, (i >> 8) & 255, i & 255].map((b) => b.toString(16).padStart(2, '0')).join(':')}:01`;

beforeAll(() => {
  requireUmlGuest();
  k = openKernel();
});

afterAll(() => {
  k.close();
});

it('creates, dumps and deletes 1,000 dummy and 1,000 vxlan links', async () => {
  const dummies: KernelOp[] = Array.from({ length: 1000 }, (_, i) => ({ op: 'createLink', link: { kind: 'dummy', name: `kp-d${i}` } }));
  const vxlans: KernelOp[] = Array.from({ length: 1000 }, (_, i) => ({
    op: 'createLink',
    link: { kind: 'vxlan', name: `kp-vx${i}`, vni: 30000 + i, local: '10.0.0.1', learning: false },
  }));
  const [rd, td] = await time(() => k.applyBatch(dummies));
  const [rv, tv] = await time(() => k.applyBatch(vxlans));
  expect(rd.failed).toEqual([]);
  expect(rv.failed).toEqual([]);
  const [links, tdump] = await time(() => k.dumpLinks());
  expect(links.filter((l) => l.name.startsWith('kp-vx') && l.vxlan?.learning === false)).toHaveLength(1000);
  const writes = k.writeCount;
  const names = links.filter((l) => l.name.startsWith('kp-')).map((l) => l.name);
  const [del, tdel] = await time(() => k.deleteLinks(names, 256));
  expect(del.failed).toEqual([]);
  expect(k.writeCount - writes).toBe(2000);
  console.log(`links: create dummy ${rate(1000, td)}; create vxlan ${rate(1000, tv)}; dumpLinks of ${links.length} links ${tdump.toFixed(0)} ms; chunked delete ${rate(2000, tdel)}`);
});

it('pipelining: 500 dummy links with 1, 64 and 256 requests in flight', async () => {
  const lines: string[] = [];
  for (const window of [1, 64, 256]) {
    const a = openKernel({ window });
    const ops: KernelOp[] = Array.from({ length: 500 }, (_, i) => ({ op: 'createLink', link: { kind: 'dummy', name: `kw-d${i}` } }));
    const [r, t] = await time(() => a.applyBatch(ops));
    expect(r.ok).toBe(500);
    const [d, tdel] = await time(() => a.deleteLinks(ops.map((_, i) => `kw-d${i}`), 500));
    expect(d.ok).toBe(500);
    lines.push(`window ${window}: create ${rate(500, t)}, delete ${rate(500, tdel)}`);
    a.close();
  }
  console.log(`pipelining (links):\n  ${lines.join('\n  ')}`);
});

it('adds, dumps and deletes 10,000 static FDB entries (master, vlan) on a vxlan port', async () => {
  const setup = await k.applyBatch([
    { op: 'createLink', link: { kind: 'bridge', name: 'kp-br', up: true } },
    { op: 'createLink', link: { kind: 'vxlan', name: 'kp-vx', vni: 10100, local: '10.0.0.1', master: 'kp-br', up: true } },
    { op: 'addBridgeVlan', vlan: { dev: 'kp-vx', vid: 101, pvid: true, untagged: true } },
  ]);
  expect(setup.failed).toEqual([]);
  const lines: string[] = [];
  for (const window of [1, 64, 256]) {
    const a = openKernel({ window });
    const adds: KernelOp[] = Array.from({ length: 10_000 }, (_, i) => ({ op: 'addFdb', fdb: { dev: 'kp-vx', mac: mac(i), vlan: 101, master: true } }));
    const [r, t] = await time(() => a.applyBatch(adds));
    expect(r.failed).toEqual([]);
    const vx = await a.getLink('kp-vx');
    const [fdb, tdump] = await time(() => a.dumpFdb());
    expect(fdb.filter((e) => e.index === vx?.index && e.vlan === 101 && e.states.includes('noarp'))).toHaveLength(10_000);
    const writes = a.writeCount;
    const [d, tdel] = await time(() => a.applyBatch(adds.map((o) => (o.op === 'addFdb' ? { op: 'delFdb', fdb: o.fdb } : o))));
    expect(d.failed).toEqual([]);
    expect(a.writeCount - writes).toBe(10_000);
    lines.push(`window ${window}: add ${rate(10_000, t)}; dumpFdb of ${fdb.length} entries ${tdump.toFixed(0)} ms; delete ${rate(10_000, tdel)}`);
    a.close();
  }
  await k.deleteLinks(['kp-vx', 'kp-br']);
  console.log(`fdb:\n  ${lines.join('\n  ')}`);
});

it('a read-only pass over everything makes zero writes', async () => {
  const before = k.writeCount;
  const [, t] = await time(async () => {
    await k.dumpLinks();
    await k.dumpAddrs();
    await k.dumpRoutes();
    await k.dumpNeighbors();
    await k.dumpFdb();
    await k.dumpBridgeVlans();
  });
  expect(k.writeCount).toBe(before);
  console.log(`read-only pass (all six dumps): ${t.toFixed(1)} ms, 0 writes`);
});
