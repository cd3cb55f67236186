// Clustered OVN under faults, with real components: NB and SB each a 3-member
// RAFT cluster of ovsdb-server processes with ovn-northd on the member lists
// (test/harness/ovn/ovn-cluster.ts), the operator (bin/evpn-operator) given
// the TCP member lists, and the steady stream of changes of fault.int.test.ts
// flowing all the while. One at a time: kill -9 of the NB and of the SB
// leader; SIGSTOP of the NB member the operator reads (it must leave it on the
// echo probe); the member the operator reads cut off from its two peers (they
// are SIGSTOPped) so it reports connected=false (the operator must leave it and
// read nothing until the cluster is back); NB and SB members wiped and joined
// again empty; the whole OVN (every NB and SB member) restarted.
// After each: every network added so far is mirrored with its port set, with
// the uid first seen; no EvpnNetwork or EvpnPortSet was ever deleted (a watch
// sees every event); at the end, OVN and the mirror match exactly and the
// user's object is untouched. Recovery time: from the end of the fault (the
// restart or resume; for the SIGSTOP, the stop) to the first network added
// after it showing up with its port set; one line `cluster-fault-recovery …`.
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Label, type EvpnNetwork, type EvpnPortSet } from '../crds/index.ts';
import { evpnResources } from '../crds/resources.ts';
import { applyObject } from '../lib/kube/apply.ts';
import type { Live } from './object-key.ts';
import { startOvnClusters, type OvnCluster, type OvnClusters } from '../test/harness/ovn/ovn-cluster.ts';
import { deleteAllEvpnObjects, getObject, startKubeEnv, type KubeEnv } from '../test/harness/operator/kube-env.ts';
import { startOperatorReplicas, type OperatorReplicas } from '../test/harness/operator/operator-replicas.ts';
import { addChassis } from '../test/harness/operator/ovn-driver.ts';
import {
  expectMirrorsOvn,
  isMirroredWithPorts,
  recordUids,
  startChangeStream,
  type Streamed,
} from '../test/harness/operator/change-stream.ts';
import { WatchLog } from '../test/harness/operator/watch-log.ts';
import { waitFor } from '../test/harness/wait-for.ts';

const CHASSIS = 'chassis-cluster';
const NODE = 'node-cluster';
const NB = 'OVN_Northbound';
/** The operator's OVSDB probe: a stopped member is left within it. */
const PROBE_MS = 3000;

let kube: KubeEnv;
let ovn: OvnClusters;
let ops: OperatorReplicas | undefined;
let networkWatch: WatchLog<Live<EvpnNetwork>> | undefined;
let portSetWatch: WatchLog<Live<EvpnPortSet>> | undefined;

beforeAll(async () => {
  [kube, ovn] = await Promise.all([startKubeEnv(), startOvnClusters({ northd: true })]);
  await deleteAllEvpnObjects(kube.client);
  await addChassis(ovn.sb.ctl, CHASSIS, NODE);
  networkWatch = await new WatchLog<Live<EvpnNetwork>>(kube.client, evpnResources.networks).start();
  portSetWatch = await new WatchLog<Live<EvpnPortSet>>(kube.client, evpnResources.portSets).start();
  ops = startOperatorReplicas({
    count: 1,
    args: [
      '--ovn-nb',
      ovn.nb.tcpRemotes,
      '--ovn-sb',
      ovn.sb.tcpRemotes,
      '--metrics-addr',
      '127.0.0.1:0',
      '--prune-grace',
      '1s',
      '--leader-elect=false',
      '--ovsdb-probe-interval',
      `${String(PROBE_MS)}ms`,
    ],
    // info: the OVSDB client logs which member it reads ('ovsdb connected') and why it leaves one.
    env: { KUBECONFIG: kube.cp.kubeconfigPath, LOG_LEVEL: 'info' },
  });
}, 120_000);

afterAll(async () => {
  // The operator's log, for a failed run: which member it read, when and why it left one.
  const logFile = join(tmpdir(), `cluster-fault-operator-${String(process.pid)}.log`);
  writeFileSync(
    logFile,
    logs()
      .map((l) => JSON.stringify(l))
      .join('\n'),
  );
  process.stderr.write(`cluster faults: operator log in ${logFile}\n`);
  await ops?.stop();
  await Promise.all([networkWatch?.stop(), portSetWatch?.stop()]);
  await Promise.all([ovn.stop(), kube.stop()]);
});

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const logs = (): Record<string, unknown>[] => ops?.replicas[0]?.current().logs ?? [];
const nbLogs = (from: number, msg: string): Record<string, unknown>[] =>
  logs()
    .slice(from)
    .filter((l) => l['msg'] === msg && l['db'] === NB);

/** The NB member the operator reads now, from its last 'ovsdb connected' line. */
function attachedNbMember(): number {
  const line = nbLogs(0, 'ovsdb connected').at(-1);
  const i = ovn.nb.memberOf(String(line?.['remote']));
  if (i === undefined) throw new Error(`no NB member in ${JSON.stringify(line)}`);
  return i;
}

describe('clustered OVN faults while changes flow', () => {
  it('mirrors every network once, from members in good standing only, through every fault', async () => {
    const userName = `user-${randomUUID().slice(0, 8)}`;
    const userSpec = { type: 'l3', vrf: 'tenant-vrf' };
    await applyObject(
      kube.client,
      evpnResources.networks,
      { metadata: { name: userName }, spec: userSpec },
      { fieldManager: 'gitops' },
    );
    const user = await waitFor(
      "the user object with the operator's status",
      async () => {
        const u = await getObject<EvpnNetwork>(kube.client, evpnResources.networks, userName);
        return u?.status?.conditions?.some((c) => c.type === 'Accepted') === true ? u : undefined;
      },
      { timeoutMs: 60_000 },
    );

    const stream = startChangeStream({ nbctl: ovn.nb.ctl, sbctl: ovn.sb.ctl, chassis: CHASSIS, vniBase: 61000 });
    const { added } = stream;
    const mirrored = (n: Streamed | undefined): Promise<true | undefined> => isMirroredWithPorts(kube.client, n, NODE);
    await waitFor('first networks and their port sets', () => mirrored(added[3]), { timeoutMs: 90_000 });
    const uids = new Map<string, string>();
    await recordUids(kube.client, added, NODE, uids);

    const recovery: Record<string, number> = {};
    /** From the first network after the fault being in NB to it being mirrored with its port set (northd, the bind, the operator). */
    const lag: Record<string, number> = {};
    const deletes = (): number =>
      [...(networkWatch?.events ?? []), ...(portSetWatch?.events ?? [])].filter((e) => e.type === 'delete').length;
    /** Waits for the first network added after the fault, then checks everything added so far. */
    const recovered = async (what: string, t0: number, from: number): Promise<void> => {
      await waitFor(`a network (and its port set) added after ${what}`, () => mirrored(added[from]), {
        timeoutMs: 120_000,
        stepMs: 50,
      });
      recovery[what] = Date.now() - t0;
      lag[what] = Date.now() - (added[from]?.at ?? NaN);
      const sofar = added.slice();
      await waitFor(
        `every network so far mirrored after ${what}`,
        async () => {
          for (const n of sofar) if ((await mirrored(n)) === undefined) return undefined;
          return true;
        },
        { timeoutMs: 60_000 },
      );
      const before = new Map(uids);
      await recordUids(kube.client, sofar, NODE, uids);
      for (const [key, uid] of before) expect(uids.get(key), `${key} after ${what}`).toBe(uid);
      for (const n of sofar) {
        const now = await getObject<EvpnNetwork>(kube.client, evpnResources.networks, n.id);
        expect(now?.metadata.uid, `${n.id} not recreated by ${what}`).toBe(uids.get(n.id));
      }
      expect(deletes(), `nothing deleted during ${what}`).toBe(0);
    };

    const killLeader = async (c: OvnCluster): Promise<void> => {
      const leader = await c.leader();
      const from = added.length;
      await c.kill(leader);
      await sleep(1000);
      const t0 = Date.now();
      await c.start(leader);
      await recovered(`${c.which}-leader-kill`, t0, from);
      await c.waitHealthy();
    };
    await killLeader(ovn.nb);
    await killLeader(ovn.sb);

    // SIGSTOP of the member the operator reads: it must leave on the echo probe and read another one.
    {
      const me = attachedNbMember();
      const mark = logs().length;
      const from = added.length;
      const t0 = Date.now();
      ovn.nb.pause(me);
      await waitFor('the operator leaving the stopped member', () => nbLogs(mark, 'ovsdb disconnected').length > 0, {
        timeoutMs: 30_000,
        stepMs: 50,
      });
      recovery['nb-attached-sigstop-left'] = Date.now() - t0;
      expect(String(nbLogs(mark, 'ovsdb disconnected')[0]?.['err'])).toMatch(/no reply from .* to echo/);
      await recovered('nb-attached-sigstop', t0, from);
      expect(attachedNbMember()).not.toBe(me);
      ovn.nb.resume(me);
      await ovn.nb.waitHealthy();
    }

    // The member the operator reads cut off from its peers: connected=false, so it is left and nothing is read until the peers are back.
    {
      const me = attachedNbMember();
      const peers = [0, 1, 2].filter((i) => i !== me);
      const mark = logs().length;
      const from = added.length;
      for (const i of peers) ovn.nb.pause(i);
      const t0 = Date.now();
      await waitFor('the operator leaving the isolated member', () => nbLogs(mark, 'leaving ovsdb member').length > 0, {
        timeoutMs: 30_000,
        stepMs: 50,
      });
      recovery['nb-isolated-left'] = Date.now() - t0;
      expect(String(nbLogs(mark, 'leaving ovsdb member')[0]?.['reason'])).toMatch(/disconnected from its cluster/);
      await sleep(8000); // the operator keeps trying: the isolated member is refused, the stopped ones do not answer
      const left = logs().length;
      expect(nbLogs(mark, 'ovsdb connected'), 'no NB member read while the cluster has no quorum').toEqual([]);
      expect(
        logs()
          .slice(mark)
          .some((l) => l['db'] === NB && /disconnected from its cluster/.test(JSON.stringify([l['err'], l['reason']]))),
      ).toBe(true);
      for (const i of peers) ovn.nb.resume(i);
      const t1 = Date.now();
      await recovered('nb-isolated', t1, from);
      expect(nbLogs(left, 'ovsdb connected').length).toBeGreaterThan(0);
      await ovn.nb.waitHealthy();
    }

    // A member wiped and joined again empty, in NB (the one the operator reads) and in SB.
    for (const c of [ovn.nb, ovn.sb]) {
      const target = c === ovn.nb ? attachedNbMember() : await c.leader();
      const from = added.length;
      const t0 = Date.now();
      await c.wipeAndRejoin(target);
      await c.waitHealthy(60_000);
      await recovered(`${c.which}-wipe-rejoin`, t0, from);
    }

    // The whole OVN restarted: every member of NB and SB stopped, then started.
    {
      const from = added.length;
      await Promise.all([ovn.nb, ovn.sb].map((c) => c.restartAll()));
      const t0 = Date.now();
      await recovered('restart-all', t0, from);
      await Promise.all([ovn.nb.waitHealthy(), ovn.sb.waitHealthy()]);
    }

    await stream.stop();
    await waitFor(
      'every streamed network mirrored with its port set',
      async () => {
        for (const n of added) if ((await mirrored(n)) === undefined) return undefined;
        return true;
      },
      { timeoutMs: 60_000 },
    );
    await sleep(2500); // past the prune grace
    await expectMirrorsOvn(kube.client, added, NODE, uids);
    expect(deletes(), 'no EvpnNetwork or EvpnPortSet deleted at any point').toBe(0);
    const after = await getObject<EvpnNetwork>(kube.client, evpnResources.networks, userName);
    expect(after?.metadata.uid).toBe(user.metadata.uid);
    expect(after?.metadata.resourceVersion).toBe(user.metadata.resourceVersion);
    expect(after?.spec).toEqual(userSpec);
    expect(after?.metadata.labels?.[Label.MirroredFrom]).toBeUndefined();
    const restarts = (ops?.replicas ?? []).map((r) => `${r.name}:${String(r.starts() - 1)}`).join(',');
    process.stdout.write(
      `cluster faults: ${String(added.length)} networks streamed, ${String(uids.size)} uids checked, operator restarts ${restarts}\n`,
    );
    process.stdout.write(
      `cluster-fault-recovery ${Object.entries(recovery)
        .map(([k, v]) => `${k}=${String(v)}`)
        .join(' ')} ms\n`,
    );
    process.stdout.write(
      `cluster-fault-lag (in NB → mirrored) ${Object.entries(lag)
        .map(([k, v]) => `${k}=${String(v)}`)
        .join(' ')} ms\n`,
    );
    expect(restarts).toBe('replica-a:0');
  }, 600_000);
});
