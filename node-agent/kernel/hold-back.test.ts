import { describe, expect, it } from 'vitest';
import { NodeConfig } from '../inputs/node-config.ts';
import { API_GROUP_VERSION } from '../../crds/index.ts';
import { holdBackNewL3Vxlans } from './hold-back.ts';
import { renderKernelState } from './render-kernel-state.ts';

const node = NodeConfig.parse({ nodeName: 'node-1', vtepIp: '10.0.0.1' });
const { desired } = renderKernelState(
  node,
  [{ apiVersion: API_GROUP_VERSION, kind: 'EvpnVrf', metadata: { name: 'v' }, spec: { vni: 100 } }],
  [
    {
      apiVersion: API_GROUP_VERSION,
      kind: 'EvpnNetwork',
      metadata: { name: 'n' },
      spec: { type: 'l2', vni: 1001, vrf: 'v', vlanId: 11 },
    },
  ],
  [],
);

describe('holdBackNewL3Vxlans', () => {
  it('holds back a new L3VNI VXLAN and its port flags, and nothing else (not the L2VNI VXLAN)', () => {
    const r = holdBackNewL3Vxlans(desired, new Set());
    expect(r.heldBack).toEqual(['vx3-100']);
    expect(r.desired.links.map((l) => l.name)).toEqual(desired.links.map((l) => l.name).filter((n) => n !== 'vx3-100'));
    expect(r.desired.links.map((l) => l.name)).toContain('vxlan-1001');
    expect(desired.portFlags.map((f) => f.dev)).toContain('vx3-100');
    expect(r.desired.portFlags.map((f) => f.dev)).toEqual(
      desired.portFlags.map((f) => f.dev).filter((d) => d !== 'vx3-100'),
    );
    expect(r.desired.routes).toEqual(desired.routes);
  });

  it('keeps an L3VNI VXLAN that already exists (FRR has had its VNI)', () => {
    const r = holdBackNewL3Vxlans(desired, new Set(['vx3-100']));
    expect(r.heldBack).toEqual([]);
    expect(r.desired).toBe(desired);
  });

  it('does not change the desired state it is given', () => {
    const links = desired.links.length;
    holdBackNewL3Vxlans(desired, new Set());
    expect(desired.links).toHaveLength(links);
  });
});
