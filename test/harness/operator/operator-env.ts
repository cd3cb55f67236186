// The shared start of the operator's integration files: a private apiserver
// with the CRDs (kube-env.ts) and the test world's OVN NB/SB, started together,
// with no EvpnNetwork/EvpnVrf/EvpnPortSet left by an earlier file (the
// operator would see them gone from OVN and hold or prune them, which is not
// what those files test).
import type { EvpnNetwork, EvpnVrf } from '../../../crds/index.ts';
import { evpnResources } from '../../../crds/resources.ts';
import type { Live } from '../../../operator/object-key.ts';
import { startOvnDatabases, type OvnDatabases, type OvnDatabasesOptions } from '../ovn/ovn-databases.ts';
import { deleteAllEvpnObjects, getObject, startKubeEnv, type KubeEnv } from './kube-env.ts';

export interface OperatorEnv {
  readonly kube: KubeEnv;
  readonly ovn: OvnDatabases;
  getNetwork(name: string): Promise<Live<EvpnNetwork> | undefined>;
  getVrf(name: string): Promise<Live<EvpnVrf> | undefined>;
  stop(): Promise<void>;
}

export async function startOperatorEnv(ovnOptions: OvnDatabasesOptions = {}): Promise<OperatorEnv> {
  const [kube, ovn] = await Promise.all([startKubeEnv(), startOvnDatabases(ovnOptions)]);
  await deleteAllEvpnObjects(kube.client);
  return {
    kube,
    ovn,
    getNetwork: (name) => getObject<EvpnNetwork>(kube.client, evpnResources.networks, name),
    getVrf: (name) => getObject<EvpnVrf>(kube.client, evpnResources.vrfs, name),
    stop: async () => {
      await Promise.all([ovn.stop(), kube.stop()]);
    },
  };
}
