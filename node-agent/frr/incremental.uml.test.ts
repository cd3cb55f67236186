// The incremental FrrApplier on two real FRR 8.4 nodes (UML guest, real VRF/VXLAN
// kernels, an iBGP EVPN session over a veth underlay), issue 15:
//  - adding and removing one VRF among many sends only that VRF's stanzas, the
//    BGP session is not reset and the other VRFs' routes stay in the kernel;
//  - drift behind the agent's back, a killed bgpd and a killed FRR are seen by
//    check() and repaired, config and routes come back;
//  - a VRF with a route target FRR cannot take fails alone, the others are applied.
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EvpnNetwork, EvpnVrf } from '../../crds/index.ts';
import { mgmtdCommits, newMgmtdCommits, withoutEmptyVrfBlock, zebraL3Vnis } from '../../test/harness/frr/frr-probes.ts';
import { hasMgmtd, startFrrTestInstance, type FrrTestInstance } from '../../test/harness/frr/frr-test-instance.ts';
import { toFrrConfig, type FrrConfig } from './frr-config.ts';
import { FrrApplier } from './reload.ts';
import { attributeRefusals } from './refusals.ts';
import { selectFrrApplicable } from './select-frr.ts';
import { diffStanzas, parseStanzas } from './stanzas.ts';

const VRFS = 12;
const vnis = Array.from({ length: VRFS + 1 }, (_, i) => 1000 + i); // the last one is added and removed
type Side = { frr: FrrTestInstance; ip: string; peer: string; index: number; applier: FrrApplier; boot: string };
let a: Side;
let b: Side;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function kernelVrf(side: { ip: string; index: number }, vni: number): string[] {
  const l2 = vni + 10_000;
  const i = vni - 1000;
  return [
    `link add vrf-${vni} type vrf table ${vni}`,
    `link set vrf-${vni} up`,
    `link add br-${vni} type bridge`,
    `link set br-${vni} master vrf-${vni} addrgenmode none`,
    `link set br-${vni} up`,
    `link add vxlan-${vni} type vxlan id ${vni} local ${side.ip} dstport 4789 nolearning`,
    `link set vxlan-${vni} master br-${vni} addrgenmode none`,
    `link set vxlan-${vni} up`,
    `link add br-${l2} type bridge`,
    `link set br-${l2} master vrf-${vni} addrgenmode none`,
    `link set br-${l2} up`,
    `link add vxlan-${l2} type vxlan id ${l2} local ${side.ip} dstport 4789 nolearning`,
    `link set vxlan-${l2} master br-${l2} addrgenmode none`,
    `link set vxlan-${l2} up`,
    // One subnet per node and VRF: the type-5 route the other node must install.
    `addr add 10.${i}.${side.index}.1/24 dev br-${l2}`,
  ];
}

function model(side: { ip: string; peer: string }, vrfVnis: readonly number[]): object {
  return {
    asn: 65000,
    routerId: side.ip,
    underlayNeighbors: [
      {
        address: side.peer,
        remoteAs: 'internal',
        ipv4Unicast: false,
        evpn: true,
        timers: { keepalive: 3, hold: 9 },
        connectRetry: 1,
      },
    ],
    vrfs: vrfVnis.map((vni) => ({ name: `vrf-${vni}`, l3vni: vni, redistribute: { connected: true } })),
    l2vnis: vrfVnis.map((vni) => ({ vni: vni + 10_000 })),
  };
}

function vtysh(side: Side, ...commands: string[]): string {
  // Bounded: spawnSync blocks the event loop, so vitest's own timeout could not end a hung vtysh.
  const r = spawnSync('vtysh', ['-N', side.frr.pathspace, ...commands.flatMap((c) => ['-c', c])], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  return `${r.stdout}${r.stderr}${r.error === undefined ? '' : `\n${r.error.message}`}`;
}

type Peer = { state: string; uptimeMs: number; rcd: number; established: number };
function peer(side: Side): Peer {
  try {
    const j = JSON.parse(vtysh(side, 'show bgp l2vpn evpn summary json')) as {
      peers?: Record<string, { state?: string; peerUptimeMsec?: number; pfxRcd?: number }>;
    };
    const p = j.peers?.[side.peer];
    const n = JSON.parse(vtysh(side, 'show bgp neighbors json')) as Record<string, { connectionsEstablished?: number }>;
    return {
      state: p?.state ?? '?',
      uptimeMs: p?.peerUptimeMsec ?? 0,
      rcd: p?.pfxRcd ?? 0,
      established: n[side.peer]?.connectionsEstablished ?? 0,
    };
  } catch {
    return { state: '?', uptimeMs: 0, rcd: 0, established: 0 };
  }
}

/** The other node's subnet in this node's VRF table: the data path of a type-5 route. */
function hasRemoteRoute(side: Side, vni: number): boolean {
  const other = side.index === 1 ? 2 : 1;
  return side.frr.exec(['ip', 'route', 'show', 'vrf', `vrf-${vni}`]).includes(`10.${vni - 1000}.${other}.0/24`);
}

async function until(what: string, ok: () => boolean, timeoutMs = 30_000): Promise<number> {
  const t0 = Date.now();
  while (!ok()) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
  return Date.now() - t0;
}

const allRoutes = (side: Side, list: readonly number[]) => (): boolean =>
  list.every((vni) => hasRemoteRoute(side, vni));

function startSide(name: string, ip: string, peerIp: string, index: number, dev: string): Side {
  const side = { ip, index };
  const frr = startFrrTestInstance(name, (exec) => {
    execFileSync('ip', ['link', 'set', dev, 'netns', name]);
    const batch = [
      `addr add ${ip}/24 dev ${dev}`,
      `link set ${dev} up`,
      ...vnis.flatMap((vni) => kernelVrf(side, vni)),
    ];
    writeFileSync(`/tmp/${name}.ip`, `${batch.join('\n')}\n`);
    exec(['ip', '-batch', `/tmp/${name}.ip`]);
    exec(['sysctl', '-qw', 'net.ipv4.ip_forward=1']);
  });
  const boot = `/etc/frr/${name}/frr.conf`;
  return {
    frr,
    ip,
    peer: peerIp,
    index,
    boot,
    applier: new FrrApplier({ configPath: `/tmp/${name}-applied.conf`, bootConfigPath: boot, pathspace: name }),
  };
}

/**
 * What watchfrr does after daemons died, as the test world's frrcommon.sh does it. FRR 10: each daemon
 * starts with -F datacenter and no -f (mgmtd first: zebra's configuration goes through it), then
 * `vtysh -b` replays the boot config (`-d DAEMON` for one daemon, once for all); stdio ignored, as
 * FRR 10's daemons keep the descriptors they were started with and a pipe would never close.
 * FRR 8.4: each daemon starts with the boot config (-f).
 */
function restartDaemons(side: Side, daemons: readonly string[]): void {
  for (const d of daemons) {
    const pid = Number(readFileSync(`/var/run/frr/${side.frr.pathspace}/${d}.pid`, 'utf8').trim());
    process.kill(pid, 'SIGKILL');
  }
  spawnSync('sleep', ['0.3']);
  const ps = side.frr.pathspace;
  for (const d of daemons) {
    const args = hasMgmtd() ? ['-F', 'datacenter'] : ['-f', side.boot];
    const zebra = d === 'zebra' ? ['-s', '90000000'] : [];
    execFileSync(
      'ip',
      ['netns', 'exec', side.frr.netns, `/usr/lib/frr/${d}`, '-N', ps, '-d', '-A', '127.0.0.1', ...args, ...zebra],
      {
        stdio: 'ignore',
        timeout: 60_000,
      },
    );
  }
  if (!hasMgmtd()) return;
  const one = daemons.length === 1 ? ['-d', daemons[0] ?? ''] : [];
  spawnSync('vtysh', ['-N', ps, '-b', ...one], { stdio: 'ignore', timeout: 60_000 });
}

/** "All of FRR": mgmtd too where FRR has it (FRR 10 holds zebra's configuration there). */
const allOfFrr = [...(hasMgmtd() ? ['mgmtd'] : []), 'zebra', 'bgpd', 'bfdd'];

describe('incremental FRR apply on two real FRR nodes', () => {
  const base = vnis.slice(0, VRFS);
  const extra = vnis[VRFS] ?? 0;

  beforeAll(async () => {
    // The veth pair lives in the host namespace until each side's set-up moves its end in.
    for (const ns of ['inca', 'incb']) spawnSync('ip', ['netns', 'del', ns]);
    spawnSync('ip', ['link', 'del', 'inc-a']);
    execFileSync('ip', ['link', 'add', 'inc-a', 'type', 'veth', 'peer', 'name', 'inc-b']);
    a = startSide('inca', '10.0.0.1', '10.0.0.2', 1, 'inc-a');
    b = startSide('incb', '10.0.0.2', '10.0.0.1', 2, 'inc-b');
    for (const side of [a, b]) {
      const r = await side.applier.apply(toFrrConfig(model(side, base)));
      expect(r.mode).toBe('delta');
      expect(readFileSync(side.boot, 'utf8')).toBe(toFrrConfig(model(side, base)).text);
    }
    const ms = await until(
      'all type-5 routes on both nodes',
      () => allRoutes(a, base)() && allRoutes(b, base)(),
      60_000,
    ).catch((err: unknown) => {
      for (const side of [a, b]) {
        process.stderr.write(
          `--- ${side.frr.pathspace}\n${vtysh(side, 'show bgp l2vpn evpn summary', 'show evpn vni', 'show vrf vni', 'show bgp l2vpn evpn route type prefix')}\n`,
        );
        process.stderr.write(side.frr.exec(['ip', 'route', 'show', 'vrf', 'vrf-1000']));
        process.stderr.write(side.frr.exec(['ip', '-br', 'link']).split('\n').slice(0, 12).join('\n'));
      }
      throw err;
    });
    process.stderr.write(`incremental: ${VRFS} VRFs converged ${ms} ms after the cold applies\n`);
  }, 120_000);
  afterAll(() => {
    a.frr.stop();
    b.frr.stop();
  });

  it('adding one VRF sends only its stanzas; no session reset, the other VRFs keep their routes', async () => {
    const before = peer(a);
    expect(before.state).toBe('Established');
    const config = toFrrConfig(model(a, [...base, extra]));
    const commits = mgmtdCommits(a.frr.pathspace);
    const r = await a.applier.apply(config);
    const committed = newMgmtdCommits(commits, a.frr.pathspace);
    process.stderr.write(`incremental: removal applied (${r.mode}, ${r.durationMs} ms)\n`);
    expect(r.mode).toBe('delta');
    expect(new Set(r.changed)).toEqual(new Set([`vrf vrf-${extra}`, `router bgp 65000 vrf vrf-${extra}`]));
    expect(r.reloads).toBe(0);
    await b.applier.apply(toFrrConfig(model(b, [...base, extra])));
    await until('the new VRF routes', () => hasRemoteRoute(a, extra) && hasRemoteRoute(b, extra));
    const after = peer(a);
    expect(after.established).toBe(before.established);
    expect(after.uptimeMs).toBeGreaterThan(before.uptimeMs);
    expect(allRoutes(a, base)()).toBe(true);
    expect(allRoutes(b, base)()).toBe(true);
    expect(readFileSync(a.boot, 'utf8')).toBe(config.text);
    expect(zebraL3Vnis(a.frr.pathspace)).toContain(`vrf-${extra}=${extra}`);
    process.stderr.write(
      `incremental: add one VRF ${r.durationMs} ms (${r.commands} lines, ${committed} mgmtd commits; phases ${JSON.stringify(r.phasesMs)})\n`,
    );
  });

  it('removing one VRF sends only its stanzas and leaves the others and the session alone', async () => {
    const before = peer(a);
    const commits = mgmtdCommits(a.frr.pathspace);
    const r = await a.applier.apply(toFrrConfig(model(a, base)));
    const committed = newMgmtdCommits(commits, a.frr.pathspace);
    process.stderr.write(`incremental: removal applied (${r.mode}, ${r.durationMs} ms)\n`);
    expect(r.mode).toBe('delta');
    expect(new Set(r.changed)).toEqual(new Set([`vrf vrf-${extra}`, `router bgp 65000 vrf vrf-${extra}`]));
    // FRR 10 prints an empty `vrf X` / `exit-vrf` for every kernel VRF (mgmtd knows them); nothing else may name it.
    expect(withoutEmptyVrfBlock(vtysh(a, 'show running-config'), `vrf-${extra}`)).not.toMatch(
      new RegExp(`vrf-${extra}\\b`),
    );
    // The removal took effect in zebra, not only in the configuration (issue 23's probe: on 8.4 a
    // `vtysh -c` removal left the L3VNI Up; through the agent's socket path it must not).
    expect(zebraL3Vnis(a.frr.pathspace)).not.toContain(`vrf-${extra}=${extra}`);
    await until('the removed VRF route gone on b', () => !hasRemoteRoute(b, extra));
    const after = peer(a);
    expect(after.established).toBe(before.established);
    expect(allRoutes(a, base)()).toBe(true);
    expect(allRoutes(b, base)()).toBe(true);
    await b.applier.apply(toFrrConfig(model(b, base)));
    process.stderr.write(
      `incremental: remove one VRF ${r.durationMs} ms (${r.commands} lines, ${committed} mgmtd commits; phases ${JSON.stringify(r.phasesMs)})\n`,
    );
  });

  it('an unchanged config starts no process; check() is clean', async () => {
    const r = await a.applier.apply(toFrrConfig(model(a, base)));
    expect(r).toMatchObject({ reloaded: false, mode: 'none' });
    expect(r.durationMs).toBeLessThan(50);
    expect(await a.applier.check()).toEqual({ ok: true });
  });

  it("drift behind the agent's back (a VRF loses its VNI, an RT appears) is found and repaired", async () => {
    const vni = base[3] ?? 0;
    vtysh(
      a,
      'configure terminal',
      `router bgp 65000 vrf vrf-${vni}`,
      'address-family l2vpn evpn',
      'route-target import 65000:999',
      'exit-address-family',
      'exit',
      `vrf vrf-${vni}`,
      `no vni ${vni}`,
      'exit-vrf',
    );
    const check = await a.applier.check();
    expect(check).toMatchObject({ ok: false, reason: 'FrrDrifted' });
    const r = await a.applier.apply(toFrrConfig(model(a, base)));
    expect(r.mode).toBe('delta');
    expect(
      diffStanzas(parseStanzas(vtysh(a, 'show running-config')), toFrrConfig(model(a, base)).stanzas).batch,
    ).toEqual([]);
    await until('the repaired VRF routes', () => hasRemoteRoute(b, vni) && hasRemoteRoute(a, vni));
    expect(await a.applier.check()).toEqual({ ok: true });
  });

  for (const [what, daemons] of [
    ['bgpd', ['bgpd']],
    ['all of FRR', allOfFrr],
  ] as const) {
    it(`killing ${what}: check() sees the restart, config and routes come back`, async () => {
      const config: FrrConfig = toFrrConfig(model(a, base));
      const t0 = Date.now();
      restartDaemons(a, daemons);
      await until(
        'vtysh answers again',
        () => spawnSync('vtysh', ['-N', a.frr.pathspace, '-c', 'show version'], { timeout: 10_000 }).status === 0,
      );
      const check = await a.applier.check();
      expect(check).toMatchObject({ ok: false, reason: 'FrrRestarted' });
      const r = await a.applier.apply(config);
      expect(diffStanzas(parseStanzas(vtysh(a, 'show running-config')), config.stanzas).batch).toEqual([]);
      await until(
        'the session and every route back on both nodes',
        () => peer(a).state === 'Established' && allRoutes(a, base)() && allRoutes(b, base)(),
        60_000,
      );
      const ms = Date.now() - t0;
      expect(await a.applier.check()).toEqual({ ok: true });
      process.stderr.write(
        `incremental: ${what} killed → config (${r.mode}, ${r.commands} lines) and routes back in ${ms} ms\n`,
      );
    }, 90_000);
  }

  it('a VRF with a route target FRR cannot take fails alone; the others are applied', async () => {
    const vrfs = base.map(
      (vni) =>
        ({
          metadata: { name: `v${vni}` },
          spec: { vni, ...(vni === base[5] ? { importTargets: ['0:100'] } : {}) },
        }) as unknown as EvpnVrf,
    );
    const networks = base.map(
      (vni) =>
        ({
          metadata: { name: `n${vni}` },
          spec: { type: 'l2', vni: vni + 10_000, vrf: `v${vni}` },
        }) as unknown as EvpnNetwork,
    );
    const node = {
      asn: 65000,
      routerId: a.ip,
      underlayNeighbors: [
        {
          address: a.peer,
          remoteAs: 'internal' as const,
          ipv4Unicast: false,
          evpn: true,
          timers: { keepalive: 3, hold: 9 },
          connectRetry: 1,
        },
      ],
    };
    const s = selectFrrApplicable(node, vrfs, networks);
    expect([...s.rejectedVrfs.keys()]).toEqual([`v${base[5]}`]);
    expect([...s.rejectedNetworks.keys()]).toEqual([`n${base[5]}`]);
    expect(s.config.ok).toBe(true);
    if (!s.config.ok) return;
    await a.applier.apply(s.config.config);
    // FRR 10 prints an empty `vrf X` / `exit-vrf` for every kernel VRF (mgmtd knows them); nothing else may name it.
    const running = vtysh(a, 'show running-config');
    expect(withoutEmptyVrfBlock(running, `vrf-${base[5]}`)).not.toMatch(new RegExp(`vrf vrf-${base[5]}\\b`));
    for (const vni of base.filter((v) => v !== base[5])) expect(running).toContain(`router bgp 65000 vrf vrf-${vni}`);
    await until(
      'the other VRFs keep their routes',
      () =>
        allRoutes(
          b,
          base.filter((v) => v !== base[5]),
        )() && !hasRemoteRoute(b, base[5] ?? 0),
    );
  });

  it('a stanza FRR refuses at apply time fails its VRF alone (EVPN-006 on it), no fallback; the other VRFs are applied', async () => {
    // Back to the base config, then FRR gets state the agent does not know of (no check() in between):
    // VNI <extra> is already vrf-<held>'s L3VNI, so FRR refuses `vni <extra>` in vrf-<extra>: 8.4's zebra
    // "VNI N is already configured as L3-VNI", 10's mgmtd (status 13) "vni N is already mapped to another
    // vrf". (8.4's input, a vrf-<extra> that holds another VNI, no longer serves: 10's mgmtd replaces that
    // VNI.) vrf-<held>'s own VNI comes back through the applier's VNI repair, no fallback.
    const config = toFrrConfig(model(a, base));
    await a.applier.apply(config);
    expect(diffStanzas(parseStanzas(vtysh(a, 'show running-config')), config.stanzas).batch).toEqual([]);
    const held = base[0] ?? 0;
    vtysh(a, 'configure terminal', `vrf vrf-${held}`, `no vni ${held}`, `vni ${extra}`, 'exit-vrf');
    expect(vtysh(a, 'show running-config')).toMatch(new RegExp(`vrf vrf-${held}\\n vni ${extra}\\n`));
    const r = await a.applier.apply(toFrrConfig(model(a, [...base, extra])));
    expect(r.mode).toBe('delta');
    expect(r.reloads).toBe(0);
    expect([...r.refused.keys()]).toEqual([`vrf vrf-${extra}`]);
    expect(r.refused.get(`vrf vrf-${extra}`)).toMatch(
      hasMgmtd()
        ? /^mgmtd: vni \d+: [\s\S]*already mapped to another vrf/
        : /^zebra: vni \d+: [\s\S]*already configured as L3-VNI/,
    );
    // The repair gives vrf-<held> its VNI back and leaves the refused VNI alone: FRR runs what the result says.
    expect(r.repairedVnis).toEqual([{ vrf: `vrf-${held}`, vni: held }]);
    // The refused VRF's other stanza and every other VRF are in FRR; the session was not touched.
    const running = vtysh(a, 'show running-config');
    expect(running).toContain(`router bgp 65000 vrf vrf-${extra}`);
    for (const vni of base) expect(running).toMatch(new RegExp(`vrf vrf-${vni}\\n vni ${vni}\\n`));
    expect(running).not.toMatch(new RegExp(`vrf vrf-${extra}\\n vni ${extra}\\n`));
    // Refused stanzas are no drift for check(); the node pass turns them into EVPN-006 on that EvpnVrf alone.
    expect(await a.applier.check()).toEqual({ ok: true });
    const evpnVrfs = [...base, extra].map(
      (vni) => ({ metadata: { name: `v${vni}` }, spec: { vni } }) as unknown as EvpnVrf,
    );
    const rejected = attributeRefusals(r.refusals, evpnVrfs, []);
    expect([...rejected.vrfs.keys()]).toEqual([`v${extra}`]);
    expect(rejected.vrfs.get(`v${extra}`)?.code).toBe('EVPN-006');
    expect(rejected.node).toBeUndefined();
    // vrf-<held> was without its VNI until the repair: its type-5 routes come back; the others never left.
    expect(
      allRoutes(
        b,
        base.filter((v) => v !== held),
      )(),
    ).toBe(true);
    await until('vrf-<held> routes back after the VNI repair', allRoutes(b, base));
    // The next apply retries the refused stanza from what FRR was read to run (the conflicting VNI is ours
    // to replace), and the VRF is applied.
    const again = await a.applier.apply(toFrrConfig(model(a, [...base, extra])));
    expect(again).toMatchObject({ mode: 'delta', reloads: 0, changed: [`vrf vrf-${extra}`] });
    expect(again.refused.size).toBe(0);
    expect(vtysh(a, 'show running-config')).toMatch(new RegExp(`vrf vrf-${extra}\\n vni ${extra}\\n`));
    expect(await a.applier.check()).toEqual({ ok: true });
  });
});
