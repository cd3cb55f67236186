// Pure: one VRF or network that FRR cannot take must not keep FRR from every
// other one. The FRR model is validated; a field error under `vrfs[i]` or
// `l2vnis[i]` is that object's (EVPN-006 on it alone, and the networks of a
// VRF left out go with it); the rest is validated again. Errors outside the
// per-object parts (the node's BGP settings) still fail the whole model.
import { EvpnErrorCode } from '../../crds/index.ts';
import type { EvpnNetwork, EvpnVrf } from '../../crds/index.ts';
import type { Rejection } from '../inputs/select-applicable.ts';
import { buildFrrModel, frrL2Order, frrVrfOrder, type FrrNodeSettings } from './build-frr-model.ts';
import { prepareFrrConfig, type FrrConfigResult } from './frr-config.ts';

export type FrrSelection = {
  readonly config: FrrConfigResult;
  readonly vrfs: EvpnVrf[];
  readonly networks: EvpnNetwork[];
  readonly rejectedVrfs: Map<string, Rejection>;
  readonly rejectedNetworks: Map<string, Rejection>;
};

const frrRejection = (message: string): Rejection => ({ code: EvpnErrorCode.Frr, reason: 'FrrRejected', message: `${EvpnErrorCode.Frr}: ${message}` });

export function selectFrrApplicable(node: FrrNodeSettings, vrfs: readonly EvpnVrf[], networks: readonly EvpnNetwork[]): FrrSelection {
  const rejectedVrfs = new Map<string, Rejection>();
  const rejectedNetworks = new Map<string, Rejection>();
  let liveVrfs = [...vrfs];
  let liveNetworks = [...networks];
  for (;;) {
    const config = prepareFrrConfig(buildFrrModel(node, liveVrfs, liveNetworks));
    if (config.ok) return { config, vrfs: liveVrfs, networks: liveNetworks, rejectedVrfs, rejectedNetworks };
    const vrfOrder = frrVrfOrder(liveVrfs);
    const l2Order = frrL2Order(liveNetworks);
    const before = rejectedVrfs.size + rejectedNetworks.size;
    for (const e of config.errors) {
      const m = /^(vrfs|l2vnis)\[(\d+)\]\.?(.*)$/.exec(e.field);
      if (m === null) continue;
      const object = m[1] === 'vrfs' ? vrfOrder[Number(m[2])] : l2Order[Number(m[2])];
      if (object === undefined) continue;
      const target = m[1] === 'vrfs' ? rejectedVrfs : rejectedNetworks;
      const previous = target.get(object.metadata.name)?.message.replace(/^EVPN-006: FRR cannot take it: /, '');
      const text = `${m[3] === '' ? '' : `${m[3]}: `}${e.message}`;
      target.set(object.metadata.name, frrRejection(`FRR cannot take it: ${previous === undefined ? text : `${previous}; ${text}`}`));
    }
    // Nothing attributable to one object: the node's settings are wrong, FRR gets nothing.
    if (rejectedVrfs.size + rejectedNetworks.size === before) return { config, vrfs: liveVrfs, networks: liveNetworks, rejectedVrfs, rejectedNetworks };
    for (const n of liveNetworks) {
      const vrf = n.spec.vrf;
      if (vrf !== undefined && rejectedVrfs.has(vrf) && !rejectedNetworks.has(n.metadata.name)) {
        rejectedNetworks.set(n.metadata.name, frrRejection(`its EvpnVrf ${vrf} is not applied: ${rejectedVrfs.get(vrf)?.message ?? ''}`));
      }
    }
    liveVrfs = liveVrfs.filter((v) => !rejectedVrfs.has(v.metadata.name));
    liveNetworks = liveNetworks.filter((n) => !rejectedNetworks.has(n.metadata.name));
  }
}
