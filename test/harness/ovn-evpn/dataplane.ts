// The hosts around the ovn backend's data-plane test (UML only): a VM on the
// Geneve tenant network (a namespace whose veth peer is an OVS port in br-int,
// bound by ovn-controller through its iface-id) and a bare-metal server behind
// the leaf (a namespace whose veth peer is a port of the leaf's L2VNI bridge).
// The underlay between the chassis and the leaf is chassis.ts' startLeaf with
// an OVS netdev bridge (UNDERLAY_BRIDGE).
import { spawnSync } from 'node:child_process';
import { run } from '../uml/oracle.ts';
import { DIR, LEAF_NS, vsctl } from './chassis.ts';

/** The netdev bridge holding the chassis' VTEP address, with the veth to the leaf as its port. */
export const UNDERLAY_BRIDGE = 'br-phy';
export const VM_NS = 'ovnvm';
export const SERVER_NS = 'ovnsrv';
export const SERVER_MAC = '02:00:00:00:5e:01';
export const SERVER_IP = '10.1.0.100';

const inNs = (ns: string, ...args: string[]): string => run('ip', ['netns', 'exec', ns, ...args]);

function freshNs(ns: string): void {
  spawnSync('ip', ['netns', 'del', ns]);
  run('ip', ['netns', 'add', ns]);
  inNs(ns, 'ip', 'link', 'set', 'lo', 'up');
}

/** `dev` in `ns` with `mac` and `cidr`, up. */
function hostEnd(ns: string, dev: string, mac: string, cidr: string): void {
  run('ip', ['link', 'set', dev, 'netns', ns]);
  inNs(ns, 'ip', 'link', 'set', dev, 'address', mac);
  inNs(ns, 'ip', 'addr', 'add', cidr, 'dev', dev);
  inNs(ns, 'ip', 'link', 'set', dev, 'up');
}

/**
 * The VM: `vm-eth` (mac, cidr) in VM_NS; its peer `port` in br-int with
 * `external_ids:iface-id=<lsp>`, which the netdev datapath opens as a system
 * (AF_PACKET) port. Checksum offload is off on the VM side: the userspace
 * datapath would put frames with unfinished checksums into the VXLAN tunnel.
 */
export function startVm(port: string, lsp: string, mac: string, cidr: string): void {
  freshNs(VM_NS);
  spawnSync('ip', ['link', 'del', port]);
  run('ip', ['link', 'add', port, 'type', 'veth', 'peer', 'name', 'vm-eth']);
  hostEnd(VM_NS, 'vm-eth', mac, cidr);
  inNs(VM_NS, 'ethtool', '-K', 'vm-eth', 'tx', 'off');
  run('ip', ['link', 'set', port, 'up']);
  vsctl('add-port', 'br-int', port, '--', 'set', 'Interface', port, `external_ids:iface-id=${lsp}`);
}

/** The bare-metal server: `srv-eth` (SERVER_MAC, SERVER_IP) in SERVER_NS, its peer `srv0` in the leaf's bridge. */
export function startServer(leafBridge: string): void {
  freshNs(SERVER_NS);
  run('ip', ['link', 'add', 'srv0', 'type', 'veth', 'peer', 'name', 'srv-eth']);
  hostEnd(SERVER_NS, 'srv-eth', SERVER_MAC, `${SERVER_IP}/24`);
  run('ip', ['link', 'set', 'srv0', 'netns', LEAF_NS]);
  inNs(LEAF_NS, 'ip', 'link', 'set', 'srv0', 'master', leafBridge, 'up');
}

/**
 * Removes the hosts and the underlay bridge; call while ovs-vswitchd still
 * runs. The netdev datapath's internal ports are persistent taps: left behind,
 * br-phy would keep the VTEP address and its route after OVS exits, and the
 * next test's BGP over a plain veth would go into that dead tap (measured).
 */
export function stopDataPlane(vmPort: string): void {
  for (const ns of [VM_NS, SERVER_NS]) spawnSync('ip', ['netns', 'del', ns]);
  spawnSync('ip', ['link', 'del', vmPort]);
  try {
    vsctl('--if-exists', 'del-port', 'br-int', vmPort, '--', '--if-exists', 'del-br', UNDERLAY_BRIDGE);
  } catch {
    // OVS already gone: remove the tap by hand below
  }
  spawnSync('ip', ['link', 'del', UNDERLAY_BRIDGE]);
}

/** Echo replies of `ping -c count` from `ns` to `ip` (1 s per reply; a failed ping is 0, not an error). */
export function pingReplies(ns: string, ip: string, count = 3): number {
  const r = spawnSync('ip', ['netns', 'exec', ns, 'ping', '-n', '-c', String(count), '-W', '1', ip], {
    encoding: 'utf8',
  });
  const m = /(\d+) received/.exec(r.stdout);
  return m === null ? 0 : Number(m[1]);
}

/** ovn-controller's own view (evpn/remote-vtep-list, evpn/vtep-fdb-list, …). */
export const ovnAppctl = (...args: string[]): string => run('ovn-appctl', ['-t', `${DIR}/ovn-controller.ctl`, ...args]);

/** ovs-vswitchd's (ovs/route/show, ofproto/trace, dpctl/dump-flows). */
export const ovsAppctl = (...args: string[]): string => run('ovs-appctl', ['-t', `${DIR}/ovs-vswitchd.ctl`, ...args]);

/** What the data path did, for a failure message. */
export function explainDataPath(vm: { port: string; mac: string; ip: string }): string {
  const safe = (f: () => string): string => {
    try {
      return f();
    } catch (e: unknown) {
      return String(e);
    }
  };
  return [
    safe(() => ovnAppctl('evpn/remote-vtep-list')),
    safe(() => ovnAppctl('evpn/vtep-binding-list')),
    safe(() => ovnAppctl('evpn/vtep-fdb-list')),
    safe(() => ovsAppctl('ovs/route/show')),
    safe(() => ovsAppctl('tnl/neigh/show')),
    safe(() =>
      ovsAppctl(
        'ofproto/trace',
        'br-int',
        `in_port=${vm.port},dl_src=${vm.mac},dl_dst=${SERVER_MAC},ip,nw_src=${vm.ip},nw_dst=${SERVER_IP},nw_proto=1`,
      ),
    ),
    safe(() => ovsAppctl('dpctl/dump-flows')),
  ].join('\n');
}
