import { describe, expect, it } from 'vitest';
import { needsSecondKernelPass, planPassOrder, type PassOrder, type PassOrderInput } from './node-pass-order.ts';

const set = (...v: string[]): Set<string> => new Set(v);

describe('planPassOrder', () => {
  const cases: { name: string; input: PassOrderInput; order: PassOrder }[] = [
    {
      name: 'a VRF added: kernel first (L3VNI VXLAN held back), then FRR',
      input: { frrManaged: true, frrModelValid: true, frrVrfs: set('vrf-1'), desiredVrfs: set('vrf-1', 'vrf-2') },
      order: { frrBeforeKernel: false, holdNewL3Vxlans: true, frrAfterKernel: true },
    },
    {
      name: 'a VRF removed: FRR first, then the kernel, then FRR again (no-op when the text is the same)',
      input: { frrManaged: true, frrModelValid: true, frrVrfs: set('vrf-1', 'vrf-2'), desiredVrfs: set('vrf-1') },
      order: { frrBeforeKernel: true, holdNewL3Vxlans: true, frrAfterKernel: true },
    },
    {
      name: 'one VRF replaced by another: FRR first',
      input: { frrManaged: true, frrModelValid: true, frrVrfs: set('vrf-1'), desiredVrfs: set('vrf-2') },
      order: { frrBeforeKernel: true, holdNewL3Vxlans: true, frrAfterKernel: true },
    },
    {
      name: 'first pass after start (FRR given nothing yet): kernel first',
      input: { frrManaged: true, frrModelValid: true, frrVrfs: set(), desiredVrfs: set('vrf-1') },
      order: { frrBeforeKernel: false, holdNewL3Vxlans: true, frrAfterKernel: true },
    },
    {
      name: 'an invalid FRR model: kernel only, nothing held back',
      input: { frrManaged: true, frrModelValid: false, frrVrfs: set('vrf-1'), desiredVrfs: set() },
      order: { frrBeforeKernel: false, holdNewL3Vxlans: false, frrAfterKernel: false },
    },
    {
      name: 'FRR not managed: kernel only, nothing held back',
      input: { frrManaged: false, frrModelValid: true, frrVrfs: set(), desiredVrfs: set('vrf-1') },
      order: { frrBeforeKernel: false, holdNewL3Vxlans: false, frrAfterKernel: false },
    },
  ];
  it.each(cases)('$name', ({ input, order }) => {
    expect(planPassOrder(input)).toEqual(order);
  });
});

describe('needsSecondKernelPass', () => {
  it('runs a second pass for held-back devices once FRR took the config', () => {
    expect(needsSecondKernelPass(['vx3-1'], undefined)).toBe(true);
  });
  it('does not while FRR failed (zebra would make the VXLAN an L2VNI)', () => {
    expect(needsSecondKernelPass(['vx3-1'], 'FRR did not take the rendered config')).toBe(false);
  });
  it('does not when nothing was held back', () => {
    expect(needsSecondKernelPass([], undefined)).toBe(false);
  });
});
