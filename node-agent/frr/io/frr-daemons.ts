// How FRR's daemons are laid out at run time, in one place: which daemons
// have sockets, where the sockets and pid files are, which daemon takes which
// configuration (mgmtd on FRR ≥ 10) and how config files are replaced. How
// they are started (the daemons file, the boot config) is frr-boot-files.ts's.
import { access, chown, mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { DaemonName } from '../stanzas.ts';

const SOCKET_DAEMONS = ['mgmtd', 'zebra', 'bgpd', 'bfdd'] as const;
/** Their pid files tell a restart (a new pid) from drift. */
const PID_DAEMONS = ['zebra', 'bgpd'] as const;

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
