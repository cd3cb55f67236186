// What one kernel pass did: what failed, attributed to the VRFs and networks
// (attribute-failures.ts), and what it wrote. The state cache keeps the last
// clean one, so its type sits below both.
import type { Attribution } from './attribute-failures.ts';

export interface KernelPassResult extends Attribution {
  writes: number;
  /** Operations the kernel refused (a link already gone is not one): the pass is retried with backoff. */
  failed: number;
  planned: number;
  /** L3VNI VXLAN devices left out of this pass (see `holdNewL3Vxlans`). */
  heldBack: string[];
  /** The first planned changes, in words (for logs and for tests that expect none). */
  changes: string[];
  /** Nothing changed since the last clean pass (inputs and kernel): nothing was read, rendered or diffed. */
  skipped: boolean;
  durationMs: number;
}
