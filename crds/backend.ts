// Which data path carries a network or VRF (docs/backends.md):
//   kernel: the node agent builds the VXLAN devices, bridge and IRB itself and
//           plumbs VLAN provider networks onto OVN's provider bridge (any OVN);
//   ovn:    OVN 26.03's native EVPN: the operator writes the dynamic-routing
//           keys into OVN NB, ovn-controller carries the traffic through its
//           flow-based VXLAN port, and the agent only creates the devices OVN
//           names and renders FRR (any network type, Geneve included).
// The operator and the agent decide with the same function, so they never
// disagree about an object. Pure.
import { z } from 'zod';

export const Backend = z.enum(['kernel', 'ovn']).meta({
  description:
    'Data path of this object: kernel (the agent builds VXLAN/bridge/IRB; VLAN provider networks) or ovn (OVN ≥ 26.03 native EVPN; any network type). Unset: the cluster default (operator --default-backend).',
});
export type Backend = z.infer<typeof Backend>;

/** Today's path, so a cluster that sets nothing behaves as before. */
export const DEFAULT_BACKEND: Backend = 'kernel';

/**
 * The backend in effect. `spec.backend` is a field the operator never writes on
 * the objects it mirrors, so a person's (or GitOps') choice on a mirrored object
 * stays theirs under server-side apply and survives every mirror write.
 */
export function effectiveBackend(spec: { readonly backend?: Backend | undefined }, clusterDefault: Backend): Backend {
  return spec.backend ?? clusterDefault;
}

/** Spec fields a person may set on a mirrored object: the mirror neither writes nor compares them. */
export const USER_HELD_SPEC_FIELDS = ['backend'] as const;

/** `spec` without the user-held fields; the same object when it has none. */
export function withoutUserHeldFields<T extends object>(spec: T): T {
  const held: readonly string[] = USER_HELD_SPEC_FIELDS;
  if (!held.some((f) => f in spec)) return spec;
  return Object.fromEntries(Object.entries(spec).filter(([k]) => !held.includes(k))) as T;
}
