// Adapter: reads the four kinds from the API server with the user's kubeconfig
// (--kubeconfig, else KUBECONFIG, else in-cluster, else ~/.kube/config, like kubectl).
import type { z } from 'zod';
import { API_GROUP, API_VERSION, EvpnNetwork, EvpnNodeState, EvpnPortSet, EvpnVrf } from '../../crds/index.ts';
import { loadKubeConfig, type KubeTarget } from '../../lib/kube/config.ts';
import { KubeClient } from '../../lib/kube/kube-client.ts';
import type { EvpnObjects } from './objects.ts';

export function kubeConfigFor(
  kubeconfig: string | undefined,
  context: string | undefined,
  env: NodeJS.ProcessEnv,
): KubeTarget {
  return loadKubeConfig(kubeconfig === undefined ? env : { ...env, KUBECONFIG: kubeconfig }, context).kubeConfig;
}

async function listKind<S extends z.ZodType>(
  client: KubeClient,
  plural: string,
  schema: S,
  warn: (m: string) => void,
): Promise<z.infer<S>[]> {
  const list = await client.listAll<unknown>(`/apis/${API_GROUP}/${API_VERSION}/${plural}`);
  const out: z.infer<S>[] = [];
  for (const item of list.items) {
    const parsed = schema.safeParse(item);
    if (parsed.success) out.push(parsed.data);
    else
      warn(
        `skipping ${plural}/${(item as { metadata?: { name?: string } }).metadata?.name ?? '?'}: ${parsed.error.issues[0]?.message ?? 'invalid'}`,
      );
  }
  return out;
}

export async function readObjects(kc: KubeTarget, warn: (m: string) => void): Promise<EvpnObjects> {
  const client = new KubeClient(kc, { userAgent: 'kubectl-evpn' });
  try {
    const [vrfs, networks, portSets, nodeStates] = await Promise.all([
      listKind(client, 'evpnvrfs', EvpnVrf, warn),
      listKind(client, 'evpnnetworks', EvpnNetwork, warn),
      listKind(client, 'evpnportsets', EvpnPortSet, warn),
      listKind(client, 'evpnnodestates', EvpnNodeState, warn),
    ]);
    return { vrfs, networks, portSets, nodeStates };
  } finally {
    client.close();
  }
}
