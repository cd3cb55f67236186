// The OVS uplink step against a real ovsdb-server + ovs-vswitchd (netdev
// datapath: the kernel datapath does not forward in UML) and the real kernel
// inside the UML guest; ovs-vsctl and iproute2 are the independent oracles.
// First OvsUplink alone (plug, trunks following the networks, other tools'
// external_ids keys kept, adoption with zero writes, repair, loop warning,
// unmapped physnet, moving with the mapping, removal), then the whole NodeAgent with the kube-apiserver (node status).
import { statSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_GROUP_VERSION } from '../../crds/index.ts';
import type { EvpnNetwork, EvpnNodeState } from '../../crds/index.ts';
import { evpnResources } from '../../crds/resources.ts';
import { applyObject, deleteObject, getObject } from '../../lib/kube/apply.ts';
import { loadKubeConfig } from '../../lib/kube/config.ts';
import { KubeClient } from '../../lib/kube/kube-client.ts';
import { silentLogger } from '../../lib/log.ts';
import { requireUmlGuest, run } from '../../test/harness/uml/oracle.ts';
import { NodeAgent, type PassSummary } from '../agent.ts';
import { AgentConfig } from '../config.ts';
import { openKernel, type KernelAdapter } from '../kernel/netlink/kernel-adapter.ts';
import { OvsUplink } from './ovs-uplink.ts';

const DIR = '/tmp/ovs-uplink-test';
const DB = `unix:${DIR}/db.sock`;
const PORT = 'ovs-t1';

const vsctl = (...args: string[]): string => run('ovs-vsctl', [`--db=${DB}`, '--timeout=20', ...args]).trim();
type Cell = unknown;
/** ovs-vsctl's JSON datum → plain value (a one-element set is printed as its atom). */
const plain = (c: Cell): unknown => {
  if (!Array.isArray(c)) return c;
  const [tag, v] = c as [string, unknown];
  if (tag === 'uuid') return v;
  if (tag === 'set') return (v as Cell[]).map(plain);
  if (tag === 'map') return Object.fromEntries((v as [Cell, Cell][]).map(([k, x]) => [plain(k), plain(x)]));
  return c;
};
interface PortRow {
  _uuid: string;
  name: string;
  trunks: number[];
  tag: number | null;
  vlan_mode: string | null;
  external_ids: Record<string, string>;
}
function ports(): PortRow[] {
  const out = JSON.parse(
    vsctl('--format=json', '--columns=_uuid,name,trunks,tag,vlan_mode,external_ids', 'list', 'Port'),
  ) as { headings: string[]; data: Cell[][] };
  return out.data.map((row) => {
    const o = Object.fromEntries(out.headings.map((h, i) => [h, plain(row[i])])) as Record<string, unknown>;
    const set = (v: unknown): unknown[] => (Array.isArray(v) ? v : [v]);
    return {
      ...o,
      trunks: set(o.trunks) as number[],
      tag: (set(o.tag)[0] as number | undefined) ?? null,
      vlan_mode: (set(o.vlan_mode)[0] as string | undefined) ?? null,
    } as PortRow;
  });
}
const port = (name: string): PortRow | undefined => ports().find((p) => p.name === name);
const bridgeOf = (name: string): string => vsctl('port-to-br', name);
const dbSize = (): number => statSync(`${DIR}/conf.db`).size;

const net = (name: string, vlanId: number, physnet?: string): EvpnNetwork => ({
  apiVersion: API_GROUP_VERSION,
  kind: 'EvpnNetwork',
  metadata: { name },
  spec: {
    type: 'l2',
    vni: 30000 + vlanId,
    vlanId,
    ...(physnet !== undefined ? { provider: { physicalNetwork: physnet } } : {}),
  },
});

/** What vswitchd made of an interface, for failure messages. */
const diagnose = (iface: string): string => {
  try {
    return `${vsctl('--columns=name,ofport,error,admin_state,link_state', 'list', 'Interface', iface)}\n${run('tail', ['-n', '15', `${DIR}/ovs-vswitchd.log`])}`;
  } catch (e: unknown) {
    return String(e);
  }
};

async function waitFor(check: () => boolean, what: string, timeoutMs = 10_000, explain?: () => string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${explain ? `\n${explain()}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(() => {
  requireUmlGuest();
  process.env.OVS_RUNDIR = DIR;
  process.env.OVS_DBDIR = DIR;
  process.env.OVS_LOGDIR = DIR;
  // netdev bridges' own ports are taps (/dev/net/tun); nothing autoloads tun.
  for (const m of ['tun', 'veth']) run('modprobe', [m]);
  run('mkdir', ['-p', DIR]);
  run('ovsdb-tool', ['create', `${DIR}/conf.db`, '/usr/share/openvswitch/vswitch.ovsschema']);
  run('ovsdb-server', [
    `${DIR}/conf.db`,
    `--remote=punix:${DIR}/db.sock`,
    `--pidfile=${DIR}/ovsdb-server.pid`,
    `--unixctl=${DIR}/ovsdb-server.ctl`,
    '--detach',
    `--log-file=${DIR}/ovsdb-server.log`,
  ]);
  vsctl('--no-wait', 'init');
  run('ovs-vswitchd', [
    DB,
    `--pidfile=${DIR}/ovs-vswitchd.pid`,
    `--unixctl=${DIR}/ovs-vswitchd.ctl`,
    '--detach',
    `--log-file=${DIR}/ovs-vswitchd.log`,
  ]);
  for (const br of ['br-prov', 'br-ex']) vsctl('add-br', br, '--', 'set', 'bridge', br, 'datapath_type=netdev');
  vsctl(
    'set',
    'Open_vSwitch',
    '.',
    'external_ids:ovn-bridge-mappings="physnet1:br-prov,physnet2:br-ex"',
    'external_ids:system-id=chassis-uml',
  );
  // The kernel side of the uplink for the first part (the agent makes its own, evpn-ovs, in the second).
  run('ip', ['link', 'add', PORT, 'type', 'veth', 'peer', 'name', `${PORT}k`]);
  for (const dev of [PORT, `${PORT}k`]) run('ip', ['link', 'set', dev, 'up']);
});

afterAll(() => {
  try {
    run('ovs-appctl', ['-t', `${DIR}/ovs-vswitchd.ctl`, 'exit', '--cleanup']);
  } catch {
    /* not running */
  }
  try {
    run('ovs-appctl', ['-t', `${DIR}/ovsdb-server.ctl`, 'exit']);
  } catch {
    /* not running */
  }
  for (const dev of [PORT, 'eth-f', 'eth-all']) {
    try {
      run('ip', ['link', 'del', dev]);
    } catch {
      /* gone */
    }
  }
});

describe('OvsUplink on a real ovsdb-server + ovs-vswitchd', () => {
  let uplink: OvsUplink;
  const changes: string[] = [];
  const start = async (): Promise<OvsUplink> => {
    const u = new OvsUplink({ remote: DB, portName: PORT, log: silentLogger() });
    u.subscribe((what) => changes.push(what));
    await u.start();
    return u;
  };
  let networks = [net('a', 3001, 'physnet1')];

  beforeAll(async () => {
    uplink = await start();
  });
  afterAll(async () => {
    await uplink.close();
  });

  it('plugs the uplink on the mapped bridge on the first pass, trunking the network VLAN, marked ours', async () => {
    const o = await uplink.sync(networks);
    expect(o).toMatchObject({ applied: true, writes: 1, systemId: 'chassis-uml', loopRisks: [] });
    expect(o.networks.get('a')).toMatchObject({ plugged: true, bridge: 'br-prov', physicalNetwork: 'physnet1' });
    expect(bridgeOf(PORT)).toBe('br-prov');
    expect(port(PORT)).toMatchObject({
      trunks: [3001],
      tag: null,
      vlan_mode: 'trunk',
      external_ids: { 'ovn-evpn:owner': 'node-agent', 'ovn-evpn:physical-networks': 'physnet1' },
    });
    // vswitchd opened the veth (netdev datapath): a real ofport, no error.
    await waitFor(
      () => Number(vsctl('get', 'Interface', PORT, 'ofport')) > 0,
      'an ofport',
      20_000,
      () => diagnose(PORT),
    );
    expect(vsctl('get', 'Interface', PORT, 'error')).toBe('[]');
    expect((await uplink.sync(networks)).writes).toBe(0);
  });

  it('keeps trunks equal to the stretched VLANs as networks come and go, one transaction each', async () => {
    networks = [net('a', 3001, 'physnet1'), net('b', 3002, 'physnet1'), net('plain', 3003)];
    expect((await uplink.sync(networks)).writes).toBe(1);
    expect(port(PORT)?.trunks).toEqual([3001, 3002]); // the network without a provider stays out of OVS
    networks = [net('b', 3002, 'physnet1')];
    expect((await uplink.sync(networks)).writes).toBe(1);
    expect(port(PORT)?.trunks).toEqual([3002]);
    expect((await uplink.sync(networks)).writes).toBe(0);
  });

  it("keeps another tool's external_ids keys on our port through every update (mutate, not replace)", async () => {
    vsctl('set', 'Port', PORT, 'external_ids:other-tool=keep-me', 'external_ids:"ovn-evpn:stale"=ours-once');
    changes.length = 0;
    vsctl(
      'set',
      'Open_vSwitch',
      '.',
      'external_ids:ovn-bridge-mappings="physnet1:br-prov,physnet2:br-ex,physnet3:br-prov"',
    );
    await waitFor(() => changes.length > 0, 'a change notification');
    // New trunks and a new value of our physical-networks key, in one transaction.
    networks = [net('b', 3002, 'physnet1'), net('d', 3006, 'physnet3')];
    expect((await uplink.sync(networks)).writes).toBe(1);
    expect(port(PORT)).toMatchObject({ trunks: [3002, 3006] });
    expect(port(PORT)?.external_ids).toEqual({
      'other-tool': 'keep-me',
      'ovn-evpn:owner': 'node-agent',
      'ovn-evpn:physical-networks': 'physnet1,physnet3',
    });
    networks = [net('b', 3002, 'physnet1')];
    expect((await uplink.sync(networks)).writes).toBe(1);
    expect(port(PORT)?.external_ids).toEqual({
      'other-tool': 'keep-me',
      'ovn-evpn:owner': 'node-agent',
      'ovn-evpn:physical-networks': 'physnet1',
    });
    // A foreign key alone is no reason to write.
    vsctl('set', 'Port', PORT, 'external_ids:other-tool=changed');
    expect((await uplink.sync(networks)).writes).toBe(0);
    expect(port(PORT)?.external_ids['other-tool']).toBe('changed');
    vsctl('set', 'Open_vSwitch', '.', 'external_ids:ovn-bridge-mappings="physnet1:br-prov,physnet2:br-ex"');
  });

  it('adopts the port after a restart with zero OVSDB writes', async () => {
    // ovs-vsctl (without --no-wait) returns once ovs-vswitchd has reconfigured and
    // written back (ofport, cur_cfg): from here only our writes could grow the file.
    vsctl('set', 'Open_vSwitch', '.', 'external_ids:uplink-test=settled');
    const before = port(PORT);
    const size = dbSize();
    await uplink.close();
    uplink = await start();
    const o = await uplink.sync(networks);
    expect(o).toMatchObject({ applied: true, writes: 0 });
    expect(port(PORT)).toEqual(before);
    expect(dbSize()).toBe(size); // nothing committed to the database file
  });

  it('is told when someone deletes the port, and puts it back', async () => {
    changes.length = 0;
    vsctl('del-port', PORT);
    await waitFor(() => changes.length > 0, 'a change notification');
    expect((await uplink.sync(networks)).writes).toBe(1);
    expect(bridgeOf(PORT)).toBe('br-prov');
    expect(port(PORT)?.trunks).toEqual([3002]);
  });

  it('warns about another port of the bridge carrying a stretched VLAN and never touches it', async () => {
    for (const dev of ['eth-f', 'eth-all']) {
      run('ip', ['link', 'add', dev, 'type', 'veth', 'peer', 'name', `${dev}p`]);
      run('ip', ['link', 'set', dev, 'up']);
    }
    changes.length = 0;
    vsctl('add-port', 'br-prov', 'eth-f', 'tag=3002');
    vsctl('add-port', 'br-prov', 'eth-all'); // no tag, no trunks: every VLAN
    vsctl('add-port', 'br-prov', 'eth-other', 'tag=7', '--', 'set', 'Interface', 'eth-other', 'type=internal');
    await waitFor(() => changes.length > 0, 'a change notification');
    const foreign = ports().filter((p) => p.name !== PORT);
    const o = await uplink.sync(networks);
    expect(o.writes).toBe(0);
    expect(o.loopRisks).toEqual([
      { bridge: 'br-prov', port: 'eth-all', vlans: [3002] },
      { bridge: 'br-prov', port: 'eth-f', vlans: [3002] },
    ]);
    networks = [net('b', 3002, 'physnet1'), net('c', 3004, 'physnet1')];
    expect((await uplink.sync(networks)).writes).toBe(1);
    expect(ports().filter((p) => p.name !== PORT)).toEqual(foreign);
    expect(bridgeOf('eth-f')).toBe('br-prov');
  });

  it('gives a network of an unmapped physical network NoBridgeMapping; the others stay plugged', async () => {
    networks = [net('b', 3002, 'physnet1'), net('c', 3004, 'physnet1'), net('lost', 3005, 'physnet9')];
    const o = await uplink.sync(networks);
    expect(o.writes).toBe(0);
    expect(o.networks.get('lost')).toMatchObject({ plugged: false, reason: 'NoBridgeMapping' });
    expect(o.networks.get('b')?.plugged).toBe(true);
    expect(port(PORT)?.trunks).toEqual([3002, 3004]);
  });

  it('follows a changed bridge mapping: the same port row moves to the new bridge', async () => {
    const uuid = port(PORT)?._uuid;
    changes.length = 0;
    vsctl('set', 'Open_vSwitch', '.', 'external_ids:ovn-bridge-mappings="physnet1:br-ex"');
    await waitFor(() => changes.length > 0, 'a change notification');
    const o = await uplink.sync(networks);
    expect(o).toMatchObject({ writes: 1, loopRisks: [] });
    expect(bridgeOf(PORT)).toBe('br-ex');
    expect(port(PORT)?._uuid).toBe(uuid);
    expect(vsctl('list-ports', 'br-prov').split('\n')).toEqual(['eth-all', 'eth-f', 'eth-other']);
    vsctl('set', 'Open_vSwitch', '.', 'external_ids:ovn-bridge-mappings="physnet1:br-prov,physnet2:br-ex"');
  });

  it('removes the port when nothing is stretched, and only the port', async () => {
    const o = await uplink.sync([net('plain', 3003)]);
    expect(o).toMatchObject({ applied: true, writes: 1 });
    expect(port(PORT)).toBeUndefined();
    expect(vsctl('list-ports', 'br-prov').split('\n')).toEqual(['eth-all', 'eth-f', 'eth-other']);
    expect(vsctl('list-ports', 'br-ex')).toBe('');
    expect((await uplink.sync([])).writes).toBe(0);
  });
});

describe('the node agent with OVS: node status', () => {
  const NODE = 'uml-ovs-node';
  const FM = { fieldManager: 'agent-ovs-test', force: true };
  let client: KubeClient;
  let kernel: KernelAdapter;
  let uplink: OvsUplink;
  let agent: NodeAgent;
  const names = ['ovs-net-a', 'ovs-net-lost'];

  beforeAll(async () => {
    client = new KubeClient(loadKubeConfig().kubeConfig);
    kernel = openKernel();
    uplink = new OvsUplink({ remote: DB, portName: 'evpn-ovs', log: silentLogger() });
    await uplink.start();
    const config = AgentConfig.parse({
      node: { nodeName: NODE, vtepIp: '10.0.0.1' },
      bgp: { asn: 65000, routerId: '10.0.0.1' },
      frr: { enabled: false },
      ovs: { remote: DB },
    });
    agent = new NodeAgent({ config, client, kernel, ovs: uplink, log: silentLogger() });
    await agent.start();
  });

  afterAll(async () => {
    for (const name of names) await deleteObject(client, evpnResources.networks, { name });
    await agent.syncNow();
    await agent.stop();
    await uplink.close();
    kernel.close();
  });

  async function until(check: (s: PassSummary) => boolean, timeoutMs = 20_000): Promise<PassSummary> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const s = await agent.syncNow();
      if (check(s)) return s;
      if (Date.now() > end) throw new Error('condition not reached');
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  const state = async (): Promise<EvpnNodeState> =>
    (await getObject(client, evpnResources.nodeStates, { name: NODE })) as unknown as EvpnNodeState;

  it('plugs the veth the kernel pass made and reports unmapped networks and loop risks on EvpnNodeState', async () => {
    await applyObject(
      client,
      evpnResources.networks,
      { metadata: { name: 'ovs-net-a' }, spec: net('ovs-net-a', 3011, 'physnet1').spec },
      FM,
    );
    await applyObject(
      client,
      evpnResources.networks,
      { metadata: { name: 'ovs-net-lost' }, spec: net('ovs-net-lost', 3012, 'physnet9').spec },
      FM,
    );
    const s = await until((x) => x.ovs?.networks.has('ovs-net-lost') === true && x.ovs.networks.has('ovs-net-a'));
    expect(s.ovs).toMatchObject({ applied: true });
    expect(bridgeOf('evpn-ovs')).toBe('br-prov');
    expect(port('evpn-ovs')?.trunks).toContain(3011);
    expect(port('evpn-ovs')?.trunks).not.toContain(3012);
    await waitFor(
      () => Number(vsctl('get', 'Interface', 'evpn-ovs', 'ofport')) > 0,
      'an ofport for evpn-ovs',
      20_000,
      () => diagnose('evpn-ovs'),
    );
    await until(() => true);
    const st = await state();
    expect(st.status?.networks?.find((n) => n.name === 'ovs-net-lost')).toMatchObject({
      ready: false,
      reason: 'NoBridgeMapping',
    });
    expect(st.status?.networks?.find((n) => n.name === 'ovs-net-a')).toMatchObject({ ready: true });
    expect(st.status?.conditions?.find((c) => c.type === 'OvsApplied')).toMatchObject({ status: 'True' });
    expect(st.status?.conditions?.find((c) => c.type === 'VlanLoopRisk')).toMatchObject({ status: 'True' }); // eth-all carries every VLAN
    vsctl('del-port', 'eth-all');
    await until((x) => x.ovs?.loopRisks.length === 0);
    await until(() => true);
    expect((await state()).status?.conditions?.find((c) => c.type === 'VlanLoopRisk')).toMatchObject({
      status: 'False',
    });
  });

  it('removes the OVS port when its networks are deleted', async () => {
    for (const name of names) await deleteObject(client, evpnResources.networks, { name });
    await until(() => port('evpn-ovs') === undefined);
    expect(vsctl('list-ports', 'br-prov').split('\n')).toEqual(['eth-f', 'eth-other']);
  });
});
