// Pure: in which order one pass talks to FRR and the kernel.
//
// FRR first when VRFs go away, kernel first when they come:
// - measured on FRR 8.4.4 in the UML guest (Linux 6.1, frr/reload.uml.test.ts):
//   `no vrf X` while the kernel VRF device exists is refused ("% Only inactive
//   VRFs can be deleted"), yet frr-reload.py with a config that no longer
//   mentions X converges (it removes `router bgp A vrf X` and the `vni` under
//   `vrf X`; FRR does not print an active VRF without configuration);
// - FRR first lets bgpd withdraw the VRF's type-5 routes and zebra unbind the
//   L3VNI while the data path still forwards, so remote VTEPs stop sending
//   before the VRF disappears; kernel first would leave a window in which they
//   still route to a VRF that no longer exists;
// - FRR binds `vrf X / vni N` to devices that must exist, so additions go to
//   the kernel first, except for a new L3VNI's VXLAN device: it waits until
//   FRR has the VNI (kernel/hold-back.ts) and is created in a second kernel pass.

export interface PassOrderInput {
  /** The agent manages FRR (enabled and an applier given). */
  frrManaged: boolean;
  /** The FRR model built from the resources passed validation. */
  frrModelValid: boolean;
  /** VRF devices FRR was last given successfully. */
  frrVrfs: ReadonlySet<string>;
  /** VRF devices this pass wants. */
  desiredVrfs: ReadonlySet<string>;
}

export interface PassOrder {
  /** Reload FRR before the kernel pass: a VRF FRR has is going away. */
  frrBeforeKernel: boolean;
  /** Leave new L3VNI VXLAN devices out of the first kernel pass. */
  holdNewL3Vxlans: boolean;
  /** Reload FRR after the kernel pass (skipped when the text is unchanged). */
  frrAfterKernel: boolean;
}

export function planPassOrder(input: PassOrderInput): PassOrder {
  const frr = input.frrManaged && input.frrModelValid;
  return {
    frrBeforeKernel: frr && [...input.frrVrfs].some((v) => !input.desiredVrfs.has(v)),
    holdNewL3Vxlans: frr,
    frrAfterKernel: frr,
  };
}

/** A second kernel pass creates the held-back L3VNI VXLANs once FRR took the config. */
export function needsSecondKernelPass(heldBack: readonly string[], frrError: string | undefined): boolean {
  return heldBack.length > 0 && frrError === undefined;
}
