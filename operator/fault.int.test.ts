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
import { Label, type EvpnNetwork, type EvpnPortSet, type EvpnVrf } from '../crds/index.ts';
import { portSetName } from '../crds/evpn-port-set.ts';
import { evpnResources } from '../crds/resources.ts';
import { applyObject } from '../lib/kube/apply.ts';
import { startOvnDatabases, type OvnDatabases } from '../test/harness/ovn/ovn-databases.ts';
import { driverExternalIds } from '../test/fixtures/mirror/driver-rows.ts';
import { deleteAllEvpnObjects, getObject, leaseHolder, listObjects, startKubeEnv, type KubeEnv } from '../test/harness/operator/kube-env.ts';
import { waitFor } from '../test/harness/wait-for.ts';
import { startOperatorReplicas, type OperatorReplicas } from '../test/harness/operator/operator-replicas.ts';
import { addChassis, addNetwork, addVmPort, freshTag } from '../test/harness/operator/ovn-driver.ts';

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
    args: ['--ovn-nb', ovn.nbRemote.unix, '--ovn-sb', ovn.sbRemote.unix, '--metrics-addr', '127.0.0.1:0', '--prune-grace', '1s',
      '--leader-elect', '--lease-name', LEASE, '--lease-duration', '6s', '--renew-deadline', '4s', '--retry-period', '1s'],
    // info: the probe server's port line tells a replica is up.
    env: { KUBECONFIG: kube.cp.kubeconfigPath, LOG_LEVEL: 'info' },
  });
}, 60_000);

afterAll(async () => {
  await ops?.stop();
  await Promise.all([ovn.stop(), kube.stop()]);
});

const getNetwork = (name: string): Promise<EvpnNetwork | undefined> => getObject<EvpnNetwork>(kube.client, evpnResources.networks, name);
const getPortSet = (network: string): Promise<EvpnPortSet | undefined> => getObject<EvpnPortSet>(kube.client, evpnResources.portSets, portSetName(network, NODE));
const association = (vni: number): Record<string, string> => driverExternalIds({ vni, type: 'l3', routeTargets: [`65000:${vni}`] });
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface Streamed { id: string; vni: number; tag: number; port: string; mac: string }
const macOf = (i: number): string => `02:00:00:fa:${((i >> 8) & 0xff).toString(16).padStart(2, '0')}:${(i & 0xff).toString(16).padStart(2, '0')}`;

/** Neutron adding networks and VM ports, and ovn-controller binding each port once its Port_Binding exists, whatever is down. */
function startStream(): { added: Streamed[]; stop(): Promise<void> } {
  const added: Streamed[] = [];
  const unbound: Streamed[] = [];
  const flow = { on: true };
  let vni = 60000;
  const tick = async (): Promise<void> => {
    const n: Streamed = { id: randomUUID(), vni, tag: freshTag(), port: '', mac: macOf(vni - 60000) };
    n.port = `vm-${n.id.slice(0, 8)}`;
    try {
      await addNetwork(ovn.nbctl, n.id, association(n.vni), { segment: { type: 'vlan', tag: n.tag } });
      await addVmPort(ovn.nbctl, { networkId: n.id, portId: n.port, mac: n.mac, ips: [] });
      added.push(n);
      unbound.push(n);
      vni++;
    } catch {
      // NB is down (a network without its port is retried whole: ls-add fails on the name): the driver would retry too.
      await ovn.nbctl(['--if-exists', 'ls-del', `neutron-${n.id}`]).catch(() => undefined);
    }
    for (const p of [...unbound]) {
      try {
        await ovn.sbctl(['lsp-bind', p.port, CHASSIS]);
        unbound.splice(unbound.indexOf(p), 1);
      } catch {
        break; // no Port_Binding yet (northd down or behind) or SB down
      }
    }
  };
  const loop = (async () => {
    while (flow.on) {
      await tick();
      await sleep(250);
    }
    // Bind what is left, so the end state is complete.
    await waitFor('every port bound', async () => {
      await tick().catch(() => undefined);
      return unbound.length === 0 ? true : undefined;
    }, { timeoutMs: 30_000 });
  })();
  return { added, stop: async () => { flow.on = false; await loop; } };
}

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
  const holder = await waitFor('a lease holder', async () => {
    const h = await leaseHolder(kube.client, LEASE);
    return ops?.byIdentity(h) !== undefined ? h : undefined;
  }, { timeoutMs: 30_000 });
  const leader = ops?.byIdentity(holder);
  const standby = replicas.find((r) => r !== leader);
  if (leader === undefined || standby === undefined) throw new Error(`no leader and standby among ${replicas.map((r) => r.identity()).join(', ')}`);
  const standbyIdentity = standby.identity();
  const from = added.length;
  const t0 = Date.now();
  // Held down until the standby leads, so the lease cannot go to a fresh start of the killed replica instead.
  await leader.killAndHold();
  await recovered('operator-leader', t0, from);
  expect(await leaseHolder(kube.client, LEASE), 'the lease moved to the standby').toBe(standbyIdentity);
  expect(standby.identity(), 'the standby kept running').toBe(standbyIdentity);
  leader.resume();
  expect(await waitFor('the killed replica up again', () => leader.current().metricsPort(), { timeoutMs: 60_000 })).toBeGreaterThan(0);
  await sleep(2000); // a few retry periods of the new standby
  expect(await leaseHolder(kube.client, LEASE), 'the restarted replica stays standby').toBe(standbyIdentity);
}

/** Every OVN network mirrored once as OVN has it, with its one port set; uids as first seen. */
async function expectMirrorsOvn(added: readonly Streamed[], uids: ReadonlyMap<string, string>): Promise<void> {
  const mirrored = await listObjects<EvpnNetwork>(kube.client, evpnResources.networks, Label.MirroredFrom);
  expect(mirrored.map((n) => n.metadata.name).sort()).toEqual(added.map((n) => n.id).sort());
  const byName = new Map(mirrored.map((n) => [n.metadata.name, n]));
  const vrfs = new Set((await listObjects<EvpnVrf>(kube.client, evpnResources.vrfs)).map((v) => v.metadata.name));
  for (const n of added) {
    const m = byName.get(n.id);
    expect(m?.spec, n.id).toMatchObject({ type: 'l3', vlanId: n.tag, source: { networkId: n.id } });
    expect(vrfs.has(m?.spec.vrf ?? ''), `${n.id}: its VRF ${m?.spec.vrf ?? '?'} exists`).toBe(true);
  }
  const sets = await listObjects<EvpnPortSet>(kube.client, evpnResources.portSets, Label.MirroredFrom);
  expect(sets.map((x) => x.metadata.name).sort()).toEqual(added.map((n) => portSetName(n.id, NODE)).sort());
  for (const n of added) {
    const set = sets.find((x) => x.metadata.name === portSetName(n.id, NODE));
    expect(set?.spec, n.id).toEqual({ network: n.id, nodeName: NODE, ports: [{ name: n.port, mac: n.mac }] });
  }
  // Not recreated: the uids first seen are still the uids.
  for (const n of mirrored) {
    const first = uids.get(n.metadata.name);
    if (first !== undefined) expect(n.metadata.uid, n.metadata.name).toBe(first);
  }
  for (const set of sets) {
    const first = uids.get(`ps/${set.spec.network}`);
    if (first !== undefined) expect(set.metadata.uid, set.metadata.name).toBe(first);
  }
}

describe('fault injection: kill -9 while OVN changes flow', () => {
  it('loses, duplicates and recreates nothing, the standby takes over, and the user object is untouched', async () => {
    const userName = `user-${randomUUID().slice(0, 8)}`;
    const userSpec = { type: 'l3', vrf: 'tenant-vrf' };
    await applyObject(kube.client, evpnResources.networks, { metadata: { name: userName }, spec: userSpec }, { fieldManager: 'gitops' });
    // The operator reports on every network (its status subresource) once; from then on the object must stay as it is.
    const user = await waitFor('the user object with the operator\'s status', async () => {
      const u = await getNetwork(userName);
      return u?.status?.conditions?.some((c) => c.type === 'Accepted') === true ? u : undefined;
    }, { timeoutMs: 30_000 });

    const stream = startStream();
    const { added } = stream;
    const mirroredWithPorts = async (n: Streamed | undefined): Promise<true | undefined> =>
      n !== undefined && (await getNetwork(n.id)) !== undefined && (await getPortSet(n.id)) !== undefined ? true : undefined;
    await waitFor('first networks and their port sets', () => mirroredWithPorts(added[3]), { timeoutMs: 60_000 });

    const uids = new Map<string, string>();
    const recordUids = async (): Promise<void> => {
      for (const n of added) {
        for (const [key, get] of [[n.id, getNetwork], [`ps/${n.id}`, getPortSet]] as const) {
          const uid = (await get(n.id))?.metadata.uid;
          if (uid !== undefined && !uids.has(key)) uids.set(key, uid);
        }
      }
    };
    await recordUids();

    const recovery: Record<string, number> = {};
    const recovered: Recovery = async (what, t0, from) => {
      await waitFor(`a network (and its port set) added after the ${what} kill`, () => mirroredWithPorts(added[from]), { timeoutMs: 90_000, stepMs: 50 });
      recovery[what] = Date.now() - t0;
      await recordUids();
    };
    for (const which of ['nb', 'sb', 'northd'] as const) await faultOvn(which, added, recovered);
    await faultApiServer(added, recovered);
    await faultLeader(added, recovered);

    await stream.stop();
    await waitFor('every streamed network mirrored with its port set', async () => {
      for (const n of added) if ((await mirroredWithPorts(n)) === undefined) return undefined;
      return true;
    }, { timeoutMs: 60_000 });
    await sleep(2500); // past the prune grace
    await expectMirrorsOvn(added, uids);
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
    process.stdout.write(`fault injection: ${String(added.length)} networks streamed, ${String(uids.size)} uids checked, operator restarts ${restarts}\n`);
    process.stdout.write(`fault-recovery ${Object.entries(recovery).map(([k, v]) => `${k}=${String(v)}`).join(' ')} ms\n`);
  }, 300_000);
});
