// The VRF device's alternative name (inputs/device-names.ts vrfAltName): the
// seed's `vrf-<BGPVPN vni>` next to the device's `vrf-<L3VNI>`, rendered,
// diffed, encoded and decoded, and never given where another link has it.
import { describe, expect, it } from 'vitest';
import { API_GROUP_VERSION } from '../../crds/index.ts';
import type { EvpnVrf } from '../../crds/index.ts';
import { vrfAltName } from '../inputs/device-names.ts';
import { NodeConfig } from '../inputs/node-config.ts';
import { link } from '../../test/fixtures/node-agent/kernel-diff.ts';
import { diffLinks } from './diff/links.ts';
import * as C from './netlink/constants.ts';
import { encodeOp } from './netlink/kernel-ops.ts';
import { encodeAddAltName } from './netlink/link-codec.ts';
import { decodeLink } from './netlink/link-decoder.ts';
import { renderKernelState } from './render-kernel-state.ts';

const node = NodeConfig.parse({ nodeName: 'node-1', vtepIp: '10.0.0.1' });
const vrf = (name: string, vni: number): EvpnVrf => ({
  apiVersion: API_GROUP_VERSION,
  kind: 'EvpnVrf',
  metadata: { name },
  spec: { vni },
});
const vrfLinks = (vrfs: EvpnVrf[]) =>
  renderKernelState(node, vrfs, [], []).desired.links.filter((l) => l.kind === 'vrf');

describe('vrfAltName', () => {
  it.each([
    ['vrf-10100', 1_010_100, 'vrf-10100'],
    ['vrf-20000', 20000, undefined],
    ['tenant-a', 5, undefined],
    ['vrf-010', 5, undefined],
    ['vrf-12345678901', 5, 'vrf-12345678901'],
    ['vrf-123456789012', 5, undefined],
  ])('%s with L3VNI %i → %s', (name, vni, alt) => {
    expect(vrfAltName(name, vni)).toBe(alt);
  });
});

describe('the VRF device with its alternative name', () => {
  it('gives the mirrored VRF of an l2 BGPVPN (vrf-10100, L3VNI 1010100) the name vrf-10100 next to vrf-1010100', () => {
    expect(vrfLinks([vrf('vrf-10100', 1_010_100)])).toEqual([
      expect.objectContaining({ name: 'vrf-1010100', altName: 'vrf-10100' }),
    ]);
  });

  it("leaves it out when another VRF's device has that name (L3VNI 10100)", () => {
    const links = vrfLinks([vrf('vrf-10100', 1_010_100), vrf('tenant', 10100)]);
    expect(links.map((l) => [l.name, l.altName])).toEqual([
      ['vrf-10100', undefined],
      ['vrf-1010100', undefined],
    ]);
  });

  it('adds it to an existing VRF device that lacks it, and nothing once it is there', () => {
    const [spec] = vrfLinks([vrf('vrf-10100', 1_010_100)]);
    if (spec?.kind !== 'vrf') throw new Error('no vrf rendered');
    const without = link(1, 'vrf-1010100', 'vrf', { vrf: { table: spec.table }, alias: spec.alias ?? null });
    expect(diffLinks([spec], [without]).updates).toEqual([
      { op: 'setLink', name: 'vrf-1010100', change: { altName: 'vrf-10100' } },
    ]);
    expect(diffLinks([spec], [{ ...without, altNames: ['vrf-10100'] }]).updates).toEqual([]);
  });

  it('does not ask for a name another link holds, unless that link is deleted in the same pass', () => {
    const [spec] = vrfLinks([vrf('vrf-10100', 1_010_100)]);
    if (spec === undefined) throw new Error('no vrf rendered');
    const foreign = link(2, 'vrf-10100', 'vrf', { vrf: { table: 10100 }, owned: false });
    // (no vrf-1010100 yet: it is created, without the name)
    const created = diffLinks([spec], [foreign]).linkCreates;
    expect(created.map((op) => (op.op === 'createLink' ? [op.link.name, op.link.altName] : []))).toEqual([
      ['vrf-1010100', undefined],
    ]);
    // The old L3VNI device of the VNI upgrade (docs/api.md): ours, deleted first, so the name is free for the update phase.
    const old = link(2, 'vrf-10100', 'vrf', { vrf: { table: 10100 } });
    const plan = diffLinks([spec], [old]);
    expect(plan.linkDeletes).toEqual(['vrf-10100']);
    expect(plan.linkCreates.map((op) => (op.op === 'createLink' ? [op.link.name, op.link.altName] : []))).toEqual([
      ['vrf-1010100', 'vrf-10100'],
    ]);
  });

  it('is sent as RTM_NEWLINKPROP after the link exists, and read back from IFLA_PROP_LIST', () => {
    const reqs = encodeOp(
      { op: 'createLink', link: { name: 'vrf-1010100', kind: 'vrf', table: 1_010_100, altName: 'vrf-10100' } },
      () => 0,
    );
    expect(reqs.map((r) => r.type)).toEqual([C.RTM_NEWLINK, C.RTM_NEWLINKPROP]);
    expect(
      encodeOp({ op: 'setLink', name: 'vrf-1010100', change: { altName: 'vrf-10100' } }, () => 0).map((r) => r.type),
    ).toEqual([C.RTM_NEWLINKPROP]);
    // The kernel reports the name list as it was given: an ifinfomsg with IFLA_IFNAME and IFLA_PROP_LIST { IFLA_ALT_IFNAME }.
    const payload = encodeAddAltName('vrf-1010100', 'vrf-10100');
    expect(decodeLink(payload)).toMatchObject({ name: 'vrf-1010100', altNames: ['vrf-10100'] });
  });
});
