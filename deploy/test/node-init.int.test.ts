// The node agent pod's init scripts, run with bash on fixture inputs: `ip` and
// `ping` are replaced by fixture scripts (IP_CMD, PING_CMD), so every gateway
// fallback is exercised. The frr.conf they write (through the agent's own
// renderer, node-agent/frr/write-boot-files.ts) is compared with what the
// agent renders of the node-bgp.json they hand over, so FRR's boot config and
// the agent's first reload agree.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAgentConfig } from '../../node-agent/config.ts';
import { renderFrrConfig } from '../../node-agent/frr/render.ts';
import { chartDir, repoRoot, run } from './deploy-env.ts';

const binDir = join(chartDir, 'files/bin');
const nodeInit = join(binDir, 'node-init.sh');
const fixtures = join(repoRoot, 'deploy/test/fixtures');

interface Case {
  addr?: string;
  route?: string;
  neigh?: string;
  alive?: string[];
  mapping?: unknown;
  env?: Record<string, string>;
  agentConfig?: unknown;
}

const ADDR_24 =
  '2: br-ex    inet 10.0.192.111/24 brd 10.0.192.255 scope global br-ex\\       valid_lft forever preferred_lft forever\n';
const MAPPING = { '10.0.192.0/24': '65001', '10.0.193.0/24': '65002', '10.0.0.0/16': '65100' };

async function runInit(c: Case): Promise<{ code: number; stdout: string; stderr: string; dir: string; calls: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'node-init-'));
  writeFileSync(join(dir, 'addr'), c.addr ?? ADDR_24);
  if (c.route !== undefined) writeFileSync(join(dir, 'route'), c.route);
  if (c.neigh !== undefined) writeFileSync(join(dir, 'neigh'), c.neigh);
  writeFileSync(join(dir, 'alive'), (c.alive ?? []).join('\n') + '\n');
  if (c.mapping !== undefined)
    writeFileSync(join(dir, 'mapping.json'), typeof c.mapping === 'string' ? c.mapping : JSON.stringify(c.mapping));
  if (c.agentConfig !== undefined) writeFileSync(join(dir, 'node-agent-static.json'), JSON.stringify(c.agentConfig));
  const env: NodeJS.ProcessEnv = {
    PATH: process.env['PATH'] ?? '/usr/bin:/bin',
    FIXTURE_DIR: dir,
    IP_CMD: join(fixtures, 'fake-ip.sh'),
    PING_CMD: join(fixtures, 'fake-ping.sh'),
    SLEEP_CMD: 'true',
    // FRR's boot files come from the agent's own renderer, run as the init container runs it.
    NODE_CMD: process.execPath,
    AGENT_HOME: repoRoot,
    NODE_NAME: 'worker1',
    NODE_IP: '10.0.192.111',
    ASN_MAPPING_FILE: join(dir, 'mapping.json'),
    ASN_CONFIGMAP: 'ovn-evpn-asn',
    POD_NAMESPACE: 'ovn-evpn',
    FRR_CONF_DIR: join(dir, 'frr'),
    SHARED_DIR: join(dir, 'shared'),
    ...(c.agentConfig !== undefined ? { AGENT_CONFIG_FILE: join(dir, 'node-agent-static.json') } : {}),
    ...c.env,
  };
  const r = await run('bash', [nodeInit], { env });
  const calls = existsSync(join(dir, 'calls')) ? readFileSync(join(dir, 'calls'), 'utf8') : '';
  return { ...r, dir, calls };
}

function sourced(fn: string, ...args: string[]): { code: number; out: string } {
  try {
    const out = execFileSync('bash', ['-c', `source "$1"; shift; ${fn} "$@"`, 'bash', nodeInit, ...args], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return { code: 0, out: out.trim() };
  } catch (err) {
    const e = err as { status: number; stderr: string };
    return { code: e.status, out: e.stderr.trim() };
  }
}

const readJson = (path: string): Record<string, unknown> =>
  JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;

describe('node-init.sh', () => {
  it('is shellcheck-clean, like every shell script this folder ships', () => {
    const scripts = [
      ...readdirSync(binDir).map((f) => join(binDir, f)),
      ...readdirSync(join(repoRoot, 'deploy/tools'))
        .filter((f) => f.endsWith('.sh'))
        .map((f) => join(repoRoot, 'deploy/tools', f)),
      ...readdirSync(fixtures).map((f) => join(fixtures, f)),
      join(repoRoot, 'bin/kubectl-evpn'),
    ];
    expect(scripts.length).toBeGreaterThan(6);
    execFileSync('shellcheck', ['-x', ...scripts], { stdio: 'pipe' });
  });

  it.each([
    ['10.0.192.111', '4200049263'],
    ['10.0.193.111', '4200049519'],
    ['10.1.192.111', '4200114799'],
    ['172.16.0.1', '4201048577'],
    ['10.255.255.254', '4216777214'],
    ['10.0.0.0', '4200000000'],
  ])('derives the server ASN of %s as %s (4200000000 + o2·65536 + o3·256 + o4)', (ip, asn) => {
    expect(sourced('ip_to_asn', ip)).toEqual({ code: 0, out: asn });
  });

  it.each(['10.0.0', '10.0.0.256', 'a.b.c.d', '01.2.3.4', ''])('refuses to derive an ASN from %j', (ip) => {
    const r = sourced('ip_to_asn', ip);
    expect(r.code).not.toBe(0);
    expect(r.out).toContain('not an IPv4 address');
  });

  it.each([
    ['10.0.192.111/24', '10.0.192.1 10.0.192.254'],
    ['10.0.192.130/25', '10.0.192.129 10.0.192.254'],
    ['192.168.7.9/30', '192.168.7.9 192.168.7.10'],
    ['10.1.2.3/31', '10.1.2.2 10.1.2.3'],
  ])('finds the first and last host of %s', (cidr, expected) => {
    expect(sourced('get_subnet_info', cidr).out).toBe(expected);
  });

  it('step 1: takes the gateway from the default route of the underlay device', async () => {
    const r = await runInit({
      route:
        'default via 10.0.192.254 proto static metric 100\n10.0.192.0/24 proto kernel scope link src 10.0.192.111\n',
      mapping: MAPPING,
    });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/IPv4:\s+10\.0\.192\.254/);
    expect(r.stdout).toMatch(/Discovery:\s+route/);
    expect(r.calls).toContain('ip -4 route show dev br-ex');
    expect(r.calls).not.toContain('neigh');
  });

  it('step 2: without a default route, probes the first and last host and takes the one in the ARP table', async () => {
    const r = await runInit({
      route: '10.0.192.0/24 proto kernel scope link src 10.0.192.111\n',
      neigh: '10.0.192.1 FAILED\n10.0.192.254 lladdr 52:54:00:12:34:56 REACHABLE\n',
      mapping: MAPPING,
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/IPv4:\s+10\.0\.192\.254/);
    expect(r.stdout).toMatch(/Discovery:\s+arp/);
    expect(r.calls).toContain('ping -c 2 -W 3 -I br-ex 10.0.192.1');
    expect(r.calls).toContain('ping -c 2 -W 3 -I br-ex 10.0.192.254');
  });

  it('step 2 prefers the first host when both answer', async () => {
    const r = await runInit({
      route: '',
      neigh: '10.0.192.254 lladdr 52:54:00:00:00:02 STALE\n10.0.192.1 lladdr 52:54:00:00:00:01 REACHABLE\n',
      mapping: MAPPING,
    });
    expect(r.stdout).toMatch(/IPv4:\s+10\.0\.192\.1\n/);
    expect(r.stdout).toMatch(/Discovery:\s+arp/);
  });

  it('step 3: with no route and no ARP answer, falls back to the subnet convention (network + 1)', async () => {
    const r = await runInit({ route: '', neigh: '10.0.192.1 INCOMPLETE\n10.0.192.254 FAILED\n', mapping: MAPPING });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/IPv4:\s+10\.0\.192\.1\n/);
    expect(r.stdout).toMatch(/Discovery:\s+fallback/);
  });

  it.each([
    ['first', '10.0.192.1'],
    ['last', '10.0.192.254'],
    ['10.0.192.200', '10.0.192.200'],
  ])('takes PEER_IP=%s without discovery', async (peer, expected) => {
    const r = await runInit({ env: { PEER_IP: peer }, mapping: MAPPING });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`IPv4:         ${expected}\n`);
    expect(r.calls).not.toContain('route show');
  });

  it('refuses a PEER_IP that is neither a mode nor an address', async () => {
    const r = await runInit({ env: { PEER_IP: 'leaf-1' }, mapping: MAPPING });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("PEER_IP 'leaf-1' is neither detection, first, last nor an IPv4 address");
  });

  it('looks the leaf ASN up by the longest matching prefix', async () => {
    const r = await runInit({ route: 'default via 10.0.192.1\n', mapping: MAPPING });
    expect(r.stdout).toContain('ASN:          65001 (from configmap)');
    const other = await runInit({
      env: { NODE_IP: '10.0.7.5' },
      addr: '3: eth1    inet 10.0.7.5/24 brd 10.0.7.255 scope global eth1\n',
      route: 'default via 10.0.7.1\n',
      mapping: MAPPING,
    });
    expect(other.stdout).toContain('ASN:          65100 (from configmap)');
    expect(other.stdout).toContain('Interface:      eth1 (10.0.7.5/24)');
  });

  it('stops with a clear message when the node subnet has no leaf ASN mapping', async () => {
    const r = await runInit({
      env: { NODE_IP: '10.9.195.7' },
      addr: '2: br-ex    inet 10.9.195.7/24 scope global br-ex\n',
      route: 'default via 10.9.195.1\n',
      mapping: MAPPING,
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('No Leaf ASN mapping found for node IP 10.9.195.7 (subnet 10.9.195.0/24)');
    expect(r.stderr).toContain(
      'Add "10.9.195.0/24": "<leaf ASN>" to mapping.json (kubectl -n ovn-evpn edit configmap ovn-evpn-asn)',
    );
    expect(existsSync(join(r.dir, 'frr/frr.conf'))).toBe(false);
  });

  it.each([
    ['not JSON', 'not a JSON object'],
    [undefined, 'no Leaf ASN mapping file'],
  ])('explains a broken mapping file (%s)', async (mapping, message) => {
    const r = await runInit({ route: 'default via 10.0.192.1\n', ...(mapping === undefined ? {} : { mapping }) });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(message);
  });

  it('uses a fixed LEAF_ASN and SERVER_ASN without the mapping', async () => {
    const r = await runInit({
      route: 'default via 10.0.192.1\n',
      env: { LEAF_ASN: '65010', SERVER_ASN: '4200000001' },
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('ASN:          65010 (from fixed)');
    expect(r.stdout).toContain('ASN:          4200000001 (fixed)');
  });

  it('says so when the node IP is on no interface', async () => {
    const r = await runInit({ env: { NODE_IP: '10.0.200.1' }, mapping: MAPPING });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('node IP 10.0.200.1 is on no interface');
  });

  it('reports reachability from one ping', async () => {
    const up = await runInit({ route: 'default via 10.0.192.1\n', alive: ['10.0.192.1'], mapping: MAPPING });
    expect(up.stdout).toMatch(/Reachable:\s+yes/);
    const down = await runInit({ route: 'default via 10.0.192.1\n', mapping: MAPPING });
    expect(down.stdout).toMatch(/Reachable:\s+no/);
    expect(down.code).toBe(0);
  });

  it('writes the boot frr.conf that the agent renders for the same node (golden 01)', async () => {
    const r = await runInit({ route: 'default via 10.0.192.1\n', mapping: MAPPING });
    expect(r.code, r.stderr).toBe(0);
    const conf = readFileSync(join(r.dir, 'frr/frr.conf'), 'utf8');
    expect(conf).toBe(readFileSync(join(repoRoot, 'test/golden/frr/01-minimal-node.frr.conf'), 'utf8'));
    const handed = readJson(join(r.dir, 'shared/node-bgp.json'));
    expect(renderFrrConfig(handed['frr'])).toBe(conf);
    expect(readFileSync(join(r.dir, 'frr/daemons'), 'utf8')).toMatch(/^bgpd=yes$/m);
    // frrcommon.sh sources the daemons file in the FRR container; it picks the layout of the FRR there.
    const daemons = join(r.dir, 'frr/daemons');
    // FRR 8.4 (no mgmtd): the daemons read the boot config themselves, no vtysh -b replay.
    const old = sourceDaemons(daemons, false);
    for (const d of ['zebra', 'bgpd', 'bfdd']) expect(old[d]).toMatch(/ -f \/etc\/frr\/frr\.conf$/);
    expect(old['VTYSH']).toBe('/bin/true');
    // FRR 10 (mgmtd): no -f anywhere (mgmtd takes none, zebra would drop the vni lines), frrcommon's vtysh -b replays.
    const ten = sourceDaemons(daemons, true);
    for (const d of ['mgmtd', 'zebra', 'bgpd', 'bfdd']) expect(ten[d]).not.toContain('-f');
    expect(ten['VTYSH']).toBe('');
    expect(ten['frr_profile']).toBe('datacenter');
    expect(readFileSync(join(r.dir, 'frr/vtysh.conf'), 'utf8')).toContain('service integrated-vtysh-config');
    expect(readFileSync(join(r.dir, 'shared/node-bgp.env'), 'utf8')).toBe(
      'NODE_NAME=worker1\nVTEP_IP=10.0.192.111\nROUTER_ID=10.0.192.111\nSERVER_ASN=4200049263\nPEER_IP=10.0.192.1\nPEER_ASN=65001\nUNDERLAY_INTERFACE=br-ex\n',
    );
  });

  it('adds the EVPN route reflectors exactly as the agent renders them', async () => {
    const r = await runInit({
      route: 'default via 10.0.192.1\n',
      mapping: MAPPING,
      env: {
        EVPN_RR_IPS: '192.168.100.2 192.168.100.1',
        EVPN_RR_ASN: '65000',
        EVPN_RR_MULTIHOP: '3',
        BGP_KEEPALIVE: '5',
        BGP_HOLD: '15',
      },
    });
    expect(r.code, r.stderr).toBe(0);
    const conf = readFileSync(join(r.dir, 'frr/frr.conf'), 'utf8');
    expect(conf).toContain(' neighbor EVPN remote-as 65000\n neighbor EVPN ebgp-multihop 3\n');
    expect(conf).toContain('  neighbor EVPN activate\n');
    expect(renderFrrConfig(readJson(join(r.dir, 'shared/node-bgp.json'))['frr'])).toBe(conf);
  });

  it("writes node-agent.json, the agent's --config, from the chart's static settings and the node's BGP part", async () => {
    const r = await runInit({
      route: 'default via 10.0.192.1\n',
      mapping: MAPPING,
      env: { EVPN_RR_IPS: '192.168.100.1', EVPN_RR_ASN: '65000' },
      agentConfig: {
        node: { bridge: 'br-evpn', defaultMtu: 9000 },
        frr: { configPath: '/var/lib/ovn-evpn/frr.conf' },
        bgp: { bfd: false },
      },
    });
    expect(r.code, r.stderr).toBe(0);
    const path = join(r.dir, 'shared/node-agent.json');
    expect(readJson(path)).toMatchObject({
      node: { bridge: 'br-evpn', defaultMtu: 9000, nodeName: 'worker1', vtepIp: '10.0.192.111' },
      bgp: {
        asn: 4200049263,
        routerId: '10.0.192.111',
        bfd: false,
        peers: [
          { address: '10.0.192.1', remoteAs: 65001 },
          { address: '192.168.100.1', remoteAs: 65000 },
        ],
      },
    });
    // The agent's own parser takes it as it is (the flags agent-start.sh adds agree with it).
    const cfg = parseAgentConfig(
      ['--config', path, '--vtep-ip=10.0.192.111', '--asn=4200049263', '--router-id=10.0.192.111'],
      { NODE_NAME: 'worker1' },
    );
    expect(cfg.node).toMatchObject({
      nodeName: 'worker1',
      vtepIp: '10.0.192.111',
      bridge: 'br-evpn',
      defaultMtu: 9000,
    });
    expect(cfg.bgp.peers).toEqual([
      { address: '10.0.192.1', remoteAs: 65001 },
      { address: '192.168.100.1', remoteAs: 65000 },
    ]);
    expect(cfg.frr.configPath).toBe('/var/lib/ovn-evpn/frr.conf');
  });

  it("writes a node-agent.json the agent parses when the chart's static file is absent", async () => {
    const r = await runInit({ route: 'default via 10.0.192.1\n', mapping: MAPPING });
    expect(r.code, r.stderr).toBe(0);
    const cfg = parseAgentConfig(['--config', join(r.dir, 'shared/node-agent.json')], { NODE_NAME: 'worker1' });
    expect(cfg.bgp).toMatchObject({
      asn: 4200049263,
      routerId: '10.0.192.111',
      peers: [{ address: '10.0.192.1', remoteAs: 65001 }],
    });
  });
});

describe('agent-start.sh', () => {
  const start = join(binDir, 'agent-start.sh');
  it('starts the agent with the flags node-init derived, passing extra arguments through', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'agent-start-'));
    writeFileSync(
      join(dir, 'node-bgp.env'),
      'NODE_NAME=worker1\nVTEP_IP=10.0.192.111\nROUTER_ID=10.0.192.111\nSERVER_ASN=4200049263\nPEER_IP=10.0.192.1\nPEER_ASN=65001\nEVIL=$(touch /tmp/pwned)\n',
    );
    const fake = join(dir, 'agent');
    writeFileSync(fake, '#!/usr/bin/env bash\nprintf "%s\\n" "$@"\n', { mode: 0o755 });
    const r = await run('bash', [start, '--config=/run/ovn-evpn/node-agent.json', '--http-addr=127.0.0.1:9410'], {
      env: { PATH: process.env['PATH'] ?? '', SHARED_DIR: dir, AGENT_BIN: fake },
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim().split('\n')).toEqual([
      '--vtep-ip=10.0.192.111',
      '--asn=4200049263',
      '--router-id=10.0.192.111',
      '--config=/run/ovn-evpn/node-agent.json',
      '--http-addr=127.0.0.1:9410',
    ]);
  });

  it('says what is missing when node-init did not run', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'agent-start-'));
    const r = await run('bash', [start], {
      env: { PATH: process.env['PATH'] ?? '', SHARED_DIR: dir, AGENT_BIN: 'true' },
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('node-bgp.env is missing: did the node-init container run?');
  });
});

/** The daemons file as frrcommon.sh reads it, in a D_PATH with or without FRR 10's mgmtd binary. */
function sourceDaemons(file: string, withMgmtd: boolean): Record<string, string> {
  const dPath = mkdtempSync(join(tmpdir(), 'frr-dpath-'));
  if (withMgmtd) writeFileSync(join(dPath, 'mgmtd'), '#!/bin/sh\n', { mode: 0o755 });
  const names = ['mgmtd', 'zebra', 'bgpd', 'bfdd'];
  const script = `. "$1"; ${names.map((n) => `echo "${n}=$${n}_options"`).join('; ')}; echo "VTYSH=\${VTYSH-}"; echo "frr_profile=\${frr_profile-}"`;
  const out = execFileSync('bash', ['-c', script, 'sh', file], {
    encoding: 'utf8',
    env: { PATH: process.env['PATH'] ?? '', D_PATH: dPath, C_PATH: '/etc/frr' },
  });
  return Object.fromEntries(
    out
      .trim()
      .split('\n')
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1).trim()]),
  );
}
