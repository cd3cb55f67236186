// The guest's fabric: network namespaces node-a and node-b on an underlay
// bridge (10.0.0.1, 10.0.0.2 on 10.0.0.0/24), each with its own FRR (zebra +
// bgpd in the node's pathspace), its node agent (`ip netns exec`, so its
// netlink sockets act on that node; it plugs its uplink into the node's OVS
// itself) and a real OVN chassis (ovn-chassis.ts: ovsdb-server, ovs-vswitchd
// with the netdev datapath, br-provider mapped to physnet1, and ovn-controller
// registering itself in the host's SB). "VMs" are namespaces behind OVS
// internal ports on br-int that ovn-controller binds. A third member, the
// hand-written leaf (leaf/: 10.0.0.3, its own FRR, route reflector for the
// nodes in the fabric ASN 65100), holds a bare-metal server on net-a's L2VNI
// and a host behind its VRF on the L3VNI 20000.
//
// The agents and ovn-controllers reach the host through socat: in the guest
// root ns a unix socket per service forwards to 10.0.2.2:PORT (slirpvde), and
// in each node ns 127.0.0.1:6443 (API server) and 127.0.0.1:6642… (one per OVN
// SB member) forward to those sockets (a socket path crosses namespaces).
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { waitFor } from '../harness/wait-for.ts';
import { FRR_DAEMONS, frrLogFile, FrrWatch } from './frr-health.ts';
import { bash, run, startBackground, stopBackground, tryRun, type Background } from './guest-exec.ts';
import { unanswered } from './ping-summary.ts';
import { NODE_SB_PORT, OvnChassis, PROVIDER_BRIDGE } from './ovn-chassis.ts';
import { leaf, nodes, type NodeName, type Vm } from './scenario.ts';

const repo = join(import.meta.dirname, '..', '..');
const NODE_API_PORT = 6443;
const LEAF = 'leaf';
const leafDir = join(import.meta.dirname, 'leaf');

export interface FabricOptions {
  /** Guest-side kubeconfig (server 10.0.2.2:PORT). */
  readonly kubeconfig: string;
  readonly apiPort: string;
  /** The host's OVN SB as the guest reaches it, tcp:10.0.2.2:PORT. */
  readonly sbRemote: string;
  /** Host directory (inside the repository) for logs. */
  readonly artifacts: string;
}

export class Fabric {
  readonly #opts: FabricOptions;
  readonly #procs: Background[] = [];
  readonly #agents = new Map<NodeName, Background>();
  readonly #work = '/tmp/e2e';
  readonly #chassis: ReadonlyMap<NodeName, OvnChassis>;
  /** The FRR daemons' pids as started (or restarted by the test): any other change is a crash. */
  readonly frrWatch = new FrrWatch();

  constructor(opts: FabricOptions) {
    this.#opts = opts;
    mkdirSync(this.#work, { recursive: true });
    mkdirSync(opts.artifacts, { recursive: true });
    const sbMembers = opts.sbRemote.split(',').length;
    this.#chassis = new Map(nodes.map((n) => [n.name, new OvnChassis(n.name, n.vtep, this.#work, sbMembers)]));
    // The agent API is closed without a token: the agents read this file, curl sends it as a header (-H @file keeps it off the command line).
    const token = randomBytes(24).toString('hex');
    writeFileSync(this.#apiToken, `${token}\n`, { mode: 0o600 });
    writeFileSync(`${this.#apiToken}.header`, `Authorization: Bearer ${token}\n`, { mode: 0o600 });
  }

  get #apiToken(): string {
    return join(this.#work, 'agent-api-token');
  }

  chassis(node: NodeName): OvnChassis {
    const c = this.#chassis.get(node);
    if (c === undefined) throw new Error(`${node} has no OVN chassis`);
    return c;
  }

  sbctl(args: readonly string[]): Promise<string> {
    return run('ovn-sbctl', [`--db=${this.#opts.sbRemote}`, '--timeout=20', ...args]);
  }

  /**
   * Namespaces, underlay, loopbacks and forwarding. The underlay is a Linux
   * bridge in the guest's root namespace (`ul-fabric`) with one veth per node
   * (`underlay` inside the node, 10.0.0.0/24), so another fabric member (a
   * hand-configured FRR leaf, say) joins with one more veth.
   */
  async createNodes(): Promise<void> {
    await bash(`
      ip link add ul-fabric type bridge stp_state 0
      ip link set ul-fabric up
      ${nodes
        .map(
          (n) => `
      ip netns add ${n.name}
      ip link add ul-${n.name} type veth peer name underlay netns ${n.name}
      ip link set ul-${n.name} master ul-fabric
      ip link set ul-${n.name} up
      ip -n ${n.name} addr add ${n.vtep}/24 dev underlay
      ip -n ${n.name} link set lo up
      ip -n ${n.name} link set underlay up
      ip netns exec ${n.name} sysctl -qw net.ipv4.ip_forward=1`,
        )
        .join('\n')}`);
  }

  /** socat relays from each node's 127.0.0.1:6443 to the host's API server and 127.0.0.1:6642… to the host's OVN SB members. */
  async startRelays(): Promise<void> {
    const sbPorts = this.#opts.sbRemote.split(',').map((member) => {
      const port = /:(\d+)$/.exec(member)?.[1];
      if (port === undefined) throw new Error(`no port in ${member}`);
      return port;
    });
    const relays: [string, string, number][] = [
      ['api', this.#opts.apiPort, NODE_API_PORT],
      ...sbPorts.map((p, i): [string, string, number] => [`sb${String(i)}`, p, NODE_SB_PORT + i]),
    ];
    for (const [what, hostPort, nodePort] of relays) {
      const sock = join(this.#work, `${what}.sock`);
      this.#procs.push(
        startBackground(
          `relay-root-${what}`,
          'socat',
          [`UNIX-LISTEN:${sock},fork,unlink-early`, `TCP:10.0.2.2:${hostPort}`],
          join(this.#opts.artifacts, 'relay.log'),
        ),
      );
      await waitFor(`the root relay socket ${sock}`, async () => (await tryRun('test', ['-S', sock])).code === 0, {
        timeoutMs: 10_000,
        stepMs: 50,
      });
      for (const n of nodes) {
        this.#procs.push(
          startBackground(
            `relay-${what}-${n.name}`,
            'ip',
            [
              'netns',
              'exec',
              n.name,
              'socat',
              `TCP-LISTEN:${String(nodePort)},bind=127.0.0.1,reuseaddr,fork`,
              `UNIX-CONNECT:${sock}`,
            ],
            join(this.#opts.artifacts, 'relay.log'),
          ),
        );
      }
    }
    // 127.0.0.1 is the name the API server's certificate covers, so no tls-server-name is needed here.
    const kc = parse(readFileSync(this.#opts.kubeconfig, 'utf8')) as {
      clusters: { cluster: Record<string, unknown> }[];
    };
    for (const c of kc.clusters) {
      c.cluster.server = `https://127.0.0.1:${String(NODE_API_PORT)}`;
      delete c.cluster['tls-server-name'];
    }
    writeFileSync(this.nodeKubeconfig, stringify(kc), { mode: 0o600 });
  }

  get nodeKubeconfig(): string {
    return join(this.#work, 'node.kubeconfig');
  }

  /** zebra + bgpd per node, in the node's namespace and pathspace, with an empty boot config the agent replaces (and keeps). */
  async startFrr(): Promise<void> {
    await bash(nodes.map((n) => frrDaemons(n.name)).join('\n'));
    for (const n of nodes) {
      await waitForFrr(n.name);
      await this.frrWatch.record(n.name);
    }
  }

  /**
   * The hand-written leaf (leaf/README.md): setup.sh builds its devices (a
   * veth into ul-fabric, VTEP 10.0.0.3, the bare-metal server and the host
   * namespaces), the daemons start with only `frr defaults datacenter`, then
   * `vtysh -b` loads the checked-in frr.conf as FRR's service does.
   */
  async startLeaf(): Promise<void> {
    await bash(`
      LEAF_NS=${LEAF} BMS_NS=${leaf.bms.ns} HOST_NS=${leaf.host.ns} UNDERLAY_BRIDGE=ul-fabric bash ${join(leafDir, 'setup.sh')}
      ${frrDaemons(LEAF)}`);
    await waitForFrr(LEAF);
    await bash(`
      cp ${join(leafDir, 'frr.conf')} /etc/frr/${LEAF}/frr.conf
      chown frr:frr /etc/frr/${LEAF}/frr.conf
      vtysh -N ${LEAF} -b`);
    await this.frrWatch.record(LEAF);
  }

  /**
   * An OVN chassis per node (ovsdb-server, ovs-vswitchd, br-provider,
   * ovn-controller), in parallel; returns when each ovn-controller has created
   * br-int and registered its Chassis (name and hostname = the node, geneve
   * encap on its underlay IP) in the SB.
   */
  async startChassis(): Promise<void> {
    await Promise.all(nodes.map((n) => this.chassis(n.name).start()));
    await waitFor(
      'both Chassis registered by ovn-controller in the SB',
      async () => {
        const out = await this.sbctl([
          '--format=csv',
          '--data=bare',
          '--no-headings',
          '--columns=name,hostname',
          'list',
          'Chassis',
        ]);
        const rows = new Set(out.split('\n').filter(Boolean));
        return nodes.every((n) => rows.has(`${n.name},${n.name}`));
      },
      { timeoutMs: 60_000, stepMs: 200 },
    );
  }

  /**
   * One agent per node, run inside the node's namespace: the fabric ASN of the
   * leaf, the leaf as its only BGP peer (iBGP, the leaf reflects the other
   * node's routes), and the node's own Open_vSwitch database, where it plugs
   * its uplink into br-provider.
   */
  startAgents(): void {
    for (const n of nodes) this.startAgent(n.name);
  }

  /** The agent of one node (again, after killAgent: what the DaemonSet's restart does). */
  startAgent(node: NodeName): void {
    const n = nodes.find((x) => x.name === node);
    if (n === undefined) throw new Error(`no node ${node}`);
    const args = [
      'netns',
      'exec',
      n.name,
      join(repo, 'bin', 'evpn-node-agent'),
      `--vtep-ip=${n.vtep}`,
      `--asn=${String(leaf.asn)}`,
      `--bgp-peer=${leaf.vtep}:internal`,
      `--frr-pathspace=${n.name}`,
      // The boot config the restarted daemons read with -f, kept by the agent as the chart's sidecar has it.
      `--frr-config=${join(this.#work, `${n.name}-frr.conf`)}`,
      `--frr-boot-config=/etc/frr/${n.name}/frr.conf`,
      `--ovsdb=${this.chassis(n.name).ovsdbRemote}`,
      '--http-addr=127.0.0.1:9650',
      `--api-token-file=${this.#apiToken}`,
      '--resync-seconds=30',
    ];
    const env = {
      ...process.env,
      NODE_NAME: n.name,
      KUBECONFIG: this.nodeKubeconfig,
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
    };
    // `ip netns exec` and bin/evpn-node-agent exec: the child's pid is the agent's.
    const agent = startBackground(
      `agent-${n.name}`,
      'ip',
      args,
      join(this.#opts.artifacts, `agent-${n.name}.log`),
      env,
    );
    this.#agents.set(n.name, agent);
    this.#procs.push(agent);
  }

  /** kill -9 of a node's agent; resolves once it is gone. */
  async killAgent(node: NodeName): Promise<void> {
    const a = this.#agents.get(node);
    if (a === undefined || !this.agentAlive(node)) throw new Error(`the agent of ${node} is not running`);
    const exited = new Promise<void>((resolve) =>
      a.child.once('exit', () => {
        resolve();
      }),
    );
    a.child.kill('SIGKILL');
    await exited;
  }

  /** GET (or POST) on a node's agent API (127.0.0.1:9650 inside the node's namespace), with its token. */
  agentApi(node: NodeName, path: string, method: 'GET' | 'POST' = 'GET'): Promise<string> {
    return run('ip', [
      'netns',
      'exec',
      node,
      'curl',
      '-sSf',
      '-m',
      '10',
      '-H',
      `@${this.#apiToken}.header`,
      '-X',
      method,
      `http://127.0.0.1:9650${path}`,
    ]);
  }

  /** kill -9 of FRR daemons of a node (or the leaf), by their pid files; resolves once they are gone. */
  async killFrr(ns: NodeName | 'leaf', daemons: readonly ('zebra' | 'bgpd')[]): Promise<void> {
    const pids = await Promise.all(
      daemons.map(async (d) => (await run('cat', [`/var/run/frr/${ns}/${d}.pid`])).trim()),
    );
    await run('kill', ['-9', ...pids]);
    // Gone or a zombie (daemonised FRR is reparented to the guest's init).
    const alive = pids.map((p) => `{ test -d /proc/${p} && ! grep -q '^State:.*Z' /proc/${p}/status; }`).join(' || ');
    await waitFor(`${daemons.join('+')} of ${ns} gone`, async () => (await tryRun('bash', ['-c', alive])).code !== 0, {
      timeoutMs: 10_000,
      stepMs: 50,
    });
  }

  /**
   * Starts FRR daemons of a node again as watchfrr would (frrinit.sh: the same
   * command line, then `vtysh -b -d DAEMON` with the config file left as it is),
   * zebra before bgpd; resolves when vtysh answers. On FRR 10 mgmtd, still
   * running, also pushes zebra's YANG configuration when zebra reconnects.
   */
  async restartFrr(ns: NodeName | 'leaf', daemons: readonly ('zebra' | 'bgpd')[]): Promise<void> {
    await bash(daemons.map((d) => `${frrDaemon(ns, d)}\nvtysh -N ${ns} -b -d ${d} >/dev/null`).join('\n'));
    await waitForFrr(ns);
    await waitFor(
      `${daemons.join('+')} of ${ns} answering`,
      async () => (await tryRun('vtysh', ['-N', ns, '-c', 'show bgp summary'])).code === 0,
      { timeoutMs: 20_000, stepMs: 100 },
    );
    await this.frrWatch.record(ns, daemons);
  }

  agentAlive(node: NodeName): boolean {
    const a = this.#agents.get(node);
    return a !== undefined && a.child.exitCode === null && a.child.signalCode === null;
  }

  /** A VM: a namespace behind an OVS internal port on its node's br-int, bound by that node's ovn-controller. */
  async addVm(v: Vm): Promise<void> {
    const prefix = v.network.cidr.split('/')[1] ?? '24';
    await this.chassis(v.node).addVm({
      name: v.name,
      portId: v.portId,
      mac: v.mac,
      cidr: `${v.ip}/${prefix}`,
      // Its subnet's gateway: the IRB's anycast address, or OVN's router port where a router holds it.
      gateway: v.network.gateway,
    });
  }

  /** Several VMs at once (the OVS round trips of different VMs overlap). */
  async addVms(list: readonly Vm[]): Promise<void> {
    await Promise.all(list.map((v) => this.addVm(v)));
  }

  /**
   * Captures up to `count` frames on `dev` in `ns` (`tcpdump -e`: with their
   * 802.1Q tags) while `traffic` runs; returns tcpdump's lines.
   */
  async capture(
    ns: string,
    dev: string,
    filter: string,
    count: number,
    traffic: () => Promise<unknown>,
  ): Promise<string[]> {
    const file = join(this.#opts.artifacts, `tcpdump-${ns}-${dev}-${String(Date.now())}.txt`);
    const td = startBackground(
      `tcpdump-${ns}-${dev}`,
      'ip',
      ['netns', 'exec', ns, 'timeout', '15', 'tcpdump', '-l', '-e', '-nn', '-i', dev, '-c', String(count), filter],
      file,
    );
    await waitFor(`tcpdump listening on ${ns}:${dev}`, () => readFileSync(file, 'utf8').includes('listening on'), {
      timeoutMs: 10_000,
      stepMs: 100,
    });
    await traffic();
    await new Promise<void>((resolve) => {
      if (td.child.exitCode !== null || td.child.signalCode !== null) {
        resolve();
        return;
      }
      const timer = setTimeout(() => {
        void stopBackground(td).then(resolve);
      }, 3000);
      td.child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
    });
    return readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => /^\d\d:/.test(l));
  }

  /** vtysh in a node's or the leaf's pathspace. */
  vtysh(node: NodeName | 'leaf', command: string): Promise<string> {
    return run('vtysh', ['-N', node, '-c', command]);
  }

  async vtyshJson(node: NodeName | 'leaf', command: string): Promise<unknown> {
    return JSON.parse(await this.vtysh(node, `${command} json`)) as unknown;
  }

  /** `ip -j ...` in a namespace, parsed. */
  async ipJson(ns: string, args: readonly string[]): Promise<unknown[]> {
    const out = await run('ip', ['-n', ns, '-j', ...args]);
    return out.trim() === '' ? [] : (JSON.parse(out) as unknown[]);
  }

  /** `ok`: every one of the `count` requests was answered (`lost` names those that were not: ping-summary.ts unanswered). */
  async ping(fromNs: string, to: string, count = 3): Promise<{ ok: boolean; lost: number[]; output: string }> {
    // -w: wait for every reply up to the deadline. Without it, once one reply
    // came, iputils waits only two RTTs (at least the interval) for the last
    // one: -W applies only while nothing was answered. Under load a late third
    // reply was counted as lost while the first two came back in 5 ms.
    const deadline = String(Math.ceil(count * 0.2) + 3);
    const r = await tryRun(
      'ip',
      ['netns', 'exec', fromNs, 'ping', '-c', String(count), '-i', '0.2', '-W', '2', '-w', deadline, to],
      20_000,
    );
    const output = r.stdout + r.stderr;
    const lost = unanswered(output, count);
    return { ok: r.code === 0 && lost.length === 0, lost, output };
  }

  /** Writes the EVPN state of both nodes and the leaf and the VMs' neighbours to `<artifacts>/<name>.txt`; returns the path. */
  async diagnose(name: string, vmNames: readonly string[]): Promise<string> {
    const parts: string[] = [];
    const show = async (title: string, file: string, args: readonly string[]): Promise<void> => {
      const r = await tryRun(file, args);
      parts.push(`--- ${title}\n${r.stdout}${r.stderr}`);
    };
    for (const n of nodes) {
      for (const c of [
        'show evpn vni',
        'show evpn rmac vni all',
        'show evpn mac vni all',
        'show evpn arp-cache vni all',
        'show bgp l2vpn evpn route',
      ]) {
        await show(`${n.name}: ${c}`, 'vtysh', ['-N', n.name, '-c', c]);
      }
      await show(`${n.name}: links`, 'ip', ['-n', n.name, '-br', 'link', 'show']);
      await show(`${n.name}: addrs`, 'ip', ['-n', n.name, '-br', 'addr', 'show']);
      await show(`${n.name}: bridge vlan`, 'bridge', ['-n', n.name, 'vlan', 'show']);
      await show(`${n.name}: fdb`, 'bridge', ['-n', n.name, 'fdb', 'show']);
      await show(`${n.name}: neigh`, 'ip', ['-n', n.name, 'neigh', 'show']);
      await show(`${n.name}: routes (all tables)`, 'ip', ['-n', n.name, 'route', 'show', 'table', 'all']);
      parts.push(
        `--- ${n.name}: ovs-vsctl show\n${await this.chassis(n.name)
          .show()
          .catch((e: unknown) => String(e))}`,
      );
      parts.push(
        `--- ${n.name}: ovs-ofctl dump-ports ${PROVIDER_BRIDGE}\n${await this.chassis(n.name)
          .tool('ovs-ofctl', ['dump-ports', PROVIDER_BRIDGE])
          .catch((e: unknown) => String(e))}`,
      );
    }
    for (const c of ['show evpn vni', 'show evpn mac vni all', 'show bgp l2vpn evpn'])
      await show(`leaf: ${c}`, 'vtysh', ['-N', LEAF, '-c', c]);
    await show('leaf: fdb', 'bridge', ['-n', LEAF, 'fdb', 'show']);
    await show('leaf: routes (all tables)', 'ip', ['-n', LEAF, 'route', 'show', 'table', 'all']);
    for (const v of [...vmNames, leaf.bms.ns, leaf.host.ns])
      await show(`${v}: neigh`, 'ip', ['-n', v, 'neigh', 'show']);
    const file = join(this.#opts.artifacts, `${name}.txt`);
    writeFileSync(file, parts.join('\n'));
    return file;
  }

  /** Copies FRR logs and running configs next to the agents' logs. */
  async collectArtifacts(): Promise<void> {
    for (const n of [...nodes.map((x) => x.name), LEAF]) {
      const r = await tryRun('vtysh', ['-N', n, '-c', 'show running-config']);
      writeFileSync(join(this.#opts.artifacts, `frr-running-${n}.conf`), r.stdout + r.stderr);
    }
    const evpn = await tryRun('vtysh', ['-N', LEAF, '-c', 'show bgp l2vpn evpn']);
    writeFileSync(join(this.#opts.artifacts, 'leaf-show-bgp-l2vpn-evpn.txt'), evpn.stdout + evpn.stderr);
    await tryRun('bash', ['-c', `cp /var/log/frr/*.log ${this.#opts.artifacts}/ 2>/dev/null`]);
  }

  async stop(): Promise<void> {
    // Agents first (they would otherwise react to FRR going away), then the chassis, then relays.
    for (const p of [...this.#procs].reverse()) {
      if (p.name.startsWith('relay-')) continue;
      await stopBackground(p);
    }
    for (const c of this.#chassis.values()) await c.stop(this.#opts.artifacts);
    for (const p of [...this.#procs].reverse()) await stopBackground(p);
    for (const n of [...nodes.map((x) => x.name), LEAF]) {
      for (const d of ['bgpd', 'zebra']) {
        const pid = await tryRun('cat', [`/var/run/frr/${n}/${d}.pid`]);
        if (pid.code === 0 && /^\d+$/.test(pid.stdout.trim())) await tryRun('kill', [pid.stdout.trim()]);
      }
    }
  }
}

/**
 * A bash fragment: the FRR daemons of namespace and pathspace `ns`, started as
 * FRR's own frrinit.sh does with an integrated config: every daemon without
 * `-f`, then `vtysh -b` sends frr.conf (only `frr defaults datacenter` here).
 * FRR 10 has mgmtd, which must run before zebra, and zebra's `-f` would drop
 * the YANG commands (`vrf … / vni`) that only mgmtd takes; FRR 8.4 has none.
 */
function frrDaemons(ns: string): string {
  return `
      mkdir -p /etc/frr/${ns} /var/run/frr/${ns} /var/log/frr
      printf 'frr defaults datacenter\\n!\\n' > /etc/frr/${ns}/frr.conf
      echo 'service integrated-vtysh-config' > /etc/frr/${ns}/vtysh.conf
      chown -R frr:frr /etc/frr/${ns} /var/run/frr/${ns} /var/log/frr
      ${FRR_DAEMONS.map((d) => frrDaemon(ns, d)).join('\n      ')}
      vtysh -N ${ns} -b >/dev/null`;
}

/** The command line of one FRR daemon in namespace and pathspace `ns` (no `-f`: see frrDaemons). */
function frrDaemon(ns: string, daemon: 'mgmtd' | 'zebra' | 'bgpd'): string {
  const extra = daemon === 'zebra' ? ' -s 90000000' : '';
  // No inherited descriptors: FRR 10's mgmtd keeps them open after daemonising, and the caller waits for them to close.
  // -F datacenter: without -f the defaults profile must come on the command line, as frrcommon.sh passes it.
  return `ip netns exec ${ns} /usr/lib/frr/${daemon} -N ${ns} -F datacenter -d -A 127.0.0.1${extra} --log file:${frrLogFile(ns, daemon)} </dev/null >/dev/null 2>&1`;
}

async function waitForFrr(ns: string): Promise<void> {
  await waitFor(`FRR of ${ns}`, async () => (await tryRun('vtysh', ['-N', ns, '-c', 'show version'])).code === 0, {
    timeoutMs: 20_000,
    stepMs: 100,
  });
}
