// OvsdbClient against a real 3-member RAFT cluster of OVN_Northbound
// (test/harness/ovn/ovn-cluster.ts): member lists, `_Server` tracking (a member
// cut off from its cluster is left, and the client waits for a good one), the
// next member after a kill, and a re-created database (new cluster id) resynced
// from scratch and reported.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startOvnClusters, type OvnClusters } from '../../test/harness/ovn/ovn-cluster.ts';
import { waitFor } from '../../test/harness/wait-for.ts';
import { OvsdbClient, type DatabaseReplaced, type Row } from './index.ts';

const NB = 'OVN_Northbound';
type SwitchRow = Row & { name: string };

let ovn: OvnClusters;
const clients: OvsdbClient[] = [];

beforeAll(async () => {
  ovn = await startOvnClusters();
}, 120_000);

afterAll(async () => {
  await ovn.stop();
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  for (const [i] of ovn.nb.members.entries()) ovn.nb.resume(i);
});

async function connect(remote: string): Promise<OvsdbClient> {
  const client = await OvsdbClient.connect({
    remote,
    databases: [NB],
    probeIntervalMs: 1000,
    backoff: { initialMs: 50, maxMs: 500 },
  });
  clients.push(client);
  return client;
}

async function monitorSwitches(client: OvsdbClient): Promise<{ names: () => string[] }> {
  const replica = await client.monitor<{ Logical_Switch: SwitchRow }>({ db: NB, tables: { Logical_Switch: ['name'] } });
  return { names: () => [...replica.table('Logical_Switch').values()].map((r) => r.name).sort() };
}

const attached = (client: OvsdbClient): number => {
  const i = ovn.nb.memberOf(client.remote.text);
  if (i === undefined) throw new Error(`${client.remote.text} is no member`);
  return i;
};

describe('clustered OVN_Northbound', () => {
  it('takes the member list, reads a follower or the leader, and knows the cluster it reads', async () => {
    await ovn.nb.ctl(['ls-add', 'c-first']);
    const client = await connect(ovn.nb.tcpRemotes);
    expect(client.remotes.map((r) => r.text).sort()).toEqual(ovn.nb.members.map((m) => m.tcp).sort());
    const switches = await monitorSwitches(client);
    expect(switches.names()).toContain('c-first');
    const [member] = client.members();
    expect(member).toMatchObject({ db: NB, model: 'clustered' });
    expect(member?.cid).toMatch(/^[0-9a-f-]{36}$/);
    expect(client.clusterView(NB).minIndex).toBeGreaterThan(0);
    expect(client.clusterView(NB).cid).toBe(member?.cid);
  });

  it('leaves a member cut off from its cluster and reads on from a good one once there is one', async () => {
    const client = await connect(ovn.nb.tcpRemotes);
    const switches = await monitorSwitches(client);
    const me = attached(client);
    const others = [0, 1, 2].filter((i) => i !== me);
    const left: string[] = [];
    client.on('memberLeft', (info) => left.push(info.reason));
    for (const i of others) ovn.nb.pause(i);
    await waitFor('the client to leave the isolated member', () => left.length > 0, { timeoutMs: 30_000 });
    expect(left[0]).toMatch(/disconnected from its cluster/);
    // Nothing may be read from the cluster now: the isolated member is refused, the frozen ones do not answer.
    await waitFor('no member in use', () => client.state !== 'connected', { timeoutMs: 5000 });
    for (const i of others) ovn.nb.resume(i);
    await ovn.nb.ctl(['ls-add', 'c-after-isolation']);
    await waitFor('the change made after the isolation', () => switches.names().includes('c-after-isolation'), {
      timeoutMs: 60_000,
    });
    expect(client.state).toBe('connected');
  });

  it('moves to the next member when the one it reads is killed', async () => {
    const client = await connect(ovn.nb.tcpRemotes);
    const switches = await monitorSwitches(client);
    const me = attached(client);
    await ovn.nb.kill(me);
    await ovn.nb.ctl(['ls-add', 'c-after-kill']);
    await waitFor('the change made after the kill', () => switches.names().includes('c-after-kill'), {
      timeoutMs: 30_000,
    });
    expect(attached(client)).not.toBe(me);
    await ovn.nb.start(me);
    await ovn.nb.waitHealthy();
  });

  it('resyncs a re-created database from scratch and says so', async () => {
    const client = await connect(ovn.nb.tcpRemotes);
    const switches = await monitorSwitches(client);
    expect(switches.names().length).toBeGreaterThan(0);
    const before = client.clusterView(NB).cid;
    const replaced: DatabaseReplaced[] = [];
    client.on('databaseReplaced', (r) => replaced.push(r));
    await ovn.nb.recreate();
    await ovn.nb.ctl(['ls-add', 'c-new-db']);
    await waitFor('the re-created database read', () => switches.names().join() === 'c-new-db', { timeoutMs: 60_000 });
    expect(replaced).toEqual([{ db: NB, from: before, to: client.clusterView(NB).cid }]);
    expect(client.clusterView(NB).cid).not.toBe(before);
  });
});
