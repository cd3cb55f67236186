// The transition table on the real kernel (UML guest) and the real
// kube-apiserver: every generated from → to change of the node's inputs
// (transitions.ts), IPv6 included, is applied by one node pass; then iproute2
// must show exactly the render (nothing missing, nothing stale), the next pass
// must plan 0 operations and make 0 netlink writes, the node status must be
// Ready, and a restarted agent (a fresh pass with no memory) must make 0
// writes too. One guest boot for the whole walk.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGENT_FIELD_MANAGER, Label } from '../crds/index.ts';
import type { EvpnNodeState } from '../crds/index.ts';
import { evpnResources } from '../crds/resources.ts';
import { labelValueOf } from '../crds/labels.ts';
import { applyObject, getObject } from '../lib/kube/apply.ts';
import { loadKubeConfig } from '../lib/kube/config.ts';
import { KubeClient } from '../lib/kube/kube-client.ts';
import { silentLogger } from '../lib/log.ts';
import { requireUmlGuest } from '../test/uml/oracle.ts';
import { AgentConfig } from './config.ts';
import { selectApplicable } from './inputs/select-applicable.ts';
import { renderKernelState } from './kernel/render-kernel-state.ts';
import { openKernel, type KernelAdapter } from './kernel/netlink/kernel-adapter.ts';
import { viewOfDesired, viewOfKernel } from './kernel-oracle.ts';
import { NodePass, type PassInputs } from './node-pass.ts';
import { scenarioObjects, transitionWalk, type Scenario } from './transitions.ts';

const NODE = 'uml-transitions';
const config = AgentConfig.parse({
  node: { nodeName: NODE, vtepIp: '10.0.0.1' },
  bgp: { asn: 65000, routerId: '10.0.0.1' },
  frr: { enabled: false },
});
let client: KubeClient;
let kernel: KernelAdapter;

const nodeState = async (): Promise<EvpnNodeState> => (await getObject(client, evpnResources.nodeStates, { name: NODE })) as unknown as EvpnNodeState;

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
  await applyObject(client, evpnResources.nodeStates, { metadata: { name: NODE, labels: { [Label.Node]: labelValueOf(NODE) } }, spec: { nodeName: NODE } }, { fieldManager: AGENT_FIELD_MANAGER, force: true });
});

afterAll(() => { kernel.close(); });

describe('every from → to transition converges in one pass and then stays quiet', () => {
  const walk = transitionWalk();
  const pass = () => new NodePass({ config, client, kernel, log: silentLogger() });
  let agent: NodePass;
  let steadyWrites = 0;

  it(`walks ${walk.length} generated transitions`, async () => {
    agent = pass();
    const started = performance.now();
    const failures: string[] = [];
    for (const t of walk) {
      const applied = await agent.run(inputsOf(t.to, await nodeState()));
      const desired = renderOf(t.to);
      const next = await agent.run(inputsOf(t.to, await nodeState()));
      const restarted = await pass().run(inputsOf(t.to, await nodeState()));
      steadyWrites += next.kernel.writes + restarted.kernel.writes;
      const state = await nodeState();
      const ready = state.status?.conditions?.find((c) => c.type === 'Ready');
      const errors = [...applied.kernel.nodeErrors, ...[...applied.kernel.networks.values(), ...applied.kernel.vrfs.values()].filter((o) => !o.ready).map((o) => `${o.name}: ${o.message ?? ''}`)];
      try {
        expect({ errors, ready: ready?.status }).toEqual({ errors: [], ready: 'True' });
        expect(viewOfKernel(desired)).toEqual(viewOfDesired(desired));
        expect({ planned: next.kernel.planned, writes: next.kernel.writes, changes: next.kernel.changes }).toEqual({ planned: 0, writes: 0, changes: [] });
        expect({ planned: restarted.kernel.planned, writes: restarted.kernel.writes, changes: restarted.kernel.changes }).toEqual({ planned: 0, writes: 0, changes: [] });
      } catch (err: unknown) {
        failures.push(`${t.name}: ${err instanceof Error ? err.message : String(err)}`);
        // Start the next transition from a converged node, so one defect is reported once.
        await agent.run(inputsOf(t.to, await nodeState()));
      }
    }
    console.log(`${walk.length} transitions in ${Math.round((performance.now() - started) / 1000)} s; steady-state netlink writes after them: ${steadyWrites}`);
    expect(failures).toEqual([]);
    expect(steadyWrites).toBe(0);
  });
});
