// Fault injection with real components: kill -9 of the NB ovsdb-server, the SB
// ovsdb-server and the operator process (bin/evpn-operator), one at a time,
// while a steady stream of OVN changes flows. Afterwards every network in OVN
// is mirrored once, none was lost or recreated (uids unchanged), and a user
// object was not touched. Recovery time: from the restart (or the kill, for
// the operator, which is restarted at once) to the first network added after
// it showing up in the apiserver.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Label, type EvpnNetwork } from '../crds/index.ts';
import { evpnResources } from '../crds/resources.ts';
import { applyObject } from '../lib/kube/apply.ts';
import { startOvnDatabases, type OvnDatabases } from '../test/harness/ovn/ovn-databases.ts';
import { driverExternalIds } from './mirror/fixtures/driver-rows.ts';
import { deleteAllEvpnObjects, getObject, listObjects, startKubeEnv, type KubeEnv } from '../test/harness/operator/kube-env.ts';
import { waitFor } from '../test/harness/wait-for.ts';
import { startOperatorProcess, type OperatorProcess } from '../test/harness/operator/operator-process.ts';
import { addNetwork } from '../test/harness/operator/ovn-driver.ts';

let kube: KubeEnv;
let ovn: OvnDatabases;
let op: OperatorProcess | undefined;

const startOperator = (): OperatorProcess => startOperatorProcess(
  ['--ovn-nb', ovn.nbRemote.unix, '--ovn-sb', ovn.sbRemote.unix, '--metrics-addr', '127.0.0.1:0', '--no-leader-elect', '--prune-grace', '1s'],
  { KUBECONFIG: kube.cp.kubeconfigPath, LOG_LEVEL: 'warn' },
);

beforeAll(async () => {
  [kube, ovn] = await Promise.all([startKubeEnv(), startOvnDatabases()]);
  // The integration files share one API server: start without other files' mirrored objects.
  await deleteAllEvpnObjects(kube.client);
  op = startOperator();
}, 60_000);

afterAll(async () => {
  op?.child.kill('SIGKILL');
  await Promise.all([ovn.stop(), kube.stop()]);
});

const getNetwork = (name: string): Promise<EvpnNetwork | undefined> => getObject<EvpnNetwork>(kube.client, evpnResources.networks, name);
const association = (vni: number): Record<string, string> => driverExternalIds({ vni, type: 'l3', routeTargets: [`65000:${vni}`] });

describe('fault injection: kill -9 while OVN changes flow', () => {
  it('loses, duplicates and recreates nothing, and leaves the user object alone', async () => {
    const userName = `user-${randomUUID().slice(0, 8)}`;
    const userSpec = { type: 'l3', vrf: 'tenant-vrf' };
    await applyObject(kube.client, evpnResources.networks, { metadata: { name: userName }, spec: userSpec }, { fieldManager: 'gitops' });
    const user = await waitFor('user object', () => getNetwork(userName));

    // The stream: one new network every 250 ms, whatever is down.
    const added: string[] = [];
    let vni = 60000;
    const flow = { on: true };
    const stream = (async () => {
      while (flow.on) {
        const id = randomUUID();
        try {
          await addNetwork(ovn.nbctl, id, association(vni));
          added.push(id);
          vni++;
        } catch {
          // NB is down: the driver would retry too.
        }
        await new Promise((r) => setTimeout(r, 250));
      }
    })();
    await waitFor('first networks', async () => (added.length >= 4 && (await getNetwork(added[3] ?? '')) !== undefined ? true : undefined), { timeoutMs: 30_000 });
    const uids = new Map<string, string>();
    const recordUids = async (): Promise<void> => {
      for (const id of added) {
        const n = await getNetwork(id);
        if (n?.metadata.uid !== undefined && !uids.has(id)) uids.set(id, n.metadata.uid);
      }
    };
    await recordUids();

    const recovery: Record<string, number> = {};
    const firstAfter = async (what: string, t0: number): Promise<void> => {
      const from = added.length;
      await waitFor(`a network added after the ${what} kill`, async () => {
        const id = added[from];
        return id !== undefined && (await getNetwork(id)) !== undefined ? true : undefined;
      }, { timeoutMs: 60_000 });
      recovery[what] = Date.now() - t0;
      await recordUids();
    };

    for (const which of ['nb', 'sb'] as const) {
      const pid = ovn.pids()[which];
      expect(pid, which).toBeDefined();
      process.kill(pid ?? 0, 'SIGKILL');
      await new Promise((r) => setTimeout(r, 1000));
      const t0 = Date.now();
      await (which === 'nb' ? ovn.restartNb() : ovn.restartSb());
      await firstAfter(which, t0);
    }
    const killed = op;
    killed?.child.kill('SIGKILL');
    await killed?.exited;
    const t0 = Date.now();
    op = startOperator();
    await firstAfter('operator', t0);

    flow.on = false;
    await stream;
    await waitFor('every streamed network mirrored', async () => {
      const mirrored = (await listObjects<EvpnNetwork>(kube.client, evpnResources.networks, Label.MirroredFrom)).map((n) => n.metadata.name);
      return added.every((id) => mirrored.includes(id)) ? true : undefined;
    }, { timeoutMs: 30_000 });
    await new Promise((r) => setTimeout(r, 2500)); // past the prune grace
    const mirrored = await listObjects<EvpnNetwork>(kube.client, evpnResources.networks, Label.MirroredFrom);
    expect(mirrored.map((n) => n.metadata.name).sort()).toEqual([...added].sort());
    for (const n of mirrored) {
      const first = uids.get(n.metadata.name);
      if (first !== undefined) expect(n.metadata.uid, n.metadata.name).toBe(first);
    }
    const after = await getNetwork(userName);
    expect(after?.metadata.uid).toBe(user.metadata.uid);
    expect(after?.spec).toEqual(userSpec);
    expect(after?.metadata.labels?.[Label.MirroredFrom]).toBeUndefined();
    process.stdout.write(`fault injection: ${added.length} networks streamed, ${uids.size} uids checked; recovery after kill -9: ${JSON.stringify(recovery)} ms\n`);
  }, 240_000);
});
