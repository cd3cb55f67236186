// The incremental mirror against the full one: after every random change batch,
// desiredFromParts over the per-network parts (recomputing only the networks the
// index marked) must equal buildDesired over the whole snapshot, problems and
// their order included.
import { describe, expect, it } from 'vitest';
import type { EvpnNetwork, EvpnVrf } from '../../crds/index.ts';
import { OvnIndex } from '../ovn-source/ovn-index.ts';
import { convertSnapshot } from '../../test/fixtures/mirror/convert-snapshot.ts';
import { withNodeNames, type NodeNameMode } from '../ovn-source/node-names.ts';
import type { ChangeBatch } from '../../lib/ovsdb/index.ts';
import { buildDesired, desiredFromParts, type MirrorOutput } from './build-desired.ts';
import { IncrementalParts } from './incremental-parts.ts';
import { RandomOvn } from '../../test/fixtures/mirror/random-ovn.ts';

const userNetwork = {
  apiVersion: 'evpn.example/v1',
  kind: 'EvpnNetwork',
  metadata: { name: 'user-net' },
  spec: { type: 'l2', vni: 101, vrf: 'user-vrf', vlanId: 11, provider: { physicalNetwork: 'physnet2' } },
} as unknown as EvpnNetwork;
const userVrf = {
  apiVersion: 'evpn.example/v1',
  kind: 'EvpnVrf',
  metadata: { name: 'user-vrf' },
  spec: { vni: 102 },
} as unknown as EvpnVrf;

const sorted = <V>(m: ReadonlyMap<string, V>): [string, V][] => [...m].sort(([a], [b]) => a.localeCompare(b));
const comparable = (o: MirrorOutput): unknown => ({
  vrfs: sorted(o.vrfs),
  networks: sorted(o.networks),
  portSets: sorted(o.portSets),
  sources: sorted(o.sources),
  problems: o.problems,
  notices: o.notices,
});

function apply(index: OvnIndex, ovn: RandomOvn, step: { db: 'nb' | 'sb'; batch: ChangeBatch }): void {
  if (step.db === 'nb') index.applyNb(step.batch, () => ovn.nbSnapshot());
  else index.applySb(step.batch, () => ovn.sbSnapshot());
}

function run(seed: number, steps: number, mode: NodeNameMode): number {
  const ovn = new RandomOvn({ networks: 5, seed });
  ovn.populate(2, 3);
  const index = new OvnIndex();
  index.reset(ovn.nbSnapshot(), ovn.sbSnapshot());
  const parts = new IncrementalParts({ mapSnapshot: (s) => withNodeNames(s, mode) });
  const live = { networks: seed % 2 === 0 ? [userNetwork] : [], vrfs: seed % 3 === 0 ? [userVrf] : [] };
  let recomputed = 0;
  for (let k = 0; k < steps; k++) {
    apply(index, ovn, ovn.step());
    const incremental = desiredFromParts(parts.update(index), live);
    recomputed += parts.lastRecomputed;
    const snapshot = withNodeNames(convertSnapshot(ovn.nbSnapshot(), ovn.sbSnapshot()), mode);
    const full = buildDesired({ snapshot, ...live });
    expect(comparable(incremental), `seed ${seed}, step ${k}`).toEqual(comparable(full));
  }
  return recomputed;
}

describe('incremental mirror = full mirror', () => {
  it('on random change sequences (100 seeds × 30 batches)', () => {
    let recomputed = 0;
    for (let seed = 1; seed <= 100; seed++) {
      const mode: NodeNameMode = seed % 4 === 0 ? { kind: 'chassis-name' } : { kind: 'hostname' };
      recomputed += run(seed, 30, mode);
    }
    // Not a full pass each time: a batch of at most 3 rows touches a few of the networks.
    expect(recomputed / (100 * 30)).toBeLessThan(4);
  }, 180_000);

  it('recomputes only the network a policy change touches', () => {
    const ovn = new RandomOvn({ networks: 50, seed: 7 });
    ovn.populate(3, 4);
    const index = new OvnIndex();
    index.reset(ovn.nbSnapshot(), ovn.sbSnapshot());
    const parts = new IncrementalParts({});
    const first = desiredFromParts(parts.update(index), { networks: [], vrfs: [] });
    expect(parts.lastRecomputed).toBe(50);
    expect(first.networks.get('n7')?.vni).toBe(100_007);
    apply(index, ovn, ovn.policyChange(7, 'neutron_bgpvpn:vni', '200007'));
    const next = desiredFromParts(parts.update(index), { networks: [], vrfs: [] });
    expect(parts.lastRecomputed).toBe(1);
    expect(next.networks.get('n7')?.vni).toBe(200_007);
    // The other networks' port sets are the very objects of the previous pass.
    expect(
      next.portSets.get([...next.portSets.keys()].find((k) => first.portSets.get(k)?.network === 'n8') ?? ''),
    ).toBe(first.portSets.get([...first.portSets.keys()].find((k) => first.portSets.get(k)?.network === 'n8') ?? ''));
  });

  it('a resync batch re-reads the database and recomputes every network', () => {
    const ovn = new RandomOvn({ networks: 10, seed: 3 });
    ovn.populate(1, 2);
    const index = new OvnIndex();
    index.reset(ovn.nbSnapshot(), ovn.sbSnapshot());
    const parts = new IncrementalParts({});
    parts.update(index);
    const step = ovn.step();
    apply(index, ovn, { db: step.db, batch: { ...step.batch, kind: 'resync' } });
    const out = desiredFromParts(parts.update(index), { networks: [], vrfs: [] });
    expect(parts.lastRecomputed).toBeGreaterThanOrEqual(10);
    const full = buildDesired({
      snapshot: convertSnapshot(ovn.nbSnapshot(), ovn.sbSnapshot()),
      networks: [],
      vrfs: [],
    });
    expect(comparable(out)).toEqual(comparable(full));
  });
});
