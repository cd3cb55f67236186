// The guest's two-node fabric: network namespaces node-a and node-b joined by an
// underlay veth (10.0.0.1 ↔ 10.0.0.2), each with its own FRR (zebra + bgpd in
// the node's pathspace), its node agent (`ip netns exec`, so its netlink sockets
// act on that node), a Linux VLAN-aware bridge br-prov standing in for OVS's
// provider bridge, and "VM" namespaces plugged into br-prov as access ports of
// their network's VLAN (how an OVN localnet port tags per network).
//
// The agents reach the host's API server through socat: in the guest root ns a
// unix socket forwards to 10.0.2.2:PORT (slirpvde), and in each node ns
// 127.0.0.1:6443 forwards to that socket (a socket path crosses namespaces).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { bash, run, startBackground, stopBackground, tryRun, waitFor, type Background } from './guest-exec.ts';
import { nodes, type NodeName, type Vm } from './scenario.ts';

const repo = join(import.meta.dirname, '..', '..');
const NODE_API_PORT = 6443;

export interface FabricOptions {
  /** Guest-side kubeconfig (server 10.0.2.2:PORT). */
  readonly kubeconfig: string;
  readonly apiPort: string;
  /** Host directory (inside the repository) for logs. */
  readonly artifacts: string;
}

export class Fabric {
  readonly #opts: FabricOptions;
  readonly #procs: Background[] = [];
  readonly #agents = new Map<NodeName, Background>();
  readonly #work = '/tmp/e2e';

  constructor(opts: FabricOptions) {
    this.#opts = opts;
    mkdirSync(this.#work, { recursive: true });
    mkdirSync(opts.artifacts, { recursive: true });
  }

  /** Namespaces, underlay, loopbacks and forwarding. */
  async createNodes(): Promise<void> {
    await bash(`
      for ns in node-a node-b; do ip netns add $ns; done
      ip link add underlay netns node-a type veth peer name underlay netns node-b
      ip -n node-a addr add 10.0.0.1/24 dev underlay
      ip -n node-b addr add 10.0.0.2/24 dev underlay
      for ns in node-a node-b; do
        ip -n $ns link set lo up
        ip -n $ns link set underlay up
        ip netns exec $ns sysctl -qw net.ipv4.ip_forward=1
        ip -n $ns link add br-prov type bridge vlan_filtering 1 vlan_default_pvid 0 stp_state 0
        ip -n $ns link set br-prov up
      done`);
  }

  /** socat relays from each node's 127.0.0.1:6443 to the host's API server. */
  async startApiRelay(): Promise<void> {
    const sock = join(this.#work, 'api.sock');
    this.#procs.push(startBackground('relay-root', 'socat', [`UNIX-LISTEN:${sock},fork,unlink-early`, `TCP:10.0.2.2:${this.#opts.apiPort}`], join(this.#opts.artifacts, 'relay.log')));
    await waitFor('the root relay socket', 10_000, async () => (await tryRun('test', ['-S', sock])).code === 0, 50);
    for (const n of nodes) {
      this.#procs.push(startBackground(`relay-${n.name}`, 'ip', ['netns', 'exec', n.name, 'socat',
        `TCP-LISTEN:${String(NODE_API_PORT)},bind=127.0.0.1,reuseaddr,fork`, `UNIX-CONNECT:${sock}`], join(this.#opts.artifacts, 'relay.log')));
    }
    // 127.0.0.1 is the name the API server's certificate covers, so no tls-server-name is needed here.
    const kc = parse(readFileSync(this.#opts.kubeconfig, 'utf8')) as { clusters: { cluster: Record<string, unknown> }[] };
    for (const c of kc.clusters) {
      c.cluster.server = `https://127.0.0.1:${String(NODE_API_PORT)}`;
      delete c.cluster['tls-server-name'];
    }
    writeFileSync(this.nodeKubeconfig, stringify(kc), { mode: 0o600 });
  }

  get nodeKubeconfig(): string {
    return join(this.#work, 'node.kubeconfig');
  }

  /** zebra + bgpd per node, in the node's namespace and pathspace, with an empty config the agent replaces. */
  async startFrr(): Promise<void> {
    await bash(nodes.map((n) => `
      mkdir -p /etc/frr/${n.name} /var/run/frr/${n.name} /var/log/frr
      printf 'frr defaults datacenter\\n!\\n' > /etc/frr/${n.name}/frr.conf
      echo 'service integrated-vtysh-config' > /etc/frr/${n.name}/vtysh.conf
      chown -R frr:frr /etc/frr/${n.name} /var/run/frr/${n.name} /var/log/frr
      ip netns exec ${n.name} /usr/lib/frr/zebra -N ${n.name} -d -A 127.0.0.1 -s 90000000 -f /etc/frr/${n.name}/frr.conf --log file:/var/log/frr/${n.name}-zebra.log
      ip netns exec ${n.name} /usr/lib/frr/bgpd -N ${n.name} -d -A 127.0.0.1 -f /etc/frr/${n.name}/frr.conf --log file:/var/log/frr/${n.name}-bgpd.log
    `).join('\n'));
    for (const n of nodes) {
      await waitFor(`FRR of ${n.name}`, 20_000, async () => (await tryRun('vtysh', ['-N', n.name, '-c', 'show version'])).code === 0, 100);
    }
  }

  /** One agent per node, run inside the node's namespace; default ASN from the VTEP (seed 001), eBGP to the other node. */
  startAgents(): void {
    for (const n of nodes) {
      const args = ['netns', 'exec', n.name, join(repo, 'bin', 'evpn-node-agent'),
        `--vtep-ip=${n.vtep}`, `--bgp-peer=${n.peer}:external`, `--frr-pathspace=${n.name}`,
        `--frr-config=${join(this.#work, `${n.name}-frr.conf`)}`, '--http-addr=127.0.0.1:9650', '--resync-seconds=30'];
      const env = { ...process.env, NODE_NAME: n.name, KUBECONFIG: this.nodeKubeconfig, LOG_LEVEL: process.env.LOG_LEVEL ?? 'info' };
      const agent = startBackground(`agent-${n.name}`, 'ip', args, join(this.#opts.artifacts, `agent-${n.name}.log`), env);
      this.#agents.set(n.name, agent);
      this.#procs.push(agent);
    }
  }

  agentAlive(node: NodeName): boolean {
    const a = this.#agents.get(node);
    return a !== undefined && a.child.exitCode === null && a.child.signalCode === null;
  }

  /**
   * Plugs the agent's evpn-ovs into br-prov as a trunk of `vlans`, as OVN's
   * localnet ports on the provider bridge would carry them.
   */
  async plugUplink(node: NodeName, vlans: readonly number[]): Promise<void> {
    await bash(`
      ip -n ${node} link set evpn-ovs master br-prov
      ${vlans.map((v) => `bridge -n ${node} vlan add dev evpn-ovs vid ${String(v)}`).join('\n')}
      ip -n ${node} link set evpn-ovs up`);
  }

  /** A VM: a namespace with eth0, plugged into br-prov on the network's VLAN (untagged access port). */
  async addVm(v: Vm, vlan: number): Promise<void> {
    const prefix = v.network.cidr.split('/')[1] ?? '24';
    const tap = `tap-${v.name}`;
    await bash(`
      ip netns add ${v.name}
      ip link add ${tap} netns ${v.node} type veth peer name eth0 netns ${v.name}
      ip -n ${v.node} link set ${tap} master br-prov
      bridge -n ${v.node} vlan add dev ${tap} vid ${String(vlan)} pvid untagged
      ip -n ${v.node} link set ${tap} up
      ip -n ${v.name} link set lo up
      ip -n ${v.name} link set eth0 address ${v.mac}
      ip -n ${v.name} addr add ${v.ip}/${prefix} dev eth0
      ip -n ${v.name} link set eth0 up
      ${v.network.type === 'l2' ? `ip -n ${v.name} route add default via ${v.network.gateway}` : ''}`);
  }

  vtysh(node: NodeName, command: string): Promise<string> {
    return run('vtysh', ['-N', node, '-c', command]);
  }

  async vtyshJson(node: NodeName, command: string): Promise<unknown> {
    return JSON.parse(await this.vtysh(node, `${command} json`)) as unknown;
  }

  /** `ip -j ...` in a namespace, parsed. */
  async ipJson(ns: string, args: readonly string[]): Promise<unknown[]> {
    const out = await run('ip', ['-n', ns, '-j', ...args]);
    return out.trim() === '' ? [] : (JSON.parse(out) as unknown[]);
  }

  async ping(fromNs: string, to: string, count = 3): Promise<{ ok: boolean; output: string }> {
    const r = await tryRun('ip', ['netns', 'exec', fromNs, 'ping', '-c', String(count), '-i', '0.2', '-W', '2', to], 20_000);
    return { ok: r.code === 0, output: r.stdout + r.stderr };
  }

  /** Writes the EVPN state of both nodes and the VMs' neighbours to `<artifacts>/<name>.txt`; returns the path. */
  async diagnose(name: string, vmNames: readonly string[]): Promise<string> {
    const parts: string[] = [];
    const show = async (title: string, file: string, args: readonly string[]): Promise<void> => {
      const r = await tryRun(file, args);
      parts.push(`--- ${title}\n${r.stdout}${r.stderr}`);
    };
    for (const n of nodes) {
      for (const c of ['show evpn vni', 'show evpn rmac vni all', 'show evpn mac vni all', 'show evpn arp-cache vni all', 'show bgp l2vpn evpn route']) {
        await show(`${n.name}: ${c}`, 'vtysh', ['-N', n.name, '-c', c]);
      }
      await show(`${n.name}: links`, 'ip', ['-n', n.name, '-br', 'link', 'show']);
      await show(`${n.name}: addrs`, 'ip', ['-n', n.name, '-br', 'addr', 'show']);
      await show(`${n.name}: bridge vlan`, 'bridge', ['-n', n.name, 'vlan', 'show']);
      await show(`${n.name}: fdb`, 'bridge', ['-n', n.name, 'fdb', 'show']);
      await show(`${n.name}: neigh`, 'ip', ['-n', n.name, 'neigh', 'show']);
      await show(`${n.name}: routes (all tables)`, 'ip', ['-n', n.name, 'route', 'show', 'table', 'all']);
    }
    for (const v of vmNames) await show(`${v}: neigh`, 'ip', ['-n', v, 'neigh', 'show']);
    const file = join(this.#opts.artifacts, `${name}.txt`);
    writeFileSync(file, parts.join('\n'));
    return file;
  }

  /** Copies FRR logs and running configs next to the agents' logs. */
  async collectArtifacts(): Promise<void> {
    for (const n of nodes) {
      const r = await tryRun('vtysh', ['-N', n.name, '-c', 'show running-config']);
      writeFileSync(join(this.#opts.artifacts, `frr-running-${n.name}.conf`), r.stdout + r.stderr);
    }
    await tryRun('bash', ['-c', `cp /var/log/frr/*.log ${this.#opts.artifacts}/ 2>/dev/null`]);
  }

  async stop(): Promise<void> {
    // Agents first (they would otherwise react to FRR going away), then relays.
    for (const p of [...this.#procs].reverse()) await stopBackground(p);
    for (const n of nodes) {
      for (const d of ['bgpd', 'zebra']) {
        const pid = await tryRun('cat', [`/var/run/frr/${n.name}/${d}.pid`]);
        if (pid.code === 0 && /^\d+$/.test(pid.stdout.trim())) await tryRun('kill', [pid.stdout.trim()]);
      }
    }
  }
}
