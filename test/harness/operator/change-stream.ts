// The steady stream of OVN changes the fault suites run under, and the check
// that follows each of them: Neutron adds a VLAN network with an association
// and a VM port every 250 ms, and ovn-controller binds the port to a chassis
// once northd made its Port_Binding, whatever is down; afterwards every
// network in OVN must be mirrored once with the values OVN has, with exactly
// its one port set, and none lost or recreated (uids as first seen).
import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import { Label, type EvpnNetwork, type EvpnPortSet, type EvpnVrf } from '../../../crds/index.ts';
import { portSetName } from '../../../crds/evpn-port-set.ts';
import { evpnResources } from '../../../crds/resources.ts';
import type { KubeClient } from '../../../lib/kube/kube-client.ts';
import { driverExternalIds } from '../../fixtures/mirror/driver-rows.ts';
import type { Ctl } from '../ovn/ovn-databases.ts';
import { waitFor } from '../wait-for.ts';
import { getObject, listObjects } from './kube-env.ts';
import { addNetwork, addVmPort, freshTag } from './ovn-driver.ts';

export interface Streamed {
  id: string;
  vni: number;
  tag: number;
  port: string;
  mac: string;
  /** Date.now() when the network and its port were both in OVN NB. */
  at?: number;
}

export interface StreamTarget {
  readonly nbctl: Ctl;
  readonly sbctl: Ctl;
  readonly chassis: string;
  /** First VNI; also the base of the MAC addresses. */
  readonly vniBase: number;
}

export interface ChangeStream {
  readonly added: Streamed[];
  /** Stops adding, binds what is left, resolves when every port is bound. */
  stop(): Promise<void>;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
export const streamAssociation = (vni: number): Record<string, string> =>
  driverExternalIds({ vni, type: 'l3', routeTargets: [`65000:${vni}`] });
/** A write that may have committed before its client gave up: "already exists" on the retry means done. */
async function idempotent(write: () => Promise<void>): Promise<void> {
  try {
    await write();
  } catch (err) {
    if (!/already exists/.test(String(err))) throw err;
  }
}
const macOf = (i: number): string =>
  `02:00:00:fa:${((i >> 8) & 0xff).toString(16).padStart(2, '0')}:${(i & 0xff).toString(16).padStart(2, '0')}`;

export function startChangeStream(t: StreamTarget): ChangeStream {
  const added: Streamed[] = [];
  const unbound: Streamed[] = [];
  const flow = { on: true };
  let vni = t.vniBase;
  // A network whose writes failed half-way is completed, never deleted: deleting it would be a real OVN
  // delete that the mirror follows, and the suites check that nothing is deleted.
  let pending: { n: Streamed; switchDone: boolean } | undefined;
  const tick = async (): Promise<void> => {
    if (pending === undefined) {
      const n: Streamed = { id: randomUUID(), vni, tag: freshTag(), port: '', mac: macOf(vni - t.vniBase) };
      n.port = `vm-${n.id.slice(0, 8)}`;
      vni++;
      pending = { n, switchDone: false };
    }
    const { n } = pending;
    try {
      if (!pending.switchDone) {
        await idempotent(() =>
          addNetwork(t.nbctl, n.id, streamAssociation(n.vni), { segment: { type: 'vlan', tag: n.tag } }),
        );
        pending.switchDone = true;
      }
      await idempotent(() => addVmPort(t.nbctl, { networkId: n.id, portId: n.port, mac: n.mac, ips: [] }));
      n.at = Date.now();
      added.push(n);
      unbound.push(n);
      pending = undefined;
    } catch {
      // NB is down or has no leader: the driver would retry too, next tick.
    }
    for (const p of [...unbound]) {
      try {
        await t.sbctl(['lsp-bind', p.port, t.chassis]);
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
    await waitFor(
      'every port bound',
      async () => {
        await tick().catch(() => undefined);
        return unbound.length === 0 && pending === undefined ? true : undefined;
      },
      { timeoutMs: 30_000 },
    );
  })();
  return {
    added,
    stop: async () => {
      flow.on = false;
      await loop;
    },
  };
}

/** The network and its port set on `node` are both in the apiserver. */
export async function isMirroredWithPorts(
  client: KubeClient,
  n: Streamed | undefined,
  node: string,
): Promise<true | undefined> {
  if (n === undefined) return undefined;
  const network = await getObject<EvpnNetwork>(client, evpnResources.networks, n.id);
  const set = await getObject<EvpnPortSet>(client, evpnResources.portSets, portSetName(n.id, node));
  return network !== undefined && set !== undefined ? true : undefined;
}

/** Records the uid of each streamed network and port set the first time it is seen (keys: id, `ps/<id>`). */
export async function recordUids(
  client: KubeClient,
  added: readonly Streamed[],
  node: string,
  uids: Map<string, string>,
): Promise<void> {
  for (const n of added) {
    if (!uids.has(n.id)) {
      const uid = (await getObject<EvpnNetwork>(client, evpnResources.networks, n.id))?.metadata.uid;
      if (uid !== undefined) uids.set(n.id, uid);
    }
    if (!uids.has(`ps/${n.id}`)) {
      const uid = (await getObject<EvpnPortSet>(client, evpnResources.portSets, portSetName(n.id, node)))?.metadata.uid;
      if (uid !== undefined) uids.set(`ps/${n.id}`, uid);
    }
  }
}

/** Every OVN network mirrored once as OVN has it, with its one port set; uids as first seen. */
export async function expectMirrorsOvn(
  client: KubeClient,
  added: readonly Streamed[],
  node: string,
  uids: ReadonlyMap<string, string>,
): Promise<void> {
  const mirrored = await listObjects<EvpnNetwork>(client, evpnResources.networks, Label.MirroredFrom);
  expect(mirrored.map((n) => n.metadata.name).sort()).toEqual(added.map((n) => n.id).sort());
  const byName = new Map(mirrored.map((n) => [n.metadata.name, n]));
  const vrfs = new Set((await listObjects<EvpnVrf>(client, evpnResources.vrfs)).map((v) => v.metadata.name));
  for (const n of added) {
    const m = byName.get(n.id);
    expect(m?.spec, n.id).toMatchObject({ type: 'l3', vlanId: n.tag, source: { networkId: n.id } });
    expect(vrfs.has(m?.spec.vrf ?? ''), `${n.id}: its VRF ${m?.spec.vrf ?? '?'} exists`).toBe(true);
  }
  const sets = await listObjects<EvpnPortSet>(client, evpnResources.portSets, Label.MirroredFrom);
  expect(sets.map((x) => x.metadata.name).sort()).toEqual(added.map((n) => portSetName(n.id, node)).sort());
  for (const n of added) {
    const set = sets.find((x) => x.metadata.name === portSetName(n.id, node));
    expect(set?.spec, n.id).toEqual({ network: n.id, nodeName: node, ports: [{ name: n.port, mac: n.mac }] });
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
