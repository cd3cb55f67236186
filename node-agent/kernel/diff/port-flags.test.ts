import { describe, expect, it } from 'vitest';
import type { BridgePort, BridgePortFlags } from '../netlink/bridge-codec.ts';
import type { KindPlan } from './context.ts';
import { diffPortFlags } from './port-flags.ts';
import { ctx, port } from '../../../test/fixtures/node-agent/kernel-diff.ts';

describe('diffPortFlags: from → to', () => {
  const cases: { name: string; from: BridgePort[]; to: BridgePortFlags[]; plan: Partial<KindPlan> }[] = [
    {
      name: 'learning on → off: set',
      from: [port(2, 'vx-101', 1, { learning: true })],
      to: [{ dev: 'vx-101', learning: false }],
      plan: { creates: [{ op: 'setBridgePort', port: { dev: 'vx-101', learning: false } }] },
    },
    {
      name: 'learning off, suppress on → the same: nothing',
      from: [port(2, 'vx-101', 1, { learning: false, neighSuppress: true })],
      to: [{ dev: 'vx-101', learning: false, neighSuppress: true }],
      plan: {},
    },
    {
      name: 'a flag the spec does not name → not compared',
      from: [port(2, 'vx-101', 1, { learning: false, neighSuppress: true })],
      to: [{ dev: 'vx-101', learning: false }],
      plan: {},
    },
    {
      name: 'a port not in the dump yet (created this pass) → set',
      from: [],
      to: [{ dev: 'vx-101', neighSuppress: true }],
      plan: { creates: [{ op: 'setBridgePort', port: { dev: 'vx-101', neighSuppress: true } }] },
    },
    {
      name: 'a port not owned → set anyway, it is desired',
      from: [port(5, 'br-prov', null, { learning: true })],
      to: [{ dev: 'br-prov', learning: false }],
      plan: { creates: [{ op: 'setBridgePort', port: { dev: 'br-prov', learning: false } }] },
    },
  ];
  it.each(cases)('$name', ({ from, to, plan }) => {
    expect(diffPortFlags(to, from, ctx())).toEqual({ removes: [], creates: [], ...plan });
  });
});
