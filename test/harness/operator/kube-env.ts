// A private control plane with the CRDs installed, plus object getters, for the
// operator's integration tests. Private, because the operator lists and writes
// every EvpnNetwork/EvpnVrf in the cluster, and the tests count its writes: an
// apiserver shared with other test files would make both meaningless.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { startControlPlane, type ControlPlane, type ControlPlaneOptions } from '../cluster/control-plane.ts';
import { runKubectl } from '../cluster/kube-test-env.ts';
import { KubeClient, isNotFound } from '../../../lib/kube/kube-client.ts';
import { coreResources, resourcePath, type ResourceRef } from '../../../lib/kube/resource.ts';
import type { Lease } from '../../../lib/kube/leader-election.ts';
import { deleteObject } from '../../../lib/kube/apply.ts';
import { evpnResources } from '../../../crds/resources.ts';
import type { Live } from '../../../operator/object-key.ts';
import type { Condition } from '../../../lib/kube/conditions.ts';

const crdDir = join(import.meta.dirname, '..', '..', '..', 'crds', 'generated');

export interface KubeEnv {
  readonly cp: ControlPlane;
  readonly kubeConfig: KubeConfig;
  /** A client of the test itself (its writes are not the operator's). */
  readonly client: KubeClient;
  kubectl(args: readonly string[], input?: string): Promise<string>;
  stop(): Promise<void>;
}

/** `options`: what the control plane accepts besides the admin (extra tokens, a client CA). */
export async function startKubeEnv(options: ControlPlaneOptions = {}): Promise<KubeEnv> {
  const cp = await startControlPlane(options);
  const kubectl = async (args: readonly string[], input?: string): Promise<string> => {
    const r = await runKubectl(cp.kubectlPath, cp.kubeconfigPath, args, input === undefined ? {} : { input });
    if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed: ${r.stderr}`);
    return r.stdout;
  };
  for (const f of readdirSync(crdDir)) await kubectl(['apply', '--server-side', '-f', join(crdDir, f)]);
  await kubectl([
    'wait',
    '--for=condition=Established',
    '--timeout=60s',
    'crd',
    '-l',
    'app.kubernetes.io/part-of=ovn-evpn',
  ]);
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(cp.kubeconfigPath);
  const client = new KubeClient(kubeConfig, { userAgent: 'operator-int-test' });
  return {
    cp,
    kubeConfig,
    client,
    kubectl,
    stop: async () => {
      client.close();
      await cp.stop();
    },
  };
}

export async function getObject<T>(
  client: KubeClient,
  resource: ResourceRef,
  name: string,
): Promise<Live<T> | undefined> {
  try {
    return await client.request<Live<T>>({ method: 'GET', path: resourcePath(resource, { name }) });
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

/** The holder of a Lease, or undefined when there is none (no Lease, or released). */
export async function leaseHolder(
  client: KubeClient,
  name: string,
  namespace = 'default',
): Promise<string | undefined> {
  try {
    const l = await client.request<Lease>({
      method: 'GET',
      path: resourcePath(coreResources.leases, { namespace, name }),
    });
    return l.spec?.holderIdentity ?? undefined;
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

/**
 * Deletes every EvpnVrf, EvpnNetwork and EvpnPortSet: the integration files
 * share one API server, and a file that starts its own operator against its
 * own OVN must not inherit another file's mirrored objects (its operator would
 * see them gone from OVN and hold or prune them, which is not what it tests).
 */
export async function deleteAllEvpnObjects(client: KubeClient): Promise<void> {
  for (const resource of [evpnResources.portSets, evpnResources.networks, evpnResources.vrfs]) {
    for (const {
      metadata: { name },
    } of await listObjects<unknown>(client, resource))
      if (name !== undefined) await deleteObject(client, resource, { name });
  }
}

export async function listObjects<T>(
  client: KubeClient,
  resource: ResourceRef,
  labelSelector?: string,
): Promise<Live<T>[]> {
  const list = await client.listAll<Live<T>>(
    resourcePath(resource),
    labelSelector === undefined ? {} : { labelSelector },
  );
  return list.items;
}

export interface EventView {
  reason: string;
  type: string;
  note: string;
  regarding: { kind: string; name: string };
}

export async function listEvents(client: KubeClient, namespace = 'default'): Promise<EventView[]> {
  const list = await client.listAll<EventView>(`/apis/events.k8s.io/v1/namespaces/${namespace}/events`);
  return list.items;
}

/** The condition of `type` on an object's status, if it has one. */
export const conditionOf = (obj: { status?: unknown } | undefined, type: string): Condition | undefined =>
  (obj?.status as { conditions?: Condition[] } | undefined)?.conditions?.find((c) => c.type === type);
