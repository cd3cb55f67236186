// The agent's Events on the real API server: a node's failure lands on the
// EvpnNetwork itself (in "default", where the apiserver wants Events about
// cluster-scoped objects), `kubectl describe` shows the node and the reason,
// repeats grow one Event's series, and recovery is one Normal Event.
import { beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { EventRecorder } from '../../lib/kube/events.ts';
import { testClient } from '../../test/harness/kube/kube-fixtures.ts';
import type { KubeClient } from '../../lib/kube/kube-client.ts';
import { kubectl, makeKubeConfig, uniqueName } from '../../test/harness/cluster/kube-test-env.ts';
import type { EvpnNodeStateStatus } from '../../crds/index.ts';
import { NodeEventEmitter } from './emit-node-events.ts';

const apiVersion = 'evpn.ovn-evpn.dev/v1alpha1';
const repo = new URL('../..', import.meta.url).pathname;

interface CoreEvent {
  type: string;
  reason: string;
  message: string;
  count?: number;
  series?: { count: number };
  involvedObject: { kind: string; name: string; uid?: string };
  reportingComponent?: string;
}

async function must(args: readonly string[], input = ''): Promise<string> {
  const r = await kubectl(args, { input });
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** Core v1 view, as `kubectl describe` reads it. */
async function eventsOn(name: string): Promise<CoreEvent[]> {
  const out = await must([
    'get',
    'events',
    '-A',
    '--field-selector',
    `involvedObject.name=${name},involvedObject.kind=EvpnNetwork`,
    '-o',
    'json',
  ]);
  return (JSON.parse(out) as { items: CoreEvent[] }).items;
}

describe('NodeEventEmitter against a real apiserver', () => {
  let client: KubeClient;
  const net = uniqueName('evnet');
  let uid = '';

  beforeAll(async () => {
    ({ client } = testClient(makeKubeConfig()));
    await must(['apply', '--server-side', '--force-conflicts', '-f', `${repo}crds/generated`]);
    await must(['wait', '--for=condition=Established', '--timeout=60s', 'crd/evpnnetworks.evpn.ovn-evpn.dev']);
    await must(
      ['apply', '-f', '-'],
      stringify({
        apiVersion,
        kind: 'EvpnNetwork',
        metadata: { name: net },
        spec: { type: 'l2', vni: 4242, vlanId: 42, routeTargets: ['65000:42'] },
      }),
    );
    uid = (await must(['get', 'evpnnetwork', net, '-o', 'jsonpath={.metadata.uid}'])).trim();
    return () => {
      client.close();
    };
  });

  it('shows which node failed the network and why in kubectl describe, without a storm, then its recovery', async () => {
    const recorder = new EventRecorder({
      client,
      reportingController: 'ovn-evpn.dev/node-agent',
      reportingInstance: 'worker-7',
      defaultNamespace: 'default',
      seriesIntervalMs: 200,
      dedupWindowMs: 3_600_000,
    });
    const emitter = new NodeEventEmitter(recorder, 'worker-7');
    const objects = [{ metadata: { name: net, uid } }];
    const failing = (i: number): Pick<EvpnNodeStateStatus, 'networks'> => ({
      networks: [
        {
          name: net,
          ready: false,
          reason: 'InfrastructureFailed',
          code: 'EVPN-005',
          message: `EVPN-005: vx-4242: File exists (pass ${i})`,
        },
      ],
    });
    // 30 failing passes 5 minutes apart (each one recorded again), with the error text changing every time.
    const t0 = Date.now();
    for (let i = 0; i < 30; i++) emitter.observe(failing(i), [], objects, t0 + i * 5 * 60_000);
    await new Promise((r) => setTimeout(r, 400));
    await emitter.flush();

    let events = await eventsOn(net);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      type: 'Warning',
      reason: 'InfrastructureFailed',
      message: 'node worker-7: EVPN-005: vx-4242: File exists (pass 0)',
      involvedObject: { kind: 'EvpnNetwork', name: net, uid },
    });
    expect(events[0]?.series?.count).toBe(30);

    emitter.observe({ networks: [{ name: net, ready: true }] }, [], objects, t0 + 30 * 5 * 60_000);
    emitter.observe({ networks: [{ name: net, ready: true }] }, [], objects, t0 + 31 * 5 * 60_000);
    await emitter.flush();
    events = await eventsOn(net);
    expect(events.map((e) => `${e.type} ${e.reason}`).sort()).toEqual([
      'Normal Applied',
      'Warning InfrastructureFailed',
    ]);

    const describe = await must(['describe', 'evpnnetwork', net]);
    expect(describe).toMatch(/Warning\s+InfrastructureFailed\s+.*node worker-7: EVPN-005: vx-4242: File exists/);
    expect(describe).toMatch(/Normal\s+Applied\s+.*node worker-7: applied again \(was InfrastructureFailed\)/);
  });
});
