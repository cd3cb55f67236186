// The generator of the UML transition table (test/fixtures/node-agent/transitions.ts): every scenario
// it walks through is valid input, every mutation changes the kernel state,
// and IPv6 is in every scenario that routes.
import { describe, expect, it } from 'vitest';
import { EvpnNetwork, EvpnPortSet, EvpnVrf } from '../crds/index.ts';
import { NodeConfig } from './inputs/node-config.ts';
import { parseAll } from './inputs/parse-resources.ts';
import { selectApplicable } from './inputs/select-applicable.ts';
import { renderKernelState } from './kernel/render-kernel-state.ts';
import {
  baseScenarios,
  mutators,
  scenarioObjects,
  transitionWalk,
  type Scenario,
} from '../test/fixtures/node-agent/transitions.ts';

const node = NodeConfig.parse({ nodeName: 'n1', vtepIp: '10.0.0.1' });
const inputs = (s: Scenario) => {
  const o = scenarioObjects(s, 'n1');
  const [vrfs, networks, portSets] = [
    parseAll(o.vrfs, EvpnVrf),
    parseAll(o.networks, EvpnNetwork),
    parseAll(o.portSets, EvpnPortSet),
  ];
  return { vrfs, networks, portSets, applicable: selectApplicable(vrfs.ok, networks.ok) };
};
const render = (s: Scenario) => {
  const i = inputs(s);
  return renderKernelState(node, i.applicable.vrfs, i.applicable.networks, i.portSets.ok).desired;
};

describe('the transition walk', () => {
  const legs = transitionWalk();
  const all = legs.flatMap((l) => l.transitions);

  it('covers every base and every mutator that applies to it, there and back', () => {
    expect(legs.map((l) => l.base)).toEqual(Object.keys(baseScenarios));
    for (const [name, base] of Object.entries(baseScenarios)) {
      const applicable = Object.values(mutators).filter((m) => m(base) !== undefined).length;
      expect(legs.find((l) => l.base === name)?.transitions.filter((t) => !t.name.startsWith('→'))).toHaveLength(
        2 * applicable,
      );
    }
    expect(all.length).toBeGreaterThanOrEqual(140);
  });

  it.each(all.map((t) => [t.name, t.to] as const))('%s: valid input, nothing rejected', (_, s) => {
    const i = inputs(s);
    expect([...i.vrfs.rejected.keys(), ...i.networks.rejected.keys(), ...i.portSets.rejected.keys()]).toEqual([]);
    expect([...i.applicable.rejectedVrfs.keys(), ...i.applicable.rejectedNetworks.keys()]).toEqual([]);
  });

  it.each(Object.entries(mutators))('%s changes the kernel state of every base it applies to', (_, mutate) => {
    for (const base of Object.values(baseScenarios)) {
      const to = mutate(base);
      if (to !== undefined) expect(render(to)).not.toEqual(render(base));
    }
  });

  it('has IPv6 addresses or routes in every scenario with a routed network (but the one that removes IPv6)', () => {
    for (const t of all) {
      if (
        !Object.values(t.to.networks).some((n) => n.vrf !== undefined) ||
        t.name.endsWith('v6 subnet removed (with its routes)')
      )
        continue;
      const d = render(t.to);
      expect(
        [...d.addrs.map((a) => a.address), ...d.routes.map((r) => r.dst)].some((x) => x.includes(':') && x !== '::/0'),
        t.name,
      ).toBe(true);
    }
  });
});
