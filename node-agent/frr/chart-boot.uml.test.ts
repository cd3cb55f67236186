// FRR started the way the chart's FRR container starts it (the daemons file,
// vtysh.conf and frr.conf node-init writes, frrcommon.sh + watchfrr), on the
// FRR of the test world: FRR 10 (mgmtd; no -f, `vtysh -b -d DAEMON` after each
// start, -F datacenter) or 8.4 (-f, no vtysh -b). The whole of FRR is killed
// and started again the chart's way: every VRF's VNI must be back from the
// boot config alone, before the agent does anything, and the agent's restart
// detection (pids, mgmtd's included) must then re-apply without churn.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFrrChartInstance, type FrrChartInstance } from '../../test/harness/frr/frr-chart-instance.ts';
import { toFrrConfig } from './frr-config.ts';
import { renderDaemonsFile, writeBootFiles } from './io/frr-boot-files.ts';
import { FrrApplier } from './reload.ts';

const VRFS = [10100, 10200, 10300];
const model = {
  asn: 65000,
  routerId: '10.0.0.1',
  underlayNeighbors: [{ address: '10.0.0.2', remoteAs: 'internal', ipv4Unicast: false, evpn: true }],
  vrfs: VRFS.map((vni) => ({ name: `vrf-${vni}`, l3vni: vni })),
  l2vnis: [{ vni: 10101 }],
};
const config = toFrrConfig(model);

let frr: FrrChartInstance;

function addKernel(exec: (args: readonly string[]) => string): void {
  const ip = (...args: string[]): string => exec(['ip', ...args]);
  ip('link', 'add', 'lo0', 'type', 'dummy');
  ip('addr', 'add', '10.0.0.1/32', 'dev', 'lo0');
  ip('link', 'set', 'lo0', 'up');
  const bridged = (vni: number, vrf: string): void => {
    ip('link', 'add', `br-${vni}`, 'type', 'bridge');
    ip('link', 'set', `br-${vni}`, 'master', vrf, 'addrgenmode', 'none');
    ip('link', 'set', `br-${vni}`, 'up');
    ip(
      'link',
      'add',
      `vxlan-${vni}`,
      'type',
      'vxlan',
      'id',
      String(vni),
      'local',
      '10.0.0.1',
      'dstport',
      '4789',
      'nolearning',
    );
    ip('link', 'set', `vxlan-${vni}`, 'master', `br-${vni}`, 'addrgenmode', 'none');
    ip('link', 'set', `vxlan-${vni}`, 'up');
  };
  for (const vni of VRFS) {
    ip('link', 'add', `vrf-${vni}`, 'type', 'vrf', 'table', String(vni * 100));
    ip('link', 'set', `vrf-${vni}`, 'up');
    bridged(vni, `vrf-${vni}`);
  }
  bridged(10101, 'vrf-10100');
}

/** The VRFs whose L3VNI zebra runs (`show vrf vni json`), and whether bgpd has each VRF instance. */
function frrState(): { vnis: string[]; bgpVrfs: number } | undefined {
  const vrfVni = frr.vtysh('show vrf vni json');
  const running = frr.vtysh('show running-config');
  if (vrfVni === undefined || running === undefined) return undefined;
  const vrfs = (JSON.parse(vrfVni) as { vrfs?: { vrf: string; vni: number; state: string }[] }).vrfs ?? [];
  return {
    vnis: vrfs.map((v) => `${v.vrf}=${v.vni}:${v.state}`).sort(),
    bgpVrfs: VRFS.filter((vni) => running.includes(`router bgp 65000 vrf vrf-${vni}\n`)).length,
  };
}

const allUp = VRFS.map((vni) => `vrf-${vni}=${vni}:Up`);

/** Waits until zebra runs every VRF's VNI and bgpd every VRF instance; ms taken. */
async function waitForBootConfig(started: number): Promise<number> {
  let last: ReturnType<typeof frrState>;
  while (Date.now() - started < 180_000) {
    last = frrState();
    if (last !== undefined && last.bgpVrfs === VRFS.length && allUp.every((v) => last?.vnis.includes(v)))
      return Date.now() - started;
    await sleep(250);
  }
  throw new Error(`FRR did not come back with the boot config: ${JSON.stringify(last)}`);
}

describe("FRR booted and restarted the chart's way", () => {
  beforeAll(async () => {
    frr = createFrrChartInstance('chartboot', addKernel);
    await writeBootFiles(frr.confDir, { daemons: renderDaemonsFile({ bfd: false }), frrConf: config.text });
    const started = Date.now();
    frr.start();
    const ms = await waitForBootConfig(started);
    process.stderr.write(
      `chart boot: ${
        frr
          .vtysh('show version')
          ?.split('\n')
          .find((l) => l.startsWith('FRRouting')) ?? '?'
      }; first start ${ms} ms\n`,
    );
  });
  afterAll(async () => {
    await frr.stop();
  });

  it('boots into the boot config, restarts into it after all of FRR died, and the agent re-applies without churn', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'chart-boot-'));
    const bootConfigPath = join(frr.confDir, 'frr.conf');
    const applier = new FrrApplier({ configPath: join(dir, 'frr.conf'), bootConfigPath, pathspace: frr.pathspace });
    // The agent starting beside a booted FRR adopts it: nothing sent, nothing repaired.
    const adopted = await applier.apply(config);
    expect(adopted).toMatchObject({ mode: 'none', commands: 0, reloads: 0, repairedVnis: [] });

    await frr.killAll();
    expect(frr.vtysh('show version')).toBeUndefined();
    const restarted = Date.now();
    frr.start();
    const ms = await waitForBootConfig(restarted);
    // Every VRF VNI is back from the boot config, before the agent looked.
    expect(frrState()?.vnis).toEqual(expect.arrayContaining(allUp));
    process.stderr.write(`chart boot: all of FRR killed → ${VRFS.length} L3VNIs Up and bgpd's VRFs back in ${ms} ms\n`);

    const check = await applier.check();
    expect(check).toMatchObject({ ok: false, reason: 'FrrRestarted' });
    const again = await applier.apply(config);
    expect(again).toMatchObject({ mode: 'none', commands: 0, reloads: 0, repairedVnis: [] });
    expect(await applier.check()).toEqual({ ok: true });
  });
});
