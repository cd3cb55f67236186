// How FRR starts on a node the chart runs: /etc/frr/daemons, vtysh.conf and
// the boot frr.conf, written by the node-init container (write-boot-files.ts)
// before FRR first starts. The FRR container runs frrcommon.sh + watchfrr
// (deploy/images/frr-start.sh); watchfrr (re)starts each daemon through
// frrcommon's daemon_start, which runs `vtysh -b -d DAEMON` after it.
//
// The daemons file is sourced by frrcommon.sh inside the FRR container, so it
// picks the layout of the FRR that really runs there (the agent image's FRR
// may differ when a user sets another FRR image):
// - FRR 8.4 (no mgmtd): each daemon reads the boot config itself (`-f`) and
//   frrcommon's `vtysh -b` replay is off (VTYSH=/bin/true): replaying 1,000
//   VRFs through vtysh costs what a cold apply costs, reading them at start-up
//   ~1/5 of it (bench/findings.md §5).
// - FRR ≥ 10 (mgmtd): zebra's configuration is YANG through mgmtd, which takes
//   no `-f`, and zebra's `-f` drops the `vni` lines of `vrf X` (measured,
//   10.7.1): no daemon gets `-f`; the boot config goes in through frrcommon's
//   own `vtysh -b -d DAEMON` after each (re)start (mgmtd keeps zebra's part and
//   hands it to a restarted zebra). The defaults profile is a start-up option
//   there (`frr defaults datacenter` through vtysh comes too late), so
//   frr_profile=datacenter, which frrcommon turns into `-F datacenter`.
import { mkdir, rename, writeFile } from 'node:fs/promises';

const OFF = [
  'ospfd',
  'ospf6d',
  'ripd',
  'ripngd',
  'isisd',
  'pimd',
  'pim6d',
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

/**
 * /etc/frr/daemons: mgmtd (FRR ≥ 10), zebra, bgpd and (with BFD) bfdd. The
 * boot config is frrcommon's `$C_PATH/frr.conf` (/etc/frr/frr.conf, or
 * /etc/frr/PATHSPACE/frr.conf when FRR runs in a pathspace), the file the
 * agent keeps equal to what it applied (--frr-boot-config).
 */
export function renderDaemonsFile(options: { readonly bfd: boolean }): string {
  const f = '-f ${C_PATH:-/etc/frr}/frr.conf';
  return [
    'mgmtd=yes',
    'zebra=yes',
    'bgpd=yes',
    `bfdd=${options.bfd ? 'yes' : 'no'}`,
    ...OFF.map((d) => `${d}=no`),
    'vtysh_enable=yes',
    'staticd_options="-A 127.0.0.1"',
    '# Sourced by frrcommon.sh in the FRR container: the layout of the FRR that runs there.',
    'if [ -x "${D_PATH:-/usr/lib/frr}/mgmtd" ]; then',
    "  # FRR >= 10: no -f (mgmtd takes none, zebra would drop the VRFs' vni lines);",
    '  # frrcommon sends the boot config with `vtysh -b -d DAEMON` after each (re)start.',
    '  frr_profile=datacenter',
    '  mgmtd_options="  -A 127.0.0.1"',
    '  zebra_options="  -A 127.0.0.1 -s 90000000"',
    '  bgpd_options="   -A 127.0.0.1"',
    '  bfdd_options="   -A 127.0.0.1"',
    'else',
    '  # FRR 8.4: each daemon reads the boot config itself; replaying it through',
    '  # vtysh after every (re)start would cost minutes at 1,000 VRFs, so vtysh_b runs true.',
    `  zebra_options="  -A 127.0.0.1 -s 90000000 ${f}"`,
    `  bgpd_options="   -A 127.0.0.1 ${f}"`,
    `  bfdd_options="   -A 127.0.0.1 ${f}"`,
    '  VTYSH=/bin/true',
    'fi',
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
