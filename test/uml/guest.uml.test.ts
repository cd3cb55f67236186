// The guest the harness boots: what every kernel test relies on.
import { readFileSync, writeFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { requireUmlGuest, run } from '../harness/uml/oracle.ts';

const repo = fileURLToPath(new URL('../..', import.meta.url));

beforeAll(() => {
  requireUmlGuest();
});

afterAll(() => {
  for (const l of ['hg-vrf', 'hg-d', 'hg-vx']) run('sh', ['-c', `ip link del ${l} 2>/dev/null || true`]);
});

it('runs Linux 6.1 whose modules autoload on `ip link add` (vrf, dummy, vxlan, 8021q)', () => {
  expect(run('uname', ['-r'])).toMatch(/^6\.1\./);
  run('ip', ['link', 'add', 'hg-vrf', 'type', 'vrf', 'table', '10']);
  run('ip', ['link', 'add', 'hg-d', 'type', 'dummy']);
  run('ip', ['link', 'add', 'hg-d.5', 'link', 'hg-d', 'type', 'vlan', 'id', '5']);
  run('ip', ['link', 'add', 'hg-vx', 'type', 'vxlan', 'id', '5', 'dstport', '4789']);
  const mods = readFileSync('/proc/modules', 'utf8');
  for (const m of ['vrf', 'dummy', '8021q', 'vxlan', 'ipv6']) expect(mods).toMatch(new RegExp(`^${m} `, 'm'));
});

it('keeps the host safe: / read-only, private tmpfs for /tmp, /run, /etc/frr; the repository writable', () => {
  const mounts = readFileSync('/proc/mounts', 'utf8')
    .split('\n')
    .map((l) => l.split(' '));
  const at = (p: string): string[] | undefined => mounts.filter((m) => m[1] === p).at(-1);
  expect(at('/')?.[3]).toMatch(/^ro\b/);
  for (const p of ['/tmp', '/run', '/var/lib', '/etc/frr', '/root']) expect(at(p)?.[2]).toBe('tmpfs');
  const probe = `${repo}.cache/uml/guest-write-probe`;
  writeFileSync(probe, 'ok');
  expect(readFileSync(probe, 'utf8')).toBe('ok');
  rmSync(probe);
});
