// Everything about how FRR's daemons are laid out and started, in one place:
// which daemons run, where their sockets and pid files are, which boot config
// they read and how it gets in. FRR 8.4: each daemon reads the boot config
// itself (`-f`), and frrcommon.sh's `vtysh -b` replay is off, because
// replaying 1,000 VRFs through vtysh costs what a cold apply costs, while
// reading them at start-up costs ~1/5 of it (bench/findings.md §5). A later
// FRR whose mgmtd takes no `-f` changes this file (and only this one).
import { access, chown, mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { DaemonName } from '../stanzas.ts';

/** Where the FRR container mounts the boot config; the daemons file points every daemon at it. */
export const FRR_BOOT_CONFIG = '/etc/frr/frr.conf';

const SOCKET_DAEMONS = ['mgmtd', 'zebra', 'bgpd', 'bfdd'] as const;
/** Their pid files tell a restart (a new pid) from drift. */
const PID_DAEMONS = ['zebra', 'bgpd'] as const;
const OFF = [
  'ospfd',
  'ospf6d',
  'ripd',
  'ripngd',
  'isisd',
  'pimd',
  'ldpd',
  'nhrpd',
  'eigrpd',
  'babeld',
  'sharpd',
  'pbrd',
  'fabricd',
  'vrrpd',
  'pathd',
];

/** /var/run/frr[/pathspace]: sockets and pid files. */
export function frrRunDir(pathspace: string | undefined): string {
  return pathspace === undefined ? '/var/run/frr' : `/var/run/frr/${pathspace}`;
}

/** The daemons' vty sockets, when zebra's and bgpd's exist (bfdd's when it runs; mgmtd's on FRR ≥ 10). */
export async function findVtySockets(dir: string): Promise<Map<DaemonName, string> | undefined> {
  const found = new Map<DaemonName, string>();
  for (const d of SOCKET_DAEMONS) {
    const path = `${dir}/${d}.vty`;
    if (
      await access(path).then(
        () => true,
        () => false,
      )
    )
      found.set(d, path);
  }
  return found.has('zebra') && found.has('bgpd') ? found : undefined;
}

/**
 * The daemons whose vty takes the configuration `owners` (stanzas.ts ownersOf)
 * hold. FRR ≥ 10 (a mgmtd socket): zebra's configuration lives in mgmtd, and
 * zebra's own vty answers `% Unknown command` to `vrf X`, `[no] ipv6
 * forwarding`, `ip nht …`, prefix-lists and route-maps (measured, 10.7.1), so
 * those go to mgmtd, which commits each line to zebra.
 */
export function configDaemons(owners: readonly DaemonName[], sockets: ReadonlyMap<DaemonName, string>): DaemonName[] {
  return sockets.has('mgmtd') ? owners.map((d) => (d === 'zebra' ? 'mgmtd' : d)) : [...owners];
}

/**
 * The sockets whose `show running-config` together are FRR's running config:
 * on FRR ≥ 10 mgmtd's instead of zebra's (mgmtd shows zebra's configuration,
 * `no ipv6 forwarding` included; zebra would repeat its prefix-lists).
 */
export function runningConfigSockets(sockets: ReadonlyMap<DaemonName, string>): Map<DaemonName, string> {
  const out = new Map(sockets);
  if (out.has('mgmtd')) out.delete('zebra');
  return out;
}

/** "zebra=PID bgpd=PID" from the pid files, or undefined when they cannot be read. */
export async function readDaemonPids(dir: string): Promise<string | undefined> {
  try {
    const pids = await Promise.all(
      PID_DAEMONS.map(async (d) => `${d}=${(await readFile(`${dir}/${d}.pid`, 'utf8')).trim()}`),
    );
    // FRR ≥ 10: a restarted mgmtd lost zebra's configuration too, so its pid counts (no pid file on 8.4).
    const mgmtd = await readFile(`${dir}/mgmtd.pid`, 'utf8').then(
      (p) => `mgmtd=${p.trim()}`,
      () => undefined,
    );
    return (mgmtd === undefined ? pids : [mgmtd, ...pids]).join(' ');
  } catch {
    return undefined;
  }
}

/** Written to a temporary file and renamed over the old one, keeping the old file's mode and owner (the daemons read it as frr). */
export async function writeReplacing(path: string, text: string): Promise<void> {
  const old = await stat(path).catch(() => undefined);
  const tmp = `${path}.tmp`;
  await mkdir(dirname(path), { recursive: true });
  await writeFile(tmp, text, { mode: old?.mode ?? 0o640 });
  if (old !== undefined) await chown(tmp, old.uid, old.gid);
  await rename(tmp, path);
}

/** /etc/frr/daemons: zebra, bgpd and (with BFD) bfdd, each reading the boot config itself; no vtysh -b replay. */
export function renderDaemonsFile(options: { readonly bfd: boolean }): string {
  return [
    'zebra=yes',
    'bgpd=yes',
    `bfdd=${options.bfd ? 'yes' : 'no'}`,
    ...OFF.map((d) => `${d}=no`),
    'vtysh_enable=yes',
    `zebra_options="  -A 127.0.0.1 -s 90000000 -f ${FRR_BOOT_CONFIG}"`,
    `bgpd_options="   -A 127.0.0.1 -f ${FRR_BOOT_CONFIG}"`,
    `bfdd_options="   -A 127.0.0.1 -f ${FRR_BOOT_CONFIG}"`,
    '# Each daemon reads the boot config itself (-f, at the path the FRR container',
    '# mounts it; the node agent keeps frr.conf equal to what it applied).',
    '# frrcommon.sh would then replay the whole file through `vtysh -b` after every',
    '# (re)start, line by line: minutes at 1,000 VRFs, so its vtysh_b runs true instead.',
    'VTYSH=/bin/true',
    '',
  ].join('\n');
}

export const VTYSH_CONF = 'service integrated-vtysh-config\n';

/** FRR's /etc/frr before it first starts: daemons, vtysh.conf and the boot frr.conf (mode 0644: the daemons read them as frr). */
export async function writeBootFiles(
  dir: string,
  files: { readonly daemons: string; readonly frrConf: string },
): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (const [name, text] of [
    ['daemons', files.daemons],
    ['vtysh.conf', VTYSH_CONF],
    ['frr.conf', files.frrConf],
  ] as const) {
    const tmp = `${dir}/${name}.tmp`;
    await writeFile(tmp, text, { mode: 0o644 });
    await rename(tmp, `${dir}/${name}`);
  }
}
