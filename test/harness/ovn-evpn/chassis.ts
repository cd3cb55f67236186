// Test support for the ovn backend's UML test: one OVN chassis in the guest's
// root network namespace, as ../shared/testbed/t9-ovn-evpn-chassis.sh measured
// it on the current root (OVS 4.0 netdev datapath, ovn-controller 26.03.1), with
// its own NB/SB ovsdb-servers and ovn-northd on unix sockets in DIR, and FRR's
// daemons in the same namespace under their own pathspace (the agent, zebra and
// ovn-controller must see one kernel). Only for the UML suite.
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import type { PassSummary } from '../../../node-agent/agent.ts';
import { run } from '../uml/oracle.ts';
import { startFrrDaemons, startFrrTestInstance, type FrrTestInstance } from '../frr/frr-test-instance.ts';

export const DIR = '/tmp/ovn-backend-test';
export const OVS_DB = `unix:${DIR}/db.sock`;
export const NB = `unix:${DIR}/nb.sock`;
export const SB = `unix:${DIR}/sb.sock`;
/** A name for the guest's own namespace, so FRR's helpers (ip netns exec) start the daemons there. */
export const ROOT_NS = 'ovnag-root';
export const PATHSPACE = 'ovnag';

export const vsctl = (...args: string[]): string =>
  run('ovs-vsctl', [`--db=${OVS_DB}`, '--timeout=20', ...args]).trim();
export const nbctl = (...args: string[]): string => run('ovn-nbctl', [`--db=${NB}`, '--timeout=20', ...args]).trim();
export const sbctl = (...args: string[]): string => run('ovn-sbctl', [`--db=${SB}`, '--timeout=20', ...args]).trim();
export const vtysh = (...commands: string[]): string =>
  run('vtysh', ['-N', PATHSPACE, ...commands.flatMap((c) => ['-c', c])]);

const env = (): void => {
  for (const k of ['OVS_RUNDIR', 'OVS_DBDIR', 'OVS_LOGDIR', 'OVN_RUNDIR', 'OVN_DBDIR', 'OVN_LOGDIR'])
    process.env[k] = DIR;
};

function startDb(name: string, schema: string, sock: string): void {
  run('ovsdb-tool', ['create', `${DIR}/${name}.db`, schema]);
  run('ovsdb-server', [
    `${DIR}/${name}.db`,
    `--remote=punix:${sock}`,
    `--pidfile=${DIR}/${name}.pid`,
    `--unixctl=${DIR}/${name}.ctl`,
    `--log-file=${DIR}/${name}.log`,
    '--detach',
  ]);
}

/** OVS + NB/SB + northd + ovn-controller (chassis `ch1`, Geneve on loopback, netdev datapath). */
export function startChassis(): void {
  env();
  for (const m of ['tun', 'veth', 'vxlan', 'geneve']) run('modprobe', [m]);
  rmSync(DIR, { recursive: true, force: true });
  mkdirSync(DIR, { recursive: true });
  startDb('conf', '/usr/share/openvswitch/vswitch.ovsschema', `${DIR}/db.sock`);
  vsctl('--no-wait', 'init');
  run('ovs-vswitchd', [
    OVS_DB,
    `--pidfile=${DIR}/ovs-vswitchd.pid`,
    `--unixctl=${DIR}/ovs-vswitchd.ctl`,
    '--detach',
    `--log-file=${DIR}/ovs-vswitchd.log`,
  ]);
  startDb('nb', '/usr/share/ovn/ovn-nb.ovsschema', `${DIR}/nb.sock`);
  startDb('sb', '/usr/share/ovn/ovn-sb.ovsschema', `${DIR}/sb.sock`);
  run('ovn-northd', [
    `--ovnnb-db=${NB}`,
    `--ovnsb-db=${SB}`,
    `--pidfile=${DIR}/northd.pid`,
    `--unixctl=${DIR}/northd.ctl`,
    `--log-file=${DIR}/northd.log`,
    '--detach',
  ]);
  vsctl(
    'set',
    'Open_vSwitch',
    '.',
    'external_ids:system-id=ch1',
    `external_ids:ovn-remote=${SB}`,
    'external_ids:ovn-encap-type=geneve',
    'external_ids:ovn-encap-ip=127.0.0.1',
    'external_ids:ovn-bridge-datapath-type=netdev',
  );
  run('ovn-controller', [
    OVS_DB,
    `--pidfile=${DIR}/ovn-controller.pid`,
    `--unixctl=${DIR}/ovn-controller.ctl`,
    `--log-file=${DIR}/ovn-controller.log`,
    '--detach',
  ]);
}

/** mgmtd, zebra and bgpd in the guest's namespace under PATHSPACE. */
export function startFrr(): void {
  if (!existsSync(`/run/netns/${ROOT_NS}`)) run('ip', ['netns', 'attach', ROOT_NS, '1']);
  mkdirSync(`/etc/frr/${PATHSPACE}`, { recursive: true });
  run('bash', [
    '-c',
    `printf 'service integrated-vtysh-config\\n' > /etc/frr/${PATHSPACE}/vtysh.conf; printf 'frr defaults datacenter\\n!\\n' > /etc/frr/${PATHSPACE}/frr.conf; mkdir -p /var/run/frr/${PATHSPACE}; chown -R frr:frr /etc/frr/${PATHSPACE} /var/run/frr/${PATHSPACE}`,
  ]);
  startFrrDaemons(ROOT_NS, PATHSPACE, ['zebra', 'bgpd'], (d) => [
    ...(d === 'zebra' ? ['-s', '90000000'] : []),
    '--log',
    `file:${DIR}/${d}.log`,
  ]);
}

/** Stops what startChassis/startFrr started (by their pidfiles) and keeps the logs in DIR. */
export function stopAll(): void {
  for (const ctl of ['ovn-controller', 'northd', 'ovs-vswitchd', 'nb', 'sb', 'conf'])
    try {
      run('ovs-appctl', ['-t', `${DIR}/${ctl}.ctl`, 'exit']);
    } catch {
      // already gone
    }
  for (const d of ['bgpd', 'zebra', 'mgmtd'])
    try {
      run('bash', ['-c', `kill $(cat /var/run/frr/${PATHSPACE}/${d}.pid) 2>/dev/null; true`]);
    } catch {
      // already gone
    }
}

/** A log's last lines, for a failure message. */
export const tail = (file: string, n = 25): string => {
  try {
    return run('tail', ['-n', String(n), `${DIR}/${file}`]);
  } catch (e: unknown) {
    return String(e);
  }
};

/** FRR's processes and crash logs, for a failure message. */
export const frrProcesses = (): string => {
  try {
    return run('bash', [
      '-c',
      `ps -eo pid,args | grep -E '[f]rr|[b]gpd|[z]ebra'; ls -R /var/tmp/frr 2>/dev/null | head -20; true`,
    ]);
  } catch (e: unknown) {
    return String(e);
  }
};

export const LEAF_NS = 'ovnleaf';
export const LEAF_IP = '10.0.0.2';
export const LEAF_MAC = '02:00:00:00:be:01';

/**
 * A hand-configured FRR leaf in its own namespace, as OVN's multinode tests
 * set up the external side (m_setup_external_frr_vrf): bridge + VXLAN of the
 * L2VNI on 4789 and a bare-metal port (a dummy with LEAF_MAC) in the bridge;
 * iBGP l2vpn evpn to `peer` over a veth (`ovnag-leaf` in the guest's namespace
 * holds `localCidr`). The L2VNI imports and exports `rt`, as the fabric is
 * configured for the BGPVPN's route target.
 *
 * `ovsBridge`: the guest's end becomes a port of that OVS netdev bridge and
 * `localCidr` goes on the bridge's internal interface instead (the underlay
 * the userspace datapath can route OVN's VXLAN tunnel through; dataplane.ts).
 */
export function startLeaf(
  vni: number,
  rt: string,
  peer: string,
  localCidr: string,
  ovsBridge?: string,
): FrrTestInstance {
  run('bash', ['-c', 'ip link del ovnag-leaf 2>/dev/null; ip link add ovnag-leaf type veth peer name leaf0']);
  if (ovsBridge === undefined) run('ip', ['addr', 'add', localCidr, 'dev', 'ovnag-leaf']);
  else attachToNetdevBridge(ovsBridge, 'ovnag-leaf', localCidr);
  run('ip', ['link', 'set', 'ovnag-leaf', 'up']);
  const leaf = startFrrTestInstance(LEAF_NS, (exec) => {
    run('ip', ['link', 'set', 'leaf0', 'netns', LEAF_NS]);
    for (const cmd of [
      `ip addr add ${LEAF_IP}/24 dev leaf0`,
      'ip link set leaf0 up',
      // OVS reads the veth with AF_PACKET and gets its frames with checksums left to offload:
      // the userspace datapath passes them on unfinished and the receiving kernel drops them.
      ...(ovsBridge === undefined ? [] : ['ethtool -K leaf0 tx off']),
      `ip link add br-${vni} type bridge`,
      `ip link set br-${vni} addrgenmode none up`,
      `ip link add vxlan-${vni} type vxlan id ${vni} dstport 4789 local ${LEAF_IP} nolearning`,
      `ip link set vxlan-${vni} master br-${vni} up`,
      `ip link add bm0 address ${LEAF_MAC} type dummy`,
      `ip link set bm0 master br-${vni} up`,
    ])
      exec(cmd.split(' '));
  });
  run('vtysh', [
    '-N',
    LEAF_NS,
    ...[
      'configure terminal',
      'router bgp 65000',
      `bgp router-id ${LEAF_IP}`,
      `neighbor ${peer} remote-as internal`,
      'address-family l2vpn evpn',
      `neighbor ${peer} activate`,
      'advertise-all-vni',
      `vni ${vni}`,
      `route-target import ${rt}`,
      `route-target export ${rt}`,
    ].flatMap((c) => ['-c', c]),
  ]);
  // The bare-metal server's MAC, as the leaf's bridge would learn it from traffic.
  leaf.exec(['bridge', 'fdb', 'replace', LEAF_MAC, 'dev', 'bm0', 'master', 'static']);
  return leaf;
}

/**
 * `port` (a kernel link) as a port of the netdev bridge `bridge` (created if
 * missing), `cidr` on the bridge's internal interface: OVS's userspace
 * datapath routes tunnel traffic only through an address on one of its
 * bridges (its route table, `ovs-appctl ovs/route/show`, mirrors the kernel's).
 */
export function attachToNetdevBridge(bridge: string, port: string, cidr: string): void {
  vsctl('--may-exist', 'add-br', bridge, '--', 'set', 'Bridge', bridge, 'datapath_type=netdev');
  vsctl('--may-exist', 'add-port', bridge, port);
  run('ip', ['addr', 'replace', cidr, 'dev', bridge]);
  run('ip', ['link', 'set', bridge, 'up']);
}

/** What the last pass did, for a failure message. */
export function explainPass(s: PassSummary | undefined): string {
  if (s === undefined) return 'no pass';
  const outcomes = [...s.kernel.vrfs.values(), ...s.kernel.networks.values()].map(
    (o) => `${o.name}: ready=${String(o.ready)} ${o.reason ?? ''} ${o.message ?? ''} [${o.devices.join(',')}]`,
  );
  return JSON.stringify({
    changes: s.kernel.changes,
    failed: s.kernel.failed,
    nodeErrors: s.kernel.nodeErrors,
    frr: { running: s.frr.running, error: s.frr.error },
    ovs: s.ovs === undefined ? undefined : { applied: s.ovs.applied, error: s.ovs.error, chassis: s.ovs.chassis },
    outcomes,
  });
}
