// The whole agent (real 6.1 kernel in the UML guest, real kube-apiserver on
// the host) records Events on the objects its node fails: a network whose VRF
// is missing gets a Warning naming the node and EVPN-003 on the EvpnNetwork
// itself, more failing passes add nothing (a lasting failure is recorded again
// after 5 minutes only), and once the VRF exists the network is applied and
// gets one Normal `Applied` Event.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EvpnNetwork, EvpnVrf } from '../../crds/index.ts';
import { evpnResources } from '../../crds/resources.ts';
import { applyObject, deleteObject } from '../../lib/kube/apply.ts';
import { loadKubeConfig } from '../../lib/kube/config.ts';
import { EventRecorder } from '../../lib/kube/events.ts';
import { KubeClient } from '../../lib/kube/kube-client.ts';
import type { KubeList, KubeObject } from '../../lib/kube/resource.ts';
import { silentLogger } from '../../lib/log.ts';
import { requireUmlGuest } from '../../test/harness/uml/oracle.ts';
import { NodeAgent } from '../agent.ts';
import { AgentConfig } from '../config.ts';
import { openKernel, type KernelAdapter } from '../kernel/netlink/kernel-adapter.ts';

const NODE = 'uml-events-node';
const FM = { fieldManager: 'agent-events-test', force: true };
const suffix = Math.random().toString(36).slice(2, 8);
const VRF = `ev-vrf-${suffix}`;
const NET = `ev-net-${suffix}`;

interface CoreEvent {
  type: string;
  reason: string;
  message: string;
  series?: { count: number };
  involvedObject: { kind: string; name: string; uid?: string };
  reportingComponent?: string;
  reportingInstance?: string;
}

let client: KubeClient;
let kernel: KernelAdapter;
let agent: NodeAgent;
let recorder: EventRecorder;

const config = AgentConfig.parse({
  node: { nodeName: NODE, vtepIp: '10.0.0.7' },
  bgp: { asn: 65000, routerId: '10.0.0.7' },
  frr: { enabled: false },
  resyncSeconds: 5,
});

/** The core v1 view of the Events, as `kubectl describe` reads them. */
async function eventsOn(name: string): Promise<CoreEvent[]> {
  return (
    await client.request<KubeList<CoreEvent>>({
      method: 'GET',
      path: '/api/v1/namespaces/default/events',
      query: { fieldSelector: `involvedObject.name=${name}` },
    })
  ).items;
}

async function passesUntil(check: () => boolean, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    await agent.syncNow();
    if (check()) return;
    if (Date.now() > end) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 200));
  }
}

beforeAll(async () => {
  requireUmlGuest();
  client = new KubeClient(loadKubeConfig().kubeConfig);
  kernel = openKernel();
  recorder = new EventRecorder({
    client,
    reportingController: 'ovn-evpn.dev/node-agent',
    reportingInstance: NODE,
    defaultNamespace: 'default',
    seriesIntervalMs: 300,
  });
  agent = new NodeAgent({ config, client, kernel, events: recorder, log: silentLogger() });
  await agent.start();
});

afterAll(async () => {
  await deleteObject(client, evpnResources.networks, { name: NET });
  await deleteObject(client, evpnResources.vrfs, { name: VRF });
  await passesUntil(() => agent.lastPass?.kernel.networks.has(NET) === false).catch(() => undefined);
  await agent.stop();
  kernel.close();
});

describe('agent Events on a real kernel and apiserver', () => {
  it('warns on the network its node fails, with the node and the EVPN code, and says when it is applied again', async () => {
    const net = await applyObject<KubeObject>(
      client,
      evpnResources.networks,
      {
        metadata: { name: NET },
        spec: { type: 'l2', vni: 31001, vlanId: 310, vrf: VRF } satisfies EvpnNetwork['spec'],
      },
      FM,
    );
    await passesUntil(() => agent.lastPass?.kernel.networks.get(NET)?.reason === 'VrfNotFound');
    // More failing passes: still one Event, no series write.
    for (let i = 0; i < 5; i++) await agent.syncNow();
    await new Promise((r) => setTimeout(r, 500));
    await recorder.flush();
    let events = await eventsOn(NET);
    expect(events).toHaveLength(1);
    expect(events[0]?.series).toBeUndefined();
    expect(events[0]).toMatchObject({
      type: 'Warning',
      reason: 'VrfNotFound',
      message: `node ${NODE}: EVPN-003: EvpnVrf ${VRF} does not exist`,
      involvedObject: { kind: 'EvpnNetwork', name: NET, uid: net.metadata.uid },
      reportingComponent: 'ovn-evpn.dev/node-agent',
      reportingInstance: NODE,
    });

    await applyObject(
      client,
      evpnResources.vrfs,
      { metadata: { name: VRF }, spec: { vni: 31000 } satisfies EvpnVrf['spec'] },
      FM,
    );
    await passesUntil(() => agent.lastPass?.kernel.networks.get(NET)?.ready === true);
    await agent.syncNow();
    await recorder.flush();
    events = await eventsOn(NET);
    expect(events.map((e) => `${e.type} ${e.reason} ${e.message}`).sort()).toEqual([
      `Normal Applied node ${NODE}: applied again (was VrfNotFound)`,
      `Warning VrfNotFound node ${NODE}: EVPN-003: EvpnVrf ${VRF} does not exist`,
    ]);
  });
});
