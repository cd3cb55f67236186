// The hand-written leaf (frr.conf + setup.sh here) in real FRR (8.4.4 and 10.7.1) on the UML
// kernel: its config loads and keeps its VNI and route-target lines, zebra
// sees L2VNI 10100 and L3VNI 20000 once setup.sh made the devices, and a node
// whose FRR config our renderer wrote for the example l2 BGPVPN (L2VNI 10100,
// RT 65000:10100, iBGP to the leaf as route reflector) exchanges type-2/3
// routes with it and pings the bare-metal server behind it over the L2VNI.
// The fabric ASN (65100) differs from the BGPVPN's (65000), so nothing here
// works on FRR's auto route targets: only the BGPVPN's RT on the VNI matches.
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toFrrConfig } from '../../../node-agent/frr/frr-config.ts';
import {
  hasMgmtd,
  startFrrDaemons,
  startFrrTestInstance,
  type FrrTestInstance,
} from '../../harness/frr/frr-test-instance.ts';
import { FrrApplier } from '../../../node-agent/frr/reload.ts';
import { readVrfVnis } from '../../../node-agent/frr/running-config.ts';
import { flattenEvpnRoutes, routeTargets } from '../evpn-routes.ts';

const here = import.meta.dirname;
const LEAF = 'leaf-t';
const BMS = 'bms-t';
const HOST = 'lhost-t';
const UNDERLAY = 'ul-test';
const BMS_MAC = '02:00:0a:01:00:32';
let node: FrrTestInstance;

const sh = (cmd: string, args: readonly string[], env?: NodeJS.ProcessEnv): string =>
  execFileSync(cmd, args, { encoding: 'utf8', env: { ...process.env, ...env } });
const inNs = (ns: string, ...args: string[]): string => sh('ip', ['netns', 'exec', ns, ...args]);
const vtysh = (pathspace: string, command: string): string =>
  spawnSync('vtysh', ['-N', pathspace, '-c', command], { encoding: 'utf8' }).stdout;
const vtyJson = (pathspace: string, command: string): unknown => {
  try {
    return JSON.parse(vtysh(pathspace, `${command} json`)) as unknown;
  } catch {
    return undefined;
  }
};

/** zebra's flood list (remote VTEPs) of an L2VNI, read from the text form as a person reads it. */
function remoteVteps(pathspace: string, vni: number): string[] {
  const text = vtysh(pathspace, `show evpn vni ${String(vni)}`);
  const list = /Remote VTEPs for this VNI:\n((?:\s+\S+ flood: \S+\n)*)/.exec(text)?.[1] ?? '';
  return [...list.matchAll(/^\s+(\S+) flood:/gm)].map((m) => m[1] ?? '');
}

/** What both FRRs and the node's kernel hold, for a failure message. */
function fabricState(): string {
  const show = ['show bgp summary', 'show evpn vni detail', 'show bgp l2vpn evpn route'];
  return [
    ...[LEAF, node.pathspace].flatMap((ps) => show.map((c) => `--- ${ps}: ${c}\n${vtysh(ps, c)}`)),
    `--- ${node.netns}: bridge fdb show dev vx-10100\n${spawnSync('ip', ['netns', 'exec', node.netns, 'bridge', 'fdb', 'show', 'dev', 'vx-10100'], { encoding: 'utf8' }).stdout}`,
  ].join('\n');
}

async function until<T>(what: string, fn: () => T | undefined, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${fabricState()}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/**
 * As FRR's service does it: the daemons start with the startup-only defaults,
 * then `vtysh -b` applies the integrated frr.conf. (A daemon given the
 * integrated file with -f parses it alone: zebra then takes the `vni 10100`
 * of bgpd's `address-family l2vpn evpn` as its global `vni`, the default
 * VRF's L3VNI, and VNI 10100 turns L3.)
 */
async function startLeafFrr(): Promise<void> {
  const etc = `/etc/frr/${LEAF}`;
  const run = `/var/run/frr/${LEAF}`;
  mkdirSync(etc, { recursive: true });
  mkdirSync(run, { recursive: true });
  writeFileSync(`${etc}/daemons.conf`, 'frr defaults datacenter\n!\n');
  copyFileSync(join(here, 'frr.conf'), `${etc}/frr.conf`);
  writeFileSync(`${etc}/vtysh.conf`, 'service integrated-vtysh-config\n');
  sh('chown', ['-R', 'frr:frr', etc, run]);
  // FRR 10: mgmtd first, and no -f at all (zebra would drop the YANG lines); startFrrDaemons does both.
  if (hasMgmtd()) startFrrDaemons(LEAF, LEAF, ['zebra', 'bgpd']);
  else
    for (const daemon of ['zebra', 'bgpd'])
      inNs(LEAF, `/usr/lib/frr/${daemon}`, '-N', LEAF, '-d', '-A', '127.0.0.1', '-f', `${etc}/daemons.conf`);
  await until("the leaf's FRR", () => spawnSync('vtysh', ['-N', LEAF, '-c', 'show version']).status === 0 || undefined);
  sh('vtysh', ['-N', LEAF, '-b']);
}

function stopNamespace(ns: string): void {
  for (const pid of spawnSync('ip', ['netns', 'pids', ns], { encoding: 'utf8' })
    .stdout.split('\n')
    .filter((p) => /^\d+$/.test(p))) {
    try {
      process.kill(Number(pid), 'SIGTERM');
    } catch {
      // already gone
    }
  }
  spawnSync('ip', ['netns', 'del', ns]);
}

describe('the hand-written leaf in real FRR', () => {
  beforeAll(async () => {
    for (const ns of [LEAF, BMS, HOST]) stopNamespace(ns);
    node = startFrrTestInstance('lnode-t');
    // The underlay as the e2e builds it: a bridge in the root namespace, one veth per fabric member.
    spawnSync('ip', ['link', 'del', UNDERLAY]);
    sh('ip', ['link', 'add', UNDERLAY, 'type', 'bridge']);
    sh('ip', ['link', 'set', UNDERLAY, 'up']);
    sh('ip', ['link', 'add', 'ul-lnode-t', 'type', 'veth', 'peer', 'name', 'underlay', 'netns', node.netns]);
    sh('ip', ['link', 'set', 'ul-lnode-t', 'master', UNDERLAY, 'up']);
    sh(join(here, 'setup.sh'), [], { LEAF_NS: LEAF, BMS_NS: BMS, HOST_NS: HOST, UNDERLAY_BRIDGE: UNDERLAY });
    await startLeafFrr();

    // The node as the agent leaves it for the example l2 network: VTEP 10.0.0.1, the L2VNI on a bridge.
    for (const args of [
      ['addr', 'add', '10.0.0.1/24', 'dev', 'underlay'],
      ['link', 'set', 'underlay', 'up'],
      ['link', 'add', 'br-evpn', 'type', 'bridge', 'stp_state', '0'],
      ['link', 'add', 'vx-10100', 'type', 'vxlan', 'id', '10100', 'local', '10.0.0.1', 'dstport', '4789', 'nolearning'],
      ['link', 'set', 'vx-10100', 'master', 'br-evpn', 'addrgenmode', 'none'],
      ['link', 'set', 'vx-10100', 'up'],
      ['link', 'set', 'br-evpn', 'up'],
      ['addr', 'add', '10.1.0.11/24', 'dev', 'br-evpn'],
    ])
      node.exec(['ip', ...args]);
    const applier = new FrrApplier({
      configPath: join(mkdtempSync(join(tmpdir(), 'leaf-node-')), 'frr.conf'),
      pathspace: node.pathspace,
    });
    await applier.apply(
      toFrrConfig({
        asn: 65100,
        routerId: '10.0.0.1',
        underlayNeighbors: [
          {
            address: '10.0.0.3',
            remoteAs: 'internal',
            ipv4Unicast: false,
            evpn: true,
            timers: { keepalive: 3, hold: 9 },
            connectRetry: 1,
          },
        ],
        l2vnis: [{ vni: 10100, rd: '192.0.2.1:10100', importRts: ['65000:10100'], exportRts: ['65000:10100'] }],
      }),
    );
  }, 120_000);

  afterAll(() => {
    for (const ns of [LEAF, BMS, HOST]) stopNamespace(ns);
    node.stop();
    spawnSync('ip', ['link', 'del', UNDERLAY]);
  });

  it('loads frr.conf and keeps its VNI and route-target lines', () => {
    const running = vtysh(LEAF, 'show running-config');
    // vrf-tenant holds L3VNI 20000 and nothing became a global (default VRF) `vni`.
    expect(readVrfVnis(running)).toMatchObject({ vrfVnis: new Map([['vrf-tenant', 20000]]), globalVnis: [] });
    for (const line of [
      'vrf vrf-tenant\n vni 20000\nexit-vrf',
      '  neighbor NODES route-reflector-client',
      '  advertise-all-vni',
      '  vni 10100\n   rd 10.0.0.3:10100\n   route-target import 65000:10100\n   route-target export 65000:10100\n  exit-vni',
      '  route-target import 65000:20000\n  route-target export 65000:20000',
    ])
      expect(running, running).toContain(line);
  });

  it('sees L2VNI 10100 and L3VNI 20000 from the devices setup.sh made', async () => {
    const vnis = await until('show bgp l2vpn evpn vni 10100', () => {
      const out = vtysh(LEAF, 'show bgp l2vpn evpn vni');
      return /^\s*\*?\s*10100\s+L2\s/m.test(out) ? out : undefined;
    });
    expect(vnis).toMatch(/^\s*\*?\s*20000\s+L3\s/m);
    // zebra agrees: 10100 is an L2VNI, 20000 the L3VNI of vrf-tenant.
    expect(vtyJson(LEAF, 'show evpn vni 10100')).toMatchObject({ vni: 10100, type: 'L2' });
    const l3 = vtyJson(LEAF, 'show evpn vni 20000') as Record<string, unknown> | undefined;
    expect(l3).toMatchObject({ vni: 20000, type: 'L3' });
    // The VRF's name: FRR 8.4 prints it as `vrf`, FRR 10 as `tenantVrf` only (the old key was dropped).
    expect(l3?.tenantVrf ?? l3?.vrf, JSON.stringify(l3)).toBe('vrf-tenant');
    // And the VRF side names the same pair (`show vrf vni`, the same fields on both).
    const vrfVni = (vtyJson(LEAF, 'show vrf vni') ?? {}) as { vrfs?: { vrf: string; vni: number; state: string }[] };
    expect(vrfVni.vrfs, JSON.stringify(vrfVni)).toContainEqual(
      expect.objectContaining({ vrf: 'vrf-tenant', vni: 20000, state: 'Up' }),
    );
  });

  it("exchanges type-3 routes with a node our renderer configured, on the BGPVPN's route target", async () => {
    // The leaf imported the node's type-3 into VNI 10100: the node is a flood target (RT 65000:10100 matched).
    await until("the node as a remote VTEP of the leaf's VNI 10100", () => {
      return remoteVteps(LEAF, 10100).includes('10.0.0.1') || undefined;
    });
    const fromNode = flattenEvpnRoutes(vtyJson(LEAF, 'show bgp l2vpn evpn route')).filter(
      (r) => r.type === 3 && r.ip === '10.0.0.1',
    );
    expect(fromNode.length).toBeGreaterThan(0);
    for (const r of fromNode) expect(routeTargets(r)).toEqual(['65000:10100']);
    await until("the leaf as a remote VTEP of the node's VNI 10100", () => {
      return remoteVteps(node.pathspace, 10100).includes('10.0.0.3') || undefined;
    });
  });

  it('the node reaches the bare-metal server over L2VNI 10100 and learns its MAC as a type-2 route', async () => {
    const ping = await until('a ping from the node to the bare-metal server', () => {
      const r = spawnSync('ip', ['netns', 'exec', node.netns, 'ping', '-c', '1', '-W', '1', '10.1.0.50'], {
        encoding: 'utf8',
      });
      return r.status === 0 ? r.stdout : undefined;
    });
    expect(ping).toMatch(/1 received/);
    const type2 = await until("the server's MAC as a type-2 route at the node", () => {
      const routes = flattenEvpnRoutes(vtyJson(node.pathspace, 'show bgp l2vpn evpn route')).filter(
        (r) => r.type === 2 && r.mac === BMS_MAC,
      );
      return routes.length ? routes : undefined;
    });
    for (const r of type2) expect(routeTargets(r)).toEqual(['65000:10100']);
  });

  it("originates the host subnet behind vrf-tenant as a type-5 route with the l3 BGPVPN's route target", async () => {
    const type5 = await until('type-5 10.99.0.0/24 at the leaf', () => {
      const routes = flattenEvpnRoutes(vtyJson(LEAF, 'show bgp l2vpn evpn route')).filter(
        (r) => r.type === 5 && r.ip === '10.99.0.0/24',
      );
      return routes.length ? routes : undefined;
    });
    expect(type5.flatMap(routeTargets)).toContain('65000:20000');
    // And the node got it reflected (it has no VRF to import it into, but the route is there).
    await until(
      'type-5 10.99.0.0/24 at the node',
      () =>
        flattenEvpnRoutes(vtyJson(node.pathspace, 'show bgp l2vpn evpn route')).some(
          (r) => r.type === 5 && r.ip === '10.99.0.0/24',
        ) || undefined,
    );
  });
});
