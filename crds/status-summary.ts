// Per-node results folded by the operator into EvpnNetwork and EvpnVrf status,
// so that users read one object and no object is written by every node.
import { z } from 'zod';

export const FailingNode = z.object({
  node: z.string(),
  reason: z.string(),
  message: z.string().max(4096),
});

export const NodeSummary = {
  /** `ready/total` nodes, shown in the READY column. */
  ready: z.string().optional(),
  readyNodes: z.int().optional(),
  totalNodes: z.int().optional(),
  /** Up to 20 failing nodes, with why. */
  failingNodes: z.array(FailingNode).max(20).optional(),
};
