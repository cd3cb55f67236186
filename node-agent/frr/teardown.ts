// Order of removing a tenant VRF from the node (pure).
//
// Measured on FRR 8.4.4 in the UML guest (Linux 6.1 with vrf), see
// teardown.uml.test.ts:
// - `vtysh -c 'configure terminal' -c 'no vrf X'` while the kernel VRF device
//   exists fails: "% Only inactive VRFs can be deleted". This is the refusal
//   the old implementation tripped over.
// - frr-reload.py with a config that no longer mentions X succeeds anyway
//   (rc 0, `--test` shows no residual): it removes `router bgp A vrf X` and the
//   `vni` under `vrf X`, and FRR does not print an active VRF that has no
//   configuration, so nothing is left to diff.
// - Deleting the kernel VRF first and reloading afterwards also converges.
//
// We take FRR first: while the kernel VRF and its VXLAN still forward, bgpd
// withdraws the VRF's type-5 routes and zebra unbinds the L3VNI, so remote
// VTEPs stop sending before the data path disappears (kernel first leaves a
// window in which they still route to a VRF that no longer exists). The kernel
// devices go last and only those the agent owns.

export type VrfTeardownStep =
  | { readonly kind: 'reload-frr'; readonly removedVrfs: readonly string[] }
  | { readonly kind: 'delete-kernel-vrf'; readonly vrf: string };

/**
 * Steps to remove the VRFs present on the node but no longer desired: one FRR
 * reload with the complete new config (none of them in it), then the kernel
 * VRF devices, sorted by name.
 */
export function planVrfTeardown(desiredVrfs: readonly string[], nodeVrfs: readonly string[]): VrfTeardownStep[] {
  const desired = new Set(desiredVrfs);
  const removed = [...new Set(nodeVrfs)].filter((v) => !desired.has(v)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  if (removed.length === 0) return [];
  return [
    { kind: 'reload-frr', removedVrfs: removed },
    ...removed.map((vrf): VrfTeardownStep => ({ kind: 'delete-kernel-vrf', vrf })),
  ];
}
