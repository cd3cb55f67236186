// One OVN chassis per node, as on an OpenStack compute node: ovsdb-server and
// ovs-vswitchd (userspace `netdev` datapath: the kernel datapath does not
// forward in user-mode Linux) and Debian's ovn-controller, all inside the
// node's namespace with their own OVS_RUNDIR / OVN_RUNDIR (several chassis in
// one guest), recipe ../shared/testbed/t7-ovn-chassis.sh. ovn-controller
// registers the Chassis in the SB itself, creates br-int and binds the VM
// ports whose `external_ids:iface-id` names a Logical_Switch_Port.
//
// The SB cluster's members are reached as tcp:127.0.0.1:6642,6643,6644 inside
// the node (socat relays, see Fabric.startRelays). `br-provider` is the provider bridge of physnet1
// (ovn-bridge-mappings): OVN puts a VLAN network's frames on it with the
// localnet port's tag.
import { join } from 'node:path';
import { waitFor } from '../harness/wait-for.ts';
import { bash, run, tryRun } from './guest-exec.ts';
import type { NodeName } from './scenario.ts';

export const PROVIDER_BRIDGE = 'br-provider';
export const PHYSNET = 'physnet1';
/** Where each node finds the SB's first member (relayed by socat to the host's SB); the next ones on the next ports. */
export const NODE_SB_PORT = 6642;
/**
 * The chassis' MAC on physnet1 (`ovn-chassis-mac-mappings`, as Neutron
 * deployments set it for VLAN networks with distributed routers): a routed
 * frame leaves through localnet with this MAC as its source instead of the
 * router port's, so the router's MAC never appears on two nodes (no MAC
 * flapping between the nodes' type-2 routes).
 */
export const chassisMac = (node: NodeName): string => `0e:00:00:00:00:0${node.slice(-1)}`;

export interface VmPort {
  readonly name: string;
  readonly portId: string;
  readonly mac: string;
  /** Address with prefix length, e.g. 10.1.0.11/24. */
  readonly cidr: string;
  readonly gateway?: string | undefined;
}

/** Nova's device name for a port: tap + the first 11 characters of the port id. */
export const tapName = (portId: string): string => `tap${portId.slice(0, 11)}`;

export class OvnChassis {
  readonly node: NodeName;
  readonly #encapIp: string;
  readonly #dir: string;
  readonly #sbMembers: number;

  constructor(node: NodeName, encapIp: string, workDir: string, sbMembers = 1) {
    this.node = node;
    this.#encapIp = encapIp;
    this.#dir = join(workDir, `chassis-${node}`);
    this.#sbMembers = sbMembers;
  }

  get #ovs(): string {
    return join(this.#dir, 'ovs');
  }
  get #ovn(): string {
    return join(this.#dir, 'ovn');
  }

  /** `env ... ip netns exec <node>`: what every OVS/OVN command of this chassis runs under. */
  get #x(): string {
    const o = this.#ovs;
    const n = this.#ovn;
    return `env OVS_RUNDIR=${o} OVS_DBDIR=${o} OVS_LOGDIR=${o} OVS_SYSCONFDIR=${o} OVN_RUNDIR=${n} OVN_DBDIR=${n} OVN_LOGDIR=${n} OVN_SYSCONFDIR=${n} ip netns exec ${this.node}`;
  }

  /** The node's Open_vSwitch database, e.g. for the agent once it speaks OVSDB (a unix socket crosses namespaces). */
  get ovsdbRemote(): string {
    return `unix:${join(this.#ovs, 'db.sock')}`;
  }

  vsctl(args: readonly string[]): Promise<string> {
    return run('ovs-vsctl', [`--db=${this.ovsdbRemote}`, '--timeout=30', ...args]);
  }

  /** ovs-ofctl / ovs-appctl and friends with this chassis' rundir, in the node's namespace. */
  tool(file: string, args: readonly string[]): Promise<string> {
    return run('bash', ['-c', `${this.#x} ${file} ${args.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ')}`]);
  }

  /**
   * ovsdb-server + ovs-vswitchd, the Open_vSwitch row as a compute node's
   * installer leaves it, br-provider (netdev), then ovn-controller. Returns
   * once ovn-controller has created br-int (the Chassis is checked by the caller in the SB).
   */
  async start(): Promise<void> {
    const o = this.#ovs;
    const n = this.#ovn;
    const vs = `ovs-vsctl --db=unix:${o}/db.sock --timeout=30`;
    const ids = {
      'system-id': this.node,
      hostname: this.node,
      // The SB cluster's members, as ovn-controller takes them in production.
      'ovn-remote': Array.from({ length: this.#sbMembers }, (_, i) => `tcp:127.0.0.1:${String(NODE_SB_PORT + i)}`).join(
        ',',
      ),
      'ovn-encap-type': 'geneve',
      'ovn-encap-ip': this.#encapIp,
      'ovn-bridge-mappings': `${PHYSNET}:${PROVIDER_BRIDGE}`,
      'ovn-bridge-datapath-type': 'netdev',
      'ovn-chassis-mac-mappings': `${PHYSNET}:${chassisMac(this.node)}`,
    };
    await bash(`
      modprobe tun   # netdev internal ports (br-provider, br-int, the VMs' ports) are taps
      mkdir -p ${o} ${n}
      ovsdb-tool create ${o}/conf.db /usr/share/openvswitch/vswitch.ovsschema
      ${this.#x} ovsdb-server ${o}/conf.db --remote=punix:${o}/db.sock --pidfile=${o}/ovsdb-server.pid \\
        --unixctl=${o}/ovsdb-server.ctl --log-file=${o}/ovsdb-server.log --detach
      ${vs} --no-wait init
      ${this.#x} ovs-vswitchd unix:${o}/db.sock --pidfile=${o}/ovs-vswitchd.pid --unixctl=${o}/ovs-vswitchd.ctl \\
        --log-file=${o}/ovs-vswitchd.log --detach
      ${vs} set Open_vSwitch . ${Object.entries(ids)
        .map(([k, v]) => `external_ids:${k}=${JSON.stringify(v)}`)
        .join(' ')} \\
        -- add-br ${PROVIDER_BRIDGE} -- set Bridge ${PROVIDER_BRIDGE} datapath_type=netdev
      ip -n ${this.node} link set ${PROVIDER_BRIDGE} up
      ${this.#x} ovn-controller unix:${o}/db.sock --pidfile=${n}/ovn-controller.pid --log-file=${n}/ovn-controller.log --detach`);
    await waitFor(
      `br-int created by ovn-controller on ${this.node}`,
      async () => (await tryRun('ovs-vsctl', [`--db=unix:${o}/db.sock`, 'br-exists', 'br-int'])).code === 0,
      { timeoutMs: 60_000, stepMs: 200 },
    );
  }

  /**
   * A VM: an OVS internal port on br-int named as Nova names it, with
   * `external_ids:iface-id` = the Neutron port id (what ovn-controller binds),
   * moved into the VM's namespace, with the port's MAC and IP.
   * (Internal ports need no `ethtool -K tx off`, unlike veths on the netdev datapath.)
   */
  async addVm(v: VmPort): Promise<void> {
    const tap = tapName(v.portId);
    await this.vsctl([
      'add-port',
      'br-int',
      tap,
      '--',
      'set',
      'Interface',
      tap,
      'type=internal',
      `external_ids:iface-id=${v.portId}`,
      `external_ids:attached-mac=${JSON.stringify(v.mac)}`,
      'external_ids:iface-status=active',
    ]);
    await waitFor(
      `internal port ${tap} in ${this.node}`,
      async () => (await tryRun('ip', ['-n', this.node, 'link', 'show', tap])).code === 0,
      { timeoutMs: 20_000, stepMs: 100 },
    );
    // Not renamed: vswitchd tracks its taps by name.
    await bash(`
      ip netns add ${v.name}
      ip -n ${v.name} link set lo up
      ip -n ${this.node} link set ${tap} netns ${v.name}
      ip -n ${v.name} link set ${tap} address ${v.mac}
      ip -n ${v.name} addr add ${v.cidr} dev ${tap}
      ip -n ${v.name} link set ${tap} up
      ${v.gateway === undefined ? '' : `ip -n ${v.name} route add default via ${v.gateway}`}`);
  }

  /** ovs-appctl of this chassis' ovs-vswitchd or ovn-controller (by their control sockets). */
  appctl(target: 'ovs-vswitchd' | 'ovn-controller', args: readonly string[]): Promise<string> {
    const ctl =
      target === 'ovs-vswitchd'
        ? `${this.#ovs}/ovs-vswitchd.ctl`
        : `${this.#ovn}/ovn-controller.$(cat ${this.#ovn}/ovn-controller.pid).ctl`;
    const quoted = args.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
    return run('bash', ['-c', `${this.#x} ovs-appctl -t ${ctl} ${quoted}`]);
  }

  /** `ovs-vsctl show` of this node. */
  show(): Promise<string> {
    return this.vsctl(['show']);
  }

  /** Stops ovn-controller, ovs-vswitchd and ovsdb-server and copies their logs to `artifacts`. */
  async stop(artifacts: string): Promise<void> {
    const o = this.#ovs;
    const n = this.#ovn;
    await tryRun('bash', [
      '-c',
      `
      pid=$(cat ${n}/ovn-controller.pid 2>/dev/null) && ovs-appctl -t ${n}/ovn-controller.$pid.ctl exit
      ovs-appctl -t ${o}/ovs-vswitchd.ctl exit
      ovs-appctl -t ${o}/ovsdb-server.ctl exit
      for f in ${o}/*.log ${n}/*.log; do [ -f "$f" ] && cp "$f" ${artifacts}/${this.node}-$(basename "$f"); done
      true`,
    ]);
  }
}
