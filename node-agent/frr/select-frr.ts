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

const frrRejection = (message: string): Rejection & { code: EvpnErrorCode } => ({
  code: EvpnErrorCode.Frr,
  reason: 'FrrRejected',
  message: `${EvpnErrorCode.Frr}: ${message}`,
});

export function selectFrrApplicable(
  node: FrrNodeSettings,
  vrfs: readonly EvpnVrf[],
  networks: readonly EvpnNetwork[],
): FrrSelection {
  const rejectedVrfs = new Map<string, Rejection>();
  const rejectedNetworks = new Map<string, Rejection>();
  let liveVrfs = [...vrfs];
  let liveNetworks = [...networks];
  const details = new Map<string, string[]>();
  for (;;) {
    const config = prepareFrrConfig(buildFrrModel(node, liveVrfs, liveNetworks));
    if (config.ok) return { config, vrfs: liveVrfs, networks: liveNetworks, rejectedVrfs, rejectedNetworks };
    const before = rejectedVrfs.size + rejectedNetworks.size;
    attributeErrors(
      config.errors,
      { vrfs: frrVrfOrder(liveVrfs), l2: frrL2Order(liveNetworks) },
      { vrfs: rejectedVrfs, networks: rejectedNetworks },
      details,
    );
    // Nothing attributable to one object: the node's settings are wrong, FRR gets nothing.
    if (rejectedVrfs.size + rejectedNetworks.size === before)
      return { config, vrfs: liveVrfs, networks: liveNetworks, rejectedVrfs, rejectedNetworks };
    rejectNetworksOfRejectedVrfs(liveNetworks, rejectedVrfs, rejectedNetworks);
    liveVrfs = liveVrfs.filter((v) => !rejectedVrfs.has(v.metadata.name));
    liveNetworks = liveNetworks.filter((n) => !rejectedNetworks.has(n.metadata.name));
  }
}

type FieldError = { readonly field: string; readonly message: string };

/** Adds each error under `vrfs[i]` / `l2vnis[i]` to the rejection of that object (after its earlier ones); the rest is not any one object's. */
function attributeErrors(
  errors: readonly FieldError[],
  order: { readonly vrfs: readonly EvpnVrf[]; readonly l2: readonly EvpnNetwork[] },
  rejected: { readonly vrfs: Map<string, Rejection>; readonly networks: Map<string, Rejection> },
  details: Map<string, string[]>,
): void {
  for (const e of errors) {
    const m = /^(vrfs|l2vnis)\[(\d+)\]\.?(.*)$/.exec(e.field);
    if (m === null) continue;
    const isVrf = m[1] === 'vrfs';
    const object = isVrf ? order.vrfs[Number(m[2])] : order.l2[Number(m[2])];
    if (object === undefined) continue;
    // The texts are kept apart from the message (keyed by kind and name), never parsed back out of it.
    const id = `${isVrf ? 'vrf' : 'network'}/${object.metadata.name}`;
    const texts = [...(details.get(id) ?? []), `${m[3] === '' ? '' : `${m[3]}: `}${e.message}`];
    details.set(id, texts);
    (isVrf ? rejected.vrfs : rejected.networks).set(
      object.metadata.name,
      frrRejection(`FRR cannot take it: ${texts.join('; ')}`),
    );
  }
}

/** The networks of a rejected VRF go with it. */
function rejectNetworksOfRejectedVrfs(
  networks: readonly EvpnNetwork[],
  rejectedVrfs: ReadonlyMap<string, Rejection>,
  rejectedNetworks: Map<string, Rejection>,
): void {
  for (const n of networks) {
    const vrf = n.spec.vrf;
    if (vrf !== undefined && rejectedVrfs.has(vrf) && !rejectedNetworks.has(n.metadata.name)) {
      rejectedNetworks.set(
        n.metadata.name,
        frrRejection(`its EvpnVrf ${vrf} is not applied: ${rejectedVrfs.get(vrf)?.message ?? ''}`),
      );
    }
  }
}
