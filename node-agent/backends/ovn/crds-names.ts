// Until wt-nop's crds/backend.ts and crds/ovn-evpn-names.ts are merged: the
// same signatures, so switching to `../../../crds/index.ts` is an import change.
// PENDING-MERGE: delete this file and import from crds.
import { MAX_VNI } from '../../../crds/primitives.ts';

export type Backend = 'kernel' | 'ovn';

export function effectiveBackend(spec: { readonly backend?: Backend | undefined }, clusterDefault: Backend): Backend {
  return spec.backend ?? clusterDefault;
}

export interface OvnEvpnSwitchDevices {
  readonly bridge: string;
  readonly vxlan: string;
  readonly advertise: string;
}

function checkVni(vni: number): void {
  if (!Number.isInteger(vni) || vni < 1 || vni > MAX_VNI) throw new RangeError(`not a VNI: ${vni}`);
}

export function ovnEvpnSwitchDevices(l2vni: number): OvnEvpnSwitchDevices {
  checkVni(l2vni);
  return { bridge: `ovnbr-${l2vni}`, vxlan: `ovnvx-${l2vni}`, advertise: `ovnlo-${l2vni}` };
}

export function ovnEvpnVrfDevice(l3vni: number): string {
  checkVni(l3vni);
  return `ovnvrf-${l3vni}`;
}
