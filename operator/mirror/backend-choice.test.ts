import { describe, expect, it } from 'vitest';
import { API_GROUP_VERSION, Label } from '../../crds/index.ts';
import type { EvpnNetwork, EvpnNetworkSpec } from '../../crds/index.ts';
import { driverExternalIds } from '../../test/fixtures/mirror/driver-rows.ts';
import { SnapshotBuilder } from '../../test/fixtures/mirror/snapshot-builder.ts';
import { buildDesired, type MirrorInput } from './build-desired.ts';
import { planMirror } from './plan-mirror.ts';

const NET_A = 'aaaaaaaa-0000-4000-8000-000000000001';
const l2 = driverExternalIds({ vni: 10100, type: 'l2', routeTargets: ['65000:10100'] });

function geneve(extra: Partial<MirrorInput> = {}) {
  const b = new SnapshotBuilder();
  b.network(NET_A, l2, { localnet: false });
  return buildDesired({ snapshot: b.snapshot, networks: [], vrfs: [], ...extra });
}

const mirrored = (spec: EvpnNetworkSpec): EvpnNetwork => ({
  apiVersion: API_GROUP_VERSION,
  kind: 'EvpnNetwork',
  metadata: { name: NET_A, labels: { [Label.MirroredFrom]: 'network' } },
  spec,
});

describe('the backend of a mirrored network', () => {
  it('flags a Geneve network on the kernel backend (the default) with NoProviderPath, EVPN-001', () => {
    const out = geneve();
    expect(out.networks.get(NET_A)).not.toHaveProperty('vlanId');
    expect(out.problems).toEqual([
      expect.objectContaining({ name: NET_A, reason: 'NoProviderPath', code: 'EVPN-001' }),
    ]);
  });

  it('accepts a Geneve network when the cluster default is ovn', () => {
    const out = geneve({ defaultBackend: 'ovn' });
    expect(out.networks.get(NET_A)).toMatchObject({ type: 'l2', vni: 10100 });
    expect(out.problems).toEqual([]);
  });

  it("follows a person's spec.backend on the live object over the cluster default, both ways", () => {
    const first = geneve().networks.get(NET_A);
    if (first === undefined) throw new Error('no network');
    const toOvn = geneve({ networks: [mirrored({ ...first, backend: 'ovn' })] });
    expect(toOvn.problems).toEqual([]);
    const toKernel = geneve({ defaultBackend: 'ovn', networks: [mirrored({ ...first, backend: 'kernel' })] });
    expect(toKernel.problems.map((p) => p.reason)).toEqual(['NoProviderPath']);
  });

  it('never writes spec.backend and sees no difference in a live one (0 writes)', () => {
    const out = geneve({ defaultBackend: 'ovn' });
    const spec = out.networks.get(NET_A);
    if (spec === undefined) throw new Error('no network');
    const live = {
      metadata: { name: NET_A, labels: { [Label.MirroredFrom]: 'network' } },
      spec: { ...spec, backend: 'ovn' },
    };
    const input = { desired: out, missingSince: new Map<string, number>(), now: 0, graceMs: 0 };
    expect(
      planMirror({ ...input, live: { vrfs: [], networks: [live], portSets: [] } }).applies.map((a) => a.kind),
    ).toEqual(['EvpnVrf']);
    // A kept-last-good spec comes from the live object, backend included: the apply carries no backend.
    const kept = planMirror({
      ...input,
      desired: { ...out, networks: new Map([[NET_A, { ...spec, backend: 'ovn' as const, mtu: 1400 }]]) },
      live: { vrfs: [], networks: [live], portSets: [] },
    });
    const net = kept.applies.find((a) => a.kind === 'EvpnNetwork');
    expect(net?.spec).toMatchObject({ mtu: 1400 });
    expect(net?.spec).not.toHaveProperty('backend');
  });
});
