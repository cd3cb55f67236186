// Named network namespaces: a veth peer placed into one from outside
// (IFLA_NET_NS_FD), and an adapter working inside one because its process
// was started there once (`ip netns exec`), which is how the agent runs per
// namespace: the netlink package cannot setns().
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ipJson, requireUmlGuest, run } from '../../../test/harness/uml/oracle.ts';
import {
  closeNetnsFd,
  inNetns,
  type KernelAdapter,
  type KernelOp,
  netnsExecArgv,
  openKernel,
  openNetnsFd,
} from './index.ts';

let k: KernelAdapter;

/** One op through the batch API, throwing its KernelError. */
async function applyOne(op: KernelOp): Promise<void> {
  const f = (await k.applyBatch([op])).failed[0];
  if (f !== undefined) throw f.error;
}
const NS = 'kn-a';

beforeAll(() => {
  requireUmlGuest();
  run('ip', ['netns', 'add', NS]);
  k = openKernel();
});

afterAll(async () => {
  await k.deleteLinks(['kn-ve0']);
  k.close();
  run('ip', ['netns', 'del', NS]);
});

it('creates a veth whose peer lands in a named namespace', async () => {
  const fd = openNetnsFd(NS);
  try {
    await applyOne({
      op: 'createLink',
      link: { kind: 'veth', name: 'kn-ve0', peer: { name: 'eth0', netnsFd: fd, address: '02:00:00:00:0b:01' } },
    });
  } finally {
    closeNetnsFd(fd);
  }
  expect(ipJson(['-n', NS, 'link', 'show', 'eth0'])).toEqual([
    expect.objectContaining({ ifname: 'eth0', address: '02:00:00:00:0b:01' }),
  ]);
  expect(inNetns(NS)).toBe(false);
  const here = await k.getLink('kn-ve0');
  expect(here?.linkNetnsId).not.toBeNull();
});

it('an adapter in a process started inside the namespace manages that namespace', () => {
  const index = fileURLToPath(new URL('./index.ts', import.meta.url));
  const script = `
    import { openKernel, inNetns } from ${JSON.stringify(index)};
    const k = openKernel();
    const r = await k.applyBatch([
      { op: 'createLink', link: { kind: 'vrf', name: 'vrf-in-ns', table: 1010100, up: true } },
      { op: 'replaceRoute', route: { table: 1010100, dst: 'default', type: 'unreachable', metric: 4278198272 } },
    ]);
    if (r.failed.length > 0) throw r.failed[0].error;
    const links = await k.dumpLinks();
    console.log(JSON.stringify({ inNs: inNetns(${JSON.stringify(NS)}), links: links.map((l) => l.name), writes: k.writeCount }));
    k.close();`;
  const [cmd, ...args] = netnsExecArgv(NS, [process.execPath, '--input-type=module', '-e', script]);
  const out = JSON.parse(run(cmd ?? 'ip', args)) as { inNs: boolean; links: string[]; writes: number };
  expect(out).toEqual({ inNs: true, links: expect.arrayContaining(['lo', 'eth0', 'vrf-in-ns']) as unknown, writes: 2 });
  expect(ipJson(['-n', NS, 'route', 'show', 'table', '1010100'])).toEqual([
    expect.objectContaining({ type: 'unreachable', dst: 'default' }),
  ]);
  // and nothing of it in ours
  expect(ipJson(['link', 'show', 'vrf-in-ns'].slice(0, 2))).not.toContainEqual(
    expect.objectContaining({ ifname: 'vrf-in-ns' }),
  );
});
