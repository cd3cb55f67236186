// The transition table on the real kernel (UML guest) and the real
// kube-apiserver: every generated from → to change of the node's inputs
// (test/fixtures/node-agent/transitions.ts), IPv6 included, is applied by one node pass; then iproute2
// must show exactly the render (nothing missing, nothing stale), the next pass
// must plan 0 operations and make 0 netlink writes, the node status must be
// Ready, and a restarted agent (a fresh pass with no memory) must make 0
// writes too. The agent's passes read the kernel through the state cache fed
// by the real monitors (kernel/state-cache.ts), as the agent does; the
// restarted pass lists it afresh. One guest boot for the whole walk.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGENT_FIELD_MANAGER, Label } from '../crds/index.ts';
import type { EvpnNodeState } from '../crds/index.ts';
import { evpnResources } from '../crds/resources.ts';
import { labelValueOf } from '../crds/labels.ts';
import { applyObject, getObject } from '../lib/kube/apply.ts';
import { loadKubeConfig } from '../lib/kube/config.ts';
import { KubeClient } from '../lib/kube/kube-client.ts';
import { silentLogger } from '../lib/log.ts';
import { requireUmlGuest } from '../test/harness/uml/oracle.ts';
import { AgentConfig } from './config.ts';
import { selectApplicable } from './inputs/select-applicable.ts';
import { renderKernelState } from './kernel/render-kernel-state.ts';
import { openKernel, type KernelAdapter } from './kernel/netlink/kernel-adapter.ts';
import { DriftWatch } from './kernel/netlink/drift-watch.ts';
import { viewOfDesired, viewOfKernel } from '../test/harness/uml/kernel-oracle.ts';
import { NodePass, type PassInputs } from './node-pass.ts';
import {
  scenarioObjects,
  transitionWalk,
  type Scenario,
  type Transition,
} from '../test/fixtures/node-agent/transitions.ts';

const NODE = 'uml-transitions';
const config = AgentConfig.parse({
  node: { nodeName: NODE, vtepIp: '10.0.0.1' },
  bgp: { asn: 65000, routerId: '10.0.0.1' },
  frr: { enabled: false },
});
let client: KubeClient;
let kernel: KernelAdapter;
let monitor: DriftWatch;

const nodeState = async (): Promise<EvpnNodeState> =>
  (await getObject(client, evpnResources.nodeStates, { name: NODE })) as unknown as EvpnNodeState;

function inputsOf(s: Scenario, state: EvpnNodeState): PassInputs {
  const o = scenarioObjects(s, NODE);
  return { vrfs: () => o.vrfs, networks: () => o.networks, portSets: () => o.portSets, nodeState: () => state };
}

function renderOf(s: Scenario) {
  const o = scenarioObjects(s, NODE);
  const a = selectApplicable(o.vrfs, o.networks);
  return renderKernelState(config.node, a.vrfs, a.networks, o.portSets).desired;
}

beforeAll(async () => {
  requireUmlGuest();
  client = new KubeClient(loadKubeConfig().kubeConfig);
  kernel = openKernel();
  monitor = new DriftWatch();
  await applyObject(
    client,
    evpnResources.nodeStates,
    { metadata: { name: NODE, labels: { [Label.Node]: labelValueOf(NODE) } }, spec: { nodeName: NODE } },
    { fieldManager: AGENT_FIELD_MANAGER, force: true },
  );
});

afterAll(() => {
  monitor.close();
  kernel.close();
});

describe('every from → to transition converges in one pass and then stays quiet', () => {
  const legs = transitionWalk();
  const total = legs.reduce((n, l) => n + l.transitions.length, 0);
  const pass = () => new NodePass({ config, client, kernel, drift: monitor, log: silentLogger() });
  let agent: NodePass;
  let steadyWrites = 0;
  let walked = 0;

  beforeAll(() => {
    agent = pass();
  });

  /** What is wrong after a transition, in words; empty when it converged. */
  async function check(t: Transition): Promise<string[]> {
    const applied = await agent.run(inputsOf(t.to, await nodeState()));
    const desired = renderOf(t.to);
    const next = await agent.run(inputsOf(t.to, await nodeState()));
    const fresh = pass();
    const restarted = await fresh.run(inputsOf(t.to, await nodeState()));
    fresh.close();
    steadyWrites += next.kernel.writes + restarted.kernel.writes;
    const state = await nodeState();
    const problems = [
      ...applied.kernel.nodeErrors.map((e) => `node error: ${e}`),
      ...[...applied.kernel.networks.values(), ...applied.kernel.vrfs.values()]
        .filter((o) => !o.ready)
        .map((o) => `${o.name} not ready: ${o.message ?? ''}`),
    ];
    const ready = state.status?.conditions?.find((c) => c.type === 'Ready');
    if (ready?.status !== 'True')
      problems.push(`node status Ready=${ready?.status ?? 'missing'}: ${ready?.message ?? ''}`);
    const [have, want] = [viewOfKernel(desired), viewOfDesired(desired)];
    for (const k of Object.keys(want) as (keyof typeof want)[]) {
      const missing = want[k].filter((x) => !have[k].includes(x));
      const stale = have[k].filter((x) => !want[k].includes(x));
      if (missing.length) problems.push(`${k} missing: ${missing.join('; ')}`);
      if (stale.length) problems.push(`${k} stale: ${stale.join('; ')}`);
    }
    for (const [what, s] of [
      ['next pass', next],
      ['restarted pass', restarted],
    ] as const) {
      if (s.kernel.planned !== 0 || s.kernel.writes !== 0)
        problems.push(
          `${what}: ${s.kernel.planned} planned, ${s.kernel.writes} writes: ${s.kernel.changes.join('; ')}`,
        );
    }
    return problems;
  }

  it.each(legs)(
    '$base: every field there and back',
    async ({ transitions }) => {
      const failures: string[] = [];
      for (const t of transitions) {
        const started = performance.now();
        const problems = await check(t);
        if (problems.length > 0) {
          failures.push(`${t.name}: ${problems.join(' | ')}`);
          console.log(`FAILED ${t.name}: ${problems.join(' | ')}`);
          // Go on from a converged node, so one defect is reported once.
          await agent.run(inputsOf(t.to, await nodeState()));
        }
        walked++;
        console.log(`${t.name}: ${Math.round(performance.now() - started)} ms`);
      }
      expect(failures).toEqual([]);
    },
    900_000,
  );

  it('sums up: no steady-state writes after any transition', () => {
    console.log(
      `${walked} of ${total} transitions walked; steady-state netlink writes after them (next pass and restarted pass): ${steadyWrites}; kernel cache: ${JSON.stringify(agent.kernelCache?.stats)}`,
    );
    expect(agent.kernelCache).toBeDefined();
    expect(walked).toBe(total);
    expect(steadyWrites).toBe(0);
  });
});
