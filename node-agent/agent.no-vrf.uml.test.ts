// A kernel without VRF support: the agent reports it on its node status as a
// clear EVPN-005 condition and keeps running (no crash loop). Runs in a guest
// boot of its own (test/uml/run-suite.sh), where the vrf module was never
// loaded and module autoloading is switched off for the test.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { EvpnNodeState } from '../crds/index.ts';
import { evpnResources } from '../crds/resources.ts';
import { applyObject, deleteObject, getObject } from '../lib/kube/apply.ts';
import { loadKubeConfig } from '../lib/kube/config.ts';
import { KubeClient } from '../lib/kube/kube-client.ts';
import { silentLogger } from '../lib/log.ts';
import { requireUmlGuest, run } from '../test/harness/uml/oracle.ts';
import { waitFor } from '../test/harness/wait-for.ts';
import { NodeAgent } from './agent.ts';
import { AgentConfig } from './config.ts';
import { openKernel } from './kernel/netlink/kernel-adapter.ts';
import type { KernelAdapter } from './kernel/netlink/kernel-adapter.ts';

const NODE = 'no-vrf-node';
let client: KubeClient;
let kernel: KernelAdapter;
let agent: NodeAgent;
let modprobe = '';

beforeAll(async () => {
  requireUmlGuest();
  if (
    run('cat', ['/proc/modules'])
      .split('\n')
      .some((l) => l.startsWith('vrf '))
  ) {
    throw new Error('the vrf module is loaded: this file must run in a guest boot of its own (test/uml/run-suite.sh)');
  }
  modprobe = run('cat', ['/proc/sys/kernel/modprobe']).trim();
  run('sh', ['-c', 'echo /bin/false > /proc/sys/kernel/modprobe']);
  client = new KubeClient(loadKubeConfig().kubeConfig);
  kernel = openKernel();
  agent = new NodeAgent({
    config: AgentConfig.parse({
      node: { nodeName: NODE, vtepIp: '10.0.0.1' },
      bgp: { asn: 65000, routerId: '10.0.0.1' },
      frr: { enabled: false },
    }),
    client,
    kernel,
    log: silentLogger(),
  });
  await agent.start();
});

afterAll(async () => {
  if (modprobe !== '') run('sh', ['-c', `echo ${modprobe} > /proc/sys/kernel/modprobe`]);
  if (!(client as KubeClient | undefined)) return;
  await deleteObject(client, evpnResources.vrfs, { name: 'vrf-nomod' });
  await agent.stop();
  kernel.close();
});

it('reports a kernel without VRF support on the node status instead of crash-looping', async () => {
  await applyObject(
    client,
    evpnResources.vrfs,
    { metadata: { name: 'vrf-nomod' }, spec: { vni: 10200 } },
    { fieldManager: 'agent-test', force: true },
  );
  await waitFor(
    'a pass that finds no VRF support',
    async () => {
      if (agent.lastPass?.kernel.unsupported !== undefined) return true;
      await agent.syncNow();
      return false;
    },
    { timeoutMs: 20_000, stepMs: 0 },
  );
  expect(agent.lastPass?.kernel.unsupported).toContain('kernel has no VRF support');
  const state = (await getObject(client, evpnResources.nodeStates, { name: NODE })) as unknown as EvpnNodeState;
  const kernelCondition = state.status?.conditions?.find((c) => c.type === 'KernelApplied');
  expect(kernelCondition).toMatchObject({ status: 'False', reason: 'KernelUnsupported' });
  expect(kernelCondition?.message).toMatch(/^EVPN-005: .*kernel has no VRF support/);
  expect(state.status?.vrfs?.find((v) => v.name === 'vrf-nomod')).toMatchObject({
    ready: false,
    reason: 'InfrastructureFailed',
  });
  // Still alive and still reconciling: another pass completes, with the same finding.
  const first = agent.lastPass;
  const again = await agent.syncNow();
  expect(again).not.toBe(first);
  expect(again.kernel.unsupported).toContain('kernel has no VRF support');
  expect(again.kernel.vrfs.get('vrf-nomod')).toMatchObject({ ready: false, reason: 'InfrastructureFailed' });
});
