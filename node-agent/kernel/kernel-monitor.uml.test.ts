// The monitoring socket sees changes made by others (drift).
import { afterAll, beforeAll, expect, it } from 'vitest';
import { requireUmlGuest, run } from '../../test/uml/oracle.ts';
import { type KernelAdapter, type KernelMonitor, openKernel, openMonitor } from './index.ts';

let k: KernelAdapter;
let m: KernelMonitor;

beforeAll(() => {
  requireUmlGuest();
  k = openKernel();
  m = openMonitor();
});

afterAll(() => {
  m.close();
  k.close();
});

it('sees a link deleted by `ip link del` within a second', async () => {
  await k.createLink({ kind: 'dummy', name: 'km-d0' });
  const seen = m.waitFor((e) => e.kind === 'link' && e.action === 'del' && e.link.name === 'km-d0', 1000);
  const t0 = performance.now();
  run('ip', ['link', 'del', 'km-d0']);
  const e = await seen;
  console.log(`monitor: link delete seen ${(performance.now() - t0).toFixed(1)} ms after spawning ip (process start included)`);
  expect(e).toMatchObject({ kind: 'link', action: 'del', link: { name: 'km-d0', kind: 'dummy' } });
});

it('reports fdb, route and address changes with decoded objects', async () => {
  const events: string[] = [];
  const off = m.subscribe((e) => {
    if (e.kind === 'fdb' && e.fdb.mac === '02:00:00:00:0e:01') events.push(`fdb ${e.action} ${e.fdb.mac} ${e.fdb.states.join(',')}`);
    if (e.kind === 'route' && e.route.table === 4242) events.push(`route ${e.action} ${e.route.dst}`);
    if (e.kind === 'addr' && e.addr.address === '10.42.0.1') events.push(`addr ${e.action} ${e.addr.address}/${e.addr.prefixLen}`);
    if (e.kind === 'link' && e.link.name === 'km-br' && e.action === 'new' && e.link.mtu === 1400) events.push('link new km-br mtu 1400');
  });
  await k.applyBatch([
    { op: 'createLink', link: { kind: 'bridge', name: 'km-br', vlanFiltering: false, up: true } },
    { op: 'createLink', link: { kind: 'dummy', name: 'km-p', master: 'km-br', up: true } },
  ]);
  run('bridge', ['fdb', 'add', '02:00:00:00:0e:01', 'dev', 'km-p', 'master', 'static']);
  run('ip', ['addr', 'add', '10.42.0.1/24', 'dev', 'km-br']);
  run('ip', ['route', 'add', '10.43.0.0/16', 'via', '10.42.0.2', 'table', '4242']);
  run('ip', ['link', 'set', 'km-br', 'mtu', '1400']);
  await m.waitFor((e) => e.kind === 'link' && e.link.name === 'km-br' && e.link.mtu === 1400, 1000);
  off();
  expect(events).toEqual(expect.arrayContaining(['fdb new 02:00:00:00:0e:01 noarp', 'addr new 10.42.0.1/24', 'route new 10.43.0.0/16', 'link new km-br mtu 1400']));
  await k.deleteLinks(['km-p', 'km-br']);
});
