// The vtysh protocol against real FRR 8.4 daemons (host, root): the client
// of vty.ts gets the same answers vtysh prints, statuses for refused lines,
// and configuration sent to one daemon lands in that daemon only.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFrrTestInstance, type FrrTestInstance } from '../../test/harness/frr/frr-test-instance.ts';
import { isVtyFailure, VtyConnection } from './vty.ts';

let frr: FrrTestInstance;
const sock = (d: string): string => `/var/run/frr/${frr.pathspace}/${d}.vty`;
const vtysh = (...c: string[]): string =>
  spawnSync('vtysh', ['-N', frr.pathspace, ...c.flatMap((x) => ['-c', x])], { encoding: 'utf8' }).stdout;

describe('vty socket client (real FRR)', () => {
  beforeAll(() => {
    frr = startFrrTestInstance(`frrvty${process.pid}`);
  });
  afterAll(() => {
    frr.stop();
  });

  it('answers a show command as vtysh does, with status 0', async () => {
    const c = await VtyConnection.open(sock('zebra'));
    const r = await c.run('show version');
    c.close();
    expect(r.status).toBe(0);
    expect(r.output).toMatch(/FRRouting 8\.4/);
  });

  it('reports refused and unknown lines by status, and keeps the connection usable', async () => {
    const c = await VtyConnection.open(sock('bgpd'));
    const unknown = await c.run('no such command');
    expect(isVtyFailure(unknown.status)).toBe(true);
    expect(unknown.output).toMatch(/Unknown command/);
    const replies = await c.runAll([
      'configure terminal',
      'router bgp 65000',
      'bgp router-id 192.0.2.1',
      'address-family l2vpn evpn',
      'neighbor 192.0.2.9 activate',
      'exit-address-family',
      'exit',
      'end',
    ]);
    c.close();
    expect(replies.map((r) => isVtyFailure(r.status))).toEqual([false, false, false, false, true, false, false, false]);
    expect(vtysh('show running-config')).toMatch(/router bgp 65000\n bgp router-id 192\.0\.2\.1/);
  });

  it('configures only the daemon it talks to; show running-config per daemon', async () => {
    const z = await VtyConnection.open(sock('zebra'));
    await z.runAll(['configure terminal', 'vrf vrf-77', 'vni 77', 'exit-vrf', 'end']);
    const zebraText = (await z.run('show running-config')).output;
    z.close();
    const b = await VtyConnection.open(sock('bgpd'));
    const bgpText = (await b.run('show running-config')).output;
    b.close();
    expect(zebraText).toMatch(/vrf vrf-77\n vni 77\nexit-vrf/);
    expect(bgpText).not.toMatch(/vni 77/);
    expect(vtysh('show running-config')).toMatch(/vrf vrf-77\n vni 77/);
  });

  it('fails a command whose daemon does not answer in time (a stopped zebra), instead of waiting forever', async () => {
    const c = await VtyConnection.open(sock('zebra'), 5_000, 500);
    const pid = Number(readFileSync(`/var/run/frr/${frr.pathspace}/zebra.pid`, 'utf8').trim());
    process.kill(pid, 'SIGSTOP');
    try {
      await expect(c.run('show version')).rejects.toThrow(/no reply within 500 ms/);
      await expect(c.run('show version')).rejects.toThrow(/no reply within 500 ms/);
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    const again = await VtyConnection.open(sock('zebra'));
    expect((await again.run('show version')).status).toBe(0);
    again.close();
  });

  it('fails its pending commands when the daemon goes away', async () => {
    await expect(VtyConnection.open(`/var/run/frr/${frr.pathspace}/nonexistent.vty`)).rejects.toThrow(/ENOENT/);
  });
});
