// The CPU cost of one mirror pass after a one-network OVN change, in process:
// the steps the mirror reconciler runs between an OVSDB update and its writes
// (OvnIndex takes the change batch, IncrementalParts recomputes the touched
// network, desiredFromParts decides across all networks, keepValidDesired,
// planMirror against live objects equal to the last desired state). Run at two
// sizes it shows whether the cost of a change grows with the cloud. The rows
// come from the random-OVN fixture (one switch, localnet, router port and
// `ports` VM bindings per network), not from ovsdb-server.
import type { EvpnNetwork, EvpnVrf } from '../../crds/index.ts';
import { desiredFromParts } from '../../operator/mirror/build-desired.ts';
import { RandomOvn } from '../../test/fixtures/mirror/random-ovn.ts';
import { IncrementalParts } from '../../operator/mirror/incremental-parts.ts';
import { keepValidDesired } from '../../operator/mirror/keep-valid-desired.ts';
import { planMirror, type DesiredObject, type LiveMirror, type LiveObject } from '../../operator/mirror/plan-mirror.ts';
import { OvnIndex } from '../../operator/ovn-source/ovn-index.ts';

export interface PassCost {
  /** Mean ms of a pass after one network's policy changed. */
  readonly onePass: number;
  /** Networks recomputed per such pass. */
  readonly recomputed: number;
  /** Ms of a full pass (every network recomputed), for contrast. */
  readonly fullPass: number;
  readonly objects: number;
}

type LiveOf = LiveMirror & { vrfs: LiveObject[]; networks: LiveObject[]; portSets: LiveObject[] };

function liveOf(objects: readonly DesiredObject[]): LiveOf {
  const live: LiveOf = { vrfs: [], networks: [], portSets: [] };
  for (const o of objects) {
    const obj: LiveObject = {
      metadata: { name: o.name, uid: o.name, resourceVersion: '1', labels: { ...o.labels } },
      spec: structuredClone(o.spec),
    };
    (o.kind === 'EvpnVrf' ? live.vrfs : o.kind === 'EvpnNetwork' ? live.networks : live.portSets).push(obj);
  }
  return live;
}

export function measurePassCost(networks: number, ports: number, chassis: number, changes = 50): PassCost {
  const ovn = new RandomOvn({ networks, seed: 1 });
  ovn.populate(Math.max(1, Math.round(ports / networks)), chassis);
  const index = new OvnIndex();
  index.reset(ovn.nbSnapshot(), ovn.sbSnapshot());
  const parts = new IncrementalParts({});
  let live = liveOf([]);
  const pass = (): DesiredObject[] => {
    const built = desiredFromParts(parts.update(index), {
      networks: live.networks as unknown as EvpnNetwork[],
      vrfs: live.vrfs as unknown as EvpnVrf[],
    });
    const valid = keepValidDesired(built, live);
    const desired = { ...built, ...valid.desired };
    return planMirror({ desired, live, missingSince: new Map(), now: 0, graceMs: 5000 }).applies;
  };
  live = liveOf(pass());
  // The full pass, as after a start or a --full-resync: every network from a fresh read.
  index.reset(ovn.nbSnapshot(), ovn.sbSnapshot());
  let t0 = performance.now();
  pass();
  const fullPass = performance.now() - t0;
  let total = 0;
  let recomputed = 0;
  for (let k = 0; k < changes; k++) {
    const i = (k * 7919) % networks;
    const change = ovn.policyChange(i, 'neutron_bgpvpn:local_pref', String(1000 + k));
    t0 = performance.now();
    index.applyNb(change.batch, () => ovn.nbSnapshot());
    const objects = pass();
    total += performance.now() - t0;
    recomputed += parts.lastRecomputed;
    // The writes land: the changed network's live object now has the new spec.
    const written = objects.find((o) => o.kind === 'EvpnNetwork' && o.name === `n${i}`);
    if (written !== undefined) {
      live.networks = live.networks.map((n) =>
        n.metadata.name === written.name
          ? { metadata: { ...n.metadata, resourceVersion: String(k + 2) }, spec: structuredClone(written.spec) }
          : n,
      );
    }
  }
  return {
    onePass: total / changes,
    recomputed: recomputed / changes,
    fullPass,
    objects: live.vrfs.length + live.networks.length + live.portSets.length,
  };
}
