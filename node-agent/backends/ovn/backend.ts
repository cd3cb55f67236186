// Which backend carries each applicable object, resolved once per pass at the
// boundary (node-pass.ts #select): afterwards every pure step reads
// `spec.backend` and never needs the cluster default again. The agent takes the
// same default as the operator (chart value → both flags), and decides with the
// operator's own function (crds effectiveBackend), so the two never disagree.
// Pure.
import { effectiveBackend, ovnEvpnVrfDevice, type Backend } from '../../../crds/index.ts';
import type { EvpnNetwork, EvpnVrf } from '../../../crds/index.ts';
import { vrfDevice } from '../../inputs/device-names.ts';

/** Any object with a spec; `backend` is read from it (objects of a CRD version without the field have none). */
type Specced = { readonly spec: object };
const backendOf = (o: Specced): Backend | undefined => (o.spec as { readonly backend?: Backend }).backend;

/** The object with its backend in effect written into its spec (a copy; the informer's object is left as it is). */
export function withEffectiveBackend<T extends Specced>(o: T, clusterDefault: Backend): T {
  return { ...o, spec: { ...o.spec, backend: effectiveBackend({ backend: backendOf(o) }, clusterDefault) } };
}

/** After withEffectiveBackend every object has one; a bare object (a unit test's) is on today's path. */
export const isOvnBackend = (o: Specced): boolean => backendOf(o) === 'ovn';

/** The VRF device of an EvpnVrf: OVN's name (the Logical_Router's dynamic-routing-vrf-name) on the ovn backend. */
export function vrfDeviceOf(v: Pick<EvpnVrf, 'spec'>): string {
  return isOvnBackend(v) ? ovnEvpnVrfDevice(v.spec.vni) : vrfDevice(v.spec.vni);
}

/** The objects split by backend, order kept. */
export function splitByBackend<T extends EvpnVrf | EvpnNetwork>(list: readonly T[]): { kernel: T[]; ovn: T[] } {
  return { kernel: list.filter((o) => !isOvnBackend(o)), ovn: list.filter(isOvnBackend) };
}
