// Fault injection with real components: kill -9 of the NB ovsdb-server, the SB
// ovsdb-server, ovn-northd, the kube-apiserver (etcd stays up) and the leading
// operator (two replicas with leader election, restarted like a Deployment's
// pods), one at a time, while a steady stream of OVN changes flows: a new
// VLAN network with an association and a VM port every 250 ms, the port bound
// to a chassis as ovn-controller would once northd made its Port_Binding.
// Afterwards every network in OVN is mirrored once with the values OVN has,
// each has exactly its one port set, none was lost or recreated (uids
// unchanged), and the user's object was not touched (resourceVersion
// unchanged). Recovery time: from the restart (or the kill, for the operator,
// whose standby takes over) to the first network added after it showing up in
// the apiserver together with its port set; one line `fault-recovery …` ms.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Label, type EvpnNetwork } from '../crds/index.ts';
import { evpnResources } from '../crds/resources.ts';
import { applyObject } from '../lib/kube/apply.ts';
import { startOvnDatabases, type OvnDatabases } from '../test/harness/ovn/ovn-databases.ts';
import {
  deleteAllEvpnObjects,
  getObject,
  leaseHolder,
  startKubeEnv,
  type KubeEnv,
} from '../test/harness/operator/kube-env.ts';
import { waitFor } from '../test/harness/wait-for.ts';
import { startOperatorReplicas, type OperatorReplicas } from '../test/harness/operator/operator-replicas.ts';
import { addChassis } from '../test/harness/operator/ovn-driver.ts';
import {
  expectMirrorsOvn,
  isMirroredWithPorts,
  recordUids as recordStreamUids,
  startChangeStream,
  type Streamed,
} from '../test/harness/operator/change-stream.ts';

const LEASE = `fault-${randomUUID().slice(0, 8)}`;
const CHASSIS = 'chassis-fault';
const NODE = 'node-fault';

let kube: KubeEnv;
let ovn: OvnDatabases;
let ops: OperatorReplicas | undefined;

beforeAll(async () => {
  [kube, ovn] = await Promise.all([startKubeEnv(), startOvnDatabases({ northd: true })]);
  await deleteAllEvpnObjects(kube.client);
  await addChassis(ovn.sbctl, CHASSIS, NODE);
  ops = startOperatorReplicas({
    count: 2,
    args: [
      '--ovn-nb',
      ovn.nbRemote.unix,
      '--ovn-sb',
      ovn.sbRemote.unix,
      '--metrics-addr',
      '127.0.0.1:0',
      '--prune-grace',
      '1s',
      '--leader-elect',
      '--lease-name',
      LEASE,
      '--lease-duration',
      '6s',
      '--renew-deadline',
      '4s',
      '--retry-period',
      '1s',
    ],
    // info: the probe server's port line tells a replica is up.
    env: { KUBECONFIG: kube.cp.kubeconfigPath, LOG_LEVEL: 'info' },
  });
}, 60_000);

afterAll(async () => {
  await ops?.stop();
  await Promise.all([ovn.stop(), kube.stop()]);
});

const getNetwork = (name: string): Promise<EvpnNetwork | undefined> =>
  getObject<EvpnNetwork>(kube.client, evpnResources.networks, name);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

type Recovery = (what: string, t0: number, from: number) => Promise<void>;

/** kill -9 of an OVN daemon, down for a second, restarted. */
async function faultOvn(which: 'nb' | 'sb' | 'northd', added: readonly Streamed[], recovered: Recovery): Promise<void> {
  const pid = ovn.pids()[which];
  expect(pid, which).toBeDefined();
  process.kill(pid ?? 0, 'SIGKILL');
  const from = added.length;
  await sleep(1000);
  const t0 = Date.now();
  await (which === 'nb' ? ovn.restartNb() : which === 'sb' ? ovn.restartSb() : ovn.restartNorthd());
  await recovered(which, t0, from);
}

/** kill -9 of the apiserver (etcd stays up), restarted on the same port: the operators reconnect (or restart after losing the lease). */
async function faultApiServer(added: readonly Streamed[], recovered: Recovery): Promise<void> {
  const pid = kube.cp.pids().apiServer;
  process.kill(pid, 'SIGKILL');
  const from = added.length;
  await sleep(1000);
  const t0 = Date.now();
  await kube.cp.restartApiServer();
  expect(kube.cp.pids().apiServer).not.toBe(pid);
  await recovered('apiserver', t0, from);
}

/** kill -9 of the leading operator: the standby takes the lease and carries on; the killed replica comes back as the standby. */
async function faultLeader(added: readonly Streamed[], recovered: Recovery): Promise<void> {
  const replicas = ops?.replicas ?? [];
  const holder = await waitFor(
    'a lease holder',
    async () => {
      const h = await leaseHolder(kube.client, LEASE);
      return ops?.byIdentity(h) !== undefined ? h : undefined;
    },
    { timeoutMs: 30_000 },
  );
  const leader = ops?.byIdentity(holder);
  const standby = replicas.find((r) => r !== leader);
  if (leader === undefined || standby === undefined)
    throw new Error(`no leader and standby among ${replicas.map((r) => r.identity()).join(', ')}`);
  const standbyIdentity = standby.identity();
  const from = added.length;
  const t0 = Date.now();
  // Held down until the standby leads, so the lease cannot go to a fresh start of the killed replica instead.
  await leader.killAndHold();
  await recovered('operator-leader', t0, from);
  expect(await leaseHolder(kube.client, LEASE), 'the lease moved to the standby').toBe(standbyIdentity);
  expect(standby.identity(), 'the standby kept running').toBe(standbyIdentity);
  leader.resume();
  expect(
    await waitFor('the killed replica up again', () => leader.current().metricsPort(), { timeoutMs: 60_000 }),
  ).toBeGreaterThan(0);
  await sleep(2000); // a few retry periods of the new standby
  expect(await leaseHolder(kube.client, LEASE), 'the restarted replica stays standby').toBe(standbyIdentity);
}

describe('fault injection: kill -9 while OVN changes flow', () => {
  it('loses, duplicates and recreates nothing, the standby takes over, and the user object is untouched', async () => {
    const userName = `user-${randomUUID().slice(0, 8)}`;
    const userSpec = { type: 'l3', vrf: 'tenant-vrf' };
    await applyObject(
      kube.client,
      evpnResources.networks,
      { metadata: { name: userName }, spec: userSpec },
      { fieldManager: 'gitops' },
    );
    // The operator reports on every network (its status subresource) once; from then on the object must stay as it is.
    const user = await waitFor(
      "the user object with the operator's status",
      async () => {
        const u = await getNetwork(userName);
        return u?.status?.conditions?.some((c) => c.type === 'Accepted') === true ? u : undefined;
      },
      { timeoutMs: 30_000 },
    );

    const stream = startChangeStream({ nbctl: ovn.nbctl, sbctl: ovn.sbctl, chassis: CHASSIS, vniBase: 60000 });
    const { added } = stream;
    const mirroredWithPorts = (n: Streamed | undefined): Promise<true | undefined> =>
      isMirroredWithPorts(kube.client, n, NODE);
    await waitFor('first networks and their port sets', () => mirroredWithPorts(added[3]), { timeoutMs: 60_000 });

    const uids = new Map<string, string>();
    const recordUids = (): Promise<void> => recordStreamUids(kube.client, added, NODE, uids);
    await recordUids();

    const recovery: Record<string, number> = {};
    const recovered: Recovery = async (what, t0, from) => {
      await waitFor(`a network (and its port set) added after the ${what} kill`, () => mirroredWithPorts(added[from]), {
        timeoutMs: 90_000,
        stepMs: 50,
      });
      recovery[what] = Date.now() - t0;
      await recordUids();
    };
    for (const which of ['nb', 'sb', 'northd'] as const) await faultOvn(which, added, recovered);
    await faultApiServer(added, recovered);
    await faultLeader(added, recovered);

    await stream.stop();
    await waitFor(
      'every streamed network mirrored with its port set',
      async () => {
        for (const n of added) if ((await mirroredWithPorts(n)) === undefined) return undefined;
        return true;
      },
      { timeoutMs: 60_000 },
    );
    await sleep(2500); // past the prune grace
    await expectMirrorsOvn(kube.client, added, NODE, uids);
    // The user's object: not modified at all.
    const after = await getNetwork(userName);
    expect(after?.metadata.uid).toBe(user.metadata.uid);
    expect(after?.metadata.resourceVersion).toBe(user.metadata.resourceVersion);
    expect(after?.spec).toEqual(userSpec);
    expect(after?.metadata.labels?.[Label.MirroredFrom]).toBeUndefined();
    // Nothing but the user's own apply on spec and metadata: the operator holds status fields only.
    const managers = (after?.metadata.managedFields ?? []) as { manager?: string; subresource?: string }[];
    expect(managers.filter((m) => m.subresource !== 'status').map((m) => m.manager)).toEqual(['gitops']);
    const restarts = (ops?.replicas ?? []).map((r) => `${r.name}:${String(r.starts() - 1)}`).join(',');
    process.stdout.write(
      `fault injection: ${String(added.length)} networks streamed, ${String(uids.size)} uids checked, operator restarts ${restarts}\n`,
    );
    process.stdout.write(
      `fault-recovery ${Object.entries(recovery)
        .map(([k, v]) => `${k}=${String(v)}`)
        .join(' ')} ms\n`,
    );
  }, 300_000);
});
