// REST coordinates of the API's kinds, for the kube client (lib/kube).
import { API_GROUP, API_VERSION } from './api-group.ts';

const ref = (plural: string, kind: string) =>
  ({ group: API_GROUP, version: API_VERSION, plural, kind, namespaced: false }) as const;

export const evpnResources = {
  vrfs: ref('evpnvrfs', 'EvpnVrf'),
  networks: ref('evpnnetworks', 'EvpnNetwork'),
  nodeStates: ref('evpnnodestates', 'EvpnNodeState'),
  portSets: ref('evpnportsets', 'EvpnPortSet'),
} as const;
