// Pure: leave out of the desired state the L3VNI VXLAN devices that do not
// exist yet. zebra (with advertise-all-vni) makes every VXLAN device it sees
// before FRR has `vrf X / vni N` an L2VNI; bgpd then imports type-2 routes
// carrying the VRF's route target (`AS:N` matches the L2VNI's auto RT `*:N`)
// into it, zebra installs the remote VMs' MACs on vx3-N and never gets the
// VRF's router MACs: routed traffic over the L3VNI dies (seen end to end). The
// agent creates them in a second pass, once FRR has the VNI.
import type { DesiredKernelState } from './desired-state.ts';
import { ownerAlias } from './ownership.ts';

export function holdBackNewL3Vxlans(
  desired: DesiredKernelState,
  present: ReadonlySet<string>,
): { desired: DesiredKernelState; heldBack: string[] } {
  const l3vxlan = ownerAlias('l3vni-vxlan');
  const heldBack = desired.links
    .filter((l) => l.kind === 'vxlan' && l.alias === l3vxlan && !present.has(l.name))
    .map((l) => l.name);
  if (heldBack.length === 0) return { desired, heldBack };
  const held = new Set(heldBack);
  return {
    desired: {
      ...desired,
      links: desired.links.filter((l) => !held.has(l.name)),
      portFlags: desired.portFlags.filter((f) => !held.has(f.dev)),
    },
    heldBack,
  };
}
